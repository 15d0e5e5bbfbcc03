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

#define CSV_FIELD_MAX (1 << 20)  /* bytes in one field */
#define CSV_MAX_BAD_BYTES 10     /* invalid bytes reported one by one */
#define CSV_CHUNK 65536          /* GB18030 is converted this much at a time */
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

/* What the scanner waits for before the next field's first character. */
enum { WANT_NONE, WANT_FIELD, WANT_ROW };

struct reader {
	const char *path;
	struct csv_parser parser;
	struct csv_rows *rows; /* where the fields go (csv_rows.c) */

	long line, col;      /* position of the next byte scanned */
	int after_cr;        /* the last byte was CR: an LF now ends no line */
	long seg_line, seg_col; /* position of the first byte not yet parsed */
	int want;            /* WANT_*: where the next field starts is awaited */
	long start_line, start_col; /* where the current field starts */

	/* CSV_MAPPED: the pages of the mapping at MAPPING (page-aligned) before
	 * MAPPING + RELEASED have been handed back. */
	const unsigned char *mapping;
	size_t released;

	int errors;          /* errors of the bytes and the syntax */
	int stop;            /* no more parsing */
};

/* An error of the bytes or the syntax: it ends the reading. */
static void
count_error(struct reader *r)
{
	r->errors++;
	r->stop = 1;
	csv_rows_fail(r->rows);
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

/* libcsv: a field ended. */
static void
on_field(void *s, size_t len, void *arg)
{
	struct reader *r = arg;

	r->want = WANT_FIELD;
	csv_rows_field(r->rows, s, len, r->start_line, r->start_col);
}

/* libcsv: a row ended. */
static void
on_row(int c, void *arg)
{
	(void)c;
	struct reader *r = arg;

	r->want = WANT_ROW;
	csv_rows_end_row(r->rows);
	if (csv_rows_stopped(r->rows))
		r->stop = 1;
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

	csv_rows_flush(r->rows);
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
			csv_rows_flush(r->rows);
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
		csv_rows_flush(r->rows);
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
	r.rows = csv_rows_new(path, fn, arg, flags, 0);
	r.line = r.seg_line = r.start_line = 1;
	r.col = r.seg_col = r.start_col = 1;
	r.want = WANT_ROW;
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
	csv_rows_flush(r.rows);
	if (!r.stop && csv_fini(&r.parser, on_field, on_row, &r) != 0) {
		diag(DIAG_CSV_QUOTE_OPEN, path, r.start_line, r.start_col);
		count_error(&r);
	}

done:;
	struct csv_info local;
	int rc = csv_rows_finish(r.rows, r.line, &local);
	/* Stopped before the header (bytes, encoding)?  Still say what the
	 * file looks like. */
	if (local.kind == CSV__KINDS) {
		int sniffed = csv_sniff(data, len);
		local.kind = sniffed >= 0 ? (enum csv_kind)sniffed : CSV__KINDS;
	}
	local.encoding = encoding;
	if (info != NULL)
		*info = local;
	csv_free(&r.parser);
	return rc;
}

/* ---- Sniffing ---------------------------------------------------------------------- */

/* The first rows of a file, as csv_sniff gathers them. */
struct sniff {
	char *names[CSV_MAX_COLS];
	int n, rows, kind;
	int wide;  /* more fields than CSV_MAX_COLS */
};

static void
sniff_field(void *s, size_t len, void *arg)
{
	struct sniff *sn = arg;

	if (sn->n == CSV_MAX_COLS) {
		sn->wide = 1;
		return;
	}
	sn->names[sn->n++] = xstrndup(s, len);
}

static void
sniff_row(int c, void *arg)
{
	(void)c;
	struct sniff *sn = arg;
	int blank = 1;

	for (int i = 0; i < sn->n && blank; i++)
		for (const char *p = sn->names[i]; *p && blank; p++)
			blank = *p == ' ' || *p == '\t';
	if (!blank && sn->kind < 0 && sn->rows < 5 && !sn->wide) {
		sn->rows++;
		sn->kind = csv_header_match((const char *const *)sn->names, sn->n, NULL);
	}
	for (int i = 0; i < sn->n; i++)
		free(sn->names[i]);
	sn->n = 0;
	sn->wide = 0;
}

/* Converts up to N bytes at S from CODE to UTF-8 into OUT, as far as they
 * convert (the head of a file may end inside a character). */
static void
sniff_convert(const char *code, const unsigned char *s, size_t n, struct buf *out)
{
	iconv_t cd = iconv_open("UTF-8", code);
	char *in = (char *)s;
	size_t inleft = n, cap = 4 * n + 16;

	if (cd == (iconv_t)-1)
		return;
	char *o = xmalloc(cap), *op = o;
	size_t oleft = cap;
	iconv(cd, &in, &inleft, &op, &oleft);
	buf_add(out, o, (size_t)(op - o));
	free(o);
	iconv_close(cd);
}

/*
 * The kind the header names, looked for in the first five rows that are
 * not blank, in the first 64 KiB decoded as csv_read would (BOM, UTF-8,
 * GB18030; UTF-16 too, so that its refusal can say what the file is).
 */
int
csv_sniff(const char *data, size_t len)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t n = len < 65536 ? len : 65536;
	struct buf text = {0};
	const char *code = NULL;

	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		s += 3;
		n -= 3;
	} else if (n >= 2 && s[0] == 0xFF && s[1] == 0xFE) {
		s += 2;
		n -= 2;
		code = "UTF-16LE";
	} else if (n >= 2 && s[0] == 0xFE && s[1] == 0xFF) {
		s += 2;
		n -= 2;
		code = "UTF-16BE";
	} else {
		/* UTF-8 up to a character cut at the end, with at least one
		 * character of three bytes or more when it has any non-ASCII */
		size_t i = 0, wide = 0, two = 0;
		int adv;
		while (i < n) {
			if (s[i] < 0x80) {
				i++;
				continue;
			}
			if (utf8_decode(s + i, n - i, &adv) < 0) {
				if (n - i >= 4)
					break;
				i = n;
				continue;
			}
			wide += adv > 2;
			two += adv == 2;
			i += (size_t)adv;
		}
		if (i < n || (two > 0 && wide == 0))
			code = "GB18030";
	}
	if (code != NULL)
		sniff_convert(code, s, n, &text);
	else
		buf_add(&text, s, n);

	struct csv_parser p;
	struct sniff sn = {.kind = -1};
	csv_init(&p, CSV_APPEND_NULL);
	csv_parse(&p, text.data ? text.data : "", text.len, sniff_field, sniff_row, &sn);
	csv_fini(&p, sniff_field, sniff_row, &sn);
	for (int i = 0; i < sn.n; i++)
		free(sn.names[i]);
	csv_free(&p);
	buf_free(&text);
	return sn.kind;
}
