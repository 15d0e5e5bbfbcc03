/* naive_hpdf.c — the benchmark baseline: libharu used directly, the naive
 * way, on the text of a typeset description (its title/h1/h2/p/box lines):
 * one whole TrueType font embedded, 28 characters to a line, 22 lines to a
 * page, no fallback, no line-breaking rules.
 *
 * usage: naive_hpdf [--pages N] [--copies N] FONT.ttf DESCRIPTION OUT
 * Writes OUT (one document of at least N pages), or with --copies N, N
 * one-page documents OUT/NNNN.pdf (the font loaded for each, as a naive
 * program would). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "jingsai.h"

static void
on_error(HPDF_STATUS e, HPDF_STATUS detail, void *arg)
{
	(void)arg;
	fprintf(stderr, "naive_hpdf: libharu error 0x%04X (%u)\n", (unsigned)e, (unsigned)detail);
}

struct lines {
	int n;
	char **text;
};

/* Cuts every text line of the description into pieces of 28 characters. */
static void
cut(const char *desc, struct lines *out)
{
	const char *p = desc;

	while (*p != '\0') {
		const char *e = strchr(p, '\n'), *t = NULL;
		size_t len = e != NULL ? (size_t)(e - p) : strlen(p);

		if (strncmp(p, "p ", 2) == 0 || strncmp(p, "h1 ", 3) == 0 || strncmp(p, "h2 ", 3) == 0 ||
		    strncmp(p, "title ", 6) == 0)
			t = strchr(p, ' ') + 1;
		else if (strncmp(p, "box ", 4) == 0) {
			int k;

			for (t = p, k = 0; k < 8 && t != NULL && t < p + len; k++)
				t = strchr(t, ' ') != NULL ? strchr(t, ' ') + 1 : NULL;
		}
		while (t != NULL && t < p + len) {
			const char *s = t;
			int k = 0, adv;

			while (t < p + len && k < 28) {
				utf8_decode((const unsigned char *)t, (size_t)(p + len - t), &adv);
				t += adv;
				k++;
			}
			out->text = xrealloc(out->text, (out->n + 1) * sizeof *out->text);
			out->text[out->n++] = xstrndup(s, (size_t)(t - s));
		}
		p += len + (e != NULL);
	}
}

static int
write_doc(const char *font_file, const struct lines *l, int min_pages, int one_page,
    const char *path)
{
	HPDF_Doc pdf = HPDF_New(on_error, NULL);
	HPDF_Page page = NULL;
	HPDF_Font font;
	const char *name;
	int pages = 0, row = 22, i = 0, rc;

	HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
	HPDF_UseUTFEncodings(pdf);
	name = HPDF_LoadTTFontFromFile(pdf, font_file, HPDF_TRUE);
	font = name != NULL ? HPDF_GetFont(pdf, name, "UTF-8") : NULL;
	if (font == NULL) {
		fprintf(stderr, "naive_hpdf: %s: cannot load this TrueType font\n", font_file);
		HPDF_Free(pdf);
		return -1;
	}
	while (l->n > 0) {
		if (row == 22) {
			if (page != NULL) {
				HPDF_Page_EndText(page);
				if (pages >= min_pages || one_page)
					break;
			}
			if ((page = HPDF_AddPage(pdf)) == NULL)
				break;
			HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
			HPDF_Page_BeginText(page);
			HPDF_Page_SetFontAndSize(page, font, 16);
			pages++;
			row = 0;
		}
		HPDF_Page_TextOut(page, 28 * 72 / 25.4, 842 - (37 + 8 + row * 225.0 / 22) * 72 / 25.4,
		    l->text[i]);
		row++;
		i = (i + 1) % l->n;
	}
	rc = HPDF_SaveToFile(pdf, path) == HPDF_OK ? 0 : -1;
	HPDF_Free(pdf);
	return rc;
}

int
main(int argc, char **argv)
{
	struct buf desc = {0};
	struct lines l = {0};
	int pages = 1, copies = 0, i, rc = 0;

	while (argc > 2 && argv[1][0] == '-') {
		if (strcmp(argv[1], "--pages") == 0)
			pages = atoi(argv[2]);
		else if (strcmp(argv[1], "--copies") == 0)
			copies = atoi(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: naive_hpdf [--pages N] [--copies N] FONT.ttf DESCRIPTION OUT\n");
		return 2;
	}
	if (file_read_all(argv[2], &desc) != 0) {
		fprintf(stderr, "naive_hpdf: %s: %s\n", argv[2], strerror(errno));
		return 3;
	}
	cut(desc.data != NULL ? desc.data : "", &l);
	if (copies > 0) {
		mkdir_p(argv[3]);
		for (i = 0; i < copies && rc == 0; i++) {
			char *p = xasprintf("%s/%04d.pdf", argv[3], i + 1);
			rc = write_doc(argv[1], &l, 1, 1, p);
			free(p);
		}
	} else
		rc = write_doc(argv[1], &l, pages, 0, argv[3]);
	for (i = 0; i < l.n; i++)
		free(l.text[i]);
	free(l.text);
	buf_free(&desc);
	return rc == 0 ? 0 : 3;
}
