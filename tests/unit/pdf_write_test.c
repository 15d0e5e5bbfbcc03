/* pdf_write_test.c — the PDF writer (pdf_write.c) gives the same bytes as
 * libharu and pdf_pack.c (dev_pdf_libharu), for every shipped
 * certificate template (single certificate, a print file of several pages
 * sharing their common part, the pre-printed stock variant, the calibration
 * page) and for a document whose pages differ in size and in the order they
 * use their fonts; and written a page at a time, laid out twice and dropped
 * after each pass, it gives the same bytes again. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "check.h"
#include "cert.h"
#include "device.h"
#include "dlist.h"
#include "layout.h"
#include "layout_int.h"
#include "pdf_write.h"

static const char *const names[] = {
	"张三", "欧阳喆堃", "王昇镕", "𠮷田旻", "李", "南通市通州区某某某某某某某某某某某某班组"
};
#define NNAMES (int)(sizeof names / sizeof *names)

static const char *const units[] = {
	"南通精密机械制造股份有限公司",
	"江苏省南通市经济技术开发区某某某某某某某某某某某某某某某某某某某某科技有限公司",
};

/* Compares the two devices on D; NAME says what D is. */
static void
same_bytes(struct doc *d, const char *name)
{
	struct buf a = {0}, b = {0};
	char what[256];
	const struct dl_doc *dl = doc_finish(d);
	int ra = pdfw_render(dl, &a), rb = dev_pdf_libharu(dl, &b);

	snprintf(what, sizeof what, "%s: same bytes as libharu and pdf_pack (%zu)", name, b.len);
	CHECK(ra == 0 && rb == 0 && a.len == b.len && memcmp(a.data, b.data, a.len) == 0, what);
	buf_free(&a);
	buf_free(&b);
}

static void
values(struct cert_values *v, int i, QRcode *qr)
{
	memset(v, 0, sizeof *v);
	v->recipient = names[i % NNAMES];
	v->unit = units[i % 2];
	v->title = "南通市五一劳动奖章";
	v->issuer = "南通市劳动竞赛委员会";
	v->programme = "建功“十四五”";
	v->date = "二〇二五年四月二十八日";
	v->serial = "2025-MEDAL-0007";
	v->payload = qr != NULL ? "https://jsj.ntzgh.cn/v/2025-MEDAL-0007.JWw2B0Ch124Is3DWOZhs3g" : NULL;
	v->qr = qr;
}

static struct doc *
cert_doc(struct fontset *fs, const struct cert_template *t)
{
	struct doc_setup s = {0};

	s.page_w_mm = t->page_w;
	s.page_h_mm = t->page_h;
	s.margin_top_mm = 0.001;
	s.margin_left_mm = 0.001;
	s.body_w_mm = t->page_w;
	s.body_h_mm = t->page_h;
	s.title = "南通市五一劳动奖章 2025";
	s.author = "南通市劳动竞赛委员会";
	s.subject = "荣誉证书";
	s.date = 1745798400;
	return doc_new(fs, &s);
}

static int
to_buf(void *arg, const void *data, size_t len)
{
	buf_add(arg, data, len);
	return 0;
}

/* N certificates of T as one file, written a page at a time (each page
 * laid out in both passes, then dropped); compared with the whole
 * document laid out at once. */
static void
print_file(struct fontset *fs, const struct cert_template *t, int n, int stock, QRcode *qr,
    const char *name)
{
	struct doc *whole = cert_doc(fs, t), *paged = cert_doc(fs, t);
	struct cert_values v;
	struct buf a = {0}, b = {0};
	struct pdfw *w;
	int block_whole, block_paged, rc = 0;
	char what[256];

	values(&v, 0, qr);
	block_whole = cert_draw_shared(whole, t, &v, stock, 1.5, -2, "test");
	block_paged = cert_draw_shared(paged, t, &v, stock, 1.5, -2, "test");
	for (int i = 0; i < n; i++) {
		values(&v, i, qr);
		cert_draw(whole, t, &v, stock, 1.5, -2, "test", block_whole);
	}
	snprintf(what, sizeof what, "%s: %d pages", name, n);
	same_bytes(whole, what);

	w = pdfw_new(doc_finish(paged), to_buf, &a);
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		for (int i = 0; i < n && rc == 0; i++) {
			values(&v, i, qr);
			cert_draw(paged, t, &v, stock, 1.5, -2, "test", block_paged);
			rc = pass == 0 ? pdfw_note(w) : pdfw_write(w);
			doc_pages_drop(paged);
		}
		if (pass == 0 && rc == 0)
			rc = doc_check(paged);
	}
	if (rc == 0)
		rc = pdfw_finish(w);
	pdfw_free(w);
	pdfw_render(doc_finish(whole), &b);
	snprintf(what, sizeof what, "%s: %d pages written a page at a time, the same bytes", name, n);
	CHECK(rc == 0 && a.len == b.len && memcmp(a.data, b.data, a.len) == 0, what);
	buf_free(&a);
	buf_free(&b);
	doc_free(whole);
	doc_free(paged);
}

static void
templates(struct fontset *fs)
{
	DIR *dir = opendir("templates");
	struct dirent *e;
	QRcode *qr = QRcode_encodeString("https://jsj.ntzgh.cn/v/2025-MEDAL-0007.JWw2B0Ch124Is3DWOZhs3g",
	    0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int ntemplates = 0;

	CHECK(dir != NULL && qr != NULL, "templates/ and a QR code");
	while (dir != NULL && (e = readdir(dir)) != NULL) {
		char path[512], name[300];
		struct cert_template *t;

		if (strncmp(e->d_name, "cert-", 5) != 0 || strstr(e->d_name, ".xml") == NULL)
			continue;
		snprintf(path, sizeof path, "templates/%s", e->d_name);
		if ((t = cert_template_load(path)) == NULL) {
			CHECK(0, path);
			continue;
		}
		ntemplates++;
		for (int k = 0; k < 2; k++) {
			struct doc *d = cert_doc(fs, t);
			struct cert_values v;

			values(&v, k * 3, k ? qr : NULL);
			cert_draw(d, t, &v, 0, 0, 0, "test", cert_draw_shared(d, t, &v, 0, 0, 0, "test"));
			snprintf(name, sizeof name, "%s, one certificate%s", e->d_name, k ? " with a QR code" : "");
			same_bytes(d, name);
			doc_free(d);
		}
		snprintf(name, sizeof name, "%s, print file", e->d_name);
		print_file(fs, t, 7, 0, qr, name);
		snprintf(name, sizeof name, "%s, print file on stock", e->d_name);
		print_file(fs, t, 3, 1, qr, name);
		{
			struct doc *d = cert_doc(fs, t);
			cert_draw_calibration(d, t, 1.5, -2);
			snprintf(name, sizeof name, "%s, calibration page", e->d_name);
			same_bytes(d, name);
			doc_free(d);
		}
		cert_template_free(t);
	}
	if (dir != NULL)
		closedir(dir);
	CHECK(ntemplates >= 6, "every shipped certificate template compared");
	QRcode_free(qr);
}

/* Pages of two sizes; the second page sets a font the first set second,
 * first: F1 names another font there, so each page keeps its resources. */
static void
mixed(struct fontset *fs)
{
	static const struct text_style bold = {.role = "sans", .size_pt = 18, .align = ALIGN_LEFT,
	    .bold = 1, .color = 0xB22222, .letter_spacing_pt = 3};
	struct doc_setup s = {0};
	struct doc *d;

	s.page_w_mm = 210;
	s.page_h_mm = 297;
	s.margin_top_mm = 20;
	s.margin_left_mm = 20;
	s.body_w_mm = 170;
	s.body_h_mm = 250;
	s.title = "Mixed 𠮷";
	d = doc_new(fs, &s);
	doc_new_page(d);
	doc_text_box(d, &bold, 20, 20, 170, 12, 0, "粗体 bold 标题");
	doc_text_box(d, &style_table, 20, 40, 170, 10, BOX_NAME_SPACING, "张三");
	doc_text_box(d, &style_table, 20, 60, 170, 10, 0, "𠮷");
	doc_circle(d, 100, 150, 20, 1.5, 0x123456, 0xFFEEDD);
	doc_rect(d, 30, 200, 50, 20, 0, 0, 0x00FF00);
	doc_line(d, 20, 250, 190, 260, 0.75, 0x0000FF);
	doc_new_page(d);
	d->dl.pages[1].w_mm = 297;
	d->dl.pages[1].h_mm = 210;
	doc_text_box(d, &style_table, 20, 20, 170, 10, 0, "𠮷");
	doc_text_box(d, &bold, 20, 40, 170, 12, BOX_SHRINK, "第二页，很长很长很长很长很长很长很长很长很长很长很长很长很长的标题");
	/* more than 0x78 characters in one font: libharu reads the x-height
	 * of the glyph coded 0x78 (whatever it is) into the descriptor */
	doc_text_box(d, &style_table, 20, 60, 250, 120, BOX_WRAP,
	    "一乙二十丁厂七卜人入八九几儿了力乃刀又三于干亏士工土才寸下大丈与万上小口巾山千乞川亿个勺久凡及夕丸么广亡门义之尸弓己已子卫也女飞刃习叉马乡丰王井开夫天无元专云扎艺木五支厅不太犬区历尤友匹车巨牙屯比互切瓦止少日中冈贝内水见午牛手毛气升长仁什片仆化仇币仍仅斤爪反介父从今凶分乏公仓月氏勿欠风丹匀乌凤勾文六方火为斗忆订计户认心尺引丑巴孔队办以允予劝双书幻");
	/* punctuation side by side: the blank halves it gives up are
	 * negative extras of those codes */
	doc_text_box(d, &style_table, 20, 190, 250, 10, 0, "（测试）、《书名》，“引号”。——A1");
	{
		int negative = 0;
		for (int p = 0; p < d->dl.npages; p++)
			for (int i = 0; i < d->dl.pages[p].nitems; i++)
				for (int k = 0; k < d->dl.pages[p].items[i].nglyphs; k++)
					negative |= d->dl.pages[p].items[i].glyphs[k].extra < 0;
		CHECK(negative, "the document has characters set narrower than their glyph");
	}
	same_bytes(d, "pages of two sizes, fonts in another order");
	doc_free(d);
}

int
main(void)
{
	struct fontset *fs = fontset_open("fonts");

	CHECK(fs != NULL, "fontset_open fonts/");
	if (fs == NULL)
		return CHECK_DONE();
	templates(fs);
	mixed(fs);
	fontset_free(fs);
	return CHECK_DONE();
}
