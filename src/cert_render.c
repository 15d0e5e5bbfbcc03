/* cert_render.c — draws a certificate from its template through the layout
 * (background, text boxes, QR code), and the calibration page for stock paper. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <qrencode.h>

#include "cert.h"
#include "layout.h"

/* Below this size (pt) a shrunk name or unit is hard to read on paper. */
#define MIN_LEGIBLE_PT 6.0

char *
cert_expand(const char *text, const struct cert_values *v)
{
	const struct { const char *name; const char *value; } vars[] = {
		{"{recipient}", v->recipient}, {"{unit}", v->unit}, {"{title}", v->title},
		{"{issuer}", v->issuer}, {"{programme}", v->programme}, {"{date}", v->date},
		{"{serial}", v->serial},
	};
	struct buf b = {0};

	buf_puts(&b, "");
	for (const char *p = text; *p; ) {
		size_t k, n = sizeof vars / sizeof *vars;
		if (*p == '{')
			for (k = 0; k < n; k++) {
				size_t len = strlen(vars[k].name);
				if (strncmp(p, vars[k].name, len) == 0) {
					buf_puts(&b, vars[k].value ? vars[k].value : "");
					p += len;
					break;
				}
			}
		else
			k = n;
		if (k == n)
			buf_putc(&b, *p++);
	}
	return b.data;
}

/* QR symbols: error correction M (15 %), the best of the eight masks. */
static QRcode *
qr_encode(const char *payload)
{
	return QRcode_encodeString(payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
}

/* QR codes being made by threads while the caller goes on. */
struct cert_qr_batch {
	const char *const *payloads;
	QRcode **qr;
	int n;
	int next;                /* the next code no one makes yet */
	char *ready;             /* per code: made (or failed) */
	double cpu_threads;      /* processor time of the making by the threads */
	double cpu_here;         /* and by the caller, in cert_qr_get */
	double t0, t_last;       /* when the batch began, when its last code was made */
	pthread_mutex_t lock;
	pthread_cond_t made;
	pthread_t tid[8];
	int nthreads;
};

/* Makes the next code of B, with B->lock held (and held again on return);
 * returns 0 when none was left. */
static int
make_next(struct cert_qr_batch *b)
{
	int i = b->next;
	QRcode *code = NULL;

	if (i >= b->n)
		return 0;
	b->next++;
	pthread_mutex_unlock(&b->lock);
	if (b->payloads[i] != NULL)
		code = qr_encode(b->payloads[i]);
	pthread_mutex_lock(&b->lock);
	b->qr[i] = code;
	b->ready[i] = 1;
	b->t_last = jz_wall_seconds();
	pthread_cond_broadcast(&b->made);
	return 1;
}

static void *
qr_worker(void *arg)
{
	struct cert_qr_batch *b = arg;
	double c0 = jz_thread_cpu_seconds();

	pthread_mutex_lock(&b->lock);
	while (make_next(b))
		;
	b->cpu_threads += jz_thread_cpu_seconds() - c0;
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

struct cert_qr_batch *
cert_qr_start(const char *const *payloads, QRcode **qr, int n)
{
	struct cert_qr_batch *b = xcalloc(1, sizeof *b);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int want = cores < 1 ? 1 : cores > 8 ? 8 : (int)cores;

	b->payloads = payloads;
	b->qr = qr;
	b->n = n;
	b->ready = xcalloc((size_t)n + 1, 1);
	b->t0 = b->t_last = jz_wall_seconds();
	memset(qr, 0, (size_t)n * sizeof *qr);
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->made, NULL);
	/* Mask selection makes encoding the costly part of a certificate: one
	 * thread a core (the library is thread-safe).  Too few codes for
	 * threads: the caller makes them as it asks for them. */
	if (n >= 16)
		while (b->nthreads < want &&
		    pthread_create(&b->tid[b->nthreads], NULL, qr_worker, b) == 0)
			b->nthreads++;
	return b;
}

QRcode *
cert_qr_get(struct cert_qr_batch *b, int i)
{
	QRcode *code;
	double c0;

	if (i < 0 || i >= b->n)
		return NULL;
	pthread_mutex_lock(&b->lock);
	/* codes up to I no thread has begun: made here */
	c0 = jz_thread_cpu_seconds();
	while (b->next <= i && make_next(b))
		;
	b->cpu_here += jz_thread_cpu_seconds() - c0;
	while (!b->ready[i])
		pthread_cond_wait(&b->made, &b->lock);
	code = b->qr[i];
	pthread_mutex_unlock(&b->lock);
	return code;
}

const unsigned char *
cert_qr_fetch(void *arg, int i, int *width)
{
	QRcode *code = cert_qr_get(arg, i);

	*width = code != NULL ? code->width : 0;
	return code != NULL ? code->data : NULL;
}

int
cert_qr_finish(struct cert_qr_batch *b, struct cert_qr_times *tm)
{
	int failed = 0;

	(void)cert_qr_get(b, b->n - 1);
	for (int t = 0; t < b->nthreads; t++)
		pthread_join(b->tid[t], NULL);
	for (int i = 0; i < b->n; i++)
		if (b->payloads[i] != NULL && b->qr[i] == NULL) {
			diag(DIAG_CERT_QR, NULL, 0, 0, b->payloads[i]);
			failed++;
		}
	tm->wall = b->t_last - b->t0;
	tm->cpu_threads = b->cpu_threads;
	tm->cpu_here = b->cpu_here;
	tm->threads = b->nthreads;
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->made);
	free(b->ready);
	free(b);
	return failed;
}

/* What a text box is, for messages about characters no font has. */
static char *
field_label(const struct cert_elem *e, const char *label)
{
	/* the placeholder, and what the office calls it */
	static const struct {
		const char *placeholder, *name;
	} fields[] = {
		{"{recipient}", N_("recipient")}, {"{unit}", N_("unit")}, {"{title}", N_("award title")},
		{"{issuer}", N_("issuer")}, {"{date}", N_("date")}, {"{serial}", N_("serial")},
	};

	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		if (strstr(e->text, fields[i].placeholder) != NULL)
			return xasprintf(_("%s of %s"), _(fields[i].name), label);
	return xasprintf(_("text of template line %ld (%s)"), e->line, label);
}

int
cert_elem_varies(const struct cert_elem *e)
{
	static const char *const vars[] = {"{recipient}", "{unit}", "{serial}"};

	if (e->kind == CE_QR)
		return 1;
	if (e->kind != CE_TEXT)
		return 0;
	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
		if (strstr(e->text, vars[i]) != NULL)
			return 1;
	return 0;
}

/* The box E covers, ink included: x0, y0, x1, y1 in mm. */
static void
elem_box(const struct cert_elem *e, double b[4])
{
	double half = e->width_pt / 2 * (25.4 / 72);

	switch (e->kind) {
	case CE_LINE:
		b[0] = (e->x < e->w ? e->x : e->w) - half;
		b[1] = (e->y < e->h ? e->y : e->h) - half;
		b[2] = (e->x > e->w ? e->x : e->w) + half;
		b[3] = (e->y > e->h ? e->y : e->h) + half;
		return;
	case CE_CIRCLE:
		b[0] = e->x - e->w - half;
		b[1] = e->y - e->w - half;
		b[2] = e->x + e->w + half;
		b[3] = e->y + e->w + half;
		return;
	case CE_QR:
		b[0] = e->x;
		b[1] = e->y;
		b[2] = e->x + e->w;
		b[3] = e->y + e->w;
		return;
	default:
		b[0] = e->x - half;
		b[1] = e->y - half;
		b[2] = e->x + e->w + half;
		b[3] = e->y + e->h + half;
		return;
	}
}

/* Marks in SHARED[i] the elements of T that go into the shared block: those
 * printed alike on every certificate, unless something drawn per page
 * before them overlaps them (the block is drawn first, beneath the rest of
 * the page, so stacking stays as the template says).  Returns how many. */
static int
shared_elems(const struct cert_template *t, int stock, char *shared)
{
	int n = 0;

	for (int i = 0; i < t->nelems; i++) {
		const struct cert_elem *e = &t->elems[i];
		double b[4], o[4];

		shared[i] = 0;
		if ((stock && !e->variable) || cert_elem_varies(e))
			continue;
		elem_box(e, b);
		shared[i] = 1;
		for (int j = 0; j < i && shared[i]; j++) {
			if (shared[j] || (stock && !t->elems[j].variable))
				continue;
			elem_box(&t->elems[j], o);
			if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3])
				shared[i] = 0;
		}
		n += shared[i];
	}
	return n;
}

/* Draws element E of T, shifted by DX, DY. */
static void
draw_elem(struct doc *d, const struct cert_template *t, const struct cert_elem *e,
    const struct cert_values *v, double dx, double dy, const char *label)
{
	switch (e->kind) {
	case CE_RECT:
		doc_rect(d, e->x + dx, e->y + dy, e->w, e->h, e->width_pt, e->stroke, e->fill);
		break;
	case CE_LINE:
		doc_line(d, e->x + dx, e->y + dy, e->w + dx, e->h + dy, e->width_pt, e->stroke);
		break;
	case CE_CIRCLE:
		doc_circle(d, e->x + dx, e->y + dy, e->w, e->width_pt, e->stroke, e->fill);
		break;
	case CE_TEXT: {
		struct text_style s = {0};
		char *text = cert_expand(e->text, v);
		double got;

		if (*text != '\0') {
			char *fl = field_label(e, label);
			s.role = e->role;
			s.size_pt = e->size_pt;
			s.align = (enum align)e->align;
			s.line_pitch_pt = e->size_pt * 1.6;
			s.bold = e->bold;
			s.color = e->stroke;
			s.letter_spacing_pt = e->letter_spacing_pt;
			doc_field(d, fl);
			got = doc_text_box(d, &s, e->x + dx, e->y + dy, e->w, e->h, e->flags, text);
			if (v->report_fit && got < 0)
				diag(DIAG_CERT_OVERFLOW, NULL, 0, 0, fl, e->w, -got);
			else if (v->report_fit && got < MIN_LEGIBLE_PT && got < e->size_pt)
				diag(DIAG_CERT_SHRUNK, NULL, 0, 0, fl, got, e->w, e->size_pt);
			free(fl);
		}
		free(text);
		break;
	}
	case CE_QR: {
		QRcode *qr;
		if (v->payload == NULL)
			break;
		if (v->qr != NULL) {
			doc_qr(d, e->x + dx, e->y + dy, e->w, v->qr->data, v->qr->width);
			break;
		}
		if (v->qr_batch != NULL) {
			doc_qr_later(d, e->x + dx, e->y + dy, e->w, cert_qr_fetch, v->qr_batch,
			    v->qr_index);
			break;
		}
		if ((qr = qr_encode(v->payload)) == NULL) {
			diag(DIAG_CERT_QR, t->path, e->line, 0, label);
			break;
		}
		doc_qr(d, e->x + dx, e->y + dy, e->w, qr->data, qr->width);
		QRcode_free(qr);
		break;
	}
	}
}

int
cert_draw_shared(struct doc *d, const struct cert_template *t, const struct cert_values *v,
    int stock, double dx, double dy, const char *label)
{
	char *shared = xcalloc((size_t)t->nelems + 1, 1);
	int n = -1;

	if (!stock)
		dx = dy = 0;
	if (shared_elems(t, stock, shared) > 0) {
		n = doc_shared_begin(d);
		for (int i = 0; i < t->nelems; i++)
			if (shared[i])
				draw_elem(d, t, &t->elems[i], v, dx, dy, label);
		doc_shared_end(d);
	}
	free(shared);
	return n;
}

void
cert_draw(struct doc *d, const struct cert_template *t, const struct cert_values *v,
    int stock, double dx, double dy, const char *label, int block)
{
	char *shared = xcalloc((size_t)t->nelems + 1, 1);

	if (!stock)
		dx = dy = 0;
	doc_new_page(d);
	if (block >= 0) {
		shared_elems(t, stock, shared);
		doc_shared_place(d, block);
	}
	for (int i = 0; i < t->nelems; i++) {
		const struct cert_elem *e = &t->elems[i];
		if ((stock && !e->variable) || shared[i])
			continue;
		draw_elem(d, t, e, v, dx, dy, label);
	}
	free(shared);
}

void
cert_draw_calibration(struct doc *d, const struct cert_template *t, double dx, double dy)
{
	struct text_style small = {0}, note = {0};
	char buf[256];

	small.role = "sans";
	small.size_pt = 6;
	small.color = 0x555555;
	note.role = "sans";
	note.size_pt = 9;
	doc_new_page(d);
	/* The millimetre grid: 1 mm hairlines, 5 mm thin, 10 mm lines numbered. */
	for (int x = 0; x <= (int)t->page_w; x++) {
		double w = x % 10 == 0 ? 0.5 : x % 5 == 0 ? 0.25 : 0.1;
		unsigned col = x % 10 == 0 ? 0x808080 : 0xC8C8C8;
		doc_line(d, x, 0, x, t->page_h, w, col);
		if (x % 10 == 0 && x > 0 && x < (int)t->page_w) {
			snprintf(buf, sizeof buf, "%d", x);
			doc_text_box(d, &small, x + 0.5, 1, 8, 3, 0, buf);
		}
	}
	for (int y = 0; y <= (int)t->page_h; y++) {
		double w = y % 10 == 0 ? 0.5 : y % 5 == 0 ? 0.25 : 0.1;
		unsigned col = y % 10 == 0 ? 0x808080 : 0xC8C8C8;
		doc_line(d, 0, y, t->page_w, y, w, col);
		if (y % 10 == 0 && y > 0 && y < (int)t->page_h) {
			snprintf(buf, sizeof buf, "%d", y);
			doc_text_box(d, &small, 1, y + 0.5, 8, 3, 0, buf);
		}
	}
	/* Crosshairs at the page centre (without offset) to check the paper feed. */
	doc_line(d, t->page_w / 2 - 10, t->page_h / 2, t->page_w / 2 + 10, t->page_h / 2, 0.8, 0x0000C0);
	doc_line(d, t->page_w / 2, t->page_h / 2 - 10, t->page_w / 2, t->page_h / 2 + 10, 0.8, 0x0000C0);
	doc_circle(d, t->page_w / 2, t->page_h / 2, 3, 0.8, 0x0000C0, -1);
	/* Each variable field's box where it will print (offset included), with
	 * a crosshair on its top-left corner. */
	for (int i = 0; i < t->nelems; i++) {
		const struct cert_elem *e = &t->elems[i];
		double x = e->x + dx, y = e->y + dy;
		if (!e->variable || (e->kind != CE_TEXT && e->kind != CE_QR))
			continue;
		doc_rect(d, x, y, e->w, e->h, 0.6, 0xD00000, -1);
		doc_line(d, x - 5, y, x + 5, y, 0.6, 0xD00000);
		doc_line(d, x, y - 5, x, y + 5, 0.6, 0xD00000);
		snprintf(buf, sizeof buf, "%s (%.1f, %.1f)", e->kind == CE_QR ? "QR" : e->text, x, y);
		doc_text_box(d, &small, x + 1, y + 0.5, e->w > 40 ? e->w - 2 : 40, 3, BOX_SHRINK, buf);
	}
	snprintf(buf, sizeof buf, "校准页  %s  页面 %.0f × %.0f mm  偏移 %+.1f, %+.1f mm  "
	    "请按“实际大小”（100%%）打印", t->path, t->page_w, t->page_h, dx, dy);
	doc_text_box(d, &note, 15, t->page_h - 12, t->page_w - 30, 6, BOX_SHRINK, buf);
}
