/* csv_rows.c — the rows of a CSV kind, whichever reader found them (a CSV
 * file, a worksheet): the header searched in the first rows, Excel's habits
 * (title rows, 序号, totals and note rows) skipped with a note, every field
 * validated, keys checked, good rows handed to the callback. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "csv_read.h"
#include "jingsai.h"

#define CSV_MAX_SHOWN 1000       /* errors of rows reported; the rest are counted */
#define CSV_KIND_COLS 16         /* columns of the widest kind, at least */
#define CSV_BATCH 32             /* good rows held back before their key check */
#define CSV_BATCH_TEXT 65536     /* ... unless their text is longer than this */
#define HEADER_ROWS 5            /* the header is one of the first this many rows */
#define HELD_NOTES 16            /* note rows held until the end of the table */
#define SHOWN_TEXT 200           /* bytes of a row quoted in a message */

/* A header cell left empty: Excel writes them after the last column when
 * cells to the right were ever touched.  Such a column is ignored as long
 * as it stays empty. */
#define UNNAMED (-3)

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
	size_t off[CSV_KIND_COLS];        /* of each field in rows.text, column order */
	long column[CSV_KIND_COLS], field_line[CSV_KIND_COLS];
};

/* A note row (填表人 …) seen, held until it is known to be below the table. */
struct held_note {
	long line, col;
	char text[SHOWN_TEXT + 4];
};

struct csv_rows {
	const char *path;
	csv_row_fn fn;
	void *arg;
	int sparse;          /* rows may end before the header does (worksheets) */

	/* The row being gathered: field I is text + off[I], NUL-terminated.
	 * TEXT also holds the fields of the pending rows, before ROW_START. */
	int nfields;
	char *text;
	size_t text_len, text_cap, row_start;
	size_t off[CSV_MAX_COLS + 1];
	long fline[CSV_MAX_COLS + 1], fcol[CSV_MAX_COLS + 1];

	/* The header. */
	int kind;            /* -1 until the header is read */
	int ncols;           /* columns in the header */
	int map[CSV_MAX_COLS]; /* column -> column of the kind, UNNAMED or CSV_IGNORED */
	int kind_cols;       /* columns of the kind */
	char *label[CSV_MAX_COLS]; /* column of the kind -> the header's name for
	                      * it, as written (messages name it so); owned */
	int chinese;         /* the header names its columns in Chinese */
	int before_header;   /* rows that were not blank before the header */
	struct held_note titles[HEADER_ROWS]; /* those rows */

	struct pending pending[CSV_BATCH];
	int npending;

	/* Note rows held back until the table ends (or a data row follows). */
	struct held_note notes[HELD_NOTES];
	int nnotes;

	/* Duplicate keys, unless the callback finds them (keys_by_caller). */
	int keys_by_caller;
	struct key_slot *keys;
	size_t nkeys, keys_cap;

	long rows;
	int errors;
	int hidden;          /* errors counted but not reported (CSV_MAX_SHOWN) */
	int stop;            /* no more rows: fatal error or callback said so */
	int stopped;         /* the callback said so */
};

static void
count_error(struct csv_rows *r)
{
	r->errors++;
}

/* Whether errors of rows are still reported: a file with thousands of bad
 * rows is reported up to CSV_MAX_SHOWN errors, then only counted. */
static int
reporting(struct csv_rows *r)
{
	return r->errors < CSV_MAX_SHOWN;
}

struct csv_rows *
csv_rows_new(const char *path, csv_row_fn fn, void *arg, int flags, int sparse)
{
	struct csv_rows *r = xcalloc(1, sizeof *r);

	r->path = path;
	r->fn = fn;
	r->arg = arg;
	r->sparse = sparse;
	r->keys_by_caller = (flags & CSV_KEYS_BY_CALLER) && fn != NULL;
	r->kind = -1;
	return r;
}

/* ---- Fields -------------------------------------------------------------------- */

/* Sets field I of the row being gathered. */
static void
put_field(struct csv_rows *r, int i, const char *s, size_t len, long line, long col)
{
	if (r->text_len + len + 1 > r->text_cap) {
		r->text_cap = 2 * (r->text_len + len + 1) + 256;
		r->text = xrealloc(r->text, r->text_cap);
	}
	r->off[i] = r->text_len;
	memcpy(r->text + r->text_len, s, len);
	r->text_len += len;
	r->text[r->text_len++] = '\0';
	r->fline[i] = line;
	r->fcol[i] = col;
}

void
csv_rows_field(struct csv_rows *r, const char *s, size_t len, long line, long col)
{
	int i = r->nfields++;

	if (i <= CSV_MAX_COLS) /* beyond: only counted (a ragged row, a header too wide) */
		put_field(r, i, s, len, line, col);
}

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
trim_field(struct csv_rows *r, int i, long *skipped)
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

/* The cells of the row being gathered joined by commas into OUT (at most
 * SHOWN_TEXT bytes, cut at a character and ended by "..."), for messages. */
static void
row_text(struct csv_rows *r, int n, char *out)
{
	struct buf b = {0};

	for (int i = 0; i < n && i <= CSV_MAX_COLS; i++)
		buf_printf(&b, "%s%s", i ? "," : "", r->text + r->off[i]);
	/* trailing empty cells say nothing */
	while (b.len > 0 && b.data[b.len - 1] == ',')
		b.data[--b.len] = '\0';
	size_t len = b.len;
	if (len > SHOWN_TEXT) {
		len = SHOWN_TEXT;
		while (len > 0 && ((unsigned char)b.data[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(out, b.data ? b.data : "", len);
	strcpy(out + len, len < b.len ? "..." : "");
	buf_free(&b);
}

/* ---- Keys ------------------------------------------------------------------------ */

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
key_reserve(struct csv_rows *r)
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
key_seen(struct csv_rows *r, uint64_t h, long line)
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

/* The name of column C of the kind in a message about R's header: English,
 * or the first Chinese name (the one the forms write) when the header is
 * in Chinese.  Static storage for the Chinese, until the next call. */
static const char *
kind_column_name(const struct csv_rows *r, int c)
{
	static char zh[64];
	const struct csv_column *col = &csv_kind_def((enum csv_kind)r->kind)->cols[c];

	if (!r->chinese || col->zh == NULL)
		return col->name;
	snprintf(zh, sizeof zh, "%.*s", (int)strcspn(col->zh, "|"), col->zh);
	return zh;
}

/* The column names of R's kind, ", "-separated (、 in Chinese), for a
 * message.  Static storage. */
static const char *
column_list(const struct csv_rows *r)
{
	static char list[512];
	size_t len = 0;

	list[0] = '\0';
	for (int i = 0; i < r->kind_cols && len + 64 < sizeof list; i++)
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
		    i == 0 ? "" : r->chinese ? "、" : ", ", kind_column_name(r, i));
	return list;
}

/* The name of column C of the kind as R's header writes it. */
static const char *
label_of(const struct csv_rows *r, int c)
{
	return r->label[c] != NULL ? r->label[c] : kind_column_name(r, c);
}

static void
report_duplicate(struct csv_rows *r, const char *const *field, long line, long first)
{
	const int *key = csv_kind_key((enum csv_kind)r->kind);
	struct buf text = {0};

	if (!reporting(r)) {
		r->hidden++;
		count_error(r);
		return;
	}
	for (int i = 0; key[i] >= 0; i++)
		buf_printf(&text, "%s%s %s", i == 0 ? "" : r->chinese ? "，" : ", ",
		    label_of(r, key[i]), field[key[i]]);
	diag(DIAG_CSV_DUP_KEY, r->path, line, 1, text.data, first);
	buf_free(&text);
	count_error(r);
}

/* Checks the keys of the pending rows and hands the rows without a
 * duplicate to the callback.  Called when the batch is full, at the end,
 * and before any diagnostic, so that diagnostics come in line order. */
void
csv_rows_flush(struct csv_rows *r)
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

/* ---- The header ---------------------------------------------------------------- */

/* Tries the row of N fields as the header: returns 1 when it is one (of a
 * known kind, perhaps with errors: then reading stops), 0 when it names no
 * kind's columns. */
static int
header_row(struct csv_rows *r, int n)
{
	const char *names[CSV_MAX_COLS] = {0};
	long skipped;

	if (n > CSV_MAX_COLS) {
		diag(DIAG_CSV_HEADER_WIDE, r->path, r->fline[0], r->fcol[0], n, CSV_MAX_COLS);
		count_error(r);
		r->stop = 1;
		return 1;
	}
	for (int i = 0; i < n; i++) {
		names[i] = trim_field(r, i, &skipped);
		r->fcol[i] += skipped;
	}
	int kind = csv_header_match(names, n, r->map);
	if (kind < 0)
		return 0;
	r->kind = kind;
	r->ncols = n;
	int kn, bad = 0;
	(void)csv_kind_columns((enum csv_kind)kind, &kn);
	r->kind_cols = kn;
	for (int i = 0; i < n; i++)
		if (r->map[i] >= 0) {
			free(r->label[r->map[i]]);
			r->label[r->map[i]] = xstrdup(names[i]);
			for (const char *p = names[i]; *p; p++)
				r->chinese |= (unsigned char)*p >= 0x80;
		}
	unsigned seen = 0;
	for (int i = 0; i < n; i++) {
		if (r->map[i] == -1 && names[i][0] == '\0')
			r->map[i] = UNNAMED;
		else if (r->map[i] == -1) {
			diag(DIAG_CSV_COL_UNKNOWN, r->path, r->fline[i], r->fcol[i], names[i],
			    column_list(r));
			bad++;
		} else if (r->map[i] == -2) {
			diag(DIAG_CSV_COL_DUP, r->path, r->fline[i], r->fcol[i], names[i]);
			bad++;
		} else if (r->map[i] >= 0)
			seen |= 1u << r->map[i];
	}
	for (int c = 0; c < kn; c++)
		if (!(seen & (1u << c))) {
			diag(DIAG_CSV_COL_MISSING, r->path, r->fline[0], r->fcol[0], kind_column_name(r, c));
			bad++;
		}
	if (bad) {
		r->errors += bad;
		r->stop = 1;
	}
	return 1;
}

/* Reports that no header was found in the rows before it: when one of
 * them is a header whose columns are separated by tabs or semicolons (what
 * Excel's "文本文件（制表符分隔）" and some "CSV" of other countries write),
 * says so, for the row is then no title but the header, saved in another
 * format. */
static void
no_header(struct csv_rows *r)
{
	for (int t = 0; t < r->before_header && t < HEADER_ROWS; t++) {
		const char *text = r->titles[t].text;
		for (int sep = 0; sep < 2; sep++) {
			char copy[SHOWN_TEXT + 4], *names[CSV_MAX_COLS];
			int n = 0;
			if (strchr(text, "\t;"[sep]) == NULL)
				continue;
			snprintf(copy, sizeof copy, "%s", text);
			for (char *p = copy, *next; p != NULL && n < CSV_MAX_COLS; p = next) {
				next = strchr(p, "\t;"[sep]);
				if (next != NULL)
					*next++ = '\0';
				names[n++] = p;
			}
			if (csv_header_match((const char *const *)names, n, NULL) < 0)
				continue;
			diag(sep == 0 ? DIAG_CSV_TABS : DIAG_CSV_SEMICOLONS, r->path, r->titles[t].line,
			    r->titles[t].col);
			return;
		}
	}
	diag(DIAG_CSV_HEADER, r->path, r->titles[0].line, r->titles[0].col, r->titles[0].text);
}

/* A row before the header: the header, a title above it (each skipped
 * with a note once the header is found), or, after HEADER_ROWS rows
 * without one, not a file of ours. */
static void
before_header(struct csv_rows *r, int n)
{
	struct held_note *t = &r->titles[r->before_header];

	t->line = r->fline[0];
	t->col = r->fcol[0];
	row_text(r, n, t->text);
	if (header_row(r, n)) {
		for (int i = 0; i < r->before_header; i++)
			diag(DIAG_CSV_SKIP_TITLE, r->path, r->titles[i].line, r->titles[i].col,
			    r->titles[i].text);
		return;
	}
	if (++r->before_header < HEADER_ROWS)
		return;
	no_header(r);
	count_error(r);
	r->stop = 1;
}

/* ---- Totals and notes ------------------------------------------------------------ */

/* V without spaces inside and a colon after: what the words below are
 * compared with ("合 计：" is 合计). */
static void
squeeze(const char *v, char *out, size_t size)
{
	size_t k = 0;

	for (const unsigned char *p = (const unsigned char *)v; *p && k + 4 < size;) {
		if (*p == ' ' || *p == '\t')
			p++;
		else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
			p += 3;
		else
			out[k++] = (char)*p++;
	}
	out[k] = '\0';
	if (k >= 3 && strcmp(out + k - 3, "：") == 0)
		out[k - 3] = '\0';
	else if (k >= 1 && out[k - 1] == ':')
		out[k - 1] = '\0';
}

/* A cell that says a row is a total. */
static int
is_total(const char *v)
{
	static const char *const words[] = {"合计", "总计", "小计", NULL};
	char s[64];

	if (strlen(v) >= sizeof s)
		return 0;
	squeeze(v, s, sizeof s);
	for (int i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	return 0;
}

/* A cell that starts a note below a table: one of these words, alone or
 * followed by a colon or a space and what it says (填表人：张三). */
int
csv_is_note_text(const char *v)
{
	static const char *const words[] = {"填表人", "填报人", "制表人", "联系电话", "审核人",
	    "负责人", "备注", "说明", "单位（盖章）", "单位(盖章)", "填报单位（盖章）",
	    "填报单位(盖章)", "填报日期", "填表日期", NULL};

	for (int i = 0; words[i] != NULL; i++) {
		size_t n = strlen(words[i]);
		if (strncmp(v, words[i], n) != 0)
			continue;
		const char *rest = v + n;
		if (*rest == '\0' || *rest == ':' || *rest == ' ' || *rest == '\t' ||
		    strncmp(rest, "：", 3) == 0 || strncmp(rest, "\xE3\x80\x80", 3) == 0)
			return 1;
	}
	return 0;
}

/* The held note rows are below the table after all: note each. */
static void
release_notes(struct csv_rows *r)
{
	for (int i = 0; i < r->nnotes; i++)
		diag(DIAG_CSV_SKIP_NOTE, r->path, r->notes[i].line, r->notes[i].col, r->notes[i].text);
	r->nnotes = 0;
}

/*
 * Excel's rows that are not data: a totals row (合计, 总计 or 小计 in a
 * cell, the key columns empty or saying the same) is skipped with a note;
 * a note row (its first cell 填表人, 联系电话, 备注 …) is held and skipped
 * with a note when nothing but notes, totals and blank rows follow it, and
 * is an error when data rows do.  Returns 1 when the row of N fields was
 * one of them.
 */
static int
not_data(struct csv_rows *r, int n)
{
	int first = -1, total = -1;
	long skipped;

	for (int i = 0; i < n && i < r->ncols; i++) {
		const char *v = trim_field(r, i, &skipped);
		if (v[0] == '\0')
			continue;
		if (first < 0)
			first = i;
		if (total < 0 && is_total(v))
			total = i;
	}
	if (first >= 0 && csv_is_note_text(trim_field(r, first, &skipped))) {
		if (r->nnotes == HELD_NOTES)
			release_notes(r);
		struct held_note *h = &r->notes[r->nnotes++];
		h->line = r->fline[first];
		h->col = r->fcol[first];
		row_text(r, n, h->text);
		return 1;
	}
	if (total < 0)
		return 0;
	const int *key = csv_kind_key((enum csv_kind)r->kind);
	for (int i = 0; i < n && i < r->ncols; i++) {
		int c = r->map[i];
		if (c < 0 || i == total)
			continue;
		for (int k = 0; key[k] >= 0; k++)
			if (key[k] == c && r->text[r->off[i]] != '\0' && !is_total(r->text + r->off[i]))
				return 0;
	}
	char text[SHOWN_TEXT + 4];
	row_text(r, n, text);
	csv_rows_flush(r);
	diag(DIAG_CSV_SKIP_TOTAL, r->path, r->fline[total], r->fcol[total], text);
	return 1;
}

/* ---- Data rows -------------------------------------------------------------------- */

/* Validates a data row of N fields; returns 1 when it joined the pending
 * rows (its text must then be kept), 0 when it had errors. */
static int
data_row(struct csv_rows *r, int n)
{
	char *field[CSV_KIND_COLS];
	long column[CSV_KIND_COLS], field_line[CSV_KIND_COLS];
	long line = r->fline[0], skipped;
	enum csv_kind kind = (enum csv_kind)r->kind;

	if (r->nnotes > 0) {
		/* Notes with data below them: not notes below a table. */
		csv_rows_flush(r);
		for (int i = 0; i < r->nnotes; i++) {
			diag(DIAG_CSV_NOTE_INSIDE, r->path, r->notes[i].line, r->notes[i].col,
			    r->notes[i].text, line);
			count_error(r);
		}
		r->nnotes = 0;
	}
	r->rows++;
	if (r->sparse) {
		/* A worksheet row: cells right of the table are an error, as in a
		 * column without a name; missing cells at its end are empty. */
		for (int i = r->ncols; i < n && i <= CSV_MAX_COLS; i++) {
			long k;
			const char *v = trim_field(r, i, &k);
			if (v[0] == '\0')
				continue;
			csv_rows_flush(r);
			if (reporting(r))
				diag(DIAG_CSV_UNNAMED, r->path, r->fline[i], r->fcol[i], v, (int)r->fcol[i]);
			else
				r->hidden++;
			count_error(r);
			return 0;
		}
		for (int i = n; i < r->ncols; i++)
			put_field(r, i, "", 0, line, i + 1);
		n = r->ncols;
	}
	if (n != r->ncols) {
		int at = n > r->ncols ? r->ncols : 0;
		csv_rows_flush(r);
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
		char *v = trim_field(r, i, &skipped);
		if (c == UNNAMED) {
			bad += v[0] != '\0';
			continue;
		}
		if (c < 0)
			continue; /* 序号 */
		field[c] = v;
		column[c] = r->fcol[i] + skipped;
		field_line[c] = r->fline[i];
	}
	csv_normalize_row(kind, field);
	/* Count first, report after the pending rows, to keep line order. */
	bad += csv_validate_row(kind, NULL, (const char *const *)field, field_line, column, NULL);
	if (bad > 0) {
		csv_rows_flush(r);
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
		csv_validate_row(kind, r->path, (const char *const *)field, field_line, column,
		    (const char *const *)r->label);
		r->errors += bad;
		return 0;
	}
	struct pending *p = &r->pending[r->npending];
	p->line = line;
	if (!r->keys_by_caller) {
		key_reserve(r);
		p->hash = key_hash(kind, (const char *const *)field);
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

void
csv_rows_end_row(struct csv_rows *r)
{
	int n = r->nfields;

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
			before_header(r, n);
		else if (!not_data(r, n))
			kept = data_row(r, n);
	}
	if (r->npending == CSV_BATCH || r->text_len > CSV_BATCH_TEXT)
		csv_rows_flush(r);
	if (!kept)
		r->text_len = r->row_start;
	if (r->npending == 0)
		r->text_len = 0;
	r->row_start = r->text_len;
}

/* ---- State shared with the readers ------------------------------------------------ */

int
csv_rows_stopped(const struct csv_rows *r)
{
	return r->stop;
}

void
csv_rows_fail(struct csv_rows *r)
{
	count_error(r);
	r->stop = 1;
}

void
csv_rows_count_error(struct csv_rows *r)
{
	count_error(r);
}

long
csv_rows_data_rows(const struct csv_rows *r)
{
	return r->rows;
}

int
csv_rows_kind(const struct csv_rows *r)
{
	return r->kind;
}

int
csv_rows_finish(struct csv_rows *r, long line, struct csv_info *info)
{
	csv_rows_flush(r);
	if (r->kind < 0 && r->errors == 0) {
		if (r->before_header > 0)
			no_header(r);
		else
			diag(DIAG_CSV_NO_HEADER, r->path, 1, 1);
		count_error(r);
	}
	if (!r->stop)
		release_notes(r);
	if (r->hidden > 0)
		diag(DIAG_CSV_MORE_ERRORS, r->path, line, 1, r->hidden);
	int rc = r->errors || r->stopped ? -1 : 0;
	if (info != NULL) {
		info->kind = r->kind >= 0 ? (enum csv_kind)r->kind : CSV__KINDS;
		info->rows = r->rows;
		info->errors = r->errors;
	}
	free(r->text);
	key_table_free(r->keys, r->keys_cap);
	for (int c = 0; c < CSV_MAX_COLS; c++)
		free(r->label[c]);
	free(r);
	return rc;
}
