/* typeset.c — lays out a test document from a plain-text description and
 * writes its PDF and/or layout dump (tests, benchmarks, font previews).
 *
 * usage: typeset [--fonts DIR] [--pdf FILE] [--dump FILE|-] [--pages N] [--copies N DIR] DESCRIPTION
 *
 * The description has one command per line ('#' starts a comment line):
 *   setup a4|a4-landscape [numbers] [first=N]   page size; page numbers
 *   info TITLE                                  document title
 *   field LABEL                                 names the following text in errors
 *   title TEXT | h1 TEXT | h2 TEXT | p TEXT     flowed title, headings, body paragraph
 *   p0 TEXT                                     body paragraph without indent
 *   cover TITLE | SUBTITLE | ISSUER | DATE      a cover page
 *   signature ISSUER | DATE                     the issuing body and the date closing
 *                                               the document (a 'p' after it: its 附注)
 *   style ROLE SIZE left|center|right|justify INDENT [bold]   style of the next 'q'
 *   q TEXT                                      paragraph in that style
 *   vspace PT | break | page | rule WIDTH_PT
 *   box ROLE SIZE X Y W H FLAGS TEXT            fixed box, mm; FLAGS: - or a comma list of
 *                                               shrink,name,wrap,vcenter,center,right,bold
 *   line X1 Y1 X2 Y2 WIDTH_PT | rect X Y W H WIDTH_PT | circle CX CY R WIDTH_PT
 *   table TITLE | HEADER:WEIGHT:l|c|r[:names] | ...   then 'row a | b | ...' lines,
 *   rows N                                      N generated rows (numbers summed),
 *   total a | b | ...                           'total auto' sums the generated rows,
 *   endtable
 *   chart bar|line TITLE | UNIT                 then 'cat A | B', 'series NAME | 1 | 2',
 *   endchart
 *   pin                                         the next table or chart stays in place
 *                                               (no float)
 * 'setup ... punct=none' sets punctuation without adjustment; '\n' in a
 * title or paragraph forces a line break (U+2028).
 * With --pages N the body is repeated until the document has N pages; with
 * --copies N DIR, N separate documents DIR/0001.pdf ... are written too
 * (one font set for all, as the certificates do). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jingsai.h"
#include "device.h"
#include "layout.h"

#define MAXF 64

static int
split(char *s, char **f, int max)
{
	int n = 0;
	char *p;

	while (n < max) {
		p = strchr(s, '|');
		if (p != NULL)
			*p = '\0';
		while (*s == ' ')
			s++;
		{
			char *e = s + strlen(s);
			while (e > s && e[-1] == ' ')
				*--e = '\0';
		}
		f[n++] = s;
		if (p == NULL)
			break;
		s = p + 1;
	}
	return n;
}

static enum align
parse_align(const char *s)
{
	if (s[0] == 'c')
		return ALIGN_CENTER;
	if (s[0] == 'r')
		return ALIGN_RIGHT;
	if (s[0] == 'j')
		return ALIGN_JUSTIFY;
	return ALIGN_LEFT;
}

static const char *const units[] = {
	"崇川区总工会", "通州区总工会", "海门区总工会", "如东县总工会", "启东市总工会",
	"如皋市总工会", "海安市总工会", "南通经济技术开发区总工会", "苏锡通科技产业园区工会",
	"通州湾示范区工会", "市直机关工会工作委员会"
};

struct state {
	struct doc *d;
	struct text_style q;
	/* table being built */
	struct table *t;
	int tcols;
	long long gen_sum[MAXF];
	int gen_rows;
	int pin;                 /* the next table or chart is pinned */
	/* chart being built */
	struct chart c;
	char *ctitle, *cunit;
	char *cats[MAXF];
	int ncat;
	struct chart_series ser[8];
	double *vals[8];
	char *snames[8];
};

static void
gen_rows(struct state *st, int n)
{
	char buf[MAXF][64];
	const char *cells[MAXF];
	int i, c;

	for (i = 0; i < n; i++) {
		int r = st->gen_rows++;

		for (c = 0; c < st->tcols; c++) {
			if (c == 0)
				snprintf(buf[c], sizeof buf[c], "%d", r + 1);
			else if (c == 1)
				snprintf(buf[c], sizeof buf[c], "%s", units[r % 11]);
			else {
				long long v = (long long)((r * 7919LL + c * 104729LL) % 100000) * (c + 1);
				st->gen_sum[c] += v;
				fmt_thousands(v, buf[c]);
			}
			cells[c] = buf[c];
		}
		table_row(st->t, cells);
	}
}

static void
end_chart(struct state *st)
{
	int i;

	st->c.categories = (const char *const *)st->cats;
	st->c.ncat = st->ncat;
	st->c.series = st->ser;
	doc_chart(st->d, &st->c);
	for (i = 0; i < st->ncat; i++)
		free(st->cats[i]);
	for (i = 0; i < st->c.nseries; i++) {
		free(st->vals[i]);
		free(st->snames[i]);
	}
	free(st->ctitle);
	free(st->cunit);
	memset(&st->c, 0, sizeof st->c);
	st->ncat = 0;
}

/* LINE with each "\\n" made U+2028, a forced line break; the caller frees. */
static char *
unescape(const char *line)
{
	struct buf b = {0};

	for (; *line != '\0'; line++) {
		if (line[0] == '\\' && line[1] == 'n') {
			buf_puts(&b, "\xE2\x80\xA8");
			line++;
		} else
			buf_putc(&b, *line);
	}
	return b.data != NULL ? b.data : xstrdup("");
}

static int
command(struct state *st, char *line, const char *file, long lineno)
{
	char *arg = strchr(line, ' ');
	char *f[MAXF];
	int n, i;

	if (arg != NULL)
		*arg++ = '\0';
	else
		arg = line + strlen(line);
	if (strcmp(line, "title") == 0)
		doc_title(st->d, arg);
	else if (strcmp(line, "h1") == 0)
		doc_heading(st->d, 1, arg);
	else if (strcmp(line, "h2") == 0)
		doc_heading(st->d, 2, arg);
	else if (strcmp(line, "p") == 0)
		doc_paragraph(st->d, &style_body, arg);
	else if (strcmp(line, "p0") == 0) {
		struct text_style s = style_body;

		s.indent_chars = 0;
		doc_paragraph(st->d, &s, arg);
	} else if (strcmp(line, "q") == 0)
		doc_paragraph(st->d, &st->q, arg);
	else if (strcmp(line, "cover") == 0) {
		char *f4[4] = {NULL, NULL, NULL, NULL};

		n = split(arg, f, 4);
		for (i = 0; i < n; i++)
			f4[i] = f[i][0] != '\0' ? f[i] : NULL;
		doc_cover(st->d, f4[0], f4[1], f4[2], f4[3]);
	} else if (strcmp(line, "signature") == 0) {
		n = split(arg, f, 2);
		doc_signature(st->d, f[0], n > 1 ? f[1] : "");
	} else if (strcmp(line, "field") == 0)
		doc_field(st->d, arg);
	else if (strcmp(line, "style") == 0) {
		static char role[64];
		char al[16] = "left", bold[16] = "";
		double size = 16, indent = 0;

		sscanf(arg, "%63s %lf %15s %lf %15s", role, &size, al, &indent, bold);
		st->q = style_body;
		st->q.role = role;
		st->q.size_pt = size;
		st->q.align = parse_align(al);
		st->q.indent_chars = indent;
		st->q.bold = strcmp(bold, "bold") == 0;
		st->q.letter_spacing_pt = 0;
	} else if (strcmp(line, "vspace") == 0)
		doc_vspace(st->d, atof(arg));
	else if (strcmp(line, "break") == 0)
		doc_page_break(st->d);
	else if (strcmp(line, "page") == 0)
		doc_new_page(st->d);
	else if (strcmp(line, "rule") == 0)
		doc_hrule(st->d, atof(arg), 0xCC0000);
	else if (strcmp(line, "box") == 0) {
		char role[64], flags[128];
		double size, x, y, w, h;
		int used = 0, fl = 0;
		struct text_style s = style_body;

		if (sscanf(arg, "%63s %lf %lf %lf %lf %lf %127s %n", role, &size, &x, &y, &w, &h, flags,
		    &used) < 7) {
			fprintf(stderr, "%s:%ld: box ROLE SIZE X Y W H FLAGS TEXT\n", file, lineno);
			return -1;
		}
		s.role = role;
		s.size_pt = size;
		s.align = ALIGN_LEFT;
		s.indent_chars = 0;
		s.letter_spacing_pt = 0;
		s.line_pitch_pt = 0;
		for (char *tok = strtok(flags, ","); tok != NULL; tok = strtok(NULL, ",")) {
			if (strcmp(tok, "shrink") == 0) fl |= BOX_SHRINK;
			else if (strcmp(tok, "name") == 0) fl |= BOX_NAME_SPACING;
			else if (strcmp(tok, "wrap") == 0) fl |= BOX_WRAP;
			else if (strcmp(tok, "vcenter") == 0) fl |= BOX_VCENTER;
			else if (strcmp(tok, "center") == 0) s.align = ALIGN_CENTER;
			else if (strcmp(tok, "right") == 0) s.align = ALIGN_RIGHT;
			else if (strcmp(tok, "justify") == 0) s.align = ALIGN_JUSTIFY;
			else if (strcmp(tok, "bold") == 0) s.bold = 1;
		}
		doc_text_box(st->d, &s, x, y, w, h, fl, arg + used);
	} else if (strcmp(line, "line") == 0) {
		double a, b, c, e, w;
		if (sscanf(arg, "%lf %lf %lf %lf %lf", &a, &b, &c, &e, &w) == 5)
			doc_line(st->d, a, b, c, e, w, 0xCC0000);
	} else if (strcmp(line, "rect") == 0) {
		double a, b, c, e, w;
		if (sscanf(arg, "%lf %lf %lf %lf %lf", &a, &b, &c, &e, &w) == 5)
			doc_rect(st->d, a, b, c, e, w, 0xCC0000, -1);
	} else if (strcmp(line, "circle") == 0) {
		double a, b, c, w;
		if (sscanf(arg, "%lf %lf %lf %lf", &a, &b, &c, &w) == 4)
			doc_circle(st->d, a, b, c, w, 0xCC0000, -1);
	} else if (strcmp(line, "table") == 0) {
		struct table_col cols[MAXF];

		memset(cols, 0, sizeof cols);
		n = split(arg, f, MAXF);
		for (i = 1; i < n; i++) {
			char *w = strchr(f[i], ':'), *a = NULL;

			if (w != NULL) {
				*w++ = '\0';
				a = strchr(w, ':');
				if (a != NULL)
					*a++ = '\0';
			}
			cols[i - 1].header = f[i];
			cols[i - 1].width = w != NULL ? atof(w) : 1;
			cols[i - 1].align = a != NULL ? parse_align(a) : ALIGN_LEFT;
			cols[i - 1].names = a != NULL && strstr(a, ":names") != NULL;
		}
		st->tcols = n - 1;
		st->t = table_new(f[0][0] != '\0' ? f[0] : NULL, st->tcols, cols);
		if (st->pin)
			table_pin(st->t);
		st->pin = 0;
		memset(st->gen_sum, 0, sizeof st->gen_sum);
		st->gen_rows = 0;
	} else if ((strcmp(line, "row") == 0 || strcmp(line, "total") == 0) && st->t != NULL) {
		char sum[MAXF][32];
		const char *cells[MAXF];

		if (strcmp(arg, "auto") == 0) {
			for (i = 0; i < st->tcols; i++) {
				if (i == 0)
					strcpy(sum[i], "合计");
				else if (i == 1)
					snprintf(sum[i], sizeof sum[i], "%d个单位", st->gen_rows);
				else
					fmt_thousands(st->gen_sum[i], sum[i]);
				cells[i] = sum[i];
			}
			table_total(st->t, cells);
			return 0;
		}
		n = split(arg, f, MAXF);
		for (i = 0; i < st->tcols; i++)
			cells[i] = i < n ? f[i] : "";
		if (line[0] == 'r')
			table_row(st->t, cells);
		else
			table_total(st->t, cells);
	} else if (strcmp(line, "rows") == 0 && st->t != NULL)
		gen_rows(st, atoi(arg));
	else if (strcmp(line, "endtable") == 0 && st->t != NULL) {
		doc_table(st->d, st->t);
		table_free(st->t);
		st->t = NULL;
	} else if (strcmp(line, "chart") == 0) {
		char kind[16];
		int used = 0;

		sscanf(arg, "%15s %n", kind, &used);
		n = split(arg + used, f, 2);
		st->c.kind = strcmp(kind, "line") == 0 ? CHART_LINE : CHART_BAR;
		st->ctitle = xstrdup(f[0]);
		st->cunit = n > 1 ? xstrdup(f[1]) : NULL;
		st->c.title = st->ctitle;
		st->c.unit = st->cunit;
		st->c.pinned = st->pin;
		st->pin = 0;
	} else if (strcmp(line, "cat") == 0) {
		n = split(arg, f, MAXF);
		for (i = 0; i < n; i++)
			st->cats[i] = xstrdup(f[i]);
		st->ncat = n;
	} else if (strcmp(line, "series") == 0 && st->c.nseries < 8) {
		int s = st->c.nseries++;

		n = split(arg, f, MAXF);
		st->snames[s] = xstrdup(f[0]);
		st->vals[s] = xcalloc(st->ncat + 1, sizeof(double));
		for (i = 1; i < n && i <= st->ncat; i++)
			st->vals[s][i - 1] = atof(f[i]);
		st->ser[s].name = st->snames[s];
		st->ser[s].values = st->vals[s];
	} else if (strcmp(line, "endchart") == 0)
		end_chart(st);
	else if (strcmp(line, "pin") == 0)
		st->pin = 1;
	else {
		fprintf(stderr, "%s:%ld: unknown command '%s'\n", file, lineno, line);
		return -1;
	}
	return 0;
}

/* Runs the commands of the description from BODY on (setup/info lines skipped). */
static int
run_body(struct state *st, const char *body, const char *desc)
{
	char *copy = xstrdup(body != NULL ? body : ""), *line, *next;
	long lineno = 0;
	int rc = 0;

	for (line = copy; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		if (line[0] == '#' || line[0] == '\0' || strncmp(line, "setup ", 6) == 0 ||
		    strncmp(line, "info ", 5) == 0)
			continue;
		{
			char *cmd = unescape(line);

			if (command(st, cmd, desc, lineno) != 0)
				rc = 2;
			free(cmd);
		}
	}
	free(copy);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *fonts = "fonts", *pdf = NULL, *dump = NULL, *desc = NULL, *outdir = NULL;
	struct buf text = {0};
	struct doc_setup setup;
	struct fontset *fs;
	struct state st;
	char *info = NULL, *body, *line, *next;
	int pages = 0, copies = 0, i, rc = 0;

	/* dated as jingsai dates documents: SOURCE_DATE_EPOCH, else now */
	jz_clock_fix(jz_epoch_parse(getenv("SOURCE_DATE_EPOCH")));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--fonts") == 0 && i + 1 < argc)
			fonts = argv[++i];
		else if (strcmp(argv[i], "--pdf") == 0 && i + 1 < argc)
			pdf = argv[++i];
		else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
			dump = argv[++i];
		else if (strcmp(argv[i], "--pages") == 0 && i + 1 < argc)
			pages = atoi(argv[++i]);
		else if (strcmp(argv[i], "--copies") == 0 && i + 2 < argc) {
			copies = atoi(argv[++i]);
			outdir = argv[++i];
		}
		else if (argv[i][0] != '-' && desc == NULL)
			desc = argv[i];
		else {
			fprintf(stderr, "usage: typeset [--fonts DIR] [--pdf FILE] [--dump FILE|-] [--pages N] [--copies N DIR] DESCRIPTION\n");
			return 2;
		}
	}
	if (desc == NULL) {
		fprintf(stderr, "usage: typeset [--fonts DIR] [--pdf FILE] [--dump FILE|-] [--pages N] [--copies N DIR] DESCRIPTION\n");
		return 2;
	}
	if (file_read_all(desc, &text) != 0) {
		fprintf(stderr, "typeset: %s: %s\n", desc, strerror(errno));
		return 3;
	}
	fs = fontset_open(fonts);
	if (fs == NULL)
		return 3;

	memset(&setup, 0, sizeof setup);
	setup.date = jz_now();
	body = text.data;
	/* setup and info lines come first */
	for (line = body; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (strncmp(line, "setup ", 6) == 0) {
			if (strstr(line, "landscape") != NULL && strstr(line, "landscape") < (next ? next : line + strlen(line))) {
				setup.page_w_mm = 297;
				setup.page_h_mm = 210;
				setup.margin_top_mm = 20;
				setup.margin_left_mm = 20;
				setup.body_w_mm = 257;
				setup.body_h_mm = 170;
			}
			{
				char *num = strstr(line, "numbers"), *first = strstr(line, "first=");
				char *punct = strstr(line, "punct=none");

				if (punct != NULL && (next == NULL || punct < next))
					setup.punctuation = PUNCT_NONE;
				if (num != NULL && (next == NULL || num < next))
					setup.page_numbers = 1;
				if (first != NULL && (next == NULL || first < next))
					setup.first_numbered_page = atoi(first + 6);
			}
		} else if (strncmp(line, "info ", 5) == 0) {
			size_t l = next != NULL ? (size_t)(next - line - 5) : strlen(line + 5);
			free(info);
			info = xstrndup(line + 5, l);
		} else if (line[0] != '#' && line[0] != '\n')
			break;
		if (next != NULL)
			next++;
	}
	setup.title = info;
	memset(&st, 0, sizeof st);
	st.d = doc_new(fs, &setup);
	st.q = style_body;
	do {
		if (run_body(&st, line, desc) != 0)
			rc = 2;
	} while (rc == 0 && pages > 0 && doc_page_count(st.d) < pages);

	if (dump != NULL) {
		FILE *fp = strcmp(dump, "-") == 0 ? stdout : fopen(dump, "w");
		if (fp == NULL) {
			fprintf(stderr, "typeset: %s: %s\n", dump, strerror(errno));
			rc = 3;
		} else {
			/* as laid out, even with characters no font has */
			struct buf b = {0};

			device_find("dump")->render(doc_finish(st.d), &b);
			fwrite(b.data, 1, b.len, fp);
			buf_free(&b);
			if (fp != stdout)
				fclose(fp);
		}
	}
	if (pdf != NULL) {
		struct buf out = {0};

		if (doc_render(st.d, device_find("pdf"), &out) != 0)
			rc = 3;
		else if (atomic_write(pdf, out.data, out.len) != 0) {
			diag(DIAG_IO_WRITE, pdf, 0, 0, strerror(errno));
			rc = 3;
		}
		buf_free(&out);
	}
	if (rc == 0 && diag_count(DIAG_ERROR) + diag_count(DIAG_FATAL) > 0)
		rc = 3;
	doc_free(st.d);
	/* --copies: that many separate documents, each rendered and written */
	if (copies > 0 && mkdir_p(outdir) != 0) {
		fprintf(stderr, "typeset: %s: %s\n", outdir, strerror(errno));
		rc = 3;
	}
	for (i = 0; rc == 0 && i < copies; i++) {
		struct buf out = {0};
		char *path = xasprintf("%s/%04d.pdf", outdir, i + 1);
		FILE *fp;

		memset(&st, 0, sizeof st);
		st.d = doc_new(fs, &setup);
		st.q = style_body;
		if (run_body(&st, line, desc) != 0 || doc_render(st.d, device_find("pdf"), &out) != 0)
			rc = 3;
		else if ((fp = fopen(path, "wb")) == NULL || fwrite(out.data, 1, out.len, fp) != out.len ||
		    fclose(fp) != 0) {
			fprintf(stderr, "typeset: %s: %s\n", path, strerror(errno));
			rc = 3;
		}
		doc_free(st.d);
		buf_free(&out);
		free(path);
	}
	fontset_free(fs);
	free(info);
	buf_free(&text);
	return rc;
}
