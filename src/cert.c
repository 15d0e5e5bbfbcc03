/* cert.c — the certificates and verify commands: from the store's awards to
 * one PDF per certificate, print.pdf per award and manifest.csv per year. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <qrencode.h>

#include "cert.h"
#include "sheets.h"
#include "commands.h"
#include "device.h"
#include "layout.h"
#include "outputs.h"
#include "pdf_write.h"
#include "programme.h"
#include "store.h"

/* programme.xml's values a certificate prints (store table programme). */
struct cert_programme {
	char *name, *issuer, *verify_url;
	char *time_zone;  /* of the ceremony date */
};

static void
cert_programme_load(sqlite3 *db, struct cert_programme *p)
{
	p->name = programme_get(db, "name", "");
	p->issuer = programme_get(db, "issuer", "");
	p->verify_url = programme_get(db, "verify_url", NULL);
	p->time_zone = programme_get(db, "time_zone", JZ_DEFAULT_ZONE);
}

static void
cert_programme_free(struct cert_programme *p)
{
	free(p->name);
	free(p->issuer);
	free(p->verify_url);
	free(p->time_zone);
}

/* What one build needs besides the certificates. */
struct build {
	struct out_ctx *oc;
	const struct jz_args *args;
	int year;
	struct fontset *fs;
	struct cert_programme prog;
	unsigned char *key;    /* NULL: no key, no QR */
	size_t keylen;
	char key_id[32];       /* cert_key_id of it */
	double dx, dy;         /* stock offset, mm */
	const char *tree;      /* "" or "stock/" */
	int errors, failures;
	int unsigned_awards;   /* awards printed without a key */
	struct buf keyless;    /* "MEDAL, CERT": signed awards not printed for want of the key */
};

static void
values_of(const struct build *b, const struct cert_rec *r, const char *date,
    char *const *payload, QRcode *const *qr, struct cert_values *v)
{
	v->recipient = r->recipient;
	v->unit = r->unit;
	v->title = r->award->title;
	v->issuer = b->prog.issuer;
	v->programme = b->prog.name;
	v->date = date;
	v->serial = r->serial;
	v->payload = *payload;
	v->qr = qr != NULL ? *qr : NULL;
	v->qr_batch = NULL;
	v->qr_index = 0;
	v->report_fit = 0;
}

/* The creation date written into certificates: the ceremony date (00:00 in
 * the programme's time zone), so that rebuilding gives the same bytes,
 * whenever and wherever it is done. */
static long long
doc_date(const struct build *b, const struct cert_template *t)
{
	long long t0 = jz_zone_midnight(b->year, t->month, t->day, b->prog.time_zone);

	return t0 >= 0 ? t0 : jz_zone_midnight(b->year, t->month, t->day, JZ_DEFAULT_ZONE);
}

static struct doc *
cert_doc(struct build *b, const struct cert_template *t, const char *title)
{
	struct doc_setup s = {0};

	s.page_w_mm = t->page_w;
	s.page_h_mm = t->page_h;
	s.margin_top_mm = 0.001;
	s.margin_left_mm = 0.001;
	s.body_w_mm = t->page_w;
	s.body_h_mm = t->page_h;
	s.title = title;
	s.author = b->prog.issuer;
	s.subject = "荣誉证书";
	s.date = doc_date(b, t);
	return doc_new(b->fs, &s);
}

/* Renders D with each device and writes the files of OD; frees D. */
static void
finish_doc(struct build *b, struct doc *d, struct out_doc *od, const char *fingerprint)
{
	if (out_doc_render(od, b->oc, d) != 0)
		b->failures++;
	else if (out_doc_write(b->oc, od, fingerprint) != 0)
		b->failures++;
	doc_free(d);
}

static void
fp_template(struct fingerprint *fp, const struct build *b, const struct cert_template *t)
{
	char off[64];

	fp_add_str(fp, "certificate 1");
	fp_add(fp, t->bytes, t->nbytes);
	fp_add_str(fp, b->prog.issuer);
	fp_add_str(fp, b->prog.name);
	snprintf(off, sizeof off, "%s %.3f %.3f %d", b->tree, b->dx, b->dy, b->key != NULL);
	fp_add_str(fp, off);
	/* the time zone of the date is in oc->base, with the programme */
}

static void
fp_rec(struct fingerprint *fp, const struct build *b, const struct cert_rec *r)
{
	fp_add_str(fp, r->fields);
	fp_add_str(fp, r->mac);
	fp_add_str(fp, b->key ? b->prog.verify_url : NULL);
}

/* Single files written per batch (one file-system sync each). */
#define BATCH 256

/* The single files of one award still to be made. */
struct singles {
	struct build *b;
	const struct prog_award *a;
	const struct cert_template *t;
	struct cert_rec *r;
	const char *date;
	char **payloads;
	QRcode **qr;
	long owner;              /* pid of the process that writes the batches */
	int ntodo;
	int *todo;               /* index in r of each file to make */
	int *device;             /* the device of b->oc that renders it */
	char **rel;              /* its path (owned until written) */
	char (*hex)[65];         /* its fingerprint */
	struct out_file *batch;  /* BATCH files waiting to be written */
	int nbatch, written;
};

/* Lays out and renders the K-th file to make (in a worker process). */
static int
single_render(void *arg, int k, struct buf *out)
{
	struct singles *s = arg;
	struct cert_rec *r = &s->r[s->todo[k]];
	struct build *b = s->b;
	struct cert_values v;
	char *title = xasprintf("%s %s", s->a->title, r->serial);
	struct doc *d = cert_doc(b, s->t, title);
	int rc;

	values_of(b, r, s->date, &s->payloads[s->todo[k]], &s->qr[s->todo[k]], &v);
	cert_draw(d, s->t, &v, b->args->stock, b->dx, b->dy, r->serial,
	    cert_draw_shared(d, s->t, &v, b->args->stock, b->dx, b->dy, r->serial));
	rc = doc_render(d, b->oc->devices[s->device[k]], out);
	/* creating a file is costly too (the file system's inode search):
	 * written here, put in place by out_write_batch */
	if (rc == 0)
		rc = out_write_temp(b->oc, s->rel[k], s->owner, out->data, out->len);
	doc_free(d);
	free(title);
	return rc;
}

static void
single_flush(struct singles *s)
{
	if (s->nbatch == 0)
		return;
	s->b->failures += out_write_batch(s->b->oc, s->batch, s->nbatch);
	for (int k = 0; k < s->nbatch; k++) {
		free(s->batch[k].relpath);
		buf_free(&s->batch[k].data);
	}
	s->nbatch = 0;
}

/* Takes the K-th file made into the batch, written when full. */
static void
single_take(void *arg, int k, int status, struct buf *data)
{
	struct singles *s = arg;
	struct out_file *f = &s->batch[s->nbatch];

	if (status != 0 || data == NULL) {
		s->b->failures++;
		return;
	}
	f->relpath = s->rel[k];
	s->rel[k] = NULL;
	memcpy(f->fingerprint, s->hex[k], sizeof f->fingerprint);
	f->in_tmp = 1;
	f->data = *data;
	memset(data, 0, sizeof *data);
	s->nbatch++;
	s->written++;
	if (s->nbatch == BATCH)
		single_flush(s);
}

/* Writes print.pdf into a temporary file and back out through its sink. */
static int
print_sink(void *arg, const void *data, size_t len)
{
	return out_stream_write(arg, data, len);
}

/* print.pdf of one award: laid out for the first time here, then written
 * a page at a time beside the single files (cert_par_render_beside). */
struct print_job {
	struct build *b;
	const struct cert_template *t;
	const struct prog_award *a;
	struct cert_rec *r;
	int n;
	const char *date;
	char *const *payloads;
	QRcode *const *qr;       /* every code, made before the writing */
	struct out_stream *os;   /* opened by the caller */
	struct doc *d;           /* the document, its first pass made */
	struct pdfw *w;
	int block;               /* what every page has alike */
};

/*
 * print.pdf with the default device alone (the PDF): the N certificates R
 * of award A in ceremony order, for the printer, written a page at a time
 * (pdf_write.h).  What every page has alike is drawn once and each page
 * refers to it; each page is laid out twice (the fonts, cut down to the
 * characters of all pages, come first in the file) and dropped after each
 * pass.  The first pass, which reports text too long for its box (once per
 * certificate) and characters no font has, is made here (print_note),
 * while the QR codes are still being made (QRB), and before the single
 * files, which so know what it said; the second, which writes, beside the
 * single files (print_make).
 */
static int
print_note(struct print_job *j, struct cert_qr_batch *qrb)
{
	struct build *b = j->b;
	char *title = xasprintf("%s %d", j->a->title, b->year);
	struct cert_values v;
	int rc = 0, stock = b->args->stock;

	j->d = cert_doc(b, j->t, title);
	free(title);
	values_of(b, &j->r[0], j->date, &j->payloads[0], NULL, &v);
	v.report_fit = 1;
	j->block = cert_draw_shared(j->d, j->t, &v, stock, b->dx, b->dy, j->a->code);
	j->w = pdfw_new(doc_finish(j->d), print_sink, j->os);
	for (int i = 0; i < j->n && rc == 0; i++) {
		values_of(b, &j->r[i], j->date, &j->payloads[i], NULL, &v);
		v.report_fit = 1;
		v.qr_batch = qrb;
		v.qr_index = i;
		cert_draw(j->d, j->t, &v, stock, b->dx, b->dy, j->r[i].serial, j->block);
		rc = pdfw_note(j->w);
		doc_pages_drop(j->d);
	}
	/* characters no font has: nothing is written */
	if (rc == 0)
		rc = doc_check(j->d);
	return rc;
}

/* The second pass of print.pdf (a cert_side function, in a worker of its
 * own): writes it into the stream the caller opened and seals that
 * (SEAL).  Returns 0, or -1 after a diagnostic. */
static int
print_make(void *arg, struct buf *seal)
{
	struct print_job *j = arg;
	struct build *b = j->b;
	struct cert_values v;
	int rc = 0;

	for (int i = 0; i < j->n && rc == 0; i++) {
		values_of(b, &j->r[i], j->date, &j->payloads[i], &j->qr[i], &v);
		v.report_fit = 0;
		cert_draw(j->d, j->t, &v, b->args->stock, b->dx, b->dy, j->r[i].serial, j->block);
		rc = pdfw_write(j->w);
		doc_pages_drop(j->d);
	}
	if (rc == 0)
		rc = pdfw_finish(j->w);
	out_stream_seal(j->os, rc != 0, seal);
	return rc;
}

/* The certificates R[0..N) of one award: print.pdf, single files, and the
 * calibration page when asked for; only those whose inputs changed or
 * whose file is not as written.  The QR codes and the narrowed fonts are
 * made for what is made.  Returns 0, or -1 when its template could not be
 * read (nothing printed). */
static int
build_award(struct build *b, const struct prog_award *a, struct cert_rec *r, int n)
{
	int missing;
	struct cert_template *t = cert_template_of(b->oc->opts->templates_dir, a, &missing);
	char *date = NULL, hex[65], print_hex[65], *rel;
	struct fingerprint *fp;
	int written = 0, unchanged = 0, stock = b->args->stock, ndev, print_needed, streamed;
	double t0 = jz_wall_seconds(), c0 = jz_thread_cpu_seconds(), tf0, t_fonts = 0;
	double t_setup, c_setup, ts0, ts1, cs0, cc0, c_single;
	struct cert_qr_batch *qrb = NULL;
	struct cert_qr_times qt = {0};
	const char *print_state = N_("unchanged");
	char **payloads, **wanted;
	QRcode **qr;
	struct singles s = {0};
	struct out_doc od;
	struct print_job pj = {0};
	struct cert_side side = {.keep_fd = -1};

	if (t == NULL) {
		/* a template that is not there is the installation's failure;
		 * one with mistakes, the template's error */
		if (missing)
			b->failures++;
		else
			b->errors++;
		return -1;
	}
	if (stock) {
		/* The template's own offset, then the operator's on top. */
		b->dx = b->args->offset_x_mm + t->offset_x;
		b->dy = b->args->offset_y_mm + t->offset_y;
	}
	date = fmt_date_chinese(b->year, t->month, t->day);
	for (int i = 0; i < n; i++) {
		free(r[i].fields);
		r[i].fields = cert_fields_make(r[i].serial, a->title, r[i].recipient, r[i].unit, date);
		r[i].mac[0] = '\0';
		if (b->key != NULL)
			cert_mac(b->key, b->keylen, r[i].fields, r[i].mac);
	}
	payloads = xcalloc((size_t)n + 1, sizeof *payloads);
	if (b->key != NULL)
		for (int i = 0; i < n; i++)
			payloads[i] = cert_payload(b->prog.verify_url, r[i].serial, r[i].mac);

	/* What is to be made, each by the fingerprint of its inputs:
	 * print.pdf, then the single files. */
	fp = fp_new(b->oc);
	fp_template(fp, b, t);
	for (int i = 0; i < n; i++)
		fp_rec(fp, b, &r[i]);
	fp_done(fp, print_hex);
	rel = xasprintf("certificates/%d/%s%s/print", b->year, b->tree, a->code);
	out_doc_init(&od, b->oc, rel);
	free(rel);
	print_needed = out_doc_needed(b->oc, &od, print_hex);
	s.b = b;
	s.owner = (long)getpid();
	s.a = a;
	s.t = t;
	s.r = r;
	s.date = date;
	s.payloads = payloads;
	ndev = b->oc->ndevices;
	s.todo = xcalloc((size_t)n * ndev + 1, sizeof *s.todo);
	s.device = xcalloc((size_t)n * ndev + 1, sizeof *s.device);
	s.rel = xcalloc((size_t)n * ndev + 1, sizeof *s.rel);
	s.hex = xcalloc((size_t)n * ndev + 1, sizeof *s.hex);
	for (int i = 0; i < n; i++) {
		fp = fp_new(b->oc);
		fp_template(fp, b, t);
		fp_rec(fp, b, &r[i]);
		fp_done(fp, hex);
		for (int j = 0; j < ndev; j++) {
			rel = xasprintf("certificates/%d/%s%s/%s%s", b->year, b->tree, a->code,
			    r[i].serial, b->oc->devices[j]->suffix);
			if (!out_needed(b->oc, rel, hex)) {
				out_unchanged(b->oc, rel);
				unchanged++;
				free(rel);
				continue;
			}
			s.todo[s.ntodo] = i;
			s.device[s.ntodo] = j;
			s.rel[s.ntodo] = rel;
			memcpy(s.hex[s.ntodo++], hex, sizeof hex);
		}
	}

	/* The QR codes of what is made, once for print.pdf and the single
	 * files: made by threads while the fonts are narrowed and print.pdf is
	 * laid out. */
	qr = xcalloc((size_t)n + 1, sizeof *qr);
	wanted = xcalloc((size_t)n + 1, sizeof *wanted);
	if (b->key != NULL && (print_needed || s.ntodo > 0)) {
		for (int i = 0; i < n; i++)
			wanted[i] = print_needed ? payloads[i] : NULL;
		for (int k = 0; k < s.ntodo; k++)
			wanted[s.todo[k]] = payloads[s.todo[k]];
		qrb = cert_qr_start((const char *const *)wanted, qr, n);
	}
	s.qr = qr;
	/* Every document subsets the fonts again: each face is cut down once
	 * to what the certificates made set in it, and subset from that. */
	tf0 = jz_wall_seconds();
	if (print_needed ? n >= 2 : s.ntodo >= 2) {
		struct fontset_narrow *nw = fontset_narrow_begin(b->fs);
		int count = print_needed ? n : s.ntodo;

		for (int k = 0; k < t->nelems; k++) {
			const struct cert_elem *e = &t->elems[k];

			if (e->kind != CE_TEXT || (stock && !e->variable))
				continue;
			for (int j = 0; j < (cert_elem_varies(e) ? count : 1); j++) {
				int i = print_needed ? j : s.todo[j];
				struct cert_values v;
				char *text;

				values_of(b, &r[i], date, &payloads[i], NULL, &v);
				text = cert_expand(e->text, &v);
				fontset_narrow_add(nw, e->role, text);
				free(text);
			}
		}
		fontset_narrow_end(nw);
		t_fonts = jz_wall_seconds() - tf0;
	}

	/* print.pdf: all of them in ceremony order, for the printer; with the
	 * PDF device alone, written a page at a time, the first pass here
	 * while the QR codes are made, the second beside the single files
	 * (below); else laid out whole here. */
	streamed = ndev == 1 && b->oc->devices[0] == device_at(0);
	if (print_needed && streamed) {
		pj = (struct print_job){b, t, a, r, n, date, payloads, qr,
		    out_stream_open(b->oc, od.relpath[0]), NULL, NULL, -1};
		if (pj.os == NULL)
			b->failures++;
		else if (print_note(&pj, qrb) != 0) {
			b->failures++;
			out_stream_close(b->oc, pj.os, print_hex, 1);
		} else {
			side.fn = print_make;
			side.arg = &pj;
			side.keep_fd = out_stream_fd(pj.os);
		}
		print_state = N_("written");
	}
	if (qrb != NULL)
		b->failures += cert_qr_finish(qrb, &qt);
	if (print_needed && !streamed) {
		char *title = xasprintf("%s %d", a->title, b->year);
		struct doc *d = cert_doc(b, t, title);
		struct cert_values v;
		int block;

		/* What all pages have alike is in the file once.  Text too
		 * long for its box is reported here, once per certificate. */
		values_of(b, &r[0], date, &payloads[0], NULL, &v);
		v.report_fit = 1;
		block = cert_draw_shared(d, t, &v, stock, b->dx, b->dy, a->code);
		for (int i = 0; i < n; i++) {
			values_of(b, &r[i], date, &payloads[i], &qr[i], &v);
			v.report_fit = 1;
			cert_draw(d, t, &v, stock, b->dx, b->dy, r[i].serial, block);
		}
		finish_doc(b, d, &od, print_hex);
		free(title);
		print_state = N_("written");
	} else if (!print_needed)
		out_doc_unchanged(b->oc, &od);
	t_setup = jz_wall_seconds() - t0;
	c_setup = jz_thread_cpu_seconds() - c0 + qt.cpu_threads;

	/* The single files: made on every core, written in batches made
	 * durable together. */
	ts0 = jz_wall_seconds();
	cs0 = jz_thread_cpu_seconds();
	cc0 = cert_par_cpu_seconds();
	s.batch = xcalloc(BATCH, sizeof *s.batch);
	/* losses counted by single_take */
	(void)cert_par_render_beside(s.ntodo, single_render, single_take, &s,
	    side.fn != NULL ? &side : NULL);
	single_flush(&s);
	if (side.fn != NULL) {
		/* print.pdf put in place and recorded here, as it came out */
		out_stream_unseal(pj.os, &side.out);
		if (side.status != 0)
			b->failures++;
		if (out_stream_close(b->oc, pj.os, print_hex, side.status != 0) != 0 && side.status == 0)
			b->failures++;
		buf_free(&side.out);
	}
	if (pj.w != NULL)
		pdfw_free(pj.w);
	if (pj.d != NULL)
		doc_free(pj.d);
	out_doc_free(&od);
	written = s.written;
	for (int k = 0; k < s.ntodo; k++)
		free(s.rel[k]);
	free(s.batch);
	free(s.todo);
	free(s.device);
	free(s.rel);
	free(s.hex);
	ts1 = jz_wall_seconds();
	/* processor time: this thread's and the workers' */
	c_single = jz_thread_cpu_seconds() - cs0 + cert_par_cpu_seconds() - cc0;

	/* The calibration page for stock paper. */
	if (stock || b->args->calibrate) {
		fp = fp_new(b->oc);
		fp_template(fp, b, t);
		fp_add_str(fp, "calibration");
		fp_done(fp, hex);
		rel = xasprintf("certificates/%d/%s%s/calibration", b->year, b->tree, a->code);
		out_doc_init(&od, b->oc, rel);
		free(rel);
		if (out_doc_needed(b->oc, &od, hex)) {
			struct doc *d = cert_doc(b, t, "校准页");
			cert_draw_calibration(d, t, b->dx, b->dy);
			finish_doc(b, d, &od, hex);
		} else
			out_doc_unchanged(b->oc, &od);
		out_doc_free(&od);
	}
	{
		char *what = xasprintf("%s%s", b->tree, a->code);
		diag(DIAG_CERT_SUMMARY, NULL, 0, 0, what, b->year, n, t_setup, c_setup, qt.wall,
		    qt.cpu_threads + qt.cpu_here, qt.threads, t_fonts, written, unchanged, _(print_state),
		    ts1 - ts0, c_single, side.cpu);
		free(what);
	}
	for (int i = 0; i < n; i++) {
		free(payloads[i]);
		if (qr[i] != NULL)
			QRcode_free(qr[i]);
	}
	free(payloads);
	free(wanted);
	free(qr);
	free(date);
	cert_template_free(t);
	return 0;
}

/* Whether the certificates of AWARD may be printed under the key of B:
 * not when another key signed them before (their codes, already handed
 * out, would no longer verify) or when they were signed and there is no
 * key now (they would lose their codes), unless --re-sign says so.  A
 * refusal is a failure with a diagnostic; the files stay as they are. */
static int
signing_allows(struct build *b, const char *award, char before[32])
{
	int k = cert_signing_get(b->oc->db, b->year, award, before);

	if (k < 0) {
		b->failures++;
		return 0;
	}
	if (k == 0 || before[0] == '\0' || strcmp(before, b->key_id) == 0 || b->args->re_sign)
		return 1;
	if (b->key == NULL)
		buf_printf(&b->keyless, "%s%s", b->keyless.len ? ", " : "", award);   /* said once, after */
	else
		diag(DIAG_CERT_KEY_OTHER, NULL, 0, 0, b->year, award, before, b->key_id);
	b->failures++;
	return 0;
}

/* Removes the files of withdrawn certificates of YEAR, so that nobody
 * prints one by mistake: every file a device writes for one (a layout dump
 * follows its PDF), whether or not this run writes them, with its record. */
static void
remove_withdrawn(struct build *b)
{
	sqlite3 *db = b->oc->db;
	sqlite3_stmt *st = store_prepare(db, "SELECT d.path FROM certificate c JOIN document d "
	    "ON d.path IN ('certificates/' || c.year || '/' || c.award || '/' || c.serial || ?2, "
	    "'certificates/' || c.year || '/stock/' || c.award || '/' || c.serial || ?2) "
	    "WHERE c.year = ?1 AND c.status = 'withdrawn'");
	sqlite3_stmt *del = store_prepare(db, "DELETE FROM document WHERE path = ?1");
	const struct device *dev;

	for (int i = 0; st != NULL && del != NULL && (dev = device_at(i)) != NULL; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int(st, 1, b->year);
		sqlite3_bind_text(st, 2, dev->suffix, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *rel = (const char *)sqlite3_column_text(st, 0);
			char *path = path_join(b->oc->opts->output_dir, rel);
			if (unlink(path) != 0 && errno != ENOENT) {
				/* still there: so is its record, and the next run tries again */
				diag(DIAG_CERT_REMOVE, path, 0, 0, strerror(errno));
				b->failures++;
			} else {
				sqlite3_reset(del);
				sqlite3_bind_text(del, 1, rel, -1, SQLITE_TRANSIENT);
				if (sqlite3_step(del) != SQLITE_DONE) {
					diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
					b->failures++;
				}
			}
			free(path);
		}
	}
	sqlite3_finalize(st);
	sqlite3_finalize(del);
}

/* manifest.csv: every certificate file and the print files of the year, for
 * the office and the printer: serial, award (code and title), recipient,
 * region, file, SHA-256; Chinese headers, written by the one CSV writer
 * (BOM, CRLF, names from the data never acting as formulas). */
static const char *const manifest_header[] = {
	"证书编号", "奖项代码", "奖项名称", "获奖者", "地区", "文件", "文件校验值（SHA-256）",
};

static void
write_manifest(struct build *b)
{
	sqlite3 *db = b->oc->db;
	char *prefix = xasprintf("certificates/%d/%s", b->year, b->tree);
	sqlite3_stmt *st = store_prepare(db,
	    "SELECT c.serial, c.award, a.title, c.recipient, COALESCE(r.name, c.region), d.path, d.sha256, "
	    "  COALESCE(a.ord, 1000000), 0 AS k "
	    "FROM certificate c JOIN document d ON d.path = ?1 || c.award || '/' || c.serial || '.pdf' "
	    "LEFT JOIN region r ON r.code = c.region LEFT JOIN award a ON a.code = c.award "
	    "WHERE c.year = ?2 AND c.status = 'active' "
	    "UNION ALL "
	    "SELECT NULL, a.code, a.title, NULL, NULL, d.path, d.sha256, a.ord, 1 "
	    "FROM award a JOIN document d "
	    "ON d.path IN (?1 || a.code || '/print.pdf', ?1 || a.code || '/calibration.pdf') "
	    "ORDER BY 9, 8, 2, 6");
	struct buf out = {0};
	char hex[65];
	struct fingerprint *fp;
	char *rel;
	const int ncols = (int)(sizeof manifest_header / sizeof *manifest_header);

	if (st == NULL) {
		b->failures++;
		free(prefix);
		return;
	}
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, b->year);
	csv_begin(&out);
	for (int i = 0; i < ncols; i++)
		csv_text(&out, manifest_header[i], i == 0);
	csv_end_row(&out);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(st, 5);
		for (int i = 0; i < 5; i++)
			csv_text(&out, (const char *)sqlite3_column_text(st, i), i == 0);
		csv_text(&out, path + strlen(prefix), 0);
		csv_text(&out, (const char *)sqlite3_column_text(st, 6), 0);
		csv_end_row(&out);
	}
	sqlite3_finalize(st);
	fp = fp_new(b->oc);
	fp_add(fp, out.data, out.len);
	fp_done(fp, hex);
	rel = xasprintf("%smanifest.csv", prefix);
	if (out_needed(b->oc, rel, hex)) {
		if (out_write(b->oc, rel, hex, out.data, out.len) != 0)
			b->failures++;
	} else
		out_unchanged(b->oc, rel);
	free(rel);
	free(prefix);
	buf_free(&out);
}

/* Says which awards of SET print with the default template, because
 * programme.xml names none of theirs: once each in a process (a command,
 * a nightly run). */
static void
default_templates_say(const struct cert_set *set, const char *dir)
{
	static struct buf said;    /* " CODE " of each award said */
	struct buf list = {0};
	int n = 0;

	for (int i = 0; i < set->nawards; i++) {
		const struct prog_award *a = &set->awards[i];
		char *key = xasprintf(" %s ", a->code);
		int used = 0;
		for (int k = 0; k < set->nrecs && !used; k++)
			used = set->recs[k].award == a;
		if (a->template == NULL && used && (said.data == NULL || strstr(said.data, key) == NULL)) {
			buf_puts(&said, key);
			buf_printf(&list, "%s%s (%s)", n++ ? ", " : "", a->code, a->title);
		}
		free(key);
	}
	if (n > 0) {
		diag(n > 1 ? DIAG_CERT_TEMPLATES_DEFAULT : DIAG_CERT_TEMPLATE_DEFAULT, NULL, 0, 0,
		    list.data, dir);
	}
	buf_free(&list);
}

int
certificates_build(struct out_ctx *oc, int year, const struct jz_args *a)
{
	struct cert_set set = {0};
	struct build b = {0};
	int rc = JZ_EXIT_OK, k, nested, built_before = oc->built;

	b.oc = oc;
	b.args = a;
	b.year = year;
	b.tree = a->stock ? "stock/" : "";
	if (cert_awards_load(oc->db, &set) != 0)
		return JZ_EXIT_FAILURE;
	if (a->award != NULL && cert_award_find(&set, a->award) == NULL) {
		diag(DIAG_CERT_AWARD, NULL, 0, 0, a->award);
		cert_set_free(&set);
		return JZ_EXIT_USAGE;
	}
	if (cert_gather(oc->db, year, a->award, &set) != 0) {
		cert_set_free(&set);
		return JZ_EXIT_FAILURE;
	}
	/* No serial while certificates on disk disagree with the store. */
	if (cert_register_check(oc->db, oc->opts->db_path, oc->opts->output_dir, year,
	    oc->opts->new_register) != 0) {
		cert_set_free(&set);
		return JZ_EXIT_FAILURE;
	}
	/* New serials follow ceremony order. */
	cert_sort_ceremony(&set);
	if (cert_serials_assign(oc->db, year, a->award, &set, oc->force) != 0) {
		cert_set_free(&set);
		return JZ_EXIT_FAILURE;
	}
	cert_programme_load(oc->db, &b.prog);
	remove_withdrawn(&b);
	if (set.nrecs == 0)
		diag(a->award ? DIAG_CERT_NONE_AWARD : DIAG_CERT_NONE, NULL, 0, 0, year,
		    a->award ? a->award : "");
	k = cert_key_load(oc->opts->key_file, &b.key, &b.keylen);
	if (k < 0) {
		rc = JZ_EXIT_FAILURE;
		goto done;
	}
	cert_key_id(b.key, b.keylen, b.key_id);
	b.dx = a->offset_x_mm;
	b.dy = a->offset_y_mm;
	if (set.nrecs > 0 && (b.fs = fontset_open(oc->opts->fonts_dir)) == NULL) {
		rc = JZ_EXIT_FAILURE;
		goto done;
	}
	default_templates_say(&set, oc->opts->templates_dir);
	/* One transaction for the records of every file written: the files
	 * themselves are written atomically one by one. */
	if (cert_tx_begin(oc->db, &nested) != 0) {
		rc = JZ_EXIT_FAILURE;
		goto done;
	}
	for (int i = 0; i < set.nrecs; ) {
		int j = i;
		while (j < set.nrecs && set.recs[j].award == set.recs[i].award)
			j++;
		char before[32];
		if (signing_allows(&b, set.recs[i].award->code, before)) {
			int made = build_award(&b, set.recs[i].award, set.recs + i, j - i) == 0;
			/* the codes handed out before stay known (table cert_superseded) */
			if (before[0] != '\0' && cert_fields_supersede(oc->db, set.recs + i, j - i, before) != 0)
				b.failures++;
			if (made) {
				b.unsigned_awards += b.key == NULL;
				if (cert_signing_set(oc->db, year, set.recs[i].award->code, b.key_id) != 0)
					b.failures++;
			}
		}
		i = j;
	}
	if (b.keyless.len > 0)
		diag(DIAG_CERT_KEY_MISSING, NULL, 0, 0, year, b.keyless.data);
	if (cert_fields_store(oc->db, &set) != 0)
		b.failures++;
	write_manifest(&b);
	/* What the data lacks is said when the operator asks for the
	 * certificates, or when the nightly run rebuilt some: not every night. */
	if (oc->force || oc->built > built_before) {
		static int key_warned;
		cert_report_unknown_units(&set);
		if (k == 0 && b.unsigned_awards > 0 && !key_warned++)
			diag(DIAG_CERT_NO_KEY, NULL, 0, 0);
	}
	if (cert_tx_end(oc->db, nested, 1) != 0)
		b.failures++;
	if (b.failures > 0)
		rc = JZ_EXIT_FAILURE;
	else if (b.errors > 0 || set.errors > 0)
		rc = JZ_EXIT_REJECTED;
done:
	buf_free(&b.keyless);
	if (b.fs != NULL)
		fontset_free(b.fs);
	free(b.key);
	cert_programme_free(&b.prog);
	cert_set_free(&set);
	return rc;
}

int
cmd_certificates(const struct jz_opts *o, const struct jz_args *a)
{
	struct out_ctx oc;
	int year;

	if (jz_parse_year(a->argv[0], &year) != 0) {
		diag(DIAG_USAGE_YEAR, NULL, 0, 0, "certificates", a->argv[0]);
		return JZ_EXIT_USAGE;
	}
	if (out_begin(&oc, o) != 0)
		return JZ_EXIT_FAILURE;
	return out_end(&oc, certificates_build(&oc, year, a));
}

/* ---- verify ---- */

/* The label of each signed field as verify prints it: the field's own name
 * in English, its word in the user's language. */
static const struct field_label {
	const char *name, *label;
} field_labels[] = {
	{"serial", N_("serial")},
	{"title", N_("title")},
	{"recipient", N_("recipient")},
	{"unit", N_("unit")},
	{"date", N_("date")},
};

static void
print_fields(const char *fields)
{
	for (const char *p = fields; p && *p; ) {
		const char *eq = strchr(p, '='), *eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		if (eq != NULL && eq < eol) {
			const char *label = NULL;
			for (size_t i = 0; i < sizeof field_labels / sizeof *field_labels; i++)
				if (strlen(field_labels[i].name) == (size_t)(eq - p) &&
				    strncmp(field_labels[i].name, p, (size_t)(eq - p)) == 0)
					label = _(field_labels[i].label);
			if (label != NULL)
				printf("  %s: %.*s\n", label, (int)(eol - eq - 1), eq + 1);
			else
				printf("  %.*s: %.*s\n", (int)(eq - p), p, (int)(eol - eq - 1), eq + 1);
		}
		p = *eol ? eol + 1 : eol;
	}
}

/* Prints the verdict WORD (valid, unknown, altered, withdrawn, superseded:
 * the same in every language, for scripts), then FMT in the user's
 * language. */
static void
verdict(const char *word, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", word);
	va_start(ap, fmt);
	vprintf(_(fmt), ap);
	va_end(ap);
	putchar('\n');
}

static int
str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

int
cmd_verify(const struct jz_opts *o, const struct jz_args *a)
{
	char serial[64], mac[64], *pattern, *rec_recipient = NULL, *rec_unit = NULL,
	    *fields = NULL, *status = NULL, *f_recipient = NULL, *f_unit = NULL, *f_serial = NULL,
	    *award = NULL, signed_by[32] = "", **earlier = NULL;
	size_t nearlier = 0;
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc = 1, found = 0, year = 0;

	if ((db = store_open_existing(o->db_path, 1, DIAG_STORE_MISSING)) == NULL)
		return JZ_EXIT_FAILURE;
	pattern = programme_get(db, "verify_url", NULL);
	if (cert_payload_parse(pattern, a->argv[0], serial, mac) != 0) {
		verdict("unknown", N_("'%s' is neither a certificate serial nor a certificate code"), a->argv[0]);
		free(pattern);
		store_close(db);
		return 1;
	}
	free(pattern);
	st = store_prepare(db, "SELECT recipient, unit, fields, status, year, award FROM certificate "
	    "WHERE serial = ?1");
	if (st == NULL) {
		store_close(db);
		return JZ_EXIT_FAILURE;
	}
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		rec_recipient = xstrdup((const char *)sqlite3_column_text(st, 0));
		rec_unit = sqlite3_column_text(st, 1) ? xstrdup((const char *)sqlite3_column_text(st, 1)) : NULL;
		fields = sqlite3_column_text(st, 2) ? xstrdup((const char *)sqlite3_column_text(st, 2)) : NULL;
		status = xstrdup((const char *)sqlite3_column_text(st, 3));
		year = sqlite3_column_int(st, 4);
		award = xstrdup((const char *)sqlite3_column_text(st, 5));
	}
	sqlite3_finalize(st);
	if (found && cert_signing_get(db, year, award, signed_by) < 0) {
		store_close(db);
		rc = JZ_EXIT_FAILURE;
		goto done;
	}
	/* the fields of copies printed before, under the key that signs it now */
	if (found && mac[0] != '\0' && signed_by[0] != '\0' &&
	    (st = store_prepare(db, "SELECT fields FROM cert_superseded WHERE serial = ?1 AND key_id = ?2 "
	    "ORDER BY fields")) != NULL) {
		sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, signed_by, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			earlier = xrealloc(earlier, (nearlier + 1) * sizeof *earlier);
			earlier[nearlier++] = xstrdup((const char *)sqlite3_column_text(st, 0));
		}
		sqlite3_finalize(st);
	}
	store_close(db);

	if (!found) {
		verdict("unknown", N_("no certificate %s"), serial);
		goto done;
	}
	if (fields == NULL) {
		verdict("unknown", N_("certificate %s was never printed"), serial);
		goto done;
	}
	f_serial = cert_fields_get(fields, "serial");
	f_recipient = cert_fields_get(fields, "recipient");
	f_unit = cert_fields_get(fields, "unit");
	if (mac[0] != '\0') {
		unsigned char *key;
		size_t keylen;
		char want[32], key_id[32];
		int k;
		if (!cert_mac_form(mac)) {
			verdict("altered", N_("%s does not carry a code of the form this program prints"), serial);
			goto done;
		}
		if ((k = cert_key_load(o->key_file, &key, &keylen)) <= 0) {
			if (k == 0)
				diag(DIAG_CERT_VERIFY_KEY, NULL, 0, 0, serial);
			rc = JZ_EXIT_FAILURE;
			goto done;
		}
		/* Under a key that did not sign them, every code would look
		 * altered: say that the key is wrong instead. */
		cert_key_id(key, keylen, key_id);
		if (signed_by[0] != '\0' && strcmp(signed_by, key_id) != 0) {
			diag(DIAG_CERT_VERIFY_OTHER, NULL, 0, 0, key_id, year, award, signed_by, serial);
			free(key);
			rc = JZ_EXIT_FAILURE;
			goto done;
		}
		cert_mac(key, keylen, fields, want);
		if (!cert_mac_equal(want, mac)) {
			/* a copy printed before the certificate was printed again */
			const char *was = NULL;
			for (size_t i = 0; i < nearlier; i++) {
				cert_mac(key, keylen, earlier[i], want);
				if (cert_mac_equal(want, mac))
					was = earlier[i];
			}
			free(key);
			if (was == NULL)
				verdict("altered", N_("the code of %s does not match the recorded fields"), serial);
			else if (strcmp(status, "active") != 0)
				verdict("withdrawn", N_("certificate %s was withdrawn"), serial);
			else {
				verdict("superseded", N_("%s is a copy printed before the certificate was printed "
				    "again with other fields; the one printed now reads"), serial);
				print_fields(fields);
			}
			goto done;
		}
		free(key);
	}
	/* The record must still say what was printed and signed (checked after
	 * the code, so that a wrong code learns nothing of the record). */
	if (!str_eq(f_serial, serial) || !str_eq(f_recipient, rec_recipient) || !str_eq(f_unit, rec_unit)) {
		verdict("altered", N_("the record of %s no longer matches what was printed"), serial);
		if (mac[0] != '\0')
			print_fields(fields);
		goto done;
	}
	if (strcmp(status, "active") != 0) {
		verdict("withdrawn", N_("certificate %s was withdrawn"), serial);
		if (mac[0] != '\0')
			print_fields(fields);
		goto done;
	}
	if (mac[0] == '\0') {
		/* A serial is printed on the certificate for all to read: it
		 * tells whether the serial exists, not whose it is.  The name
		 * comes with the code, which only the certificate carries. */
		verdict("valid", N_("%s is in the register and active (scan its QR code to check "
		    "the name and unit printed on it)"), serial);
		rc = 0;
		goto done;
	}
	verdict("valid", N_("%s (code checked)"), serial);
	print_fields(fields);
	rc = 0;
done:
	for (size_t i = 0; i < nearlier; i++)
		free(earlier[i]);
	free(earlier);
	free(award);
	free(rec_recipient);
	free(rec_unit);
	free(fields);
	free(status);
	free(f_serial);
	free(f_recipient);
	free(f_unit);
	return rc;
}
