/* pdf_write.c — the display list written as PDF directly, a page at a time:
 * the bytes dev_pdf.c (libharu) and pdf_pack.c make of it, without them.
 *
 * Why: a certificate rendered through libharu is built as libharu's object
 * tree, written out, parsed again and repacked (pdf_pack.c), and libharu
 * readies a 128 KB code table per font on the way; that is a third of the
 * processor time of a single certificate.  And print.pdf of 9 000 pages held
 * its display list, libharu's tree and two copies of the file in memory at
 * once.  Here each page is written as it comes and forgotten.
 *
 * What is written is exactly what dev_pdf.c + pdf_pack.c write (tests/unit/
 * pdf_write_test.c renders documents both ways and compares the bytes):
 *  - the same objects in the same order and numbering: catalog, page tree,
 *    information, per font (in order of first use) the Type0 font, its
 *    ToUnicode CMap, the CIDFontType2, the CIDToGIDMap (when codes are not
 *    glyph ids), the font file and its descriptor, then per page the page
 *    and its contents, and a shared block's form XObject after the contents
 *    of the first page that shows it;
 *  - streams first, in that order, then the other objects in compressed
 *    object streams of 200, then the cross-reference stream;
 *  - content streams as libharu's operators write them: numbers through
 *    libharu's own HPDF_FToA, text positions relative to the line start in
 *    single precision as libharu computes them, circles as four Bézier
 *    quarters with its constant;
 *  - streams deflated as pdf_pack does (libdeflate, when smaller), a form
 *    XObject as libharu does (zlib at its default level), the font file as
 *    dev_pdf.c does;
 *  - the font descriptor from libharu's own reading of the subset font, and
 *    the information strings as libharu encodes them (one libharu document
 *    kept per thread serves both).
 * The PDF device (dev_pdf.c) writes documents without bookmarks with it;
 * print.pdf is written with it by the certificates, a page at a time. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hb.h>
#include <openssl/evp.h>
#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>
#include <hpdf_utils.h>
#include <zlib.h>

#include "dev_pdf.h"
#include "dlist.h"
#include "face.h"
#include "pdf_pack.h"
#include "pdf_write.h"

#define OBJS_PER_STREAM 200     /* as pdf_pack.c */
#define KAPPA 0.552F            /* libharu's circle constant */

/* A face as the document uses it. */
struct wface {
	struct jz_face *face;
	hb_set_t *keys;          /* KEY(cp, extra) drawn with it */
	hb_map_t *gid;           /* key → glyph id in the full font */
	hb_map_t *code;          /* key → code in the subset */
	int num_type0, num_cmap, num_cid, num_map, num_file, num_desc;
	char base_font[160];     /* TAG+PostScript name */
	int identity;            /* codes are glyph ids: no CIDToGIDMap */
	struct buf cid_dict;     /* the CIDFontType2 dictionary, written with the objects */
	struct buf desc_dict;    /* the descriptor */
};

/* What a page or shared block draws, as the first pass saw it, in order:
 * a face set (its index in w->faces) or a shared block placed (-1 - block). */
struct events {
	int *v;
	int n, cap;
};

/* libharu's names of a page's resources: F1, F2 … for its fonts and X1 …
 * for its XObjects, in the order the page first uses them (see below). */
struct names {
	int fonts[32], nfonts;   /* face index per Fk */
	int xobjs[32], nxobjs;   /* shared block per Xk */
	int font_first;          /* the /Font dictionary came before /XObject */
};

/* A page: its size, its numbers and, when it keeps them, its resources. */
struct wpage {
	double w_mm, h_mm;
	int num, contents;
	struct buf res;          /* "/Resources<<…>>", empty when inherited */
};

struct pdfw {
	const struct dl_doc *dl;    /* the document: its information, shared blocks, pages now */
	pdfw_sink sink;
	void *arg;
	size_t off;              /* bytes written so far */
	EVP_MD_CTX *md;          /* their SHA-256: the file identifier (pdf_pack.c's) */
	int failed;
	/* first pass */
	int npages;              /* pages noted */
	struct events *page_ev;  /* per page noted */
	struct wpage *pages;
	int *uses;               /* per shared block: how often pages place it */
	struct wface *faces;     /* every face drawn with */
	int nfaces;
	/* before the second */
	int started;
	struct events *block_ev; /* per shared block placed */
	int *order;              /* the document's fonts, in dev_pdf.c's order (index in faces) */
	int norder;
	int inherit;             /* the pages inherit resources from the page tree */
	int same_size;           /* and the MediaBox */
	struct names root_names; /* the page tree's resources */
	/* second pass */
	int written;             /* pages written */
	int next_num;            /* the next object number */
	int *forms;              /* per shared block: its form XObject's number, 0 none yet */
	char *made;              /* per shared block: made into a form, as the first pass sees it */
	struct { size_t off; } *xref;  /* offsets of stream objects, by number */
	int capxref;
};

/* ---- Output --------------------------------------------------------------- */

static void
put(struct pdfw *w, const void *data, size_t len)
{
	if (w->failed || len == 0)
		return;
	if (w->sink(w->arg, data, len) != 0)
		w->failed = 1;
	EVP_DigestUpdate(w->md, data, len);
	w->off += len;
}

static void
put_str(struct pdfw *w, const char *s)
{
	put(w, s, strlen(s));
}

static void
note_offset(struct pdfw *w, int num)
{
	if (num >= w->capxref) {
		int cap = w->capxref ? w->capxref : 64;
		while (cap <= num)
			cap *= 2;
		w->xref = xrealloc(w->xref, (size_t)cap * sizeof *w->xref);
		memset(w->xref + w->capxref, 0, (size_t)(cap - w->capxref) * sizeof *w->xref);
		w->capxref = cap;
	}
	w->xref[num].off = w->off;
}

/* A stream object: DICT_HEAD (entries before /Length, compact, may be ""),
 * DATA deflated here when DEFLATE and that is smaller (pdf_pack.c's rule). */
static void
put_stream(struct pdfw *w, int num, const char *dict_head, const void *data, size_t len,
    int deflate)
{
	struct buf z = {0}, head = {0};
	int flate = 0;

	if (deflate && len > 0) {
		if (buf_deflate(&z, data, len) != 0)
			w->failed = 1;
		else if (z.len < len) {
			flate = 1;
			data = z.data;
			len = z.len;
		}
	}
	note_offset(w, num);
	buf_printf(&head, "%d 0 obj\n<<%s%s/Length %zu>>\nstream\n", num, dict_head,
	    flate ? "/Filter/FlateDecode" : "", len);
	put(w, head.data, head.len);
	put(w, data, len);
	put_str(w, "\nendstream\nendobj\n");
	buf_free(&z);
	buf_free(&head);
}

/* libharu's numbers, as its operators write them. */
static void
put_real(struct buf *b, float v)
{
	char s[32];

	*HPDF_FToA(s, v, s + sizeof s - 1) = '\0';
	buf_puts(b, s);
}

static void
put_int(struct buf *b, long v)
{
	char s[32];

	*HPDF_IToA(s, (HPDF_INT32)v, s + sizeof s - 1) = '\0';
	buf_puts(b, s);
}

/* ---- libharu, for what must be as it makes it ------------------------------- */

/* One libharu document per thread, never written: its memory manager reads
 * font files, its UTF-8 encoder encodes the information strings. */
static _Thread_local HPDF_Doc scratch;
static _Thread_local int scratch_error;

static void
scratch_on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	(void)detail_no;
	(void)user_data;
	scratch_error = (int)error_no;
}

static HPDF_Doc
scratch_doc(void)
{
	if (scratch == NULL) {
		scratch = HPDF_New(scratch_on_error, NULL);
		if (scratch != NULL)
			HPDF_UseUTFEncodings(scratch);
	}
	return scratch;
}

/* S as libharu writes an information string after the UTF-8 encoder is
 * made current (dev_pdf.c's set_info): appended to B. */
static int
put_info_string(struct buf *b, const char *s)
{
	HPDF_Doc pdf = scratch_doc();
	HPDF_Encoder enc;
	HPDF_String str;
	HPDF_Stream st;
	int rc = -1;

	if (pdf == NULL || (enc = HPDF_GetEncoder(pdf, "UTF-8")) == NULL)
		return -1;
	str = HPDF_String_New(pdf->mmgr, s, enc);
	st = HPDF_MemStream_New(pdf->mmgr, 256);
	if (str != NULL && st != NULL && HPDF_String_Write(str, st, NULL) == HPDF_OK) {
		HPDF_UINT32 size = HPDF_Stream_Size(st);
		char *data = xmalloc(size + 1);
		HPDF_UINT n = size;
		HPDF_Stream_Seek(st, 0, HPDF_SEEK_SET);
		if (HPDF_Stream_Read(st, (HPDF_BYTE *)data, &n) == HPDF_OK && n == size) {
			buf_add(b, data, n);
			rc = 0;
		}
		free(data);
	}
	if (st != NULL)
		HPDF_Stream_Free(st);
	if (str != NULL)
		HPDF_String_Free(str);
	HPDF_Error_Reset(&pdf->error);
	return rc;
}

/* ---- Fonts (as dev_pdf.c's load_font and embed) ------------------------------ */

/* The subset font, read by libharu in place: its memory stream would copy
 * it a byte at a time first. */
struct reader {
	const char *data;
	size_t len, pos;
};

static HPDF_STATUS
reader_read(HPDF_Stream st, HPDF_BYTE *ptr, HPDF_UINT *siz)
{
	struct reader *r = st->attr;
	size_t n = *siz < r->len - r->pos ? *siz : r->len - r->pos;

	memcpy(ptr, r->data + r->pos, n);
	r->pos += n;
	if (n < *siz) {
		*siz = (HPDF_UINT)n;
		return HPDF_SetError(st->error, HPDF_STREAM_EOF, 0);
	}
	return HPDF_OK;
}

static HPDF_STATUS
reader_seek(HPDF_Stream st, HPDF_INT pos, HPDF_WhenceMode mode)
{
	struct reader *r = st->attr;
	long at = mode == HPDF_SEEK_CUR ? (long)r->pos + pos : mode == HPDF_SEEK_END ?
	    (long)r->len - pos : pos;

	if (at < 0 || (size_t)at > r->len)
		return HPDF_SetError(st->error, HPDF_STREAM_EOF, 0);
	r->pos = (size_t)at;
	return HPDF_OK;
}

static HPDF_INT32
reader_tell(HPDF_Stream st)
{
	return (HPDF_INT32)((struct reader *)st->attr)->pos;
}

static HPDF_UINT32
reader_size(HPDF_Stream st)
{
	return (HPDF_UINT32)((struct reader *)st->attr)->len;
}

/* Subsets face F (the SALT-th of the document), writes its streams and
 * keeps its dictionaries for the object streams.  Returns 0 or -1. */
static int
write_font(struct pdfw *w, struct wface *f, int salt)
{
	struct buf cmap = {0}, map = {0}, z = {0}, head = {0};
	struct pdf_subset sub = {0};
	const struct buf *font = &sub.font;
	const struct pdf_coded *cc;
	HPDF_Doc pdf = scratch_doc();
	HPDF_FontDef def = NULL;
	HPDF_Stream st;
	struct reader rd = {0};
	int n, i, rc = -1;
	char tag[7];

	if (pdf == NULL || pdf_subset_make(f->face, f->keys, f->gid, f->code, &sub) != 0)
		goto out;
	f->identity = sub.identity;
	cc = sub.codes;
	n = sub.n;

	/* libharu's reading of the subset: name, metrics, flags (the x-height
	 * of whatever glyph code 0x78 is) */
	rd.data = font->data;
	rd.len = font->len;
	st = HPDF_CallbackReader_New(pdf->mmgr, reader_read, reader_seek, reader_tell, reader_size, &rd);
	if (st == NULL || (def = HPDF_TTFontDef_Load(pdf->mmgr, st, HPDF_TRUE)) == NULL)
		goto out;
	pdf_subset_tag(&sub, salt, tag);
	HPDF_TTFontDef_SetTagName(def, tag);
	snprintf(f->base_font, sizeof f->base_font, "%s", ((HPDF_TTFontDefAttr)def->attr)->base_font);

	/* numbers: the Type0 font, its ToUnicode, the CIDFont, the map, the
	 * file, the descriptor */
	f->num_type0 = w->next_num++;
	f->num_cmap = w->next_num++;
	f->num_cid = w->next_num++;
	f->num_map = f->identity ? 0 : w->next_num++;
	f->num_file = w->next_num++;
	f->num_desc = w->next_num++;

	pdf_subset_tounicode(&sub, &cmap);
	put_stream(w, f->num_cmap, "", cmap.data, cmap.len, 1);
	if (!f->identity) {
		pdf_subset_gidmap(&sub, &map);
		put_stream(w, f->num_map, "", map.data, map.len, 1);
	}
	if (buf_deflate(&z, font->data, font->len) != 0)
		goto out;
	buf_printf(&head, "/Length1 %zu/Filter/FlateDecode", font->len);
	put_stream(w, f->num_file, head.data, z.data, z.len, 0);

	/* the CIDFontType2: widths but the 1000 of every Han character */
	buf_printf(&f->cid_dict, "<</Type/Font/Subtype/CIDFontType2/DW 1000");
	{
		int open = 0, any = 0;
		for (i = 0; i < n; i++) {
			if (cc[i].width == 1000) {
				if (open)
					buf_putc(&f->cid_dict, ']');
				open = 0;
				continue;
			}
			if (!open || cc[i].code != cc[i - 1].code + 1) {
				if (open)
					buf_putc(&f->cid_dict, ']');
				if (!any)
					buf_puts(&f->cid_dict, "/W[");
				put_int(&f->cid_dict, cc[i].code);
				buf_putc(&f->cid_dict, '[');
				open = 1;
				any = 1;
			} else
				buf_putc(&f->cid_dict, ' ');
			put_int(&f->cid_dict, (long)cc[i].width);
		}
		if (open)
			buf_putc(&f->cid_dict, ']');
		if (any)
			buf_putc(&f->cid_dict, ']');
	}
	if (f->identity)
		buf_puts(&f->cid_dict, "/CIDToGIDMap/Identity");
	else
		buf_printf(&f->cid_dict, "/CIDToGIDMap %d 0 R", f->num_map);
	buf_printf(&f->cid_dict, "/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>"
	    "/BaseFont/%s/FontDescriptor %d 0 R>>", f->base_font, f->num_desc);

	/* the descriptor, from libharu's reading */
	buf_puts(&f->desc_dict, "<</Type/FontDescriptor/Ascent ");
	put_int(&f->desc_dict, def->ascent);
	buf_puts(&f->desc_dict, "/Descent ");
	put_int(&f->desc_dict, def->descent);
	buf_puts(&f->desc_dict, "/Flags ");
	put_int(&f->desc_dict, (long)def->flags);
	buf_puts(&f->desc_dict, "/FontBBox[");
	put_real(&f->desc_dict, def->font_bbox.left);
	buf_putc(&f->desc_dict, ' ');
	put_real(&f->desc_dict, def->font_bbox.bottom);
	buf_putc(&f->desc_dict, ' ');
	put_real(&f->desc_dict, def->font_bbox.right);
	buf_putc(&f->desc_dict, ' ');
	put_real(&f->desc_dict, def->font_bbox.top);
	buf_printf(&f->desc_dict, "]/FontName/%s/ItalicAngle ", f->base_font);
	put_int(&f->desc_dict, def->italic_angle);
	buf_puts(&f->desc_dict, "/StemV ");
	put_int(&f->desc_dict, (long)def->stemv);
	buf_puts(&f->desc_dict, "/XHeight ");
	put_int(&f->desc_dict, (long)def->x_height);
	buf_printf(&f->desc_dict, "/FontFile2 %d 0 R>>", f->num_file);
	rc = w->failed ? -1 : 0;
out:
	if (def != NULL)
		HPDF_FontDef_Free(def);
	if (pdf != NULL)
		HPDF_Error_Reset(&pdf->error);
	if (rc != 0 && !w->failed)
		diag(DIAG_PDFW_FONT, NULL, 0, 0, (long)scratch_error);
	pdf_subset_free(&sub);
	buf_free(&cmap);
	buf_free(&map);
	buf_free(&z);
	buf_free(&head);
	return rc;
}

/* ---- First pass ------------------------------------------------------------ */

static void
ev_add(struct events *e, int v)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 8;
		e->v = xrealloc(e->v, (size_t)e->cap * sizeof *e->v);
	}
	e->v[e->n++] = v;
}

/* The index in w->faces of FACE, added when new. */
static int
face_index(struct pdfw *w, struct jz_face *face)
{
	for (int i = 0; i < w->nfaces; i++)
		if (w->faces[i].face == face)
			return i;
	w->faces = xrealloc(w->faces, (size_t)(w->nfaces + 1) * sizeof *w->faces);
	memset(&w->faces[w->nfaces], 0, sizeof *w->faces);
	w->faces[w->nfaces].face = face;
	w->faces[w->nfaces].keys = hb_set_create();
	w->faces[w->nfaces].gid = hb_map_create();
	w->faces[w->nfaces].code = hb_map_create();
	return w->nfaces++;
}

/* Notes into E the faces PG sets and the shared blocks it places, in
 * order, and the characters of each face. */
static void
note_items(struct pdfw *w, const struct dl_page *pg, struct events *e)
{
	for (int i = 0; i < pg->nitems; i++) {
		const struct dl_item *it = &pg->items[i];

		if (it->kind == DL_SHARED) {
			ev_add(e, -1 - it->block);
			continue;
		}
		if (it->kind != DL_RUN)
			continue;
		int f = face_index(w, it->face);
		ev_add(e, f);
		for (int k = 0; k < it->nglyphs; k++) {
			uint32_t key = KEY(it->glyphs[k].cp, it->glyphs[k].extra);
			hb_set_add(w->faces[f].keys, key);
			hb_map_set(w->faces[f].gid, key, it->glyphs[k].gid);
		}
	}
}

struct pdfw *
pdfw_new(const struct dl_doc *dl, pdfw_sink sink, void *arg)
{
	struct pdfw *w = xcalloc(1, sizeof *w);

	w->dl = dl;
	w->sink = sink;
	w->arg = arg;
	w->next_num = 1;
	if ((w->md = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(w->md, EVP_sha256(), NULL) != 1) {
		fputs("jingsai: fatal: out of memory\n", stderr);
		abort();
	}
	return w;
}

int
pdfw_note(struct pdfw *w)
{
	const struct dl_doc *dl = w->dl;

	if (w->uses == NULL)
		w->uses = xcalloc((size_t)dl->nshared + 1, sizeof *w->uses);
	w->page_ev = xrealloc(w->page_ev, (size_t)(w->npages + dl->npages + 1) * sizeof *w->page_ev);
	w->pages = xrealloc(w->pages, (size_t)(w->npages + dl->npages + 1) * sizeof *w->pages);
	for (int p = 0; p < dl->npages; p++) {
		const struct dl_page *pg = &dl->pages[p];
		struct events *e = &w->page_ev[w->npages];
		struct wpage *wp = &w->pages[w->npages];

		memset(e, 0, sizeof *e);
		memset(wp, 0, sizeof *wp);
		note_items(w, pg, e);
		for (int k = 0; k < e->n; k++)
			if (e->v[k] < 0 && -1 - e->v[k] < dl->nshared)
				w->uses[-1 - e->v[k]]++;
		wp->w_mm = pg->w_mm;
		wp->h_mm = pg->h_mm;
		w->npages++;
	}
	return 0;
}

/* ---- Resource names ------------------------------------------------------------
 * libharu names a page's fonts F1, F2 … and its XObjects X1 … in the order
 * the page first uses them, in the page's own resource dictionary; a font
 * set inside a shared block's form is named on the page that makes the
 * form.  The names are worked out from the first pass (to know whether every
 * page can inherit one dictionary from the page tree, as dev_pdf.c's
 * inherit() does) and again while writing; both must agree. */
/* The number of V's name in LIST (*N names so far: V added when new);
 * 0 when LIST, of 32, is full. */
static int
name_in(int *list, int *n, int v)
{
	for (int i = 0; i < *n; i++)
		if (list[i] == v)
			return i + 1;
	if (*n == 32)
		return 0;
	list[(*n)++] = v;
	return *n;
}

static int
name_font(struct names *nm, int face)
{
	if (nm->nfonts == 0 && nm->nxobjs == 0)
		nm->font_first = 1;
	return name_in(nm->fonts, &nm->nfonts, face);
}

static int
name_xobj(struct names *nm, int block)
{
	if (nm->nfonts == 0 && nm->nxobjs == 0)
		nm->font_first = 0;
	return name_in(nm->xobjs, &nm->nxobjs, block);
}

/* The names page events E give, with shared blocks already made into forms
 * marked in MADE (updated). */
static void
names_of(const struct pdfw *w, const struct events *e, char *made, struct names *nm)
{
	memset(nm, 0, sizeof *nm);
	for (int k = 0; k < e->n; k++) {
		int b = -1 - e->v[k];

		if (e->v[k] >= 0) {
			name_font(nm, e->v[k]);
			continue;
		}
		if (b >= w->dl->nshared)
			continue;
		if (w->uses[b] > 1 && made[b]) {
			name_xobj(nm, b);
			continue;
		}
		for (int j = 0; j < w->block_ev[b].n; j++)
			if (w->block_ev[b].v[j] >= 0)
				name_font(nm, w->block_ev[b].v[j]);
		if (w->uses[b] > 1) {
			made[b] = 1;
			name_xobj(nm, b);
		}
	}
}

/* The /Resources dictionary of names NM, compact. */
static void
put_resources(const struct pdfw *w, const struct names *nm, int fonts, int xobjs, struct buf *b)
{
	buf_puts(b, "<<");
	for (int pass = 0; pass < 2; pass++) {
		int font_part = pass == (nm->font_first ? 0 : 1);
		if (font_part && fonts && nm->nfonts > 0) {
			buf_puts(b, "/Font<<");
			for (int i = 0; i < nm->nfonts; i++)
				buf_printf(b, "/F%d %d 0 R", i + 1, w->faces[nm->fonts[i]].num_type0);
			buf_puts(b, ">>");
		}
		if (!font_part && xobjs && nm->nxobjs > 0) {
			buf_puts(b, "/XObject<<");
			for (int i = 0; i < nm->nxobjs; i++)
				buf_printf(b, "/X%d %d 0 R", i + 1, w->forms[nm->xobjs[i]]);
			buf_puts(b, ">>");
		}
	}
	buf_puts(b, ">>");
}

/* After the first pass: the fonts' order and characters, whether the
 * pages inherit their resources, then the header and the fonts. */
static int
start(struct pdfw *w)
{
	const struct dl_doc *dl = w->dl;
	int nblocks = dl->nshared, *seen;
	char *made;

	w->started = 1;
	w->forms = xcalloc((size_t)nblocks + 1, sizeof *w->forms);
	w->block_ev = xcalloc((size_t)nblocks + 1, sizeof *w->block_ev);
	if (w->uses == NULL)
		w->uses = xcalloc((size_t)nblocks + 1, sizeof *w->uses);
	/* dev_pdf.c's order of fonts: those of the blocks that pages place,
	 * then those of the pages, each at its first appearance */
	for (int b = 0; b < nblocks; b++)
		if (w->uses[b] > 0)
			note_items(w, &dl->shared[b], &w->block_ev[b]);
	w->order = xcalloc((size_t)w->nfaces + 1, sizeof *w->order);
	seen = xcalloc((size_t)w->nfaces + 1, sizeof *seen);
	{
		int n = 0;
		for (int b = 0; b < nblocks; b++)
			for (int j = 0; j < w->block_ev[b].n; j++) {
				int f = w->block_ev[b].v[j];
				if (f >= 0 && !seen[f]) {
					seen[f] = 1;
					w->order[n++] = f;
				}
			}
		for (int p = 0; p < w->npages; p++)
			for (int j = 0; j < w->page_ev[p].n; j++) {
				int f = w->page_ev[p].v[j];
				if (f >= 0 && !seen[f]) {
					seen[f] = 1;
					w->order[n++] = f;
				}
			}
		w->norder = n;
	}
	free(seen);

	/* header, catalog 1, page tree 2, information 3, then the fonts */
	put_str(w, "%PDF-1.5\n%\xE2\xE3\xCF\xD3\n");
	w->next_num = 4;
	for (int i = 0; i < w->norder; i++)
		if (write_font(w, &w->faces[w->order[i]], i) != 0)
			return -1;

	/* dev_pdf.c's inherit(): one dictionary of resources on the page tree
	 * when no two pages give one name to two things, and one MediaBox when
	 * all pages have one size */
	made = xcalloc((size_t)nblocks + 1, 1);
	w->inherit = w->npages >= 2;
	w->same_size = 1;
	memset(&w->root_names, 0, sizeof w->root_names);
	for (int p = 0; p < w->npages && w->inherit; p++) {
		struct names nm;

		names_of(w, &w->page_ev[p], made, &nm);
		for (int i = 0; i < nm.nfonts && w->inherit; i++) {
			if (i < w->root_names.nfonts)
				w->inherit = w->root_names.fonts[i] == nm.fonts[i];
			else
				w->root_names.fonts[w->root_names.nfonts++] = nm.fonts[i];
		}
		for (int i = 0; i < nm.nxobjs && w->inherit; i++) {
			if (i < w->root_names.nxobjs)
				w->inherit = w->root_names.xobjs[i] == nm.xobjs[i];
			else
				w->root_names.xobjs[w->root_names.nxobjs++] = nm.xobjs[i];
		}
		if (w->pages[p].w_mm != w->pages[0].w_mm || w->pages[p].h_mm != w->pages[0].h_mm)
			w->same_size = 0;
	}
	/* on the page tree the fonts come first, then the XObjects */
	w->root_names.font_first = 1;
	free(made);
	w->made = xcalloc((size_t)nblocks + 1, 1);
	return w->failed ? -1 : 0;
}

/* ---- Content streams (as dev_pdf.c draws through libharu) --------------------- */

/* The text state dev_pdf.c keeps across the runs of a page. */
struct tstate {
	int in_text;
	int font;                /* face index, -1 none */
	double size, spacing, linew;
	long color;
	int bold;
};

/* A content stream being made: where, and libharu's state that shapes it. */
struct cw {
	struct pdfw *w;
	struct buf *out;
	double page_h;           /* pt, as dev_pdf.c's page_h */
	float tm_x, tm_y;        /* libharu's text matrix: the start of the line */
	struct names nm;         /* the page's resource names */
	struct buf forms;        /* forms made while drawing the page: their streams, in order */
};

static void
put_rgb(struct buf *b, unsigned long c, const char *op)
{
	put_real(b, ((c >> 16) & 0xff) / 255.0f);
	buf_putc(b, ' ');
	put_real(b, ((c >> 8) & 0xff) / 255.0f);
	buf_putc(b, ' ');
	put_real(b, (c & 0xff) / 255.0f);
	buf_puts(b, op);
}

static void
put_reals(struct buf *b, int n, const float *v, const char *op)
{
	for (int i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(b, ' ');
		put_real(b, v[i]);
	}
	buf_puts(b, op);
}

static void
end_text(struct cw *c, struct tstate *ts)
{
	if (ts->in_text)
		buf_puts(c->out, "ET\n");
	ts->in_text = 0;
}

static void
draw_run(struct cw *c, const struct dl_item *it, struct tstate *ts)
{
	struct pdfw *w = c->w;
	struct buf *b = c->out;
	int f = -1;

	for (int i = 0; i < w->nfaces; i++)
		if (w->faces[i].face == it->face)
			f = i;
	if (f < 0)
		return;
	if (!ts->in_text) {
		buf_puts(b, "BT\n");
		ts->in_text = 1;
		ts->font = -1;
		ts->color = -1;
		c->tm_x = c->tm_y = 0;
	}
	if (ts->font != f || ts->size != it->size_pt) {
		HPDF_REAL size = (HPDF_REAL)it->size_pt;
		if (size <= 0 || size > HPDF_MAX_FONTSIZE) {
			w->failed = 1;
			return;
		}
		int name = name_font(&c->nm, f);
		if (name == 0) {
			diag(DIAG_PDFW_FONTS, NULL, 0, 0);
			w->failed = 1;
			return;
		}
		buf_printf(b, "/F%d ", name);
		put_real(b, size);
		buf_puts(b, " Tf\n");
		ts->font = f;
		ts->size = it->size_pt;
	}
	if (ts->color != (long)it->fill) {
		put_rgb(b, (unsigned long)it->fill, " rg\n");
		if (ts->bold)
			put_rgb(b, (unsigned long)it->fill, " RG\n");
		ts->color = it->fill;
	}
	if (ts->bold != it->bold) {
		buf_puts(b, it->bold ? "2 Tr\n" : "0 Tr\n");
		if (it->bold)
			put_rgb(b, (unsigned long)it->fill, " RG\n");
		ts->bold = it->bold;
	}
	if (it->bold && ts->linew != it->size_pt / 30) {
		put_real(b, pt(it->size_pt / 30));
		buf_puts(b, " w\n");
		ts->linew = it->size_pt / 30;
	}
	if (fabs(ts->spacing - it->spacing_pt) > 1e-4) {
		HPDF_REAL sp = (HPDF_REAL)it->spacing_pt;
		if (sp < HPDF_MIN_CHARSPACE || sp > HPDF_MAX_CHARSPACE) {
			w->failed = 1;
			return;
		}
		put_real(b, sp);
		buf_puts(b, " Tc\n");
		ts->spacing = it->spacing_pt;
	}
	/* HPDF_Page_TextOut: relative to the start of the line, in single
	 * precision, and the start of the line moves there */
	{
		HPDF_REAL x = pt(px(it->x)), y = pt(c->page_h - px(it->y));
		HPDF_REAL rx = x - c->tm_x, ry = y - c->tm_y;
		float v[2] = {rx, ry};

		put_reals(b, 2, v, " Td\n");
		c->tm_x += rx * 1.0f + ry * 0.0f;
		c->tm_y += ry * 1.0f + rx * 0.0f;
	}
	if (it->nglyphs > 0) {
		const struct wface *wf = &w->faces[f];
		buf_putc(b, '<');
		for (int k = 0; k < it->nglyphs; k++)
			put_hex4(b, (unsigned)hb_map_get(wf->code,
			    KEY(it->glyphs[k].cp, it->glyphs[k].extra)));
		buf_puts(b, "> Tj\n");
	}
}

static void
paint(struct buf *b, double width_pt, long fill)
{
	if (fill >= 0 && width_pt > 0)
		buf_puts(b, "B\n");
	else if (fill >= 0)
		buf_puts(b, "f\n");
	else
		buf_puts(b, "S\n");
}

/* A QR code as an inline 1-bit image mask (dev_pdf.c's draw_qr). */
static void
draw_qr(struct cw *c, const struct dl_item *it)
{
	struct buf *b = c->out;
	int n, row;
	const unsigned char *modules = dl_qr_modules(it, &n);
	float m[6];

	if (modules == NULL || n <= 0)
		return;
	row = (n + 7) / 8;
	buf_puts(b, "q\n");
	put_rgb(b, 0, " rg\n");
	m[0] = (HPDF_REAL)px(it->w);
	m[1] = 0;
	m[2] = 0;
	m[3] = (HPDF_REAL)px(it->w);
	m[4] = (HPDF_REAL)px(it->x);
	m[5] = (HPDF_REAL)(c->page_h - px(it->y + it->w));
	put_reals(b, 6, m, " cm\n");
	buf_printf(b, "BI/W %d/H %d/IM true/BPC 1 ID ", n, n);
	for (int r = 0; r < n; r++) {
		unsigned char bits[64] = {0};
		memset(bits, 0xff, sizeof bits);
		for (int col = 0; col < n && col < 8 * 64; col++)
			if (modules[r * n + col] & 1)
				bits[col / 8] &= (unsigned char)~(0x80 >> (col % 8));
		buf_add(b, bits, (size_t)row);
	}
	buf_puts(b, "\nEI\n");
	buf_puts(b, "Q\n");
}

static void
draw_shape(struct cw *c, const struct dl_item *it)
{
	struct buf *b = c->out;
	float v[4];

	if (it->kind != DL_QR) {
		if (it->width_pt > 0) {
			put_real(b, pt(it->width_pt));
			buf_puts(b, " w\n");
			put_rgb(b, it->stroke, " RG\n");
		}
		if (it->fill >= 0)
			put_rgb(b, (unsigned long)it->fill, " rg\n");
	}
	switch (it->kind) {
	case DL_LINE:
		v[0] = pt(px(it->x));
		v[1] = pt(c->page_h - px(it->y));
		put_reals(b, 2, v, " m\n");
		v[0] = pt(px(it->x2));
		v[1] = pt(c->page_h - px(it->y2));
		put_reals(b, 2, v, " l\n");
		buf_puts(b, "S\n");
		break;
	case DL_RECT:
		if (it->width_pt <= 0 && it->fill < 0)
			break;
		v[0] = pt(px(it->x));
		v[1] = pt(c->page_h - px(it->y + it->h));
		v[2] = pt(px(it->w));
		v[3] = pt(px(it->h));
		put_reals(b, 4, v, " re\n");
		paint(b, it->width_pt, it->fill);
		break;
	case DL_CIRCLE: {
		/* HPDF_Page_Circle: a move and four quarters, in single precision */
		HPDF_REAL x, y, r;
		float q[6];

		if (it->width_pt <= 0 && it->fill < 0)
			break;
		x = pt(px(it->x));
		y = pt(c->page_h - px(it->y));
		r = pt(px(it->w));
		q[0] = x - r;
		q[1] = y;
		put_reals(b, 2, q, " m\n");
		q[0] = x - r, q[1] = y + r * KAPPA, q[2] = x - r * KAPPA, q[3] = y + r, q[4] = x, q[5] = y + r;
		put_reals(b, 6, q, " c\n");
		q[0] = x + r * KAPPA, q[1] = y + r, q[2] = x + r, q[3] = y + r * KAPPA, q[4] = x + r, q[5] = y;
		put_reals(b, 6, q, " c\n");
		q[0] = x + r, q[1] = y - r * KAPPA, q[2] = x + r * KAPPA, q[3] = y - r, q[4] = x, q[5] = y - r;
		put_reals(b, 6, q, " c\n");
		q[0] = x - r * KAPPA, q[1] = y - r, q[2] = x - r, q[3] = y - r * KAPPA, q[4] = x - r, q[5] = y;
		put_reals(b, 6, q, " c\n");
		paint(b, it->width_pt, it->fill);
		break;
	}
	case DL_QR:
		draw_qr(c, it);
		break;
	default:
		break;
	}
}

static void draw_shared(struct cw *c, int n, struct tstate *ts);

static void
draw_items(struct cw *c, const struct dl_page *pg, struct tstate *ts)
{
	for (int i = 0; i < pg->nitems && !c->w->failed; i++) {
		const struct dl_item *it = &pg->items[i];

		if (it->kind == DL_LINEBOX)
			continue;
		if (it->kind == DL_RUN) {
			draw_run(c, it, ts);
			continue;
		}
		end_text(c, ts);
		if (it->kind == DL_SHARED)
			draw_shared(c, it->block, ts);
		else
			draw_shape(c, it);
		ts->linew = -1;
	}
	end_text(c, ts);
}

/* Shared block N: drawn in place when no other page shows it, else a form
 * XObject made on first use (its stream kept in c->forms, written after
 * the page's contents) and drawn by reference. */
static void
draw_shared(struct cw *c, int n, struct tstate *ts)
{
	struct pdfw *w = c->w;
	const struct dl_page *blk;

	if (n < 0 || n >= w->dl->nshared)
		return;
	blk = &w->dl->shared[n];
	if (w->uses[n] <= 1) {
		draw_items(c, blk, ts);
		return;
	}
	if (w->forms[n] == 0) {
		struct buf content = {0}, z = {0}, head = {0}, res = {0};
		struct buf *saved = c->out;
		struct tstate fs = {0};
		uLongf zlen;
		float bbox[2] = {(HPDF_REAL)px(blk->w_mm), (HPDF_REAL)px(blk->h_mm)};

		w->forms[n] = w->next_num++;
		c->out = &content;
		buf_puts(&content, "q\n");
		fs.font = -1;
		fs.spacing = 1e9;
		fs.bold = -1;
		fs.linew = -1;
		fs.color = -1;
		draw_items(c, blk, &fs);
		buf_puts(&content, "Q\n");
		c->out = saved;
		/* libharu deflates a form itself, with zlib at its default level */
		zlen = compressBound((uLong)content.len);
		z.data = xmalloc(zlen + 1);
		if (compress2((Bytef *)z.data, &zlen, (const Bytef *)content.data, (uLong)content.len,
		    Z_DEFAULT_COMPRESSION) != Z_OK)
			w->failed = 1;
		z.len = zlen;
		{
			/* the page's resources so far, copied: fonts first */
			struct names copy = c->nm;
			copy.font_first = 1;
			put_resources(w, &copy, 1, 1, &res);
		}
		buf_puts(&head, "/Type/XObject/Subtype/Form/BBox[0 0 ");
		put_reals(&head, 2, bbox, "]/Resources");
		buf_add(&head, res.data, res.len);
		buf_puts(&head, "/Filter/FlateDecode");
		/* kept: number, head, data, for after the page's contents */
		buf_add(&c->forms, &w->forms[n], sizeof w->forms[n]);
		buf_add(&c->forms, &head.len, sizeof head.len);
		buf_add(&c->forms, head.data, head.len);
		buf_add(&c->forms, &z.len, sizeof z.len);
		buf_add(&c->forms, z.data, z.len);
		buf_free(&content);
		buf_free(&z);
		buf_free(&head);
		buf_free(&res);
	}
	buf_printf(c->out, "/X%d Do\n", name_xobj(&c->nm, n));
}

/* ---- Second pass: pages -------------------------------------------------------- */

int
pdfw_write(struct pdfw *w)
{
	const struct dl_doc *dl = w->dl;

	if (!w->started && start(w) != 0)
		goto fail;
	for (int p = 0; p < dl->npages && !w->failed; p++) {
		const struct dl_page *pg = &dl->pages[p];
		struct wpage *wp;
		struct buf content = {0};
		struct cw c = {0};
		struct tstate ts = {0};
		size_t at = 0;

		if (w->written >= w->npages) {
			diag(DIAG_PDFW_PAGES, NULL, 0, 0);
			goto fail;
		}
		wp = &w->pages[w->written++];
		wp->num = w->next_num++;
		wp->contents = w->next_num++;
		c.w = w;
		c.out = &content;
		c.page_h = pt(px(pg->h_mm));
		ts.font = -1;
		draw_items(&c, pg, &ts);
		put_stream(w, wp->contents, "", content.data, content.len, 1);
		/* the forms made on this page, after its contents */
		while (at < c.forms.len) {
			int num;
			size_t hlen, zlen;
			char *head;

			memcpy(&num, c.forms.data + at, sizeof num);
			at += sizeof num;
			memcpy(&hlen, c.forms.data + at, sizeof hlen);
			at += sizeof hlen;
			head = xstrndup(c.forms.data + at, hlen);
			at += hlen;
			memcpy(&zlen, c.forms.data + at, sizeof zlen);
			at += sizeof zlen;
			put_stream(w, num, head, c.forms.data + at, zlen, 0);
			at += zlen;
			free(head);
		}
		{
			/* the names the first pass expects (which decided whether
			 * the pages inherit them) */
			struct names want;
			names_of(w, &w->page_ev[w->written - 1], w->made, &want);
			if (want.nfonts != c.nm.nfonts || want.nxobjs != c.nm.nxobjs ||
			    memcmp(want.fonts, c.nm.fonts, sizeof want.fonts) != 0 ||
			    memcmp(want.xobjs, c.nm.xobjs, sizeof want.xobjs) != 0 ||
			    (want.nfonts > 0 && want.nxobjs > 0 && want.font_first != c.nm.font_first)) {
				diag(DIAG_PDFW_PAGES, NULL, 0, 0);
				buf_free(&content);
				buf_free(&c.forms);
				goto fail;
			}
		}
		if (!w->inherit) {
			buf_puts(&wp->res, "/Resources");
			put_resources(w, &c.nm, 1, 1, &wp->res);
		}
		buf_free(&content);
		buf_free(&c.forms);
	}
	if (w->failed)
		goto fail;
	return 0;
fail:
	w->failed = 1;
	return -1;
}

/* ---- After the pages ------------------------------------------------------------- */

/* What object NUM is, for the object streams. */
enum what { W_STREAM, W_CATALOG, W_PAGES, W_INFO, W_TYPE0, W_CID, W_DESC, W_PAGE };

/* The text of non-stream object NUM (WHAT, INDEX) into B. */
static int
object_text(struct pdfw *w, enum what what, int index, struct buf *b)
{
	const struct dl_doc *dl = w->dl;

	switch (what) {
	case W_CATALOG:
		buf_puts(b, "<</Type/Catalog/Pages 2 0 R>>");
		break;
	case W_PAGES:
		buf_puts(b, "<</Type/Pages/Kids[");
		for (int p = 0; p < w->npages; p++)
			buf_printf(b, "%s%d 0 R", p ? " " : "", w->pages[p].num);
		buf_printf(b, "]/Count %d", w->npages);
		if (w->inherit) {
			buf_puts(b, "/Resources");
			put_resources(w, &w->root_names, 1, 1, b);
			if (w->same_size) {
				float box[2] = {(HPDF_REAL)px(w->pages[0].w_mm), (HPDF_REAL)px(w->pages[0].h_mm)};
				buf_puts(b, "/MediaBox[0 0 ");
				put_reals(b, 2, box, "]");
			}
		}
		buf_puts(b, ">>");
		break;
	case W_INFO: {
		time_t t = (time_t)(dl->date != 0 ? dl->date : jz_now());
		struct tm tm;
		const char *keys[4] = {"Title", "Author", "Subject", "Keywords"};
		const char *vals[4] = {dl->title, dl->author, dl->subject, dl->keywords};

		gmtime_r(&t, &tm);
		buf_printf(b, "<</Producer(jingsai)/CreationDate(D:%04d%02d%02d%02d%02d%02dZ00'00')",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		for (int i = 0; i < 4; i++) {
			if (vals[i] == NULL)
				continue;
			buf_printf(b, "/%s", keys[i]);
			if (put_info_string(b, vals[i]) != 0) {
				diag(DIAG_PDFW_INFO, NULL, 0, 0, (long)scratch_error);
				return -1;
			}
		}
		buf_puts(b, ">>");
		break;
	}
	case W_TYPE0: {
		const struct wface *f = &w->faces[index];
		buf_printf(b, "<</Type/Font/BaseFont/%s/Subtype/Type0/Encoding/Identity-H/ToUnicode %d 0 R"
		    "/DescendantFonts[%d 0 R]>>", f->base_font, f->num_cmap, f->num_cid);
		break;
	}
	case W_CID:
		buf_add(b, w->faces[index].cid_dict.data, w->faces[index].cid_dict.len);
		break;
	case W_DESC:
		buf_add(b, w->faces[index].desc_dict.data, w->faces[index].desc_dict.len);
		break;
	case W_PAGE: {
		const struct wpage *wp = &w->pages[index];
		buf_puts(b, "<</Type/Page");
		if (!w->inherit || !w->same_size) {
			float box[2] = {pt(px(wp->w_mm)), pt(px(wp->h_mm))};
			buf_puts(b, "/MediaBox[0 0 ");
			put_reals(b, 2, box, "]");
		}
		buf_printf(b, "/Contents %d 0 R", wp->contents);
		buf_add(b, wp->res.data, wp->res.len);
		buf_puts(b, "/Parent 2 0 R>>");
		break;
	}
	default:
		break;
	}
	return 0;
}

int
pdfw_finish(struct pdfw *w)
{
	int nums = w->next_num, total, nstm = 0;
	struct { unsigned char what; int index; int stm, idx; } *obj;
	struct buf body = {0}, head = {0}, out = {0};
	struct pdf_xref_row *rows = NULL;
	size_t xref_off;
	int rc = -1;

	if (!w->started && pdfw_write(w) != 0)
		return -1;
	if (w->written != w->npages) {
		diag(DIAG_PDFW_PAGES, NULL, 0, 0);
		return -1;
	}
	obj = xcalloc((size_t)nums + 1, sizeof *obj);
	obj[1].what = W_CATALOG;
	obj[2].what = W_PAGES;
	obj[3].what = W_INFO;
	for (int i = 0; i < w->norder; i++) {
		int f = w->order[i];
		obj[w->faces[f].num_type0].what = W_TYPE0, obj[w->faces[f].num_type0].index = f;
		obj[w->faces[f].num_cid].what = W_CID, obj[w->faces[f].num_cid].index = f;
		obj[w->faces[f].num_desc].what = W_DESC, obj[w->faces[f].num_desc].index = f;
	}
	for (int p = 0; p < w->npages; p++)
		obj[w->pages[p].num].what = W_PAGE, obj[w->pages[p].num].index = p;

	/* the other objects in object streams of 200, numbered after them */
	for (int num = 1; num < nums && !w->failed;) {
		int count = 0, last_regular = 0, stm_num = nums + nstm;

		buf_reset(&body);
		buf_reset(&head);
		for (; num < nums && count < OBJS_PER_STREAM; num++) {
			struct buf text = {0};

			if (obj[num].what == W_STREAM)
				continue;
			if (object_text(w, obj[num].what, obj[num].index, &text) != 0)
				goto out;
			if (last_regular)
				buf_putc(&body, ' ');
			buf_printf(&head, "%s%d %zu", count ? " " : "", num, body.len);
			buf_add(&body, text.data, text.len);
			last_regular = text.len > 0 && !pdf_is_delim((unsigned char)text.data[text.len - 1]);
			buf_free(&text);
			obj[num].stm = stm_num;
			obj[num].idx = count++;
		}
		if (count == 0)
			break;
		buf_putc(&head, '\n');
		buf_reset(&out);
		if (pdf_objstm(&out, stm_num, count, &head, &body) != 0)
			goto out;
		note_offset(w, stm_num);
		put(w, out.data, out.len);
		nstm++;
	}
	total = nums - 1 + nstm;

	/* the cross-reference stream (pdf_pack.c's) */
	xref_off = w->off;
	rows = xcalloc((size_t)total + 2, sizeof *rows);
	for (int i = 1; i < total + 2; i++) {
		if (i == total + 1) {
			rows[i].type = 1;
			rows[i].f2 = xref_off;
		} else if (i < nums && obj[i].what != W_STREAM) {
			rows[i].type = 2;
			rows[i].f2 = (unsigned long)obj[i].stm;
			rows[i].f3 = (unsigned long)obj[i].idx;
		} else {
			rows[i].type = 1;
			rows[i].f2 = i < w->capxref ? w->xref[i].off : 0;
		}
	}
	{
		/* the file identifier: every byte before this object, as pdf_pack.c has it */
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		EVP_MD_CTX *c = EVP_MD_CTX_new();
		char id[33];
		if (c == NULL || EVP_MD_CTX_copy_ex(c, w->md) != 1 || EVP_DigestFinal_ex(c, md, &mdlen) != 1 ||
		    mdlen < 16) {
			EVP_MD_CTX_free(c);
			goto out;
		}
		EVP_MD_CTX_free(c);
		for (int k = 0; k < 16; k++)
			snprintf(id + 2 * k, 3, "%02x", md[k]);
		buf_reset(&out);
		buf_printf(&out, "%d 0 obj\n<</Type/XRef/Root 1 0 R/Info 3 0 R", total + 1);
		if (pdf_xref_finish(&out, rows, total + 2, xref_off, id) != 0)
			goto out;
	}
	put(w, out.data, out.len);
	rc = w->failed ? -1 : 0;
out:
	free(obj);
	free(rows);
	buf_free(&body);
	buf_free(&head);
	buf_free(&out);
	return rc;
}

void
pdfw_free(struct pdfw *w)
{
	if (w == NULL)
		return;
	EVP_MD_CTX_free(w->md);
	for (int i = 0; i < w->nfaces; i++) {
		hb_set_destroy(w->faces[i].keys);
		hb_map_destroy(w->faces[i].gid);
		hb_map_destroy(w->faces[i].code);
		buf_free(&w->faces[i].cid_dict);
		buf_free(&w->faces[i].desc_dict);
	}
	free(w->faces);
	for (int p = 0; p < w->npages; p++) {
		free(w->page_ev[p].v);
		buf_free(&w->pages[p].res);
	}
	free(w->page_ev);
	free(w->pages);
	if (w->block_ev != NULL)
		for (int b = 0; b < w->dl->nshared; b++)
			free(w->block_ev[b].v);
	free(w->block_ev);
	free(w->uses);
	free(w->forms);
	free(w->made);
	free(w->order);
	free(w->xref);
	free(w);
}

/* ---- A document in memory ----------------------------------------------------------- */

static int
to_buf(void *arg, const void *data, size_t len)
{
	buf_add(arg, data, len);
	return 0;
}

int
pdfw_render(const struct dl_doc *dl, struct buf *out)
{
	struct buf pdf = {0};
	struct pdfw *w;
	int rc;

	if (dl->noutlines > 0) {
		diag(DIAG_PDFW_OUTLINE, NULL, 0, 0);
		return -1;
	}
	w = pdfw_new(dl, to_buf, &pdf);
	rc = pdfw_note(w);
	if (rc == 0)
		rc = pdfw_write(w);
	if (rc == 0)
		rc = pdfw_finish(w);
	if (rc == 0)
		buf_add(out, pdf.data, pdf.len);
	pdfw_free(w);
	buf_free(&pdf);
	return rc;
}
