/* cert_naive.c — the benchmark baseline for certificates: libharu used
 * directly, the way its manual shows, with the whole LXGW WenKai font loaded
 * into every document.
 *
 *   cert_naive merged|single LIST OUTDIR [FONT]
 *
 * LIST has one certificate per line: serial TAB name TAB unit.  "merged"
 * writes OUTDIR/print.pdf with one page each; "single" writes OUTDIR/SERIAL.pdf
 * for each.  The page carries what a jingsai certificate carries (border,
 * heading, name, unit, award, wording, issuer, date, serial), not the QR code.
 * Prints the number of certificates and the processor time taken. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hpdf.h>

#define MM (72.0 / 25.4)
#define FONT "/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf"

static void
error_handler(HPDF_STATUS error, HPDF_STATUS detail, void *data)
{
	(void)data;
	fprintf(stderr, "cert_naive: libharu error 0x%04X (detail %u)\n", (unsigned)error, (unsigned)detail);
	exit(3);
}

/* Text centred on X (mm from the left), baseline Y (mm from the top). */
static void
centred(HPDF_Page page, HPDF_Font font, double size, double x, double y, const char *text)
{
	double w;

	HPDF_Page_SetFontAndSize(page, font, (HPDF_REAL)size);
	w = HPDF_Page_TextWidth(page, text);
	HPDF_Page_BeginText(page);
	HPDF_Page_TextOut(page, (HPDF_REAL)(x * MM - w / 2), (HPDF_REAL)((210 - y) * MM), text);
	HPDF_Page_EndText(page);
}

static void
draw(HPDF_Doc pdf, HPDF_Font font, const char *serial, const char *name, const char *unit)
{
	HPDF_Page page = HPDF_AddPage(pdf);
	char line[256];

	HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
	HPDF_Page_SetRGBFill(page, 1.0f, 0.984f, 0.941f);
	HPDF_Page_Rectangle(page, 0, 0, (HPDF_REAL)(297 * MM), (HPDF_REAL)(210 * MM));
	HPDF_Page_Fill(page);
	HPDF_Page_SetRGBStroke(page, 0.698f, 0.133f, 0.133f);
	HPDF_Page_SetLineWidth(page, 5);
	HPDF_Page_Rectangle(page, (HPDF_REAL)(9 * MM), (HPDF_REAL)(9 * MM), (HPDF_REAL)(279 * MM),
	    (HPDF_REAL)(192 * MM));
	HPDF_Page_Stroke(page);
	HPDF_Page_SetRGBStroke(page, 0.788f, 0.635f, 0.153f);
	HPDF_Page_SetLineWidth(page, 1.2f);
	HPDF_Page_Rectangle(page, (HPDF_REAL)(13 * MM), (HPDF_REAL)(13 * MM), (HPDF_REAL)(271 * MM),
	    (HPDF_REAL)(184 * MM));
	HPDF_Page_Stroke(page);
	HPDF_Page_SetRGBFill(page, 0.698f, 0.133f, 0.133f);
	centred(page, font, 42, 148.5, 46, "荣誉证书");
	HPDF_Page_SetRGBFill(page, 0, 0, 0);
	snprintf(line, sizeof line, "兹授予  %s  同志：", name);
	centred(page, font, 28, 148.5, 78, line);
	centred(page, font, 14, 148.5, 91, unit);
	HPDF_Page_SetRGBFill(page, 0.698f, 0.133f, 0.133f);
	centred(page, font, 30, 148.5, 114, "南通市五一劳动奖章");
	HPDF_Page_SetRGBFill(page, 0, 0, 0);
	centred(page, font, 22, 148.5, 132, "荣誉称号，特发此证。");
	centred(page, font, 20, 210, 154, "南通市劳动竞赛委员会");
	centred(page, font, 18, 210, 167, "二〇二五年四月二十八日");
	snprintf(line, sizeof line, "证书编号：%s", serial);
	centred(page, font, 9, 50, 181, line);
}

static HPDF_Doc
new_doc(const char *fontpath, HPDF_Font *font)
{
	HPDF_Doc pdf = HPDF_New(error_handler, NULL);
	const char *fname;

	HPDF_UseUTFEncodings(pdf);
	HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
	fname = HPDF_LoadTTFontFromFile(pdf, fontpath, HPDF_TRUE);
	*font = HPDF_GetFont(pdf, fname, "UTF-8");
	return pdf;
}

int
main(int argc, char **argv)
{
	const char *fontpath = argc > 4 ? argv[4] : FONT;
	char line[1024], path[1024];
	HPDF_Doc pdf = NULL;
	HPDF_Font font = NULL;
	FILE *fp;
	int merged, n = 0;

	if (argc < 4 || (strcmp(argv[1], "merged") != 0 && strcmp(argv[1], "single") != 0)) {
		fputs("usage: cert_naive merged|single LIST OUTDIR [FONT]\n", stderr);
		return 2;
	}
	merged = strcmp(argv[1], "merged") == 0;
	if ((fp = fopen(argv[2], "r")) == NULL) {
		perror(argv[2]);
		return 3;
	}
	if (merged)
		pdf = new_doc(fontpath, &font);
	while (fgets(line, sizeof line, fp) != NULL) {
		char *serial = strtok(line, "\t\n"), *name = strtok(NULL, "\t\n"), *unit = strtok(NULL, "\t\n");
		if (serial == NULL || name == NULL)
			continue;
		if (!merged)
			pdf = new_doc(fontpath, &font);
		draw(pdf, font, serial, name, unit ? unit : "");
		if (!merged) {
			snprintf(path, sizeof path, "%s/%s.pdf", argv[3], serial);
			HPDF_SaveToFile(pdf, path);
			HPDF_Free(pdf);
		}
		n++;
	}
	fclose(fp);
	if (merged) {
		snprintf(path, sizeof path, "%s/print.pdf", argv[3]);
		HPDF_SaveToFile(pdf, path);
		HPDF_Free(pdf);
	}
	/* Certificates made and the processor time they took. */
	printf("%d %.3f\n", n, (double)clock() / CLOCKS_PER_SEC);
	return 0;
}
