/* csv_read.c — reads one CSV submission: decodes it (UTF-8, UTF-8 with BOM,
 * GB18030), parses it with libcsv while keeping line and column counts,
 * matches its header and hands every validated row to a callback. */
#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csv_read.h"
#include "jingsai.h"

#define CSV_MAX_COLS 64          /* header columns we accept */
#define CSV_FIELD_MAX (1 << 20)  /* bytes in one field */
#define CSV_MAX_BAD_BYTES 10     /* invalid bytes reported one by one */
#define CSV_MAX_SHOWN 1000       /* errors of rows reported; the rest are counted */
#define CSV_CHUNK 65536          /* GB18030 is converted this much at a time */
#define CSV_KIND_COLS 16         /* columns of the widest kind, at least */
#define CSV_BATCH 32             /* good rows held back before their key check */
#define CSV_BATCH_TEXT 65536     /* ... unless their text is longer than this */
#ifndef CSV_SLICE               /* (the fuzz build makes it small) */
#define CSV_SLICE (1 << 20)      /* bytes read between hand-backs of a mapping's pages */
#endif

/*
 * How the encoding is decided (FACTS.md, "Encodings"):
 *
 *  - A UTF-8 BOM says UTF-8: it is stripped, and any invalid byte after it
 *    is an error.  A UTF-16 BOM is refused with a hint.
 *  - Valid UTF-8 is UTF-8, unless its non-ASCII characters are all of two
 *    bytes (U+0080-U+07FF: no Chinese at all): that is GBK text short
 *    enough to look like UTF-8 by chance, read as GB18030 with a note.
 *  - Otherwise the bytes are UTF-8 with a few bad bytes when the valid
 *    multi-byte UTF-8 characters are at least UTF8_MAJORITY times as many
 *    as the invalid sequences: each (up to CSV_MAX_BAD_BYTES) is reported
 *    at its line and column.  GBK/GB18030 Chinese text is far from that:
 *    most of its two-byte characters are not valid UTF-8 (the programme
 *    document in GB18030 has 0.37 valid sequences per invalid one, the
 *    generated GBK files 0.32 to 0.37),
 *    while a UTF-8 file damaged in a few places has hundreds.  Counting
 *    stops once UTF8_DECIDED invalid sequences are seen with fewer than
 *    UTF8_MAJORITY valid characters for each.
 *  - Anything else is converted from GB18030 (a superset of GBK) with iconv,
 *    in chunks; a byte that does not convert is reported at its line and
 *    column as invalid in "GB18030/UTF-8" text, as it is neither.
 */
#define UTF8_MAJORITY 4
#define UTF8_DECIDED 64 /* invalid sequences after which a minority of valid ones decides */

/* Byte classes for the scanner. */
enum {
	B_CHAR,  /* starts a character */
	B_CONT,  /* UTF-8 continuation byte */
	B_SPACE, /* space or tab: skipped before a field */
	B_COMMA,
	B_CR,
	B_LF,
	B_CTRL   /* control character: not text */
};

static unsigned char byte_class[256];

static void
init_classes(void)
{
	if (byte_class[0] == B_CTRL)
		return;
	for (int c = 0; c < 256; c++) {
		if (c < 0x20 || c == 0x7F)
			byte_class[c] = B_CTRL;
		else if (c >= 0x80 && c < 0xC0)
			byte_class[c] = B_CONT;
		else
			byte_class[c] = B_CHAR;
	}
	byte_class[' '] = byte_class['\t'] = B_SPACE;
	byte_class[','] = B_COMMA;
	byte_class['\r'] = B_CR;
	byte_class['\n'] = B_LF;
}

/* A header cell left empty: Excel writes them after the last column when
 * cells to the right were ever touched.  Such a column is ignored as long
 * as it stays empty. */
#define UNNAMED (-3)

/* What the scanner waits for before the next field's first character. */
enum { WANT_NONE, WANT_FIELD, WANT_ROW };

/* The set of keys seen: 64-bit hashes and the line of each, open addressing. */
struct key_slot {
	uint64_t hash; /* 0: empty */
	long line;
};

/*
 * A good row waiting for its key check and the callback.  Rows are held
 * back in batches so that the slot of each key in the (large, cache-cold)
 * key set is prefetched when the row is read and looked at a few rows
 * later: that makes the duplicate check nearly free.
 */
struct pending {
	long line;
	uint64_t hash;                    /* of the key */
	size_t off[CSV_KIND_COLS];        /* of each field in reader.text, column order */
	long column[CSV_KIND_COLS], field_line[CSV_KIND_COLS];
};

struct reader {
	const char *path;
	csv_row_fn fn;
	void *arg;
	struct csv_parser parser;

	long line, col;      /* position of the next byte scanned */
	int after_cr;        /* the last byte was CR: an LF now ends no line */
	long seg_line, seg_col; /* position of the first byte not yet parsed */
	int want;            /* WANT_*: where the next field starts is awaited */
	long start_line, start_col; /* where the current field starts */

	/* The row being gathered: field I is text + off[I], NUL-terminated.
	 * TEXT also holds the fields of the pending rows, before ROW_START. */
	int nfields;
	char *text;
	size_t text_len, text_cap, row_start;
	size_t off[CSV_MAX_COLS + 1];
	long fline[CSV_MAX_COLS + 1], fcol[CSV_MAX_COLS + 1];

	/* The header. */
	int kind;            /* -1 until the header is read */
	int ncols;           /* columns in the file */
	int map[CSV_MAX_COLS]; /* file column -> column of the kind, or UNNAMED */
	int kind_cols;       /* columns of the kind */

	struct pending pending[CSV_BATCH];
	int npending;

	/* Duplicate keys, unless the callback finds them (keys_by_caller). */
	int keys_by_caller;
	struct key_slot *keys;
	size_t nkeys, keys_cap;

	/* CSV_MAPPED: the pages of the mapping at MAPPING (page-aligned) before
	 * MAPPING + RELEASED have been handed back. */
	const unsigned char *mapping;
	size_t released;

	long rows;
	int errors;
	int hidden;          /* errors counted but not reported (CSV_MAX_SHOWN) */
	int stop;            /* no more parsing: fatal error or callback said so */
	int stopped;         /* the callback said so */
};

static void
count_error(struct reader *r)
{
	r->errors++;
}

/* Whether errors of rows are still reported: a file with thousands of bad
 * rows is reported up to CSV_MAX_SHOWN errors, then only counted. */
static int
reporting(struct reader *r)
{
	return r->errors < CSV_MAX_SHOWN;
}

/* libcsv grows its field buffer through this: one field may not pass
 * CSV_FIELD_MAX (so hostile input cannot blow memory up), and a few spare
 * bytes keep CSV_APPEND_NULL's terminator inside the block. */
static void *
field_realloc(void *p, size_t size)
{
	if (size > CSV_FIELD_MAX)
		return NULL;
	return realloc(p, size + 16);
}

/* ---- Rows ---------------------------------------------------------------------- */

static int
is_space_at(const char *s, size_t n, size_t i, size_t *len)
{
	if (i < n && (s[i] == ' ' || s[i] == '\t')) {
		*len = 1;
		return 1;
	}
	/* U+3000 IDEOGRAPHIC SPACE, E3 80 80 */
	if (i + 3 <= n && (unsigned char)s[i] == 0xE3 && (unsigned char)s[i + 1] == 0x80 &&
	    (unsigned char)s[i + 2] == 0x80) {
		*len = 3;
		return 1;
	}
	/* U+00A0 NO-BREAK SPACE (pasted from web pages), C2 A0 */
	if (i + 2 <= n && (unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xA0) {
		*len = 2;
		return 1;
	}
	return 0;
}

/* Trims spaces, tabs, ideographic and no-break spaces around field I in place;
 * returns its start and stores the number of characters skipped in front
 * in *SKIPPED. */
static char *
trim_field(struct reader *r, int i, long *skipped)
{
	char *s = r->text + r->off[i];
	size_t n = strlen(s), k;
	size_t a = 0;

	*skipped = 0;
	if (n == 0)
		return s;
	while (is_space_at(s, n, a, &k)) {
		a += k;
		++*skipped;
	}
	while (n > a) {
		if (s[n - 1] == ' ' || s[n - 1] == '\t')
			n--;
		else if (n - a >= 3 && (unsigned char)s[n - 3] == 0xE3 &&
		    (unsigned char)s[n - 2] == 0x80 && (unsigned char)s[n - 1] == 0x80)
			n -= 3;
		else if (n - a >= 2 && (unsigned char)s[n - 2] == 0xC2 && (unsigned char)s[n - 1] == 0xA0)
			n -= 2;
		else
			break;
	}
	s[n] = '\0';
	return s + a;
}

/* The hash of a row's key: its key fields joined by U+001F (which a field
 * cannot hold: control characters are refused). */
static uint64_t
key_hash(enum csv_kind kind, const char *const *field)
{
	const int *key = csv_kind_key(kind);
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	for (int i = 0; key[i] >= 0; i++) {
		if (i > 0)
			h = (h ^ 0x1F) * 0x100000001b3ULL;
		for (const unsigned char *p = (const unsigned char *)field[key[i]]; *p; p++)
			h = (h ^ *p) * 0x100000001b3ULL;
	}
	/* splitmix64 finaliser, so that the low bits index well */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h ? h : 1;
}

/* A zeroed table of CAP key slots.  Big ones are mapped with huge pages
 * where the kernel offers them: a million keys then cost a few dozen page
 * faults instead of ten thousand. */
static struct key_slot *
key_table_new(size_t cap)
{
	size_t size = cap * sizeof(struct key_slot);

	if (size < (4u << 20))
		return xcalloc(cap, sizeof(struct key_slot));
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return xcalloc(cap, sizeof(struct key_slot));
#ifdef MADV_HUGEPAGE
	madvise(p, size, MADV_HUGEPAGE);
#endif
	return p;
}

static void
key_table_free(struct key_slot *t, size_t cap)
{
	size_t size = cap * sizeof(struct key_slot);

	if (t == NULL)
		return;
	if (size < (4u << 20))
		free(t);
	else
		munmap(t, size);
}

/* Makes room in the key set for the pending rows and one more. */
static void
key_reserve(struct reader *r)
{
	if (2 * (r->nkeys + (size_t)r->npending + 1) <= r->keys_cap)
		return;
	size_t cap = r->keys_cap ? 2 * r->keys_cap : 4096;
	struct key_slot *t = key_table_new(cap);
	for (size_t i = 0; i < r->keys_cap; i++) {
		/* the new slots are scattered: ask for them ahead */
		if (i + 8 < r->keys_cap && r->keys[i + 8].hash != 0)
			__builtin_prefetch(&t[r->keys[i + 8].hash & (cap - 1)], 1);
		if (r->keys[i].hash == 0)
			continue;
		size_t j = r->keys[i].hash & (cap - 1);
		while (t[j].hash != 0)
			j = (j + 1) & (cap - 1);
		t[j] = r->keys[i];
	}
	key_table_free(r->keys, r->keys_cap);
	r->keys = t;
	r->keys_cap = cap;
}

/*
 * Returns the line of an earlier row with key hash H, or 0 after adding
 * LINE.  Only the 64-bit hash is kept: two different keys of one file share
 * a hash with odds below 1 in 10^7 even for 10^6 rows.
 */
static long
key_seen(struct reader *r, uint64_t h, long line)
{
	size_t j = h & (r->keys_cap - 1);

	while (r->keys[j].hash != 0) {
		if (r->keys[j].hash == h)
			return r->keys[j].line;
		j = (j + 1) & (r->keys_cap - 1);
	}
	r->keys[j].hash = h;
	r->keys[j].line = line;
	r->nkeys++;
	return 0;
}

/* The N column names of a kind, ", "-separated, for a message.  Static storage. */
static const char *
column_list(const char *const *cols, int n)
{
	static char list[512];
	size_t len = 0;

	list[0] = '\0';
	for (int i = 0; i < n && len + 64 < sizeof list; i++)
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", cols[i]);
	return list;
}

static void
report_duplicate(struct reader *r, const char *const *field, long line, long first)
{
	const int *key = csv_kind_key((enum csv_kind)r->kind);
	int n;
	const char *const *names = csv_kind_columns((enum csv_kind)r->kind, &n);
	struct buf text = {0};

	if (!reporting(r)) {
		r->hidden++;
		count_error(r);
		return;
	}
	for (int i = 0; key[i] >= 0; i++)
		buf_printf(&text, "%s%s %s", i ? ", " : "", names[key[i]], field[key[i]]);
	diag(DIAG_CSV_DUP_KEY, r->path, line, 1, text.data, first);
	buf_free(&text);
	count_error(r);
}

/* Checks the keys of the pending rows and hands the rows without a
 * duplicate to the callback.  Called when the batch is full, at the end,
 * and before any diagnostic, so that diagnostics come in line order. */
static void
flush_rows(struct reader *r)
{
	int n = r->npending;

	r->npending = 0;
	for (int i = 0; i < n && !r->stopped; i++) {
		struct pending *p = &r->pending[i];
		const char *field[CSV_KIND_COLS];
		for (int c = 0; c < r->kind_cols; c++)
			field[c] = r->text + p->off[c];
		long first = r->keys_by_caller ? 0 : key_seen(r, p->hash, p->line);
		if (first != 0) {
			report_duplicate(r, field, p->line, first);
			continue;
		}
		if (r->fn == NULL)
			continue;
		struct csv_row row = {p->line, field, p->column, p->field_line,
		    (enum csv_kind)r->kind, r->kind_cols};
		int rc = r->fn(r->arg, &row);
		if (rc > 0 && r->keys_by_caller)
			report_duplicate(r, field, p->line, rc);
		else if (rc != 0) {
			r->stop = 1;
			r->stopped = 1;
		}
	}
}

static void
header_row(struct reader *r, int n)
{
	const char *names[CSV_MAX_COLS] = {0};
	long skipped;

	if (n > CSV_MAX_COLS) {
		diag(DIAG_CSV_HEADER_WIDE, r->path, r->fline[0], r->fcol[0], n, CSV_MAX_COLS);
		count_error(r);
		r->stop = 1;
		return;
	}
	for (int i = 0; i < n; i++) {
		names[i] = trim_field(r, i, &skipped);
		r->fcol[i] += skipped;
	}
	int kind = csv_header_match(names, n, r->map);
	if (kind < 0) {
		struct buf b = {0};
		for (int i = 0; i < n; i++)
			buf_printf(&b, "%s%s", i ? "," : "", names[i]);
		if (b.len > 200)
			strcpy(b.data + 197, "...");
		diag(DIAG_CSV_HEADER, r->path, r->fline[0], r->fcol[0], b.data);
		buf_free(&b);
		count_error(r);
		r->stop = 1;
		return;
	}
	r->kind = kind;
	r->ncols = n;
	int kn, bad = 0;
	const char *const *cols = csv_kind_columns((enum csv_kind)kind, &kn);
	r->kind_cols = kn;
	unsigned seen = 0;
	for (int i = 0; i < n; i++) {
		if (r->map[i] == -1 && names[i][0] == '\0')
			r->map[i] = UNNAMED;
		else if (r->map[i] == -1) {
			diag(DIAG_CSV_COL_UNKNOWN, r->path, r->fline[i], r->fcol[i], names[i],
			    column_list(cols, kn));
			bad++;
		} else if (r->map[i] == -2) {
			diag(DIAG_CSV_COL_DUP, r->path, r->fline[i], r->fcol[i], names[i]);
			bad++;
		} else
			seen |= 1u << r->map[i];
	}
	for (int c = 0; c < kn; c++)
		if (!(seen & (1u << c))) {
			diag(DIAG_CSV_COL_MISSING, r->path, r->fline[0], r->fcol[0], cols[c]);
			bad++;
		}
	if (bad) {
		r->errors += bad;
		r->stop = 1;
	}
}

/* Validates a data row of N fields; returns 1 when it joined the pending
 * rows (its text must then be kept), 0 when it had errors. */
static int
data_row(struct reader *r, int n)
{
	const char *field[CSV_KIND_COLS];
	long column[CSV_KIND_COLS], field_line[CSV_KIND_COLS];
	long line = r->fline[0], skipped;
	enum csv_kind kind = (enum csv_kind)r->kind;

	r->rows++;
	if (n != r->ncols) {
		int at = n > r->ncols ? r->ncols : 0;
		flush_rows(r);
		if (reporting(r))
			diag(DIAG_CSV_RAGGED, r->path, r->fline[at], r->fcol[at], n, r->ncols);
		else
			r->hidden++;
		count_error(r);
		return 0;
	}
	int bad = 0;
	for (int i = 0; i < n; i++) {
		int c = r->map[i];
		const char *v = trim_field(r, i, &skipped);
		if (c == UNNAMED) {
			bad += v[0] != '\0';
			continue;
		}
		field[c] = v;
		column[c] = r->fcol[i] + skipped;
		field_line[c] = r->fline[i];
	}
	/* Count first, report after the pending rows, to keep line order. */
	bad += csv_validate_row(kind, NULL, field, field_line, column);
	if (bad > 0) {
		flush_rows(r);
		if (!reporting(r)) {
			r->hidden += bad;
			r->errors += bad;
			return 0;
		}
		for (int i = 0; i < n; i++) {
			long k;
			const char *v = r->map[i] == UNNAMED ? trim_field(r, i, &k) : "";
			if (v[0] != '\0')
				diag(DIAG_CSV_UNNAMED, r->path, r->fline[i], r->fcol[i] + k, v, i + 1);
		}
		csv_validate_row(kind, r->path, field, field_line, column);
		r->errors += bad;
		return 0;
	}
	struct pending *p = &r->pending[r->npending];
	p->line = line;
	if (!r->keys_by_caller) {
		key_reserve(r);
		p->hash = key_hash(kind, field);
		__builtin_prefetch(&r->keys[p->hash & (r->keys_cap - 1)], 1);
	}
	r->npending++;
	for (int c = 0; c < r->kind_cols; c++) {
		p->off[c] = (size_t)(field[c] - r->text);
		p->column[c] = column[c];
		p->field_line[c] = field_line[c];
	}
	return 1;
}

/* libcsv: a field ended. */
static void
on_field(void *s, size_t len, void *arg)
{
	struct reader *r = arg;
	int i = r->nfields++;

	r->want = WANT_FIELD;
	if (i > CSV_MAX_COLS)
		return; /* only counted: the row is ragged, or the header too wide */
	if (r->text_len + len + 1 > r->text_cap) {
		r->text_cap = 2 * (r->text_len + len + 1) + 256;
		r->text = xrealloc(r->text, r->text_cap);
	}
	r->off[i] = r->text_len;
	memcpy(r->text + r->text_len, s, len);
	r->text_len += len;
	r->text[r->text_len++] = '\0';
	r->fline[i] = r->start_line;
	r->fcol[i] = r->start_col;
}

/* libcsv: a row ended. */
static void
on_row(int c, void *arg)
{
	(void)c;
	struct reader *r = arg;
	int n = r->nfields;

	r->want = WANT_ROW;
	r->nfields = 0;
	if (r->stop) {
		r->text_len = r->row_start;
		return;
	}
	/* Excel writes rows of empty cells (",,,") below a table: skip them
	 * like blank lines. */
	int blank = 1, kept = 0;
	for (int i = 0; i < n && i <= CSV_MAX_COLS && blank; i++) {
		const char *s = r->text + r->off[i];
		for (; *s && blank; s++)
			blank = *s == ' ' || *s == '\t';
	}
	if (!blank) {
		if (r->kind < 0)
			header_row(r, n);
		else
			kept = data_row(r, n);
	}
	if (r->npending == CSV_BATCH || r->text_len > CSV_BATCH_TEXT)
		flush_rows(r);
	if (!kept)
		r->text_len = r->row_start;
	if (r->npending == 0)
		r->text_len = 0;
	r->row_start = r->text_len;
}

/* ---- Pages of a mapping ------------------------------------------------------------- */

/*
 * Under CSV_MAPPED, hands the whole pages of the mapping before P back to
 * the kernel once read: a private mapping of a file keeps every page it
 * touched in the process's memory until unmapped, so a reader going through
 * a 100 MB file would end up holding 100 MB.  MADV_DONTNEED on a clean
 * private file page only unmaps it (touched again, it comes back from the
 * page cache), so this changes no byte the reader sees.
 */
static void
release_before(struct reader *r, const unsigned char *p)
{
	static size_t page;

	if (r->mapping == NULL || p < r->mapping)
		return;
	if (page == 0)
		page = (size_t)sysconf(_SC_PAGESIZE);
	size_t end = (size_t)(p - r->mapping) / page * page;
	if (end <= r->released + CSV_SLICE / 2)
		return;
	madvise((void *)(r->mapping + r->released), end - r->released, MADV_DONTNEED);
	r->released = end;
}

/* ---- Scanning: positions, then libcsv ----------------------------------------------- */

/* libcsv stopped at S[DONE] of the segment S (LEN bytes) it was given. */
static void
parse_error(struct reader *r, const unsigned char *s, size_t done, size_t len)
{
	int status = csv_error(&r->parser);
	long col = r->seg_col;

	flush_rows(r);
	for (size_t i = 0; i < done; i++)
		col += byte_class[s[i]] != B_CONT;
	if (status == CSV_EPARSE && !r->parser.quoted)
		diag(DIAG_CSV_QUOTE_STRAY, r->path, r->seg_line, col);
	else if (status == CSV_EPARSE) {
		char ch[5];
		size_t n = 1;
		while (done + n < len && n < 4 && byte_class[s[done + n]] == B_CONT)
			n++;
		memcpy(ch, s + done, n);
		ch[n] = '\0';
		diag(DIAG_CSV_QUOTE_AFTER, r->path, r->seg_line, col, ch, r->start_line, r->start_col);
	} else if (status == CSV_ENOMEM)
		diag(DIAG_CSV_FIELD_LONG, r->path, r->start_line, r->start_col, CSV_FIELD_MAX);
	else
		diag(DIAG_CSV_PARSE, r->path, r->seg_line, col, csv_strerror(status));
	count_error(r);
	r->stop = 1;
}

/* Hands the LEN bytes at S to libcsv. */
static void
feed(struct reader *r, const unsigned char *s, size_t len)
{
	if (len == 0 || r->stop)
		return;
	size_t done = csv_parse(&r->parser, s, len, on_field, on_row, r);
	if (done < len && !r->stop)
		parse_error(r, s, done, len);
}

/*
 * Scans the N bytes at S (UTF-8): counts lines (LF, CRLF or a lone CR) and
 * columns (characters), notes where each field starts, and feeds libcsv
 * one segment at a time.  A segment ends at each comma, CR and LF: libcsv
 * calls back only on those bytes, so when it does, the field it ends began
 * where the scanner last noted a start.
 */
static void
scan(struct reader *r, const unsigned char *s, size_t n)
{
	size_t seg = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char cls = byte_class[s[i]];
		if (r->want != WANT_NONE && cls != B_CONT && cls != B_SPACE &&
		    (r->want == WANT_FIELD || (cls != B_CR && cls != B_LF))) {
			r->start_line = r->line;
			r->start_col = r->col;
			r->want = WANT_NONE;
		}
		switch (cls) {
		case B_CHAR:
		case B_SPACE:
			r->col++;
			r->after_cr = 0;
			break;
		case B_CONT:
			break;
		case B_COMMA:
		case B_CR:
		case B_LF:
			feed(r, s + seg, i + 1 - seg);
			if (r->stop)
				return;
			seg = i + 1;
			if (cls == B_COMMA) {
				r->col++;
				r->after_cr = 0;
			} else if (cls == B_CR || !r->after_cr) {
				r->line++;
				r->col = 1;
				r->after_cr = cls == B_CR;
			} else
				r->after_cr = 0;
			r->seg_line = r->line;
			r->seg_col = r->col;
			break;
		case B_CTRL:
			flush_rows(r);
			diag(DIAG_CSV_CONTROL, r->path, r->line, r->col, s[i]);
			count_error(r);
			r->stop = 1;
			return;
		}
	}
	feed(r, s + seg, n - seg);
	/* The rest of the segment is with libcsv now. */
	r->seg_line = r->line;
	r->seg_col = r->col;
}

/* ---- Encodings ------------------------------------------------------------------ */

/* Length of the invalid sequence at S (N bytes left): the bad byte and the
 * continuation bytes that follow it (at most three), reported as one. */
static size_t
bad_run(const unsigned char *s, size_t n)
{
	size_t k = 1;
	while (k < n && k < 4 && (s[k] & 0xC0) == 0x80)
		k++;
	return k;
}

/* Counts the valid multi-byte UTF-8 characters and the invalid sequences. */
static void
utf8_census(struct reader *r, const unsigned char *s, size_t n, size_t *good, size_t *bad,
    size_t *wide)
{
	size_t i = 0, next_release = CSV_SLICE;
	int adv;

	*good = *bad = *wide = 0;
	while (i < n) {
		if (i >= next_release) {
			release_before(r, s + i);
			next_release = i + CSV_SLICE;
		}
		/* eight ASCII bytes at a time (up to the next hand-back) */
		while (i + 8 <= n && i < next_release) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		/* the common case, a CJK character: E1-EC or EE-EF, then two
		 * continuation bytes */
		if (i + 3 <= n && s[i] >= 0xE1 && s[i] <= 0xEF && s[i] != 0xED &&
		    (s[i + 1] & 0xC0) == 0x80 && (s[i + 2] & 0xC0) == 0x80) {
			++*good;
			++*wide;
			i += 3;
		} else if (utf8_decode(s + i, n - i, &adv) < 0) {
			++*bad;
			i += bad_run(s + i, n - i);
			/* GBK text gets here within its first hundred characters */
			if (*bad >= UTF8_DECIDED && *good < UTF8_MAJORITY * *bad)
				return;
		} else {
			++*good;
			*wide += adv > 2;
			i += (size_t)adv;
		}
	}
}

/* Reports the invalid sequences of UTF-8 text S (N bytes), each at its line
 * and column (an invalid sequence counts as one character). */
static void
report_bad_utf8(struct reader *r, const unsigned char *s, size_t n, size_t bad)
{
	long line = 1, col = 1;
	size_t i = 0, shown = 0;
	int adv;

	while (i < n && shown < CSV_MAX_BAD_BYTES) {
		if (s[i] == '\n' || s[i] == '\r') {
			if (!(s[i] == '\n' && i > 0 && s[i - 1] == '\r'))
				line++;
			col = 1;
			i++;
			continue;
		}
		if (s[i] < 0x80) {
			col++;
			i++;
			continue;
		}
		if (utf8_decode(s + i, n - i, &adv) < 0) {
			size_t run = bad_run(s + i, n - i);
			if (i + run == n && s[i] >= 0xC2 && s[i] <= 0xF4)
				diag(DIAG_CSV_TRUNCATED_CHAR, r->path, line, col, s[i], "UTF-8");
			else
				diag(DIAG_CSV_BAD_BYTE, r->path, line, col, s[i], "UTF-8");
			count_error(r);
			shown++;
			adv = (int)run;
		}
		col++;
		i += (size_t)adv;
	}
	if (bad > shown) {
		diag(DIAG_CSV_MORE_BAD_BYTES, r->path, line, col, (long)(bad - shown));
		count_error(r);
	}
}

/* Converts GB18030 text to UTF-8 a chunk at a time and scans each chunk. */
static void
read_gb18030(struct reader *r, const unsigned char *s, size_t n)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	char *out = xmalloc(CSV_CHUNK);
	char *in = (char *)s;
	size_t inleft = n;

	if (cd == (iconv_t)-1) {
		diag(DIAG_CSV_ICONV, r->path, 0, 0, strerror(errno));
		count_error(r);
		r->stop = 1;
		free(out);
		return;
	}
	while (inleft > 0 && !r->stop) {
		char *o = out;
		size_t oleft = CSV_CHUNK;
		size_t rc = iconv(cd, &in, &inleft, &o, &oleft);
		int e = errno;
		scan(r, (const unsigned char *)out, (size_t)(o - out));
		release_before(r, (const unsigned char *)in);
		if (rc != (size_t)-1 || e == E2BIG || r->stop)
			continue;
		/* The scanner has counted everything before the bad byte. */
		flush_rows(r);
		if (e == EINVAL)
			diag(DIAG_CSV_TRUNCATED_CHAR, r->path, r->line, r->col, (unsigned char)*in, "GB18030");
		else
			diag(DIAG_CSV_BAD_BYTE, r->path, r->line, r->col, (unsigned char)*in, "GB18030/UTF-8");
		count_error(r);
		r->stop = 1;
	}
	iconv_close(cd);
	free(out);
}

int
csv_read(const char *path, const char *data, size_t len, csv_row_fn fn, void *arg,
    struct csv_info *info)
{
	return csv_read_flags(path, data, len, fn, arg, info, 0);
}

int
csv_read_flags(const char *path, const char *data, size_t len, csv_row_fn fn, void *arg,
    struct csv_info *info, int flags)
{
	struct reader r = {0};
	const unsigned char *s = (const unsigned char *)data;
	const char *encoding = "UTF-8";
	size_t n = len, good, bad, wide;

	init_classes();
	r.path = path;
	r.fn = fn;
	r.arg = arg;
	r.keys_by_caller = (flags & CSV_KEYS_BY_CALLER) && fn != NULL;
	r.line = r.seg_line = r.start_line = 1;
	r.col = r.seg_col = r.start_col = 1;
	r.want = WANT_ROW;
	r.kind = -1;
	csv_init(&r.parser, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI);
	csv_set_realloc_func(&r.parser, field_realloc);
	csv_set_blk_size(&r.parser, 4096);

	if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
		diag(DIAG_CSV_UTF16, path, 1, 1);
		count_error(&r);
		goto done;
	}
	int bom = n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF;
	if (bom) {
		s += 3;
		n -= 3;
		encoding = "UTF-8 with BOM";
	}
	if ((flags & CSV_MAPPED) && (uintptr_t)data % (uintptr_t)sysconf(_SC_PAGESIZE) == 0)
		r.mapping = (const unsigned char *)data;
	utf8_census(&r, s, n, &good, &bad, &wide);
	r.released = 0; /* read again from the start */
	if (bad == 0 && good > 0 && wide == 0 && !bom) {
		/* Every non-ASCII character is two bytes of valid UTF-8, so
		 * U+0080-U+07FF (Latin, Greek, Cyrillic...), and not one is
		 * Chinese: a short GBK file whose characters happen to look like
		 * UTF-8 (张 is not, 伟 is).  Read as GB18030, said in a note. */
		diag(DIAG_CSV_GB_GUESS, path, 1, 1, (long)good);
		encoding = "GB18030";
		read_gb18030(&r, s, n);
	} else if (bad == 0)
		for (size_t off = 0; off < n && !r.stop; off += CSV_SLICE) {
			size_t k = n - off < CSV_SLICE ? n - off : CSV_SLICE;
			scan(&r, s + off, k);
			release_before(&r, s + off + k);
		}
	else if (bom || good >= UTF8_MAJORITY * bad) {
		report_bad_utf8(&r, s, n, bad);
		goto done;
	} else {
		encoding = "GB18030";
		read_gb18030(&r, s, n);
	}
	if (r.stop)
		goto done;

	/* End the last row with a line end of our own (not counted as a line),
	 * so that csv_fini never has to submit a field; then only an open
	 * quote can remain. */
	feed(&r, (const unsigned char *)"\n", 1);
	flush_rows(&r);
	if (!r.stop && csv_fini(&r.parser, on_field, on_row, &r) != 0) {
		diag(DIAG_CSV_QUOTE_OPEN, path, r.start_line, r.start_col);
		count_error(&r);
	}
	if (r.kind < 0 && r.errors == 0) {
		diag(DIAG_CSV_NO_HEADER, path, 1, 1);
		count_error(&r);
	}

done:
	flush_rows(&r);
	if (r.hidden > 0)
		diag(DIAG_CSV_MORE_ERRORS, path, r.line, 1, r.hidden);
	/* Stopped before the header (bytes, encoding)?  Still say what the
	 * file looks like. */
	if (r.kind < 0)
		r.kind = csv_sniff(data, len);
	if (info != NULL) {
		info->kind = r.kind >= 0 ? (enum csv_kind)r.kind : CSV__KINDS;
		info->encoding = encoding;
		info->rows = r.rows;
		info->errors = r.errors;
	}
	csv_free(&r.parser);
	free(r.text);
	key_table_free(r.keys, r.keys_cap);
	return r.errors || r.stopped ? -1 : 0;
}

/* ---- Sniffing ---------------------------------------------------------------------- */

int
csv_sniff(const char *data, size_t len)
{
	char line[4096];
	const unsigned char *s = (const unsigned char *)data;
	size_t n = len < 65536 ? len : 65536, k = 0;
	int step = 1, lo = 0;

	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		s += 3;
		n -= 3;
	} else if (n >= 2 && s[0] == 0xFF && s[1] == 0xFE) {
		s += 2; /* UTF-16LE: the ASCII byte comes first */
		n -= 2;
		step = 2;
	} else if (n >= 2 && s[0] == 0xFE && s[1] == 0xFF) {
		s += 2; /* UTF-16BE */
		n -= 2;
		step = 2;
		lo = 1;
	}
	/* The first line that is not blank (csv_read skips blank lines too), as
	 * ASCII; header names are ASCII in every encoding we take, so anything
	 * else only needs to stay unequal to them. */
	for (size_t i = 0; i + (size_t)step <= n && k < sizeof line - 1; i += (size_t)step) {
		unsigned char c = s[i + (size_t)lo];
		if (step == 2 && s[i + (size_t)(1 - lo)] != 0)
			c = 0x80;
		if (c == '\n' || c == '\r') {
			size_t j = 0;
			while (j < k && (line[j] == ' ' || line[j] == '\t'))
				j++;
			if (j < k)
				break;
			k = 0; /* a blank line: the header comes later */
			continue;
		}
		line[k++] = c >= 0x80 ? '?' : (char)c;
	}
	line[k] = '\0';

	/* Split at commas, dropping quotes and surrounding spaces. */
	const char *names[CSV_MAX_COLS];
	int count = 0;
	char *p = line;
	for (;;) {
		char *end = strchr(p, ',');
		if (end != NULL)
			*end = '\0';
		char *a = p, *b = p + strlen(p);
		while (*a == ' ' || *a == '\t' || *a == '"')
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '"'))
			b--;
		*b = '\0';
		if (count == CSV_MAX_COLS)
			return -1;
		names[count++] = a;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return csv_header_match(names, count, NULL);
}
