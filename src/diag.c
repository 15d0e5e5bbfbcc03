/* diag.c — the one diagnostics channel: catalogue lookup, translation, printing, counting. */
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
static const char *context; /* the sheet being read, named after the message */
static __thread diag_sink_fn thread_sink;  /* diag_set_thread_sink */
static __thread void *thread_arg;

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

/* "FILE:LINE:COL: " or "jingsai: ". */
static void
print_position(FILE *fp, const struct diag_msg *m)
{
	if (m->file != NULL) {
		fputs(m->file, fp);
		if (m->line > 0)
			fprintf(fp, ":%ld:%ld", m->line, m->column > 0 ? m->column : 1);
		fputs(": ", fp);
	} else
		fputs("jingsai: ", fp);
}

void
diag_print(FILE *fp, const struct diag_msg *m)
{
	print_position(fp, m);
	fprintf(fp, "%s: %s\n", diag_level_name(m->level), m->text);
	if (m->hint != NULL) {
		print_position(fp, m);
		fprintf(fp, "%s: %s\n", diag_level_name(DIAG_NOTE), m->hint);
	}
}

/* Formats FMT (a catalogue format, translated) with AP into OUT: its first
 * line; returns its second line (formatted too), or NULL.  The whole format
 * is formatted at once, since a translation may take the arguments in
 * another order; the line break is marked with a character no message holds
 * (US, 0x1F), so that a value with a line break in it splits nothing. */
static const char *
format_message(char *out, size_t size, const char *fmt, va_list ap)
{
	const char *nl = strchr(fmt, '\n');
	char marked[1024], *mark;

	if (nl == NULL || strlen(fmt) >= sizeof marked) {
		vsnprintf(out, size, fmt, ap);
		return NULL;
	}
	snprintf(marked, sizeof marked, "%.*s\x1f%s", (int)(nl - fmt), fmt, nl + 1);
	vsnprintf(out, size, marked, ap);
	if ((mark = strrchr(out, '\x1f')) == NULL)
		return NULL;
	*mark = '\0';
	return mark[1] != '\0' ? mark + 1 : NULL;
}

void
diag_deliver(const struct diag_msg *m)
{
	if (sink != NULL) {
		sink(m, sink_arg);
		return;
	}
	if (m->level == DIAG_NOTE && !verbose)
		return;
	if (m->level == DIAG_WARNING && quiet)
		return;
	diag_print(stderr, m);
}

void
vdiag(enum diag_code code, const char *file, long line, long column, va_list ap)
{
	struct diag_msg m;
	char text[2048], doc_text[2048], hint[1024];
	const char *second;
	va_list again;

	if ((unsigned)code >= DIAG__COUNT)
		abort();
	m.code = code;
	m.level = catalogue[code].level;
	m.file = file;
	m.line = line;
	m.column = column;
	va_copy(again, ap);
	second = format_message(text, sizeof text, _(catalogue[code].fmt), ap);
	/* the hint is TEXT's tail, where the context goes: copied out first */
	if (second != NULL)
		snprintf(hint, sizeof hint, "%s", second);
	m.hint = second != NULL ? hint : NULL;
	format_message(doc_text, sizeof doc_text, jz_doc_text(catalogue[code].fmt), again);
	va_end(again);
	if (context != NULL) {
		/* " (sheet 参与情况)", in each language */
		const char *sheet = catalogue[DIAG_XLSX_SHEET].fmt;
		char in[256];
		size_t n = strlen(text), nd = strlen(doc_text);
		snprintf(in, sizeof in, _(sheet), context);
		snprintf(text + n, sizeof text - n, _(" (%s)"), in);
		snprintf(in, sizeof in, jz_doc_text(sheet), context);
		snprintf(doc_text + nd, sizeof doc_text - nd, jz_doc_text(" (%s)"), in);
	}
	m.text = text;
	m.doc_text = doc_text;
	if (thread_sink != NULL) {
		thread_sink(&m, thread_arg);
		return;
	}
	counts[m.level]++;
	diag_deliver(&m);
}

void
diag_set_thread_sink(diag_sink_fn fn, void *arg)
{
	thread_sink = fn;
	thread_arg = arg;
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
diag_set_context(const char *sheet)
{
	context = sheet;
}

int
jz_doc_check(void)
{
	static int reported;
	int rc = jz_doc_available();

	if (rc != 0 && !reported) {
		reported = 1;
		diag(rc == -1 ? DIAG_I18N_NO_LOCALE : DIAG_I18N_NO_CATALOGUE, NULL, 0, 0);
	}
	return rc == 0 ? 0 : -1;
}
