/* diag.c — the one diagnostics channel: catalogue lookup, printing, counting. */
#include <stdlib.h>
#include <string.h>

#include "jingsai.h"

static const struct {
	enum diag_level level;
	const char *fmt;
} catalogue[DIAG__COUNT] = {
#define D(code, level, fmt) [code] = {level, fmt},
#include "diagnostics.def"
#undef D
};

static int counts[DIAG_FATAL + 1];
static diag_sink_fn sink;
static void *sink_arg;
static int quiet, verbose;
static const char *context; /* appended in brackets: the sheet being read */

const char *
diag_level_name(enum diag_level level)
{
	switch (level) {
	case DIAG_NOTE: return "note";
	case DIAG_WARNING: return "warning";
	case DIAG_ERROR: return "error";
	default: return "fatal";
	}
}

void
diag_print(FILE *fp, const struct diag_msg *m)
{
	if (m->file != NULL) {
		fputs(m->file, fp);
		if (m->line > 0)
			fprintf(fp, ":%ld:%ld", m->line, m->column > 0 ? m->column : 1);
		fputs(": ", fp);
	} else
		fputs("jingsai: ", fp);
	fprintf(fp, "%s: %s\n", diag_level_name(m->level), m->text);
}

void
vdiag(enum diag_code code, const char *file, long line, long column, va_list ap)
{
	struct diag_msg m;
	char text[2048];

	if ((unsigned)code >= DIAG__COUNT)
		abort();
	m.code = code;
	m.level = catalogue[code].level;
	m.file = file;
	m.line = line;
	m.column = column;
	int n = vsnprintf(text, sizeof text, catalogue[code].fmt, ap);
	if (context != NULL && n >= 0 && (size_t)n < sizeof text)
		snprintf(text + n, sizeof text - (size_t)n, " (%s)", context);
	m.text = text;
	counts[m.level]++;
	if (sink != NULL) {
		sink(&m, sink_arg);
		return;
	}
	if (m.level == DIAG_NOTE && !verbose)
		return;
	if (m.level == DIAG_WARNING && quiet)
		return;
	diag_print(stderr, &m);
}

void
diag(enum diag_code code, const char *file, long line, long column, ...)
{
	va_list ap;

	va_start(ap, column);
	vdiag(code, file, line, column, ap);
	va_end(ap);
}

void
diag_set_sink(diag_sink_fn fn, void *arg, diag_sink_fn *old_fn, void **old_arg)
{
	if (old_fn != NULL)
		*old_fn = sink;
	if (old_arg != NULL)
		*old_arg = sink_arg;
	sink = fn;
	sink_arg = arg;
}

void
diag_discard(const struct diag_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
}

int
diag_count(enum diag_level level)
{
	return counts[level];
}

enum diag_level
diag_worst(void)
{
	for (int l = DIAG_FATAL; l > DIAG_NOTE; l--)
		if (counts[l] > 0)
			return (enum diag_level)l;
	return DIAG_NOTE;
}

void
diag_reset(void)
{
	memset(counts, 0, sizeof counts);
}

void
diag_set_verbosity(int q, int v)
{
	quiet = q;
	verbose = v;
}

void
diag_set_context(const char *text)
{
	context = text;
}

const char *
diag_format(enum diag_code code)
{
	return (unsigned)code < DIAG__COUNT ? catalogue[code].fmt : "";
}
