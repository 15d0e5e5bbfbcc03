/* dev_pdf.c — the PDF device: renders the display list with libharu, each
 * font face subset with HarfBuzz to the characters the document uses and
 * embedded once, with a valid ToUnicode CMap, reproducibly.
 *
 * libharu 2.3.0 maps text to glyphs through the font's cmap (code = Unicode
 * BMP value, Identity-H), writes a ToUnicode CMap poppler rejects, and turns
 * code points above U+FFFF into spaces.  So the subset font gets our own
 * cmap (BMP characters at their code point, the others at Private Use Area
 * codes), and the ToUnicode stream libharu made is refilled with a bfchar
 * CMap from those codes back to the real characters: pdf_font.c.  This file
 * draws the pages, the shared blocks (form XObjects), the outline and the
 * document information, and hands libharu's file to pdf_pack. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hb.h>
#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_encoder.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>

#include "jingsai.h"
#include "device.h"
#include "dlist.h"
#include "face.h"
#include "dev_pdf.h"
#include "pdf_write.h"
#include "pdf_pack.h"

static void
on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	struct pdfctx *c = user_data;

	if (c != NULL)
		pdf_error(c, error_no, detail_no);
}

static void
set_rgb_fill(HPDF_Page page, unsigned long c)
{
	HPDF_Page_SetRGBFill(page, ((c >> 16) & 0xff) / 255.0f, ((c >> 8) & 0xff) / 255.0f,
	    (c & 0xff) / 255.0f);
}

static void
set_rgb_stroke(HPDF_Page page, unsigned long c)
{
	HPDF_Page_SetRGBStroke(page, ((c >> 16) & 0xff) / 255.0f, ((c >> 8) & 0xff) / 255.0f,
	    (c & 0xff) / 255.0f);
}

/* Text state kept across runs of one BT … ET. */
struct tstate {
	int in_text;
	HPDF_Font font;
	double size, spacing, linew;
	long color;
	int bold;
};

static void
end_text(HPDF_Page page, struct tstate *ts)
{
	if (ts->in_text)
		HPDF_Page_EndText(page);
	ts->in_text = 0;
}

static void
draw_run(struct pdfctx *c, HPDF_Page page, double page_h, const struct dl_item *it,
    struct tstate *ts)
{
	struct used *u = pdf_font_find(c, it->face);
	struct buf s = {0};
	int k;

	if (u == NULL || u->font == NULL)
		return;
	if (!ts->in_text) {
		HPDF_Page_BeginText(page);
		ts->in_text = 1;
		ts->font = NULL;
		ts->color = -1;
		/* Character spacing (Tc) and rendering mode (Tr) are graphics
		 * state: they outlive ET, so what was set stays known. */
	}
	if (ts->font != u->font || ts->size != it->size_pt) {
		HPDF_Page_SetFontAndSize(page, u->font, (HPDF_REAL)it->size_pt);
		ts->font = u->font;
		ts->size = it->size_pt;
	}
	if (ts->color != (long)it->fill) {
		set_rgb_fill(page, (unsigned long)it->fill);
		if (ts->bold)
			set_rgb_stroke(page, (unsigned long)it->fill);
		ts->color = it->fill;
	}
	if (ts->bold != it->bold) {
		HPDF_Page_SetTextRenderingMode(page, it->bold ? HPDF_FILL_THEN_STROKE : HPDF_FILL);
		if (it->bold)
			set_rgb_stroke(page, (unsigned long)it->fill);
		ts->bold = it->bold;
	}
	if (it->bold && ts->linew != it->size_pt / 30) {
		HPDF_Page_SetLineWidth(page, pt(it->size_pt / 30));
		ts->linew = it->size_pt / 30;
	}
	if (fabs(ts->spacing - it->spacing_pt) > 1e-4) {
		HPDF_Page_SetCharSpace(page, (HPDF_REAL)it->spacing_pt);
		ts->spacing = it->spacing_pt;
	}
	for (k = 0; k < it->nglyphs; k++)
		utf8_encode(&s, hb_map_get(u->code, KEY(it->glyphs[k].cp, it->glyphs[k].extra)));
	HPDF_Page_TextOut(page, pt(px(it->x)), pt(page_h - px(it->y)), s.data);
	buf_free(&s);
}

static void
paint(HPDF_Page page, double width_pt, long fill)
{
	if (fill >= 0 && width_pt > 0)
		HPDF_Page_FillStroke(page);
	else if (fill >= 0)
		HPDF_Page_Fill(page);
	else
		HPDF_Page_Stroke(page);
}

/* A QR code as an inline 1-bit image mask, one sample a module, painted
 * black where the sample is 0 (dark) and leaving the paper as it is
 * elsewhere: about 200 bytes in the page's content instead of a rectangle
 * per run of dark modules.  Scaled up without interpolation, its edges
 * stay sharp for a scanner. */
static void
draw_qr(struct pdfctx *c, HPDF_Page page, double page_h, const struct dl_item *it)
{
	HPDF_PageAttr pa = page->attr;
	int n, row, r, col;
	const unsigned char *modules = dl_qr_modules(it, &n);
	HPDF_BYTE *bits;
	char head[64];

	if (modules == NULL || n <= 0)
		return;
	row = (n + 7) / 8;
	bits = xmalloc((size_t)row * n);
	memset(bits, 0xff, (size_t)row * n);
	for (r = 0; r < n; r++)
		for (col = 0; col < n; col++)
			if (modules[r * n + col] & 1)
				bits[r * row + col / 8] &= (HPDF_BYTE)~(0x80 >> (col % 8));
	HPDF_Page_GSave(page);
	set_rgb_fill(page, 0);
	HPDF_Page_Concat(page, (HPDF_REAL)px(it->w), 0, 0, (HPDF_REAL)px(it->w),
	    (HPDF_REAL)px(it->x), (HPDF_REAL)(page_h - px(it->y + it->w)));
	/* libharu has no inline images: written into the content as is */
	snprintf(head, sizeof head, "BI/W %d/H %d/IM true/BPC 1 ID ", n, n);
	if (HPDF_Stream_WriteStr(pa->stream, head) != HPDF_OK ||
	    HPDF_Stream_Write(pa->stream, bits, (HPDF_UINT)(row * n)) != HPDF_OK ||
	    HPDF_Stream_WriteStr(pa->stream, "\nEI\n") != HPDF_OK)
		on_error(HPDF_FILE_IO_ERROR, 0, c);
	free(bits);
	HPDF_Page_GRestore(page);
}

static void
draw_shape(struct pdfctx *c, HPDF_Page page, double page_h, const struct dl_item *it)
{
	if (it->kind != DL_QR) {
		if (it->width_pt > 0) {
			HPDF_Page_SetLineWidth(page, pt(it->width_pt));
			set_rgb_stroke(page, it->stroke);
		}
		if (it->fill >= 0)
			set_rgb_fill(page, (unsigned long)it->fill);
	}
	switch (it->kind) {
	case DL_LINE:
		HPDF_Page_MoveTo(page, pt(px(it->x)), pt(page_h - px(it->y)));
		HPDF_Page_LineTo(page, pt(px(it->x2)), pt(page_h - px(it->y2)));
		HPDF_Page_Stroke(page);
		break;
	case DL_RECT:
		if (it->width_pt <= 0 && it->fill < 0)
			break;
		HPDF_Page_Rectangle(page, pt(px(it->x)), pt(page_h - px(it->y + it->h)), pt(px(it->w)),
		    pt(px(it->h)));
		paint(page, it->width_pt, it->fill);
		break;
	case DL_CIRCLE:
		if (it->width_pt <= 0 && it->fill < 0)
			break;
		HPDF_Page_Circle(page, pt(px(it->x)), pt(page_h - px(it->y)), pt(px(it->w)));
		paint(page, it->width_pt, it->fill);
		break;
	case DL_QR:
		draw_qr(c, page, page_h, it);
		break;
	default:
		break;
	}
}

static void draw_shared(struct pdfctx *c, HPDF_Page page, double page_h, int n,
    struct tstate *ts);

/* Draws the items of PG (a page or a shared block) on PAGE; TS is what the
 * graphics state is known to be. */
static void
draw_items(struct pdfctx *c, HPDF_Page page, double page_h, const struct dl_page *pg,
    struct tstate *ts)
{
	int i;

	for (i = 0; i < pg->nitems && c->error == 0; i++) {
		const struct dl_item *it = &pg->items[i];

		if (it->kind == DL_LINEBOX)
			continue;
		if (it->kind == DL_RUN) {
			draw_run(c, page, page_h, it, ts);
			continue;
		}
		end_text(page, ts);
		if (it->kind == DL_SHARED)
			draw_shared(c, page, page_h, it->block, ts);
		else
			draw_shape(c, page, page_h, it);
		ts->linew = -1;
	}
	end_text(page, ts);
}

/* Adds to DST (made when NULL) every entry of the resource dictionary SRC. */
static HPDF_Dict
copy_resources(struct pdfctx *c, HPDF_Dict dst, HPDF_Dict src)
{
	HPDF_UINT i;

	if (src == NULL)
		return dst;
	if (dst == NULL)
		dst = HPDF_Dict_New(c->pdf->mmgr);
	for (i = 0; dst != NULL && i < src->list->count; i++) {
		HPDF_DictElement e = HPDF_List_ItemAt(src->list, i);
		HPDF_Obj_Header *h = e->value;
		void *obj = e->value;

		/* an indirect object sits in a dictionary as a proxy */
		if ((h->obj_class & HPDF_OCLASS_ANY) == HPDF_OCLASS_PROXY)
			obj = ((HPDF_Proxy)e->value)->obj;
		HPDF_Dict_Add(dst, e->key, obj);
	}
	return dst;
}

/* Shared block N on PAGE: drawn in place when no other page shows it, else
 * a form XObject made on first use and drawn by reference.  Its content
 * assumes nothing about the graphics state it is drawn in; the form's
 * resources are the fonts and images its content names. */
static void
draw_shared(struct pdfctx *c, HPDF_Page page, double page_h, int n, struct tstate *ts)
{
	const struct dl_page *blk = &c->dl->shared[n];

	if (c->uses[n] <= 1) {
		draw_items(c, page, page_h, blk, ts);
		return;
	}
	if (c->forms[n] == NULL) {
		HPDF_PageAttr pa = page->attr;
		HPDF_Dict form = HPDF_DictStream_New(c->pdf->mmgr, c->pdf->xref);
		HPDF_Array box;
		HPDF_Dict res, fonts, xobjects;
		HPDF_Stream saved;
		struct tstate fs;

		if (form == NULL)
			return;
		form->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
		form->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
		HPDF_Dict_AddName(form, "Type", "XObject");
		HPDF_Dict_AddName(form, "Subtype", "Form");
		box = HPDF_Array_New(c->pdf->mmgr);
		HPDF_Dict_Add(form, "BBox", box);
		HPDF_Array_AddNumber(box, 0);
		HPDF_Array_AddNumber(box, 0);
		HPDF_Array_AddReal(box, (HPDF_REAL)px(blk->w_mm));
		HPDF_Array_AddReal(box, (HPDF_REAL)px(blk->h_mm));
		/* libharu draws into the page's current stream: point it at the
		 * form for a while.  q … Q keeps libharu's idea of the graphics
		 * state what it was. */
		saved = pa->stream;
		pa->stream = form->stream;
		HPDF_Page_GSave(page);
		memset(&fs, 0, sizeof fs);
		fs.spacing = 1e9;
		fs.bold = -1;
		fs.linew = -1;
		fs.color = -1;
		draw_items(c, page, page_h, blk, &fs);
		HPDF_Page_GRestore(page);
		pa->stream = saved;
		fonts = copy_resources(c, NULL, pa->fonts);
		xobjects = copy_resources(c, NULL, pa->xobjects);
		res = HPDF_Dict_New(c->pdf->mmgr);
		HPDF_Dict_Add(form, "Resources", res);
		if (fonts != NULL)
			HPDF_Dict_Add(res, "Font", fonts);
		if (xobjects != NULL)
			HPDF_Dict_Add(res, "XObject", xobjects);
		c->forms[n] = form;
	}
	HPDF_Page_ExecuteXObject(page, (HPDF_XObject)c->forms[n]);
}

/* Adds each entry of SRC to *DST (made when NULL).  Returns -1 when DST
 * already gives one of its names to something else. */
static int
merge_names(struct pdfctx *c, HPDF_Dict *dst, HPDF_Dict src)
{
	HPDF_UINT i;

	if (src == NULL)
		return 0;
	if (*dst == NULL)
		*dst = HPDF_Dict_New(c->pdf->mmgr);
	for (i = 0; *dst != NULL && i < src->list->count; i++) {
		HPDF_DictElement e = HPDF_List_ItemAt(src->list, i);
		void *obj = HPDF_Dict_GetItem(src, e->key, HPDF_OCLASS_DICT);
		void *had = HPDF_Dict_GetItem(*dst, e->key, HPDF_OCLASS_DICT);

		if (obj == NULL || (had != NULL && had != obj))
			return -1;
		if (had == NULL)
			HPDF_Dict_Add(*dst, e->key, obj);
	}
	HPDF_Error_Reset(c->pdf->mmgr->error);
	return *dst != NULL ? 0 : -1;
}

/* Moves what the pages have alike up to the page tree, for every page to
 * inherit: the resources, when no two pages give one name to different
 * fonts or images, and the MediaBox, when all pages have one size.  Saves
 * some 200 bytes a page of a merged file. */
static void
inherit(struct pdfctx *c, const struct dl_doc *dl, HPDF_Page *pages)
{
	HPDF_Dict fonts = NULL, xobjects = NULL, res;
	HPDF_Array box, procs;
	int p, same_size = 1;

	if (dl->npages < 2 || c->error != 0)
		return;
	for (p = 0; p < dl->npages; p++) {
		HPDF_PageAttr pa = pages[p]->attr;
		HPDF_Dict r = HPDF_Dict_GetItem(pages[p], "Resources", HPDF_OCLASS_DICT);
		HPDF_UINT i;

		if (r == NULL)
			goto out;
		for (i = 0; i < r->list->count; i++) {
			HPDF_DictElement e = HPDF_List_ItemAt(r->list, i);

			if (strcmp(e->key, "Font") != 0 && strcmp(e->key, "XObject") != 0 &&
			    strcmp(e->key, "ProcSet") != 0)
				goto out;
		}
		if (merge_names(c, &fonts, pa->fonts) != 0 ||
		    merge_names(c, &xobjects, pa->xobjects) != 0)
			goto out;
		if (dl->pages[p].w_mm != dl->pages[0].w_mm || dl->pages[p].h_mm != dl->pages[0].h_mm)
			same_size = 0;
	}
	res = HPDF_Dict_New(c->pdf->mmgr);
	procs = HPDF_Array_New(c->pdf->mmgr);
	if (res == NULL || procs == NULL ||
	    HPDF_Dict_Add(c->pdf->root_pages, "Resources", res) != HPDF_OK)
		goto out;
	HPDF_Dict_Add(res, "ProcSet", procs);
	HPDF_Array_Add(procs, HPDF_Name_New(c->pdf->mmgr, "PDF"));
	HPDF_Array_Add(procs, HPDF_Name_New(c->pdf->mmgr, "Text"));
	HPDF_Array_Add(procs, HPDF_Name_New(c->pdf->mmgr, "ImageB"));
	if (fonts != NULL && fonts->list->count > 0) {
		HPDF_Dict_Add(res, "Font", fonts);
		fonts = NULL;
	}
	if (xobjects != NULL && xobjects->list->count > 0) {
		HPDF_Dict_Add(res, "XObject", xobjects);
		xobjects = NULL;
	}
	for (p = 0; p < dl->npages; p++) {
		HPDF_PageAttr pa = pages[p]->attr;

		HPDF_Dict_RemoveElement(pages[p], "Resources");
		pa->fonts = pa->xobjects = pa->ext_gstates = NULL;
	}
	if (same_size && (box = HPDF_Array_New(c->pdf->mmgr)) != NULL &&
	    HPDF_Dict_Add(c->pdf->root_pages, "MediaBox", box) == HPDF_OK) {
		HPDF_Array_AddNumber(box, 0);
		HPDF_Array_AddNumber(box, 0);
		HPDF_Array_AddReal(box, (HPDF_REAL)px(dl->pages[0].w_mm));
		HPDF_Array_AddReal(box, (HPDF_REAL)px(dl->pages[0].h_mm));
		for (p = 0; p < dl->npages; p++)
			HPDF_Dict_RemoveElement(pages[p], "MediaBox");
	}
out:
	if (fonts != NULL)
		HPDF_Dict_Free(fonts);
	if (xobjects != NULL)
		HPDF_Dict_Free(xobjects);
}

static void
set_info(HPDF_Doc pdf, const struct dl_doc *dl)
{
	HPDF_Date hd;
	struct tm tm;
	time_t t = (time_t)(dl->date != 0 ? dl->date : jz_now());

	gmtime_r(&t, &tm);
	memset(&hd, 0, sizeof hd);
	hd.year = tm.tm_year + 1900;
	hd.month = tm.tm_mon + 1;
	hd.day = tm.tm_mday;
	hd.hour = tm.tm_hour;
	hd.minutes = tm.tm_min;
	hd.seconds = tm.tm_sec;
	hd.ind = 'Z';
	HPDF_SetInfoDateAttr(pdf, HPDF_INFO_CREATION_DATE, hd);
	/* ASCII as a plain string: before the UTF-8 encoder is current */
	HPDF_SetInfoAttr(pdf, HPDF_INFO_PRODUCER, "jingsai");
	HPDF_SetCurrentEncoder(pdf, "UTF-8");
	if (dl->title != NULL)
		HPDF_SetInfoAttr(pdf, HPDF_INFO_TITLE, dl->title);
	if (dl->author != NULL)
		HPDF_SetInfoAttr(pdf, HPDF_INFO_AUTHOR, dl->author);
	if (dl->subject != NULL)
		HPDF_SetInfoAttr(pdf, HPDF_INFO_SUBJECT, dl->subject);
	if (dl->keywords != NULL)
		HPDF_SetInfoAttr(pdf, HPDF_INFO_KEYWORDS, dl->keywords);
}

static void
outlines(HPDF_Doc pdf, const struct dl_doc *dl, HPDF_Page *pages)
{
	HPDF_Outline parent[3] = {NULL, NULL, NULL};
	HPDF_Encoder enc = HPDF_GetEncoder(pdf, "UTF-8");
	int i;

	if (dl->noutlines == 0)
		return;
	for (i = 0; i < dl->noutlines; i++) {
		const struct dl_outline *o = &dl->outlines[i];
		HPDF_Outline up = NULL, ol;
		HPDF_Destination dst;
		int l;

		for (l = o->level - 1; l >= 0 && up == NULL; l--)
			up = parent[l];
		ol = HPDF_CreateOutline(pdf, up, o->title, enc);
		if (ol == NULL)
			continue;
		HPDF_Outline_SetOpened(ol, HPDF_TRUE);
		dst = HPDF_Page_CreateDestination(pages[o->page]);
		HPDF_Destination_SetXYZ(dst, 0,
		    (HPDF_REAL)px(dl->pages[o->page].h_mm - o->y_mm), 1);
		HPDF_Outline_SetDestination(ol, dst);
		parent[o->level] = ol;
		for (l = o->level + 1; l < 3; l++)
			parent[l] = NULL;
	}
	HPDF_SetPageMode(pdf, HPDF_PAGE_MODE_USE_OUTLINE);
}

/* One libharu document object per thread, emptied after each document:
 * making one builds the UTF-8 encoder's tables (256 KB, byte by byte),
 * which cost a single certificate more than its text. */
static _Thread_local HPDF_Doc kept;

int
dev_pdf_render(const struct dl_doc *dl, struct buf *out)
{
	/* written directly (pdf_write.c: the same bytes, a third of the
	 * time), but for bookmarks, which libharu writes */
	if (dl->noutlines == 0)
		return pdfw_render(dl, out);
	return dev_pdf_libharu(dl, out);
}

int
dev_pdf_libharu(const struct dl_doc *dl, struct buf *out)
{
	struct pdfctx c;
	HPDF_Page *pages = NULL;
	int p, i, rc = -1;

	memset(&c, 0, sizeof c);
	if (kept == NULL) {
		kept = HPDF_New(on_error, NULL);
		if (kept == NULL) {
			diag(DIAG_LAYOUT_PDF_START, NULL, 0, 0, 0L);
			return -1;
		}
		HPDF_UseUTFEncodings(kept);
	} else if (HPDF_NewDoc(kept) != HPDF_OK) {
		diag(DIAG_LAYOUT_PDF_START, NULL, 0, 0, (long)HPDF_GetError(kept));
		HPDF_Free(kept);
		kept = NULL;
		return -1;
	}
	c.pdf = kept;
	c.pdf->error.user_data = &c;
	/* pdf_pack deflates the streams, quicker than libharu's zlib */
	HPDF_SetCompressionMode(c.pdf, HPDF_COMP_NONE);
	set_info(c.pdf, dl);

	c.dl = dl;
	if (dl->nshared > 0) {
		c.uses = xcalloc(dl->nshared, sizeof *c.uses);
		c.forms = xcalloc(dl->nshared, sizeof *c.forms);
		for (p = 0; p < dl->npages; p++)
			for (i = 0; i < dl->pages[p].nitems; i++)
				if (dl->pages[p].items[i].kind == DL_SHARED)
					c.uses[dl->pages[p].items[i].block]++;
	}
	pdf_fonts_collect(&c, dl);
	for (i = 0; i < c.nused; i++)
		if (pdf_font_load(&c, &c.used[i], i) != 0) {
			if (c.error == 0)
				c.error = HPDF_INVALID_FONTDEF_DATA;
			goto done;
		}

	pages = xcalloc(dl->npages + 1, sizeof *pages);
	for (p = 0; p < dl->npages && c.error == 0; p++) {
		const struct dl_page *pg = &dl->pages[p];
		HPDF_Page page = HPDF_AddPage(c.pdf);
		double page_h = pt(px(pg->h_mm));
		struct tstate ts;

		memset(&ts, 0, sizeof ts);
		pages[p] = page;
		HPDF_Page_SetWidth(page, pt(px(pg->w_mm)));
		HPDF_Page_SetHeight(page, (HPDF_REAL)page_h);
		draw_items(&c, page, page_h, pg, &ts);
	}
	inherit(&c, dl, pages);
	if (c.error == 0)
		outlines(c.pdf, dl, pages);
	if (c.error == 0 && HPDF_SaveToStream(c.pdf) == HPDF_OK) {
		HPDF_UINT32 size = HPDF_GetStreamSize(c.pdf);
		struct buf raw = {0};

		raw.data = xmalloc(size + 1);
		raw.cap = size + 1;
		while (c.error == 0) {
			HPDF_UINT32 n = size - (HPDF_UINT32)raw.len;

			if (n == 0)
				break;
			if (HPDF_ReadFromStream(c.pdf, (HPDF_BYTE *)raw.data + raw.len, &n) != HPDF_OK &&
			    n == 0)
				break;
			raw.len += n;
		}
		/* libharu's file, repacked smaller; as it is (uncompressed,
		 * but whole) should that fail */
		if (raw.len == size && c.error == 0) {
			if (pdf_pack(raw.data, raw.len, out) != 0)
				buf_add(out, raw.data, raw.len);
			rc = 0;
		}
		buf_free(&raw);
	}
done:
	if (rc != 0)
		diag(DIAG_LAYOUT_PDF, NULL, 0, 0, (long)c.error,
		    (long)c.detail);
	for (i = 0; i < c.nused; i++) {
		hb_set_destroy(c.used[i].keys);
		hb_map_destroy(c.used[i].gid);
		hb_map_destroy(c.used[i].code);
	}
	free(c.used);
	free(c.uses);
	free(c.forms);
	free(pages);
	/* The document goes, the encoders stay; so do font definitions, which
	 * are ours and made per document. */
	if (rc == 0) {
		HPDF_FreeDoc(c.pdf);
		while (c.pdf->fontdef_list->count > 0) {
			HPDF_FontDef def = HPDF_List_ItemAt(c.pdf->fontdef_list, 0);

			HPDF_List_Remove(c.pdf->fontdef_list, def);
			HPDF_FontDef_Free(def);
		}
		c.pdf->error.user_data = NULL;
	} else {
		HPDF_Free(c.pdf);
		kept = NULL;
	}
	return rc;
}
