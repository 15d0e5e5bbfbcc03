/* pdf_pack_test.c — repacking libharu's PDF: smaller, deterministic, and safe on damaged input. */
#define _GNU_SOURCE
#include <stdlib.h>

#include <libdeflate.h>

#include <hpdf.h>

#include "check.h"
#include "jingsai.h"
#include "pdf_pack.h"

static void
on_error(HPDF_STATUS error, HPDF_STATUS detail, void *data)
{
	(void)error, (void)detail, (void)data;
}

/* A two-page PDF as libharu writes it: lines of text, a rule, an outline, info;
 * its streams compressed by libharu when COMPRESS. */
static void
make_pdf(struct buf *out, int compress)
{
	HPDF_Doc pdf = HPDF_New(on_error, NULL);
	HPDF_Font font;
	HPDF_UINT32 size;
	int p;

	HPDF_SetCompressionMode(pdf, compress ? HPDF_COMP_ALL : HPDF_COMP_NONE);
	HPDF_SetInfoAttr(pdf, HPDF_INFO_PRODUCER, "test (endobj) stream");
	font = HPDF_GetFont(pdf, "Helvetica", NULL);
	for (p = 0; p < 2; p++) {
		HPDF_Page page = HPDF_AddPage(pdf);
		HPDF_Outline ol;

		HPDF_Page_BeginText(page);
		HPDF_Page_SetFontAndSize(page, font, 12);
		HPDF_Page_TextOut(page, 72, 720, p ? "second page" : "first page");
		/* enough of a page to be worth deflating */
		for (int k = 0; k < 30; k++)
			HPDF_Page_TextOut(page, 72, (HPDF_REAL)(680 - 20 * k), "a line of text");
		HPDF_Page_EndText(page);
		HPDF_Page_MoveTo(page, 72, 700);
		HPDF_Page_LineTo(page, 500, 700);
		HPDF_Page_Stroke(page);
		ol = HPDF_CreateOutline(pdf, NULL, p ? "Two" : "One", NULL);
		HPDF_Outline_SetDestination(ol, HPDF_Page_CreateDestination(page));
	}
	HPDF_SaveToStream(pdf);
	size = HPDF_GetStreamSize(pdf);
	out->data = xrealloc(out->data, size + 1);
	out->cap = size + 1;
	out->len = 0;
	while (out->len < size) {
		HPDF_UINT32 n = size - (HPDF_UINT32)out->len;

		if (HPDF_ReadFromStream(pdf, (HPDF_BYTE *)out->data + out->len, &n) != HPDF_OK && n == 0)
			break;
		out->len += n;
	}
	HPDF_Free(pdf);
}

static int
has(const struct buf *b, const char *text)
{
	return b->len > 0 && memmem(b->data, b->len, text, strlen(text)) != NULL;
}

/* The inflated data of every stream of S with a /Filter/FlateDecode,
 * concatenated. */
static void
inflated_streams(const struct buf *s, struct buf *out)
{
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	const char *p = s->data, *end = s->data + s->len;

	while ((p = memmem(p, (size_t)(end - p), "/Filter/FlateDecode", 19)) != NULL) {
		const char *len = memmem(p, (size_t)(end - p), "/Length ", 8);
		const char *data = memmem(p, (size_t)(end - p), "stream\n", 7);
		size_t n = 0;
		char *z = xmalloc(65536);

		if (len == NULL || data == NULL) {
			free(z);
			break;
		}
		if (libdeflate_zlib_decompress(d, data + 7, strtoul(len + 8, NULL, 10), z, 65536,
		    &n) == LIBDEFLATE_SUCCESS)
			buf_add(out, z, n);
		free(z);
		p = data;
	}
	libdeflate_free_decompressor(d);
}

int
main(void)
{
	struct buf in = {0}, out = {0}, again = {0}, objs = {0}, bad = {0}, plain = {0};
	size_t cut;
	int rc, failures = 0;

	make_pdf(&in, 1);
	CHECK(in.len > 500 && memcmp(in.data, "%PDF-1.", 7) == 0, "libharu wrote a PDF");
	rc = pdf_pack(in.data, in.len, &out);
	CHECK(rc == 0, "a libharu PDF repacks");
	CHECK(out.len < in.len * 3 / 4, "the repacked PDF is smaller by a quarter at least");
	CHECK(out.len > 9 && memcmp(out.data, "%PDF-1.5\n", 9) == 0, "the repacked PDF says 1.5");
	CHECK(has(&out, "/Type/XRef") &&
	    !has(&out, "\nxref"), "a cross-reference stream, no table");
	CHECK(out.len > 6 && memcmp(out.data + out.len - 6, "%%EOF\n", 6) == 0, "ends with %%EOF");
	inflated_streams(&out, &objs);
	CHECK(has(&objs, "/Type/Catalog"),
	    "the catalog is in an object stream, compact");
	CHECK(has(&objs, "/Producer(test \\050endobj\\051 stream)"),
	    "a string with keywords in it is kept whole");
	CHECK(!has(&objs, "ProcSet"), "no /ProcSet");
	CHECK(has(&out, "<</Filter/FlateDecode/Length ") &&
	    !has(&out, " 0 R>>\nstream"), "stream lengths inline");

	/* libharu told to compress nothing: the streams are deflated here */
	make_pdf(&plain, 0);
	CHECK(has(&plain, "(first page) Tj"), "libharu wrote the page's text as it is");
	buf_reset(&again);
	buf_reset(&objs);
	CHECK(pdf_pack(plain.data, plain.len, &again) == 0, "an uncompressed libharu PDF repacks");
	CHECK(!has(&again, "(first page) Tj") && !has(&again, "(second page) Tj"),
	    "its page contents are compressed");
	inflated_streams(&again, &objs);
	CHECK(has(&objs, "(first page) Tj") && has(&objs, "(second page) Tj"),
	    "and inflate to what libharu wrote");
	CHECK(again.len < out.len + out.len / 10, "as small as libharu's compression, near enough");

	buf_reset(&again);
	rc = pdf_pack(in.data, in.len, &again);
	CHECK(rc == 0 && again.len == out.len && memcmp(again.data, out.data, out.len) == 0,
	    "the same input gives the same bytes");

	buf_reset(&again);
	CHECK(pdf_pack(out.data, out.len, &again) == -1 && again.len == 0,
	    "a PDF with a cross-reference stream is left alone");

	/* every truncation and a damaged byte at every place: -1 with nothing
	 * written, or a PDF; never a crash (the sanitizer run checks reads) */
	for (cut = 0; cut < in.len; cut++) {
		buf_reset(&again);
		if (pdf_pack(in.data, cut, &again) != 0 && again.len != 0)
			failures++;
	}
	CHECK(failures == 0, "truncated input: nothing written");
	buf_add(&bad, in.data, in.len);
	for (cut = 0; cut < in.len; cut += 3) {
		char was = bad.data[cut];

		bad.data[cut] = (char)(cut % 2 ? '(' : '<');
		buf_reset(&again);
		if (pdf_pack(bad.data, bad.len, &again) != 0 && again.len != 0)
			failures++;
		bad.data[cut] = was;
	}
	CHECK(failures == 0, "damaged input: nothing written, no crash");

	buf_free(&in);
	buf_free(&out);
	buf_free(&again);
	buf_free(&objs);
	buf_free(&bad);
	buf_free(&plain);
	return CHECK_DONE();
}
