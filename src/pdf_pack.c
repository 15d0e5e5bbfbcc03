/* pdf_pack.c — repacks the PDF libharu writes into a smaller PDF 1.5 with the same objects.
 *
 * libharu 2.3.0 writes every stream length as an object of its own, puts a
 * newline after every dictionary entry, lists the obsolete /ProcSet on every
 * page and ends with a cross-reference table of 20 bytes an object.  On a
 * one-page certificate that is a fifth of the file beside the font.  Here
 * the objects stay what they are (same order, same values, the same stream
 * data); only their spelling, packing and compression change:
 *  - a stream's /Length is written in its dictionary, and the number objects
 *    that held nothing but a length go away;
 *  - tokens are separated only where the syntax needs it;
 *  - every object that is not a stream goes into a compressed object
 *    stream, and the table becomes a compressed cross-reference stream;
 *  - a stream without a filter is deflated (libdeflate, see buf_deflate),
 *    which libharu, told to compress nothing, leaves to this.
 * The input is parsed from its cross-reference table; anything unexpected
 * (encryption, incremental updates, a token we cannot read) leaves it as
 * it is.
 *
 * libqpdf (object streams generated) does the same repacking, and is the
 * library made for it; measured on the 40-character certificate it writes
 * 11 972 bytes in 0.30 ms where this writes 11 793 in 0.06 ms.  With
 * a budget of 1 ms for a whole certificate (1 000 single files in under a
 * second), a quarter of it for repacking is too much, hence this. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jingsai.h"
#include "pdf_pack.h"

/* Objects per object stream: a reader inflates a whole stream to reach one. */
#define OBJS_PER_STREAM 200

enum tok_kind {
	TK_END,                  /* end of input */
	TK_REG,                  /* number or keyword (true, R, obj, stream, ...) */
	TK_NAME,                 /* /Name */
	TK_STRING,               /* (literal) or <hex>, kept verbatim */
	TK_DICT, TK_DICT_END,    /* << >> */
	TK_ARRAY, TK_ARRAY_END,  /* [ ] */
	TK_BAD                   /* anything else: give up */
};

struct tok {
	enum tok_kind kind;
	size_t at, len;          /* bytes in the input */
};

struct obj {
	int used;                /* 'n' in the input's table */
	size_t off;              /* of "N G obj" */
	struct tok *toks;        /* the value, up to endobj or stream */
	int ntoks;
	int stream;              /* 1: a stream follows the dictionary */
	size_t data, dlen;       /* stream data in the input */
	int length_tok;          /* index of a stream's /Length value in toks */
	int reached;             /* the trailer leads to it */
	int num;                 /* number in the output; 0 when dropped */
	int stm, idx;            /* object stream number and index in it, or 0 */
	size_t out_off;          /* offset in the output when not in an object stream */
};

struct emit {
	const char *s;           /* the input */
	struct obj *objs;
	long nobjs;
	struct buf *out;
	int last_regular;        /* the last byte written ends a number, name or keyword */
	int flate;               /* the stream being written was deflated here */
};

static int
is_space(int c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}

int
pdf_is_delim(int c)
{
	return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' ||
	    c == '}' || c == '/' || c == '%';
}

/* Reads the token at *I of S[0..N) and moves *I past it. */
static struct tok
next_tok(const char *s, size_t n, size_t *i)
{
	struct tok t = {TK_END, 0, 0};
	size_t p = *i;
	int depth = 0;

	for (;;) {
		while (p < n && is_space((unsigned char)s[p]))
			p++;
		if (p < n && s[p] == '%') {
			while (p < n && s[p] != '\n' && s[p] != '\r')
				p++;
			continue;
		}
		break;
	}
	*i = p;
	if (p >= n)
		return t;
	t.at = p;
	switch (s[p]) {
	case '(':
		for (; p < n; p++) {
			if (s[p] == '\\')
				p++;
			else if (s[p] == '(')
				depth++;
			else if (s[p] == ')' && --depth == 0)
				break;
		}
		if (p >= n)
			return t.kind = TK_BAD, t;
		p++;
		t.kind = TK_STRING;
		break;
	case '<':
		if (p + 1 < n && s[p + 1] == '<') {
			p += 2;
			t.kind = TK_DICT;
			break;
		}
		while (p < n && s[p] != '>')
			p++;
		if (p >= n)
			return t.kind = TK_BAD, t;
		p++;
		t.kind = TK_STRING;
		break;
	case '>':
		if (p + 1 >= n || s[p + 1] != '>')
			return t.kind = TK_BAD, t;
		p += 2;
		t.kind = TK_DICT_END;
		break;
	case '[':
		p++;
		t.kind = TK_ARRAY;
		break;
	case ']':
		p++;
		t.kind = TK_ARRAY_END;
		break;
	case '/':
		p++;
		while (p < n && !is_space((unsigned char)s[p]) && !pdf_is_delim((unsigned char)s[p]))
			p++;
		t.kind = TK_NAME;
		break;
	case ')': case '{': case '}':
		return t.kind = TK_BAD, t;
	default:
		while (p < n && !is_space((unsigned char)s[p]) && !pdf_is_delim((unsigned char)s[p]))
			p++;
		t.kind = TK_REG;
		break;
	}
	t.len = p - t.at;
	*i = p;
	return t;
}

static int
tok_is(const char *s, const struct tok *t, enum tok_kind kind, const char *text)
{
	return t->kind == kind && t->len == strlen(text) && memcmp(s + t->at, text, t->len) == 0;
}

/* The token as a non-negative integer, or -1. */
static long
tok_uint(const char *s, const struct tok *t)
{
	long v = 0;
	size_t i;

	if (t->kind != TK_REG || t->len == 0 || t->len > 9)
		return -1;
	for (i = 0; i < t->len; i++) {
		if (s[t->at + i] < '0' || s[t->at + i] > '9')
			return -1;
		v = v * 10 + (s[t->at + i] - '0');
	}
	return v;
}

/* The object number when T[K..] is "N G R", else -1. */
static long
ref_at(const char *s, const struct tok *t, int n, int k)
{
	if (k + 2 >= n || !tok_is(s, &t[k + 2], TK_REG, "R") || tok_uint(s, &t[k + 1]) < 0)
		return -1;
	return tok_uint(s, &t[k]);
}

/* The index after the value at T[K], or -1 when it is not whole. */
static int
skip_value(const char *s, const struct tok *t, int n, int k)
{
	int depth = 0;

	if (k >= n)
		return -1;
	if (ref_at(s, t, n, k) >= 0)
		return k + 3;
	do {
		if (k >= n)
			return -1;
		if (t[k].kind == TK_DICT || t[k].kind == TK_ARRAY)
			depth++;
		else if (t[k].kind == TK_DICT_END || t[k].kind == TK_ARRAY_END)
			depth--;
		else if (t[k].kind == TK_BAD || t[k].kind == TK_END)
			return -1;
		k++;
	} while (depth > 0);
	return depth == 0 ? k : -1;
}

/* Index of the value of KEY in the dictionary that starts at T[0], or -1. */
static int
dict_find(const char *s, const struct tok *t, int n, const char *key)
{
	int k = 1;

	if (n == 0 || t[0].kind != TK_DICT)
		return -1;
	while (k < n && t[k].kind == TK_NAME) {
		if (tok_is(s, &t[k], TK_NAME, key))
			return k + 1 < n ? k + 1 : -1;
		k = skip_value(s, t, n, k + 1);
		if (k < 0)
			return -1;
	}
	return -1;
}

/* Reads the tokens of one value, from *P up to the keyword that ends it at
 * depth 0 (STOP1 or STOP2), into *TOKS.  Returns the count, or -1; *P ends
 * past the stop keyword and *STOPPED says which. */
static int
read_value(const char *s, size_t n, size_t *p, const char *stop1, const char *stop2,
    struct tok **toks, int *stopped)
{
	int count = 0, depth = 0;
	size_t cap = 0;

	*toks = NULL;
	for (;;) {
		struct tok t = next_tok(s, n, p);

		if (t.kind == TK_END || t.kind == TK_BAD)
			break;
		if (depth == 0 && tok_is(s, &t, TK_REG, stop1)) {
			*stopped = 1;
			return count;
		}
		if (depth == 0 && stop2 != NULL && tok_is(s, &t, TK_REG, stop2)) {
			*stopped = 2;
			return count;
		}
		if (t.kind == TK_DICT || t.kind == TK_ARRAY)
			depth++;
		else if (t.kind == TK_DICT_END || t.kind == TK_ARRAY_END)
			if (--depth < 0)
				break;
		*toks = xgrow(*toks, count, &cap, 16, sizeof **toks);
		(*toks)[count++] = t;
	}
	free(*toks);
	*toks = NULL;
	return -1;
}

static void
put_tok(struct emit *e, const char *p, size_t len)
{
	if (e->last_regular && !pdf_is_delim((unsigned char)p[0]))
		buf_putc(e->out, ' ');
	buf_add(e->out, p, len);
	e->last_regular = !pdf_is_delim((unsigned char)p[len - 1]);
}

static void
put_num(struct emit *e, long v)
{
	char num[24];

	snprintf(num, sizeof num, "%ld", v);
	put_tok(e, num, strlen(num));
}

/* Dictionary entries not worth their bytes: /ProcSet (obsolete since PDF
 * 1.4, ignored by readers), zero /Length2 and /Length3 (Type 1 font file
 * lengths libharu also puts on TrueType ones), and a stream's own /Length,
 * written anew. */
static int
drop_key(const struct emit *e, const struct tok *t, int n, int k, int stream_dict)
{
	const char *s = e->s;

	if (tok_is(s, &t[k], TK_NAME, "/ProcSet"))
		return 1;
	if ((tok_is(s, &t[k], TK_NAME, "/Length2") || tok_is(s, &t[k], TK_NAME, "/Length3")) &&
	    k + 1 < n && tok_uint(s, &t[k + 1]) == 0 && ref_at(s, t, n, k + 1) < 0)
		return 1;
	return stream_dict && tok_is(s, &t[k], TK_NAME, "/Length");
}

/* Writes the value at T[*K] compactly, references renumbered; with
 * STREAM_LEN >= 0 it is a stream's dictionary and gets that /Length.
 * Returns 0, or -1 on a value it cannot write. */
static int
emit_value(struct emit *e, const struct tok *t, int n, int *k, long stream_len, int depth)
{
	const char *s = e->s;
	long ref;

	if (*k >= n || depth > 64)
		return -1;
	switch (t[*k].kind) {
	case TK_DICT:
		put_tok(e, "<<", 2);
		++*k;
		while (*k < n && t[*k].kind != TK_DICT_END) {
			if (t[*k].kind != TK_NAME)
				return -1;
			if (drop_key(e, t, n, *k, stream_len >= 0)) {
				if ((*k = skip_value(s, t, n, *k + 1)) < 0)
					return -1;
				continue;
			}
			put_tok(e, s + t[*k].at, t[*k].len);
			/* a one-filter array says no more than the name */
			if (tok_is(s, &t[*k], TK_NAME, "/Filter") && *k + 3 < n &&
			    t[*k + 1].kind == TK_ARRAY && t[*k + 2].kind == TK_NAME &&
			    t[*k + 3].kind == TK_ARRAY_END) {
				put_tok(e, s + t[*k + 2].at, t[*k + 2].len);
				*k += 4;
				continue;
			}
			++*k;
			if (emit_value(e, t, n, k, -1, depth + 1) != 0)
				return -1;
		}
		if (*k >= n)
			return -1;
		if (stream_len >= 0 && e->flate) {
			put_tok(e, "/Filter", 7);
			put_tok(e, "/FlateDecode", 12);
		}
		if (stream_len >= 0) {
			put_tok(e, "/Length", 7);
			put_num(e, stream_len);
		}
		put_tok(e, ">>", 2);
		++*k;
		return 0;
	case TK_ARRAY:
		put_tok(e, "[", 1);
		++*k;
		while (*k < n && t[*k].kind != TK_ARRAY_END)
			if (emit_value(e, t, n, k, -1, depth + 1) != 0)
				return -1;
		if (*k >= n)
			return -1;
		put_tok(e, "]", 1);
		++*k;
		return 0;
	case TK_REG:
		if ((ref = ref_at(s, t, n, *k)) >= 0) {
			if (ref >= e->nobjs || e->objs[ref].num == 0)
				return -1;
			put_num(e, e->objs[ref].num);
			put_tok(e, "0", 1);
			put_tok(e, "R", 1);
			*k += 3;
			return 0;
		}
		/* fall through */
	case TK_NAME:
	case TK_STRING:
		put_tok(e, s + t[*k].at, t[*k].len);
		++*k;
		return 0;
	default:
		return -1;
	}
}

/* ---- Object streams and the cross-reference stream, shared with pdf_write.c -- */

int
pdf_objstm(struct buf *out, long num, int count, const struct buf *head, const struct buf *body)
{
	struct buf stm = {0}, z = {0};
	int rc = -1;

	buf_add(&stm, head->data, head->len);
	buf_add(&stm, body->data, body->len);
	if (buf_deflate(&z, stm.data, stm.len) == 0) {
		buf_printf(out, "%ld 0 obj\n<</Type/ObjStm/N %d/First %zu/Filter/FlateDecode/Length %zu>>"
		    "\nstream\n", num, count, head->len, z.len);
		buf_add(out, z.data, z.len);
		buf_puts(out, "\nendstream\nendobj\n");
		rc = 0;
	}
	buf_free(&stm);
	buf_free(&z);
	return rc;
}

/* Bytes a field needs for V. */
static int
bytes_for(unsigned long v)
{
	int w = 1;

	while (v > 0xff) {
		v >>= 8;
		w++;
	}
	return w;
}

int
pdf_xref_finish(struct buf *out, const struct pdf_xref_row *rows, long nrows, size_t xref_off,
    const char *id)
{
	struct buf up = {0}, plain = {0}, z = {0}, zplain = {0};
	unsigned long most = xref_off > (size_t)(nrows - 1) ? xref_off : (size_t)(nrows - 1), most_f3 = 0;
	unsigned char *prev, *row;
	int w2, w3, width, predictor, rc = -1;

	for (long i = 0; i < nrows; i++)
		if (rows[i].f3 > most_f3)
			most_f3 = rows[i].f3;
	w2 = bytes_for(most);
	w3 = bytes_for(most_f3);
	width = 1 + w2 + w3;
	prev = xcalloc(1, (size_t)width);
	row = xcalloc(1, (size_t)width);
	/* each row as it is, and less the row before (PNG Up, filter byte 2) */
	for (long i = 0; i < nrows; i++) {
		row[0] = (unsigned char)rows[i].type;
		for (int c = 0; c < w2; c++)
			row[1 + c] = (unsigned char)(rows[i].f2 >> (8 * (w2 - 1 - c)));
		for (int c = 0; c < w3; c++)
			row[1 + w2 + c] = (unsigned char)(rows[i].f3 >> (8 * (w3 - 1 - c)));
		buf_putc(&up, 2);
		for (int c = 0; c < width; c++)
			buf_putc(&up, (unsigned char)(row[c] - prev[c]));
		buf_add(&plain, row, (size_t)width);
		memcpy(prev, row, (size_t)width);
	}
	if (buf_deflate(&z, up.data, up.len) != 0 || buf_deflate(&zplain, plain.data, plain.len) != 0)
		goto out;
	predictor = z.len < zplain.len + 40;
	buf_printf(out, "/ID[<%s><%s>]/Size %ld/W[1 %d %d]/Filter/FlateDecode", id, id, nrows, w2, w3);
	if (predictor)
		buf_printf(out, "/DecodeParms<</Predictor 12/Columns %d>>", width);
	buf_printf(out, "/Length %zu>>\nstream\n", predictor ? z.len : zplain.len);
	if (predictor)
		buf_add(out, z.data, z.len);
	else
		buf_add(out, zplain.data, zplain.len);
	buf_printf(out, "\nendstream\nendobj\nstartxref\n%zu\n%%%%EOF\n", xref_off);
	rc = 0;
out:
	free(prev);
	free(row);
	buf_free(&up);
	buf_free(&plain);
	buf_free(&z);
	buf_free(&zplain);
	return rc;
}

/* Reads the cross-reference table at XREF into OBJS (allocated); returns
 * the object count, or -1.  *TRAILER gets the position after "trailer". */
static long
read_xref(const char *s, size_t n, size_t xref, struct obj **objs, size_t *trailer)
{
	size_t p = xref + 4;
	long nobjs = 0;

	*objs = NULL;
	if (xref + 4 > n || memcmp(s + xref, "xref", 4) != 0)
		return -1;
	for (;;) {
		struct tok t = next_tok(s, n, &p), c;
		long first, count, i;

		if (tok_is(s, &t, TK_REG, "trailer")) {
			*trailer = p;
			return nobjs;
		}
		c = next_tok(s, n, &p);
		first = tok_uint(s, &t);
		count = tok_uint(s, &c);
		if (first < 0 || count < 0 || first + count > 10000000)
			goto bad;
		while (p < n && is_space((unsigned char)s[p]))
			p++;
		if (first + count > nobjs) {
			*objs = xrealloc(*objs, (first + count) * sizeof **objs);
			memset(*objs + nobjs, 0, (first + count - nobjs) * sizeof **objs);
			nobjs = first + count;
		}
		for (i = 0; i < count; i++, p += 20) {
			struct obj *o = &(*objs)[first + i];
			int d;

			if (p + 20 > n || s[p + 10] != ' ' || s[p + 16] != ' ')
				goto bad;
			for (d = 0; d < 10; d++)
				if (s[p + d] < '0' || s[p + d] > '9')
					goto bad;
			if (s[p + 17] == 'n') {
				if (memcmp(s + p + 11, "00000", 5) != 0)
					goto bad;        /* generations other than 0: not libharu's */
				o->used = 1;
				o->off = (size_t)strtoul(s + p, NULL, 10);
				if (o->off >= n)
					goto bad;
			}
		}
	}
bad:
	free(*objs);
	*objs = NULL;
	return -1;
}

/* Streams to deflate, shared by the threads that do it. */
struct deflating {
	const char *s;
	const struct obj *objs;
	long *todo;
	long ntodo, next;
	struct buf *z;
	int failed;
	pthread_mutex_t lock;
};

static void *
deflate_some(void *arg)
{
	struct deflating *d = arg;

	for (;;) {
		long k, i;
		int rc;

		pthread_mutex_lock(&d->lock);
		k = d->next++;
		pthread_mutex_unlock(&d->lock);
		if (k >= d->ntodo)
			return NULL;
		i = d->todo[k];
		rc = buf_deflate(&d->z[i], d->s + d->objs[i].data, d->objs[i].dlen);
		if (rc != 0) {
			pthread_mutex_lock(&d->lock);
			d->failed = 1;
			pthread_mutex_unlock(&d->lock);
		}
	}
}

/* Deflates into Z[i] every stream of OBJS that is kept and has no filter;
 * on a large document (a thousand pages and their font) on every core.
 * Returns 0, or -1 when out of memory. */
static int
deflate_streams(const char *s, const struct obj *objs, long nobjs, struct buf *z)
{
	struct deflating d = {0};
	pthread_t tid[3];
	int nthreads = 0;
	size_t total = 0;
	long i, cores;

	d.s = s;
	d.objs = objs;
	d.z = z;
	d.todo = xmalloc(((size_t)nobjs + 1) * sizeof *d.todo);
	for (i = 1; i < nobjs; i++)
		if (objs[i].num != 0 && objs[i].stream && objs[i].dlen > 0 &&
		    dict_find(s, objs[i].toks, objs[i].ntoks, "/Filter") < 0) {
			d.todo[d.ntodo++] = i;
			total += objs[i].dlen;
		}
	pthread_mutex_init(&d.lock, NULL);
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	/* threads pay from about half a megabyte */
	if (total >= (512u << 10))
		while (nthreads < 3 && nthreads + 1 < cores &&
		    pthread_create(&tid[nthreads], NULL, deflate_some, &d) == 0)
			nthreads++;
	deflate_some(&d);
	while (nthreads > 0)
		pthread_join(tid[--nthreads], NULL);
	pthread_mutex_destroy(&d.lock);
	free(d.todo);
	return d.failed ? -1 : 0;
}

int
pdf_pack(const char *s, size_t n, struct buf *out)
{
	struct obj *objs = NULL;
	struct tok *trailer = NULL;
	struct buf res = {0}, body = {0}, head = {0}, *z = NULL;
	struct emit e;
	long nobjs = -1, i, version = 5, nstm, total;
	int ntrailer = 0, stopped, k, next_num;
	long *by_num = NULL, *stack = NULL, nstack = 0, ref;
	size_t p, xref, tpos, xref_off;
	const char *sx;
	struct pdf_xref_row *rows = NULL;
	int rc = -1;

	if (n < 32 || memcmp(s, "%PDF-1.", 7) != 0)
		return -1;
	if (s[7] > '5' && s[7] <= '9')
		version = s[7] - '0';
	/* "startxref N %%EOF" at the very end */
	for (sx = NULL, p = n > 1024 ? n - 1024 : 0; p + 9 <= n; p++)
		if (memcmp(s + p, "startxref", 9) == 0)
			sx = s + p;
	if (sx == NULL)
		return -1;
	xref = (size_t)strtoul(sx + 9, NULL, 10);
	if (xref >= n)
		return -1;
	nobjs = read_xref(s, n, xref, &objs, &tpos);
	if (nobjs < 1)
		return -1;

	/* the trailer: only a plain one, without encryption or earlier tables */
	{
		struct tok t = next_tok(s, n, &tpos);

		if (t.kind != TK_DICT)
			goto out;
		tpos = t.at;
		ntrailer = read_value(s, n, &tpos, "startxref", NULL, &trailer, &stopped);
		if (ntrailer < 2 || skip_value(s, trailer, ntrailer, 0) != ntrailer ||
		    dict_find(s, trailer, ntrailer, "/Encrypt") >= 0 ||
		    dict_find(s, trailer, ntrailer, "/Prev") >= 0 ||
		    dict_find(s, trailer, ntrailer, "/XRefStm") >= 0 ||
		    dict_find(s, trailer, ntrailer, "/Root") < 0)
			goto out;
	}

	/* every object's value; a stream's data starts after the end of line */
	for (i = 1; i < nobjs; i++) {
		struct obj *o = &objs[i];
		struct tok a, b, c;

		o->length_tok = -1;
		if (!o->used)
			continue;
		p = o->off;
		a = next_tok(s, n, &p);
		b = next_tok(s, n, &p);
		c = next_tok(s, n, &p);
		if (tok_uint(s, &a) != i || tok_uint(s, &b) != 0 || !tok_is(s, &c, TK_REG, "obj"))
			goto out;
		o->ntoks = read_value(s, n, &p, "endobj", "stream", &o->toks, &stopped);
		if (o->ntoks < 1 || skip_value(s, o->toks, o->ntoks, 0) != o->ntoks)
			goto out;
		if (stopped == 2) {
			if (o->toks[0].kind != TK_DICT)
				goto out;
			if (p + 1 < n && s[p] == '\r' && s[p + 1] == '\n')
				p += 2;
			else if (p < n && s[p] == '\n')
				p++;
			else
				goto out;
			o->stream = 1;
			o->data = p;
		}
	}
	/* stream lengths, direct or in an object of their own */
	for (i = 1; i < nobjs; i++) {
		struct obj *o = &objs[i];
		long len;

		if (!o->used || !o->stream)
			continue;
		if ((k = dict_find(s, o->toks, o->ntoks, "/Length")) < 0)
			goto out;
		o->length_tok = k;
		if ((ref = ref_at(s, o->toks, o->ntoks, k)) >= 0) {
			if (ref >= nobjs || !objs[ref].used || objs[ref].stream || objs[ref].ntoks != 1)
				goto out;
			len = tok_uint(s, &objs[ref].toks[0]);
		} else
			len = tok_uint(s, &o->toks[k]);
		if (len < 0 || o->data + (size_t)len > n)
			goto out;
		o->dlen = (size_t)len;
		p = o->data + o->dlen;
		if (p < n && s[p] == '\r')
			p++;
		if (p < n && s[p] == '\n')
			p++;
		if (p + 9 > n || memcmp(s + p, "endstream", 9) != 0)
			goto out;
	}
	/* what the trailer reaches, stream lengths aside: the rest goes (the
	 * length objects, and objects a caller replaced after libharu made them) */
	stack = xmalloc((nobjs + 1) * sizeof *stack);
	for (k = 0; k < ntrailer; k++)
		if ((ref = ref_at(s, trailer, ntrailer, k)) > 0 && ref < nobjs && objs[ref].used &&
		    !objs[ref].reached) {
			objs[ref].reached = 1;
			stack[nstack++] = ref;
		}
	while (nstack > 0) {
		const struct obj *o = &objs[stack[--nstack]];

		for (k = 0; k < o->ntoks; k++) {
			if (k == o->length_tok || (ref = ref_at(s, o->toks, o->ntoks, k)) < 0)
				continue;
			if (ref == 0 || ref >= nobjs || !objs[ref].used)
				goto out;
			if (!objs[ref].reached) {
				objs[ref].reached = 1;
				stack[nstack++] = ref;
			}
		}
	}
	next_num = 1;
	for (i = 1; i < nobjs; i++)
		if (objs[i].reached)
			objs[i].num = next_num++;

	memset(&e, 0, sizeof e);
	e.s = s;
	e.objs = objs;
	e.nobjs = nobjs;
	buf_printf(&res, "%%PDF-1.%ld\n%%\xE2\xE3\xCF\xD3\n", version);

	/* streams as they come, each with its dictionary compacted; one
	 * without a filter deflated when that makes it smaller */
	z = xcalloc((size_t)nobjs + 1, sizeof *z);
	if (deflate_streams(s, objs, nobjs, z) != 0)
		goto out;
	for (i = 1; i < nobjs; i++) {
		struct obj *o = &objs[i];
		const char *data = s + o->data;
		size_t dlen = o->dlen;

		if (o->num == 0 || !o->stream)
			continue;
		e.flate = z[i].data != NULL && z[i].len < dlen;
		if (e.flate) {
			data = z[i].data;
			dlen = z[i].len;
		}
		o->out_off = res.len;
		buf_printf(&res, "%d 0 obj\n", o->num);
		e.out = &res;
		e.last_regular = 0;
		k = 0;
		if (emit_value(&e, o->toks, o->ntoks, &k, (long)dlen, 0) != 0)
			goto out;
		e.flate = 0;
		buf_puts(&res, "\nstream\n");
		buf_add(&res, data, dlen);
		buf_puts(&res, "\nendstream\nendobj\n");
	}

	/* the other objects in object streams, numbered after them */
	total = next_num - 1;
	nstm = 0;
	for (i = 1; i < nobjs;) {
		int count = 0;
		long stm_num = next_num + nstm;

		buf_reset(&body);
		buf_reset(&head);
		e.out = &body;
		e.last_regular = 0;
		for (; i < nobjs && count < OBJS_PER_STREAM; i++) {
			struct obj *o = &objs[i];

			if (o->num == 0 || o->stream)
				continue;
			if (e.last_regular)
				buf_putc(&body, ' ');
			e.last_regular = 0;
			buf_printf(&head, "%s%d %zu", count ? " " : "", o->num, body.len);
			k = 0;
			if (emit_value(&e, o->toks, o->ntoks, &k, -1, 0) != 0)
				goto out;
			o->stm = (int)stm_num;
			o->idx = count++;
		}
		if (count == 0)
			break;
		buf_putc(&head, '\n');
		/* its offset, kept with the stream numbers past the objects */
		objs = xrealloc(objs, (nobjs + nstm + 1) * sizeof *objs);
		e.objs = objs;
		memset(&objs[nobjs + nstm], 0, sizeof *objs);
		objs[nobjs + nstm].num = (int)stm_num;
		objs[nobjs + nstm].out_off = res.len;
		if (pdf_objstm(&res, stm_num, count, &head, &body) != 0)
			goto out;
		nstm++;
	}
	total += nstm;

	/* the cross-reference stream, last object: type, offset or object
	 * stream, generation or index, by output number: 0 free, then
	 * objects, object streams, this one */
	xref_off = res.len;
	by_num = xcalloc(total + 2, sizeof *by_num);
	for (i = 1; i < nobjs + nstm; i++)
		if (objs[i].num > 0 && objs[i].num <= total)
			by_num[objs[i].num] = i;
	rows = xcalloc(total + 2, sizeof *rows);
	rows[total + 1].type = 1;
	rows[total + 1].f2 = xref_off;
	for (i = 1; i <= total; i++) {
		const struct obj *o = &objs[by_num[i]];

		if (by_num[i] == 0)
			goto out;        /* a number nothing got */
		rows[i].type = o->stm != 0 ? 2 : 1;
		rows[i].f2 = o->stm != 0 ? (unsigned long)o->stm : o->out_off;
		rows[i].f3 = o->stm != 0 ? (unsigned long)o->idx : 0;
	}
	buf_printf(&res, "%ld 0 obj\n", total + 1);
	e.out = &res;
	e.last_regular = 0;
	put_tok(&e, "<<", 2);
	put_tok(&e, "/Type", 5);
	put_tok(&e, "/XRef", 5);
	/* the trailer's entries (Root, Info) but its size and ID */
	for (k = 1; k < ntrailer && trailer[k].kind == TK_NAME;) {
		if (tok_is(s, &trailer[k], TK_NAME, "/Size") || tok_is(s, &trailer[k], TK_NAME, "/ID")) {
			k = skip_value(s, trailer, ntrailer, k + 1);
			if (k < 0)
				goto out;
			continue;
		}
		put_tok(&e, s + trailer[k].at, trailer[k].len);
		k++;
		if (emit_value(&e, trailer, ntrailer, &k, -1, 1) != 0)
			goto out;
	}
	{
		/* The file identifier (ISO 32000 §14.4) comes from the content,
		 * every object before this one: the same document gets the same
		 * identifier on every run, another document another. */
		char id[65];
		sha256_hex(res.data, xref_off, id);
		id[32] = '\0';
		if (pdf_xref_finish(&res, rows, total + 2, xref_off, id) != 0)
			goto out;
	}
	buf_add(out, res.data, res.len);
	rc = 0;
out:
	if (objs != NULL)
		for (i = 0; i < nobjs; i++)
			free(objs[i].toks);
	free(objs);
	free(trailer);
	free(rows);
	buf_free(&res);
	buf_free(&body);
	buf_free(&head);
	free(by_num);
	free(stack);
	if (z != NULL)
		for (i = 0; i < nobjs; i++)
			buf_free(&z[i]);
	free(z);
	return rc;
}
