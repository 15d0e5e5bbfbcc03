/* layout_test.c — the typesetting core through its API: number and date
 * formatting, font fallback, line breaking rules, the page grid, the layout
 * dump and a PDF that reproduces byte for byte. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jingsai.h"
#include "device.h"
#include "layout.h"
#include "check.h"

/* The dump of D in a new string (the caller frees). */
static char *
dump(struct doc *d)
{
	struct buf b = {0};

	device_find("dump")->render(doc_finish(d), &b);
	return b.data;
}

/* D rendered by the PDF device into OUT. */
static int
doc_render_pdf(struct doc *d, struct buf *out)
{
	return doc_render(d, device_find("pdf"), out);
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* 1 when some line box text starts with one of the UTF-8 characters in SET
 * (AT_END 0) or ends with one (AT_END 1). */
static int
line_edge_has(const char *dumptext, const char *const *set, int at_end)
{
	const char *p;

	for (p = strstr(dumptext, "\n  line "); p != NULL; p = strstr(p + 1, "\n  line ")) {
		const char *q = strchr(p + 1, '"'), *e = strchr(p + 1, '\n');
		size_t len;

		if (q == NULL || e == NULL || q > e)
			continue;
		q++;
		len = (size_t)(e - 1 - q);           /* without the closing quote */
		for (int i = 0; set[i] != NULL; i++) {
			size_t l = strlen(set[i]);
			if (len >= l && memcmp(at_end ? q + len - l : q, set[i], l) == 0)
				return 1;
		}
	}
	return 0;
}

int
main(void)
{
	static const char *const closing[] = {"，", "。", "、", "；", "：", "！", "？", "）", "》", "”", NULL};
	static const char *const opening[] = {"（", "《", "“", NULL};
	struct doc_setup setup = {0};
	struct fontset *fs;
	struct doc *d;
	struct buf pdf1 = {0}, pdf2 = {0};
	char num[32], *s, *t;
	int i;

	CHECK_STR(fmt_thousands(0, num), "0", "fmt_thousands 0");
	CHECK_STR(fmt_thousands(999, num), "999", "fmt_thousands 999");
	CHECK_STR(fmt_thousands(1000, num), "1,000", "fmt_thousands 1000");
	CHECK_STR(fmt_thousands(1234567, num), "1,234,567", "fmt_thousands 1234567");
	CHECK_STR(fmt_thousands(-3000000, num), "-3,000,000", "fmt_thousands negative");
	s = fmt_date_chinese(2025, 4, 28);
	CHECK_STR(s, "二〇二五年四月二十八日", "fmt_date_chinese 2025-04-28");
	free(s);
	s = fmt_date_chinese(2030, 10, 1);
	CHECK_STR(s, "二〇三〇年十月一日", "fmt_date_chinese 2030-10-01");
	free(s);
	s = fmt_date_chinese(2024, 12, 31);
	CHECK_STR(s, "二〇二四年十二月三十一日", "fmt_date_chinese 2024-12-31");
	free(s);
	s = fmt_date_arabic(2025, 1, 15);
	CHECK_STR(s, "2025年1月15日", "fmt_date_arabic no leading zeros");
	free(s);

	fs = fontset_open("fonts");
	CHECK(fs != NULL, "fontset_open fonts/");
	if (fs == NULL)
		return CHECK_DONE();
	setup.page_numbers = 1;
	setup.date = 1736899200;
	setup.title = "测试";
	d = doc_new(fs, &setup);
	doc_title(d, "关于表彰南通市五一劳动奖章获得者的决定");
	doc_heading(d, 1, "一、总体情况");
	for (i = 0; i < 6; i++)
		doc_paragraph(d, &style_body,
		    "全市各级工会组织广泛开展劳动竞赛，参赛职工达到三十万人次，“建功十四五”活动深入人心。"
		    "其中（一）引领性劳动竞赛、（二）群众性创新竞赛成效显著！各地认真贯彻《实施方案》，"
		    "扎实推进各项工作；完成技术革新项目2万余项？采纳合理化建议10余万条。");
	doc_heading(d, 2, "（一）人名用字");
	doc_paragraph(d, &style_body, "张喆、王堃、李昇、朱镕、刘旻、〇号、𠮷田。");
	t = dump(d);
	CHECK(count(t, "\npage ") >= 1, "dump has pages");
	CHECK(!line_edge_has(t, closing, 0), "no line starts with closing punctuation");
	CHECK(!line_edge_has(t, opening, 1), "no line ends with an opening mark");
	CHECK(strstr(t, "outline 0 page=1") != NULL, "title in the outline");
	CHECK(strstr(t, "outline 1 page=1 ") != NULL && strstr(t, "\"一、总体情况\"") != NULL,
	    "heading 1 in the outline");
	CHECK(strstr(t, "\"𠮷\"") != NULL || strstr(t, "𠮷田") != NULL, "𠮷 laid out");
	CHECK(strstr(t, "line folio") != NULL && strstr(t, "\"— 1 —\"") != NULL, "page number — 1 —");
	CHECK(count(t, " bold ") == 0, "no fake bold in body text");
	free(t);
	CHECK(doc_render_pdf(d, &pdf1) == 0, "PDF rendered");
	CHECK(pdf1.len > 1000 && memcmp(pdf1.data, "%PDF-", 5) == 0, "PDF has a header");
	doc_free(d);

	/* the same input again gives the same bytes */
	d = doc_new(fs, &setup);
	doc_title(d, "关于表彰南通市五一劳动奖章获得者的决定");
	doc_heading(d, 1, "一、总体情况");
	for (i = 0; i < 6; i++)
		doc_paragraph(d, &style_body,
		    "全市各级工会组织广泛开展劳动竞赛，参赛职工达到三十万人次，“建功十四五”活动深入人心。"
		    "其中（一）引领性劳动竞赛、（二）群众性创新竞赛成效显著！各地认真贯彻《实施方案》，"
		    "扎实推进各项工作；完成技术革新项目2万余项？采纳合理化建议10余万条。");
	doc_heading(d, 2, "（一）人名用字");
	doc_paragraph(d, &style_body, "张喆、王堃、李昇、朱镕、刘旻、〇号、𠮷田。");
	CHECK(doc_render_pdf(d, &pdf2) == 0, "PDF rendered again");
	CHECK(pdf1.len == pdf2.len && memcmp(pdf1.data, pdf2.data, pdf1.len) == 0,
	    "byte-identical PDF for identical input");
	doc_free(d);

	/* fixed boxes: name spacing puts the second character in the third cell */
	d = doc_new(fs, &setup);
	{
		struct text_style name = style_body;
		double w1, w3;

		name.role = "wenkai";
		name.size_pt = 20;
		name.letter_spacing_pt = 0;
		name.indent_chars = 0;
		name.align = ALIGN_LEFT;
		w1 = doc_text_width(d, &name, "张");
		w3 = doc_text_width(d, &name, "张三李");
		CHECK(w1 > 6.9 && w1 < 7.2, "a 20 pt character is 7.06 mm wide");
		doc_text_box(d, &name, 20, 20, 100, 10, BOX_NAME_SPACING, "张三");
		t = dump(d);
		{
			const char *r = strstr(t, "n=2 adv=1000,1000 \"张三\"");
			const char *w = r != NULL ? strstr(r - 120, " w=") : NULL;
			double width = w != NULL && w < r ? atof(w + 3) : 0;

			CHECK(r != NULL && strstr(r - 60, "sp=20.000") != NULL && strstr(r - 60, "sp=20.000") < r,
			    "name: the gap after the first character is one character");
			CHECK(width > w3 - 0.05 && width < w3 + 0.05, "name: two characters span the width of three");
		}
		free(t);
		doc_text_box(d, &name, 20, 40, 10, 10, BOX_SHRINK, "南通市劳动竞赛委员会");
		t = dump(d);
		CHECK(strstr(t, "size=20.00") != NULL && count(t, "size=") == 3 && strstr(t, "size=20.00 sp=0.000 color=000000 n=10") == NULL,
		    "shrink: a long text gets smaller");
		free(t);
	}
	doc_free(d);

	/* edge cases: nothing crashes, every document still renders */
	d = doc_new(fs, &setup);
	{
		static const struct table_col cols[2] = {{"名称", 1, ALIGN_LEFT, 0, 0, 0}, {"数量", 1, ALIGN_RIGHT, 0, 0, 0}};
		static const char *const cats[3] = {"甲", "乙", "丙"};
		static const double neg[3] = {-5, 0, 12.5}, zero[3] = {0, 0, 0};
		struct chart_series ser[2] = {{"负数", neg}, {"零", zero}};
		struct chart c = {CHART_BAR, "边界", NULL, 3, cats, 2, ser, 0, 0};
		struct table *tb = table_new(NULL, 2, cols);
		struct buf out = {0};

		doc_paragraph(d, &style_body, "");
		doc_paragraph(d, &style_body, "   ");
		doc_paragraph(d, &style_body, "https://verify.example.org/cert/2025-MEDAL-0001?k=0123456789abcdef0123456789abcdef0123456789abcdef");
		doc_paragraph(d, &style_body, "第一行\n第二行\n\n第四行");
		doc_table(d, tb);          /* no rows, no total */
		table_free(tb);
		doc_chart(d, &c);
		c.kind = CHART_LINE;
		c.ncat = 0;
		doc_chart(d, &c);
		doc_text_box(d, &style_body, 10, 10, 5, 5, BOX_SHRINK | BOX_WRAP | BOX_VCENTER, "很长的文字放进很小的框");
		CHECK(doc_render_pdf(d, &out) == 0, "edge cases render");
		t = dump(d);
		CHECK(strstr(t, "\"第二行\"") != NULL && strstr(t, "\"第四行\"") != NULL, "line feeds break lines");
		free(t);
		buf_free(&out);
	}
	doc_free(d);
	/* a shared block: laid out once, listed once in the dump, drawn on each
	 * page that places it; in the PDF one form XObject all pages refer to */
	d = doc_new(fs, &setup);
	{
		struct buf out = {0};
		int blk = doc_shared_begin(d), nforms = 0;

		doc_rect(d, 10, 10, 190, 277, 2, 0xB22222, -1);
		doc_text_box(d, &style_title, 20, 30, 170, 12, 0, "共同的标题");
		doc_shared_end(d);
		for (int i = 0; i < 3; i++) {
			char name[32];

			doc_new_page(d);
			doc_shared_place(d, blk);
			snprintf(name, sizeof name, "第%d页", i + 1);
			doc_text_box(d, &style_body, 20, 60, 170, 10, 0, name);
		}
		t = dump(d);
		/* the title's line box and glyph run, once */
		CHECK(strncmp(t, "shared 1\n", 9) == 0 && count(t, "\"共同的标题\"") == 2 &&
		    count(t, "\n  shared 1\n") == 3 && count(t, "\npage ") == 3,
		    "shared block: dumped once, placed on three pages");
		free(t);
		CHECK(doc_render_pdf(d, &out) == 0, "shared block renders");
		for (const char *p = out.data; p != NULL && (p = memmem(p, out.len - (size_t)(p - out.data), "/Form", 5)) != NULL; p++)
			nforms++;
		CHECK(nforms == 1, "shared block: one form XObject in the PDF");
		buf_free(&out);
	}
	doc_free(d);
	d = doc_new(fs, &setup);
	CHECK(doc_render_pdf(d, &pdf2) == 0 && pdf2.len > 0, "an empty document renders one blank page");
	doc_free(d);
	buf_free(&pdf1);
	buf_free(&pdf2);
	fontset_free(fs);
	return CHECK_DONE();
}
