/* pdf_font.c — the fonts of a PDF: the characters each face draws in the
 * document, one subset of the face (HarfBuzz) with our own cmap, embedded
 * once and compressed here, with the widths, the CIDToGIDMap and a
 * ToUnicode CMap libharu would have got wrong (see dev_pdf.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hb.h>
#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_encoder.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>

#include "jingsai.h"
#include "dev_pdf.h"
#include "dlist.h"
#include "face.h"

struct used *
pdf_font_find(struct pdfctx *c, struct jz_face *f)
{
	int i;

	for (i = 0; i < c->nused; i++)
		if (c->used[i].face == f)
			return &c->used[i];
	return NULL;
}

static void
collect_items(struct pdfctx *c, const struct dl_page *pg)
{
	int i, k;

	for (i = 0; i < pg->nitems; i++) {
		const struct dl_item *it = &pg->items[i];
		struct used *u;

		if (it->kind != DL_RUN)
			continue;
		u = pdf_font_find(c, it->face);
		if (u == NULL) {
			c->used = xrealloc(c->used, (c->nused + 1) * sizeof *c->used);
			u = &c->used[c->nused++];
			memset(u, 0, sizeof *u);
			u->face = it->face;
			u->keys = hb_set_create();
			u->gid = hb_map_create();
			u->code = hb_map_create();
		}
		for (k = 0; k < it->nglyphs; k++) {
			uint32_t key = KEY(it->glyphs[k].cp, it->glyphs[k].extra);

			hb_set_add(u->keys, key);
			hb_map_set(u->gid, key, it->glyphs[k].gid);
		}
	}
}

/* The characters of each face that the pages and the shared blocks they
 * show draw. */
void
pdf_fonts_collect(struct pdfctx *c, const struct dl_doc *dl)
{
	int p;

	for (p = 0; p < dl->nshared; p++)
		if (c->uses[p] > 0)
			collect_items(c, &dl->shared[p]);
	for (p = 0; p < dl->npages; p++)
		collect_items(c, &dl->pages[p]);
}

/* ---- The subset of a face, shared with pdf_write.c ------------------------ */

static int
coded_cmp(const void *a, const void *b)
{
	const struct pdf_coded *x = a, *y = b;

	return (int)x->code - (int)y->code;
}

int
pdf_subset_make(struct jz_face *face, hb_set_t *keys, hb_map_t *gid, hb_map_t *code,
    struct pdf_subset *s)
{
	unsigned pop = hb_set_get_population(keys);
	uint32_t *key = xmalloc((pop + 1) * sizeof *key), *cps = xmalloc((pop + 1) * sizeof *cps);
	uint16_t *codes = xmalloc((pop + 1) * sizeof *codes), *gids = xmalloc((pop + 1) * sizeof *gids);
	hb_codepoint_t k = HB_SET_VALUE_INVALID;
	int n = 0, rc = -1;

	memset(s, 0, sizeof *s);
	while (hb_set_next(keys, &k)) {
		key[n] = k;
		cps[n++] = KEY_CP(k);
	}
	if (face_subset(face, cps, n, codes, gids, &s->font) != 0) {
		buf_free(&s->font);
		goto out;
	}
	s->identity = 1;
	s->codes = xmalloc((n + 1) * sizeof *s->codes);
	s->n = n;
	for (int i = 0; i < n; i++) {
		/* the glyph's own width plus the extra of that code (¼ em, or
		 * less the blank punctuation adjustment takes off) */
		long width = lround(face_advance_em(face, hb_map_get(gid, key[i])) * 1000) +
		    KEY_EXTRA(key[i]);

		hb_map_set(code, key[i], codes[i]);
		s->codes[i].code = codes[i];
		s->codes[i].gid = gids[i];
		s->codes[i].cp = cps[i];
		s->codes[i].width = width > 0 ? (unsigned)width : 0;
		if (codes[i] != gids[i])
			s->identity = 0;
	}
	qsort(s->codes, n, sizeof *s->codes, coded_cmp);
	rc = 0;
out:
	free(key);
	free(cps);
	free(codes);
	free(gids);
	return rc;
}

void
pdf_subset_free(struct pdf_subset *s)
{
	buf_free(&s->font);
	free(s->codes);
	memset(s, 0, sizeof *s);
}

void
pdf_subset_tag(const struct pdf_subset *s, int salt, char tag[7])
{
	char hex[65];
	int i;

	sha256_hex(s->font.data, s->font.len, hex);
	for (i = 0; i < 6; i++)
		tag[i] = (char)('A' + (strtol((char[]){hex[2 * i], hex[2 * i + 1], 0}, NULL, 16) + salt) % 26);
	tag[6] = '\0';
}

static void
put_utf16(struct buf *b, uint32_t cp)
{
	if (cp >= 0x10000) {
		cp -= 0x10000;
		put_hex4(b, 0xD800 + (unsigned)(cp >> 10));
		put_hex4(b, 0xDC00 + (unsigned)(cp & 0x3FF));
	} else
		put_hex4(b, (unsigned)cp);
}

/* Opens a CMap block of KIND (at most 100 entries) before an entry when
 * none is open; LEFT counts the entries still to come. */
static void
block_open(struct buf *b, const char *kind, int left, int *in_block)
{
	if (*in_block == 0) {
		*in_block = left > 100 ? 100 : left;
		buf_printf(b, "%d begin%s\n", *in_block, kind);
	}
}

/* Closes the block after its last entry. */
static void
block_close(struct buf *b, const char *kind, int *left, int *in_block)
{
	--*left;
	if (--*in_block == 0)
		buf_printf(b, "end%s\n", kind);
}

/* The end of the run of consecutive codes (within one first byte) that
 * starts at code I of CC[0..N). */
static int
run_end(const struct pdf_coded *cc, int n, int i)
{
	int j;

	for (j = i + 1; j < n && cc[j].code == cc[j - 1].code + 1 && (cc[j].code & 0xff) != 0; j++)
		;
	return j;
}

void
pdf_subset_tounicode(const struct pdf_subset *s, struct buf *b)
{
	const struct pdf_coded *cc = s->codes;
	int i, j, n = s->n, nchars = 0, nranges = 0, in_block = 0;

	buf_puts(b, "/CIDInit/ProcSet findresource begin 12 dict begin begincmap"
	    "/CIDSystemInfo<</Registry(Adobe)/Ordering(UCS)/Supplement 0>>def"
	    "/CMapName/Adobe-Identity-UCS def/CMapType 2 def\n"
	    "1 begincodespacerange<0000><FFFF>endcodespacerange\n");
	for (i = 0; i < n; i = j) {
		j = run_end(cc, n, i);
		if (j - i == 1)
			nchars++;
		else
			nranges++;
	}
	for (i = 0; i < n; i = j) {
		j = run_end(cc, n, i);
		if (j - i > 1)
			continue;
		block_open(b, "bfchar", nchars, &in_block);
		buf_putc(b, '<');
		put_hex4(b, cc[i].code);
		buf_puts(b, "><");
		put_utf16(b, cc[i].cp);
		buf_puts(b, ">\n");
		block_close(b, "bfchar", &nchars, &in_block);
	}
	for (i = 0; i < n; i = j) {
		j = run_end(cc, n, i);
		if (j - i == 1)
			continue;
		block_open(b, "bfrange", nranges, &in_block);
		buf_putc(b, '<');
		put_hex4(b, cc[i].code);
		buf_puts(b, "><");
		put_hex4(b, cc[j - 1].code);
		buf_puts(b, ">[");
		for (int k = i; k < j; k++) {
			buf_putc(b, '<');
			put_utf16(b, cc[k].cp);
			buf_putc(b, '>');
		}
		buf_puts(b, "]\n");
		block_close(b, "bfrange", &nranges, &in_block);
	}
	buf_puts(b, "endcmap CMapName currentdict/CMap defineresource pop end end\n");
}

void
pdf_subset_gidmap(const struct pdf_subset *s, struct buf *b)
{
	size_t len = s->n > 0 ? (size_t)s->codes[s->n - 1].code + 1 : 1;
	unsigned char *map = xcalloc(len, 2);

	for (int k = 0; k < s->n; k++) {
		map[2 * s->codes[k].code] = (unsigned char)(s->codes[k].gid >> 8);
		map[2 * s->codes[k].code + 1] = (unsigned char)s->codes[k].gid;
	}
	buf_add(b, map, 2 * len);
	free(map);
}

/* ---- The libharu font ------------------------------------------------------ */

/* libharu writes /Filter only for what it compresses itself; this stream
 * comes compressed. */
static HPDF_STATUS
say_flate(HPDF_Dict obj, HPDF_Stream stream)
{
	(void)obj;
	return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

/* Embeds FONT (the subset, as HarfBuzz made it) as DEF's font file,
 * compressed here: libharu would copy it table by table, byte by byte, and
 * compress the copy.  Gives DEF the font descriptor libharu makes (so it
 * makes none).  Returns 0, or -1 when out of memory. */
static int
embed(struct pdfctx *c, HPDF_FontDef def, const struct buf *font)
{
	HPDF_TTFontDefAttr ta = def->attr;
	HPDF_Dict desc, file;
	struct buf z = {0};
	int ret = 0;

	if (buf_deflate(&z, font->data, font->len) != 0 ||
	    (desc = HPDF_Dict_New(c->pdf->mmgr)) == NULL) {
		buf_free(&z);
		return -1;
	}
	file = HPDF_DictStream_New(c->pdf->mmgr, c->pdf->xref);
	ret |= file == NULL;
	if (file != NULL) {
		ret |= HPDF_Stream_Write(file->stream, (HPDF_BYTE *)z.data, (HPDF_UINT)z.len);
		file->write_fn = say_flate;
		ret |= HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)font->len);
	}
	buf_free(&z);
	ret |= HPDF_Xref_Add(c->pdf->xref, desc);
	ret |= HPDF_Dict_AddName(desc, "Type", "FontDescriptor");
	ret |= HPDF_Dict_AddNumber(desc, "Ascent", def->ascent);
	ret |= HPDF_Dict_AddNumber(desc, "Descent", def->descent);
	ret |= HPDF_Dict_AddNumber(desc, "Flags", (HPDF_INT32)def->flags);
	ret |= HPDF_Dict_Add(desc, "FontBBox", HPDF_Box_Array_New(c->pdf->mmgr, def->font_bbox));
	ret |= HPDF_Dict_AddName(desc, "FontName", ta->base_font);
	ret |= HPDF_Dict_AddNumber(desc, "ItalicAngle", def->italic_angle);
	ret |= HPDF_Dict_AddNumber(desc, "StemV", def->stemv);
	ret |= HPDF_Dict_AddNumber(desc, "XHeight", def->x_height);
	if (file != NULL)
		ret |= HPDF_Dict_Add(desc, "FontFile2", file);
	def->descriptor = desc;
	return ret != 0 ? -1 : 0;
}

int
pdf_font_load(struct pdfctx *c, struct used *u, int salt)
{
	struct buf cmap = {0}, map = {0};
	struct pdf_subset sub;
	const struct buf *font = &sub.font;
	const struct pdf_coded *cc;
	int n, i, rc = -1;
	HPDF_Stream st;
	HPDF_FontDef def;
	HPDF_FontAttr attr;
	char tag[7];

	if (pdf_subset_make(u->face, u->keys, u->gid, u->code, &sub) != 0)
		return -1;
	cc = sub.codes;
	n = sub.n;

	/* libharu has no public loader from memory; this is what
	 * HPDF_LoadTTFontFromFile does, with a memory stream. */
	st = HPDF_MemStream_New(c->pdf->mmgr, font->len > 4096 ? (HPDF_UINT)font->len : 4096);
	if (st == NULL || HPDF_Stream_Write(st, (HPDF_BYTE *)font->data, (HPDF_UINT)font->len) != HPDF_OK)
		goto out;
	def = HPDF_TTFontDef_Load(c->pdf->mmgr, st, HPDF_TRUE);
	if (def == NULL)
		goto out;
	pdf_subset_tag(&sub, salt, tag);
	HPDF_TTFontDef_SetTagName(def, tag);
	/* libharu finds a document's fonts by their PostScript name; two faces
	 * may share one (a font copied into fonts/ that a fallback names under
	 * its system path too, two versions of a font), so the later one is
	 * registered under a suffixed name.  The PDF names the subset by its
	 * tag (the descriptor's attribute), which this does not touch. */
	if (HPDF_Doc_FindFontDef(c->pdf, def->base_font) != NULL) {
		size_t len = strnlen(def->base_font, sizeof def->base_font - 8);
		int k;

		def->base_font[len] = '\0';
		for (k = 2; k < 1000; k++) {
			snprintf(def->base_font + len, sizeof def->base_font - len, "#%d", k);
			if (HPDF_Doc_FindFontDef(c->pdf, def->base_font) == NULL)
				break;
		}
		if (k == 1000) {
			HPDF_FontDef_Free(def);
			pdf_error(c, HPDF_FONT_EXISTS, 0);
			goto out;
		}
	}
	if (HPDF_List_Add(c->pdf->fontdef_list, def) != HPDF_OK) {
		HPDF_FontDef_Free(def);
		goto out;
	}
	/* HPDF_GetFont builds a CIDToGIDMap and widths for every BMP code of a
	 * Unicode encoder (65 536 glyph look-ups), all replaced below.  For the
	 * time of the call the UTF-8 encoder poses as a CMap encoder of just
	 * our codes, so libharu looks up those only.  Its code-to-CID table
	 * is emptied for that time too: the UTF-8 encoder fills it with its
	 * byte ranges (and keeps its decoding state in the first row), and
	 * libharu writes widths and a map up to the largest CID it finds there
	 * (some 30 000 on average, 3 ms a font; with our codes alone, a few
	 * dozen). */
	{
		HPDF_Encoder enc = HPDF_GetEncoder(c->pdf, "UTF-8");
		HPDF_CMapEncoderAttr ea = enc != NULL ? (HPDF_CMapEncoderAttr)enc->attr : NULL;
		HPDF_Encoder_ToUnicode_Func saved;
		HPDF_UNICODE *was;
		HPDF_UINT16 (*cids)[256];

		if (ea == NULL)
			goto out;
		saved = enc->to_unicode_fn;
		was = xmalloc((n + 1) * sizeof *was);
		cids = xmalloc(sizeof ea->cid_map);
		memcpy(cids, ea->cid_map, sizeof ea->cid_map);
		memset(ea->cid_map, 0, sizeof ea->cid_map);
		for (i = 0; i < n; i++) {
			uint16_t code = cc[i].code;

			was[i] = ea->unicode_map[code >> 8][code & 0xFF];
			ea->cid_map[code >> 8][code & 0xFF] = code;
			ea->unicode_map[code >> 8][code & 0xFF] = code;
		}
		enc->to_unicode_fn = HPDF_CMapEncoder_ToUnicode;
		u->font = HPDF_GetFont(c->pdf, def->base_font, "UTF-8");
		enc->to_unicode_fn = saved;
		for (i = 0; i < n; i++)
			ea->unicode_map[cc[i].code >> 8][cc[i].code & 0xFF] = was[i];
		memcpy(ea->cid_map, cids, sizeof ea->cid_map);
		free(cids);
		free(was);
	}
	if (u->font == NULL)
		goto out;
	attr = (HPDF_FontAttr)u->font->attr;
	if (attr->cmap_stream == NULL)
		goto out;
	pdf_subset_tounicode(&sub, &cmap);
	HPDF_MemStream_FreeData(attr->cmap_stream->stream);
	if (HPDF_Stream_Write(attr->cmap_stream->stream, (HPDF_BYTE *)cmap.data,
	    (HPDF_UINT)cmap.len) != HPDF_OK)
		goto out;
	/* codes that are glyph ids need no map; else libharu's, which covers
	 * every BMP code, becomes one that stops at the last code */
	if (sub.identity)
		HPDF_Dict_AddName(attr->descendant_font, "CIDToGIDMap", "Identity");
	else if (attr->map_stream != NULL) {
		pdf_subset_gidmap(&sub, &map);
		HPDF_MemStream_FreeData(attr->map_stream->stream);
		HPDF_Stream_Write(attr->map_stream->stream, (HPDF_BYTE *)map.data, (HPDF_UINT)map.len);
	}
	/* libharu names the ordering after the encoding */
	{
		HPDF_Dict csi = HPDF_Dict_GetItem(attr->descendant_font, "CIDSystemInfo",
		    HPDF_OCLASS_DICT);

		if (csi != NULL)
			HPDF_Dict_Add(csi, "Ordering", HPDF_String_New(c->pdf->mmgr, "Identity", NULL));
	}
	/* widths: 1000 (every Han character) is the default and not listed */
	{
		HPDF_Array w = NULL, ws = NULL;

		for (i = 0; i < n; i++) {
			if (cc[i].width == 1000) {
				ws = NULL;
				continue;
			}
			if (ws == NULL || cc[i].code != cc[i - 1].code + 1) {
				if (w == NULL)
					w = HPDF_Array_New(c->pdf->mmgr);
				ws = HPDF_Array_New(c->pdf->mmgr);
				HPDF_Array_AddNumber(w, cc[i].code);
				HPDF_Array_Add(w, ws);
			}
			HPDF_Array_AddNumber(ws, (HPDF_INT32)cc[i].width);
		}
		HPDF_Dict_AddNumber(attr->descendant_font, "DW", 1000);
		HPDF_Dict_RemoveElement(attr->descendant_font, "DW2");   /* vertical writing only */
		if (w != NULL)
			HPDF_Dict_Add(attr->descendant_font, "W", w);
		else
			HPDF_Dict_RemoveElement(attr->descendant_font, "W");
	}
	/* what libharu put there describes an encoding CMap, not a ToUnicode one */
	HPDF_Dict_RemoveElement(attr->cmap_stream, "CMapName");
	HPDF_Dict_RemoveElement(attr->cmap_stream, "CIDSystemInfo");
	HPDF_Dict_RemoveElement(attr->cmap_stream, "WMode");
	HPDF_Dict_RemoveElement(attr->cmap_stream, "Type");
	if (embed(c, def, font) != 0)
		goto out;
	rc = 0;
out:
	pdf_subset_free(&sub);
	buf_free(&cmap);
	buf_free(&map);
	return rc;
}
