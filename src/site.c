/* site.c — `jingsai publish`: the static verification site under output/site/,
 * one page per certificate where its QR code points, and the award lists.
 *
 * A certificate's QR code is the programme's verification URL with the serial
 * and the keyed code (cert_sign.c).  The page of a certificate sits at the
 * path of that URL below output/site/ (as PATH/index.html, which every web
 * server answers for PATH), so copying the folder to the web server makes
 * every printed code resolve; a code with a forged MAC names a path where no
 * page is.  A page shows what the certificate prints (award, recipient, unit,
 * date, serial, issuer) as the store recorded it when it was signed, and what
 * the page proves; a withdrawn certificate's page says it is withdrawn and
 * shows no recipient; the code of a copy printed before the certificate
 * was printed again with other fields (table cert_superseded) keeps a page
 * that says so.  Each year and award has a list of the recipients (the
 * 公示名单), an index names the lists, and 404.html says what an address
 * without a page means.  Plain HTML with its CSS inline: no script, nothing
 * fetched from elsewhere.
 *
 * Pages go through outputs.c: written only when what they show changed, and
 * pages the store no longer gives (a serial signed anew, a URL changed) are
 * removed with their records. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <unicode/ucol.h>

#include "cert.h"
#include "commands.h"
#include "outputs.h"
#include "programme.h"
#include "store.h"

/* What a page says of a recipient, one row per recipient kind. */
static const struct kind_words {
	const char *kind;
	const char *who;       /* the field on a certificate's page */
	const char *name_col;  /* the list's columns */
	const char *unit_col;  /* NULL: the recipient is the unit */
	const char *counter;   /* 共12名 */
} kind_words[] = {
	{"person", "获奖者", "姓名", "工作单位", "名"},
	{"unit", "获奖单位", "单位名称", NULL, "个"},
	{"team", "获奖集体", "集体名称", "所在单位", "个"},
};

/* Readable on a phone (a column, large type) and on a desk; no web font. */
static const char css[] =
    "body{margin:0;background:#f4efe4;color:#222;"
    "font:17px/1.65 \"Noto Sans CJK SC\",\"Source Han Sans SC\",\"PingFang SC\",\"Microsoft YaHei\","
    "\"WenQuanYi Micro Hei\",sans-serif}"
    "main{box-sizing:border-box;max-width:44em;min-height:100vh;margin:0 auto;padding:1.2em 1.1em 2em;"
    "background:#fff;border-top:6px solid #b22222}"
    ".issuer{margin:0;color:#b22222;font-weight:bold;text-align:center}"
    /* no line left with a character or two: 2025年度南通市五一劳动奖章 / 名单 */
    "h1{margin:.2em 0 .8em;font-size:1.45em;line-height:1.35;text-align:center;text-wrap:balance}"
    "h2{margin:1.4em 0 .3em;font-size:1.05em}"
    ".verdict{margin:0 0 1em;padding:.55em .8em;border-radius:.35em;font-size:1.2em;font-weight:bold;"
    "text-align:center}"
    ".valid{background:#e9f5ea;color:#1b5e20;border:2px solid #2e7d32}"
    ".withdrawn{background:#fdeceb;color:#8b1a1a;border:2px solid #b22222}"
    ".superseded{background:#fff5de;color:#6b4400;border:2px solid #c48a00}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.45em 1em;margin:0}"
    "dt{color:#666}"
    "dd{margin:0;font-weight:bold;overflow-wrap:anywhere}"
    "p{margin:.5em 0;text-wrap:pretty}"
    ".small{color:#555;font-size:.9em}"
    "table{width:100%;border-collapse:collapse;font-size:.95em}"
    "th,td{padding:.35em .4em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}"
    "th{background:#f6f2ea;white-space:nowrap}"
    "td.n{color:#666;text-align:right}"
    "td.serial{white-space:nowrap;font-size:.85em;color:#444}"
    /* a list on a phone: one entry a block, the number beside it */
    "@media (max-width:36em){thead{display:none}table,tbody,tr,td{display:block}"
    "tr{position:relative;padding:.5em 0 .5em 2.4em;border-bottom:1px solid #ddd}"
    "td{padding:0;border:0}td.n{position:absolute;left:0;width:1.9em}"
    "td.who{font-weight:bold}td.unit{color:#444}}"
    "ul{padding-left:1.2em}"
    "a{color:#8b1a1a}";

/* Pages written at once (out_write_batch: one sync of the file system before
 * their renames and one after).  Each sync waits for everything written
 * until then; the province's 130 022 pages took 14.0-16.0 s in batches of
 * 256, 12.3-12.9 s in batches of 8 192 (about 30 MB of pages held). */
#define SITE_BATCH 8192

/* One publish: the programme's words, the key, and what was written. */
struct site {
	struct out_ctx *oc;
	int year;                 /* 0: every year */
	char *issuer;
	char *url;                /* the verification URL pattern */
	char *path;               /* its path, "/v/{payload}" */
	size_t host_len;          /* the length of what comes before the path: "https://host" */
	char *base;               /* the folder of the pages and lists, "/v/" */
	unsigned char *key;       /* NULL: none set */
	size_t keylen;
	char key_id[32];
	char **made;              /* relpaths written or found up to date */
	size_t nmade, capmade;
	struct out_file *batch;   /* SITE_BATCH pages waiting to be written */
	int nbatch;
	int failures, removed, pages, lists;
};

/* ---- HTML ---- */

/* Appends S with the characters HTML gives a meaning escaped. */
static void
html(struct buf *b, const char *s)
{
	for (; s != NULL && *s; s++)
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default: buf_putc(b, *s);
		}
}

/* Opens a page.  No page is for search engines (noindex): the pages are
 * reached from a QR code, and the lists name people with their employers. */
static void
page_open(struct buf *b, const char *title)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"robots\" content=\"noindex\">\n");
	buf_puts(b, "<title>");
	html(b, title);
	buf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", css);
}

static void
page_close(struct buf *b)
{
	buf_puts(b, "</main>\n</body>\n</html>\n");
}

static const struct kind_words *
words_of(const char *kind)
{
	for (size_t i = 0; i < sizeof kind_words / sizeof *kind_words; i++)
		if (kind != NULL && strcmp(kind_words[i].kind, kind) == 0)
			return &kind_words[i];
	return &kind_words[0];
}

/* ---- Where things go ---- */

/* Checks the URL pattern and fills S->path and S->base.  A static site
 * answers a path and nothing else: no query, no fragment, no escapes, and
 * the path must carry the code.  Returns 0, or -1 after a diagnostic. */
static int
url_split(struct site *s)
{
	const char *u = s->url, *p, *why = NULL;
	int said = 0;             /* bits: 1 {payload}, 2 {mac}, 4 {serial} */

	if (u == NULL || *u == '\0') {
		diag(DIAG_SITE_NO_URL, NULL, 0, 0);
		return -1;
	}
	p = strstr(u, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	if (p == NULL)
		why = "it has no path after the host";
	for (const char *q = p; why == NULL && *q; q++) {
		if (*q == '{') {
			static const char *const names[] = {"{payload}", "{mac}", "{serial}"};
			size_t k;
			for (k = 0; k < 3 && strncmp(q, names[k], strlen(names[k])) != 0; k++)
				;
			if (k == 3)
				why = N_("a placeholder other than {payload}, {serial}, {mac}");
			else {
				said |= 1 << k;
				q += strlen(names[k]) - 1;
			}
		} else if (*q == '/') {
			/* no empty, "." or ".." segment: the page stays inside the site */
			const char *e = q + 1;
			size_t n = strcspn(e, "/");
			if ((n == 0 && e[0] == '/') || (n == 1 && e[0] == '.') || (n == 2 && strncmp(e, "..", 2) == 0))
				why = N_("a path segment that is empty, . or ..");
		} else if (!(('a' <= *q && *q <= 'z') || ('A' <= *q && *q <= 'Z') || ('0' <= *q && *q <= '9') ||
		    strchr("-._~", *q) != NULL))
			why = *q == '?' ? N_("a query (?…), which a static site cannot answer") :
			    *q == '#' ? N_("a fragment (#…)") : N_("a character other than letters, digits and - . _ ~");
	}
	if (why == NULL && !(said & 1) && said != 6)
		why = N_("its path does not carry the serial and the code ({payload}, or {serial} and {mac})");
	if (why != NULL) {
		diag(DIAG_SITE_URL, NULL, 0, 0, u, _(why));  /* for the operator: in the user's language */
		return -1;
	}
	s->path = xstrdup(p);
	s->host_len = (size_t)(p - u);
	s->base = xstrndup(p, strcspn(p, "{"));
	*(strrchr(s->base, '/') + 1) = '\0';
	return 0;
}

/* The output path of the page of SERIAL with code MAC; the caller frees. */
static char *
page_rel(const struct site *s, const char *serial, const char *mac)
{
	char *url_path = cert_payload(s->path, serial, mac), *rel;
	size_t n = strlen(url_path);

	while (n > 1 && url_path[n - 1] == '/')
		url_path[--n] = '\0';
	rel = xasprintf("site%s/index.html", url_path);
	free(url_path);
	return rel;
}

/* The output path of the list of AWARD in YEAR; the caller frees. */
static char *
list_rel(const struct site *s, int year, const char *award)
{
	return xasprintf("site%s%d/%s.html", s->base, year, award);
}

static void
made(struct site *s, const char *rel)
{
	s->made = xgrow(s->made, s->nmade, &s->capmade, 256, sizeof *s->made);
	s->made[s->nmade++] = xstrdup(rel);
}

/* Forgets the pages of the batch (written, or left by a failure). */
static void
batch_clear(struct site *s)
{
	for (int i = 0; i < s->nbatch; i++) {
		free(s->batch[i].relpath);
		buf_free(&s->batch[i].data);
	}
	s->nbatch = 0;
}

static void
batch_flush(struct site *s)
{
	if (s->nbatch == 0)
		return;
	s->failures += out_write_batch(s->oc, s->batch, s->nbatch);
	batch_clear(s);
}

/* Writes BODY at REL when FP differs from what is there; PAGE: batched. */
static void
put(struct site *s, const char *rel, struct fingerprint *fp, struct buf *body, int page)
{
	char hex[65];

	fp_add(fp, body->data, body->len);
	fp_done(fp, hex);
	made(s, rel);
	if (!out_needed(s->oc, rel, hex)) {
		out_unchanged(s->oc, rel);
		buf_free(body);
		return;
	}
	if (!page) {
		if (out_write(s->oc, rel, hex, body->data, body->len) != 0)
			s->failures++;
		buf_free(body);
		return;
	}
	s->batch[s->nbatch].relpath = xstrdup(rel);
	memcpy(s->batch[s->nbatch].fingerprint, hex, sizeof hex);
	s->batch[s->nbatch].data = *body;
	s->batch[s->nbatch].in_tmp = 0;
	memset(body, 0, sizeof *body);
	if (++s->nbatch == SITE_BATCH)
		batch_flush(s);
}

/* ---- The pages ---- */

/* A certificate as the store recorded it when it was printed. */
struct cert_row {
	const char *serial, *award, *kind, *fields, *status, *list_title;
	const char *now;          /* the fields it was printed again with; NULL: FIELDS are the current */
	int year;
};

static void
field_row(struct buf *b, const char *name, const char *value)
{
	buf_puts(b, "<dt>");
	html(b, name);
	buf_puts(b, "</dt><dd>");
	html(b, value);
	buf_puts(b, "</dd>\n");
}

/* The fields of FIELDS a page shows, as a <dl>: those of a withdrawn
 * certificate without its recipient and unit (WHO 0). */
static void
field_list(struct site *s, struct buf *b, const struct kind_words *w, const char *fields,
    const char *serial, int who)
{
	char *title = cert_fields_get(fields, "title"), *recipient = cert_fields_get(fields, "recipient");
	char *unit = cert_fields_get(fields, "unit"), *date = cert_fields_get(fields, "date");

	buf_puts(b, "<dl>\n");
	field_row(b, "荣誉称号", title);
	if (who) {
		field_row(b, w->who, recipient);
		if (w->unit_col != NULL && unit != NULL && *unit != '\0')
			field_row(b, w->unit_col, unit);
	}
	field_row(b, "颁发日期", date);
	field_row(b, "证书编号", serial);
	field_row(b, "颁发单位", s->issuer);
	buf_puts(b, "</dl>\n");
	free(title);
	free(recipient);
	free(unit);
	free(date);
}

/* The page of certificate C with code MAC: C's fields are those its code
 * signed; a copy printed before the certificate was printed again (C->now)
 * gets a page that says so, with what both copies print. */
static void
cert_page(struct site *s, const struct cert_row *c, const char *mac)
{
	const struct kind_words *w = words_of(c->kind);
	char *title = cert_fields_get(c->fields, "title");
	char *rel = page_rel(s, c->serial, mac), *heading;
	int active = strcmp(c->status, "active") == 0, earlier = active && c->now != NULL;
	struct fingerprint *fp = fp_new(s->oc);
	struct buf b = {0};

	heading = xasprintf("荣誉证书查验：%s", c->serial);
	page_open(&b, heading);
	buf_puts(&b, "<p class=\"issuer\">");
	html(&b, s->issuer);
	buf_puts(&b, "</p>\n<h1>荣誉证书查验</h1>\n");
	if (earlier)
		buf_puts(&b, "<p class=\"verdict superseded\">本证书为原件，已重新印发</p>\n");
	else if (active)
		buf_puts(&b, "<p class=\"verdict valid\">本证书真实有效</p>\n");
	else
		buf_puts(&b, "<p class=\"verdict withdrawn\">本证书已撤销，不再有效</p>\n");
	field_list(s, &b, w, c->fields, c->serial, active);
	if (earlier) {
		buf_puts(&b, "<h2>重新印发的证书</h2>\n<p>");
		html(&b, s->issuer);
		buf_puts(&b, "此后变更了这份证书的内容，以同一编号重新印发，新证书上印的是：</p>\n");
		field_list(s, &b, w, c->now, c->serial, 1);
		buf_puts(&b, "<h2>本页证明什么</h2>\n<p>本页由");
		html(&b, s->issuer);
		buf_puts(&b, "发布。证书上的二维码指向本页；本页的网址含有一段只有");
		html(&b, s->issuer);
		buf_puts(&b, "才能生成的校验码。扫码打开本页，且上面第一部分与证书一致，即可确认证书是");
		html(&b, s->issuer);
		buf_puts(&b, "印发的原件；证书内容后来有变更，荣誉不变，以重新印发的证书为准。</p>\n"
		    "<p>本页内容与证书不一致，说明证书不是颁发单位印发的原件，请向");
		html(&b, s->issuer);
		buf_puts(&b, "核实。</p>\n");
	} else if (active) {
		buf_puts(&b, "<h2>本页证明什么</h2>\n<p>");
		buf_puts(&b, "本页由");
		html(&b, s->issuer);
		buf_puts(&b, "发布，记载它颁发的这份荣誉证书。证书上的二维码指向本页；本页的网址含有一段只有");
		html(&b, s->issuer);
		buf_puts(&b, "才能生成的校验码。扫码打开本页，且上面的荣誉称号、");
		html(&b, w->who);
		buf_puts(&b, "、单位、日期和编号与证书一致，即可确认证书由");
		html(&b, s->issuer);
		buf_puts(&b, "颁发，内容未经改动。</p>\n<p>扫码后找不到页面，或本页内容与证书不一致，"
		    "说明证书不是颁发单位印发的原件，请向");
		html(&b, s->issuer);
		buf_puts(&b, "核实。</p>\n");
	} else {
		buf_puts(&b, "<h2>本页证明什么</h2>\n<p>编号为");
		html(&b, c->serial);
		buf_puts(&b, "的“");
		html(&b, title);
		buf_puts(&b, "”证书已由");
		html(&b, s->issuer);
		buf_puts(&b, "撤销。持有这份证书不能证明获得了这项荣誉；如有疑问，请向");
		html(&b, s->issuer);
		buf_puts(&b, "核实。</p>\n");
	}
	/* the list of the award, wherever the page is served from */
	buf_printf(&b, "<p class=\"small\"><a href=\"%s%d/", s->base, c->year);
	html(&b, c->award);
	buf_printf(&b, ".html\">%d年度", c->year);
	html(&b, c->list_title);
	buf_puts(&b, "名单</a></p>\n");
	page_close(&b);

	fp_add_str(fp, "site page 1");
	put(s, rel, fp, &b, 1);
	s->pages++;
	free(heading);
	free(rel);
	free(title);
}

/* The list of one award and year, gathered row by row. */
struct list {
	int year;
	char *award, *title, *kind;
	struct buf rows;
	int n;
};

static void
list_add(struct list *l, const struct cert_row *c)
{
	const struct kind_words *w = words_of(l->kind);
	char *recipient = cert_fields_get(c->fields, "recipient"), *unit = cert_fields_get(c->fields, "unit");

	buf_printf(&l->rows, "<tr><td class=\"n\">%d</td><td class=\"who\">", ++l->n);
	html(&l->rows, recipient);
	buf_puts(&l->rows, "</td>");
	if (w->unit_col != NULL) {
		buf_puts(&l->rows, "<td class=\"unit\">");
		html(&l->rows, unit);
		buf_puts(&l->rows, "</td>");
	}
	buf_puts(&l->rows, "<td class=\"serial\">");
	html(&l->rows, c->serial);
	buf_puts(&l->rows, "</td></tr>\n");
	free(recipient);
	free(unit);
}

/* Writes list L, when it has anyone, and empties L. */
static void
list_write(struct site *s, struct list *l)
{
	const struct kind_words *w;
	char *rel, *title;
	struct fingerprint *fp;
	struct buf b = {0};

	if (l->award == NULL)
		return;
	if (l->n > 0) {
		w = words_of(l->kind);
		title = xasprintf("%d年度%s名单", l->year, l->title);
		page_open(&b, title);
		buf_puts(&b, "<p class=\"issuer\">");
		html(&b, s->issuer);
		buf_puts(&b, "</p>\n<h1>");
		html(&b, title);
		buf_printf(&b, "</h1>\n<p>共%d%s。</p>\n<table>\n<thead><tr><th>序号</th><th>%s</th>", l->n,
		    w->counter, w->name_col);
		if (w->unit_col != NULL)
			buf_printf(&b, "<th>%s</th>", w->unit_col);
		buf_puts(&b, "<th>证书编号</th></tr></thead>\n<tbody>\n");
		buf_add(&b, l->rows.data, l->rows.len);
		buf_puts(&b, "</tbody>\n</table>\n<p class=\"small\">名单按地区、姓名排列，已撤销的证书不在其中。"
		    "每份证书上的二维码通向它自己的查验页。</p>\n<p class=\"small\"><a href=\"../index.html\">"
		    "全部名单</a></p>\n");
		page_close(&b);
		rel = list_rel(s, l->year, l->award);
		fp = fp_new(s->oc);
		fp_add_str(fp, "site list 1");
		put(s, rel, fp, &b, 0);
		s->lists++;
		free(rel);
		free(title);
	}
	free(l->award);
	free(l->title);
	free(l->kind);
	buf_free(&l->rows);
	memset(l, 0, sizeof *l);
}

/* Pinyin order of names, as at the ceremony (collation "zh" of SQL). */
static int
zh_compare(void *arg, int na, const void *a, int nb, const void *b)
{
	UErrorCode err = U_ZERO_ERROR;
	UCollationResult r = ucol_strcollUTF8(arg, a, na, b, nb, &err);

	if (U_FAILURE(err)) {
		int c = memcmp(a, b, (size_t)(na < nb ? na : nb));
		return c != 0 ? c : na - nb;
	}
	return r == UCOL_LESS ? -1 : r == UCOL_GREATER;
}

static void
zh_close(void *arg)
{
	ucol_close(arg);
}

/* Whether the key at hand signed every award of the years in scope that
 * carries codes; says which does not.  Returns 0 or -1. */
static int
key_fits(struct site *s)
{
	sqlite3_stmt *st = store_prepare(s->oc->db, "SELECT DISTINCT g.year, g.award, g.key_id "
	    "FROM cert_signing g JOIN certificate c ON c.year = g.year AND c.award = g.award "
	    "WHERE g.key_id <> '' AND c.fields IS NOT NULL AND (?1 = 0 OR g.year = ?1) ORDER BY 1, 2");
	int bad = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, s->year);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int year = sqlite3_column_int(st, 0);
		const char *award = (const char *)sqlite3_column_text(st, 1);
		const char *id = (const char *)sqlite3_column_text(st, 2);
		if (s->key == NULL)
			diag(DIAG_SITE_KEY_MISSING, NULL, 0, 0, year, award);
		else if (strcmp(id, s->key_id) != 0)
			diag(DIAG_SITE_KEY_OTHER, NULL, 0, 0, s->key_id, year, award, id);
		else
			continue;
		bad++;
	}
	sqlite3_finalize(st);
	return bad ? -1 : 0;
}

/* Every certificate printed, with its award's list, in list order. */
static int
pages_and_lists(struct site *s)
{
	sqlite3_stmt *st = store_prepare(s->oc->db,
	    "SELECT c.serial, c.year, c.award, c.recipient_kind, c.fields, c.status, "
	    "  COALESCE(a.title, c.award), COALESCE(g.key_id, '') "
	    "FROM certificate c LEFT JOIN award a ON a.code = c.award "
	    "LEFT JOIN region r ON r.code = c.region "
	    "LEFT JOIN cert_signing g ON g.year = c.year AND g.award = c.award "
	    "WHERE c.fields IS NOT NULL AND (?1 = 0 OR c.year = ?1) "
	    "ORDER BY c.year DESC, COALESCE(a.ord, 1000000), c.award, COALESCE(r.ord, 1000000), "
	    "  c.recipient COLLATE zh, c.serial");
	struct list l = {0};
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, s->year);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cert_row c = {
			.serial = (const char *)sqlite3_column_text(st, 0),
			.year = sqlite3_column_int(st, 1),
			.award = (const char *)sqlite3_column_text(st, 2),
			.kind = (const char *)sqlite3_column_text(st, 3),
			.fields = (const char *)sqlite3_column_text(st, 4),
			.status = (const char *)sqlite3_column_text(st, 5),
			.list_title = (const char *)sqlite3_column_text(st, 6),
		};
		const char *signer = (const char *)sqlite3_column_text(st, 7);

		if (l.award == NULL || l.year != c.year || strcmp(l.award, c.award) != 0) {
			list_write(s, &l);
			l.year = c.year;
			l.award = xstrdup(c.award);
			l.title = xstrdup(c.list_title);
			l.kind = xstrdup(c.kind);
		}
		/* A certificate printed without a code points nowhere: no page. */
		if (*signer != '\0') {
			char mac[32];
			cert_mac(s->key, s->keylen, c.fields, mac);
			cert_page(s, &c, mac);
		}
		if (strcmp(c.status, "active") == 0)
			list_add(&l, &c);
	}
	list_write(s, &l);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(s->oc->db));
		return -1;
	}
	batch_flush(s);
	return 0;
}

/* The pages of the copies handed out before a certificate was printed
 * again with other fields, under the key that signs it now (a copy signed
 * with another key, before --re-sign, has none: its code is no longer
 * the issuer's). */
static int
earlier_pages(struct site *s)
{
	sqlite3_stmt *st = store_prepare(s->oc->db,
	    "SELECT c.serial, c.year, c.award, c.recipient_kind, p.fields, c.status, "
	    "  COALESCE(a.title, c.award), c.fields "
	    "FROM cert_superseded p JOIN certificate c ON c.serial = p.serial "
	    "JOIN cert_signing g ON g.year = c.year AND g.award = c.award AND g.key_id = p.key_id "
	    "LEFT JOIN award a ON a.code = c.award "
	    "WHERE p.key_id = ?2 AND p.key_id <> '' AND c.fields IS NOT NULL AND p.fields <> c.fields "
	    "  AND (?1 = 0 OR c.year = ?1) "
	    "ORDER BY c.serial, p.fields");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, s->year);
	sqlite3_bind_text(st, 2, s->key_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cert_row c = {
			.serial = (const char *)sqlite3_column_text(st, 0),
			.year = sqlite3_column_int(st, 1),
			.award = (const char *)sqlite3_column_text(st, 2),
			.kind = (const char *)sqlite3_column_text(st, 3),
			.fields = (const char *)sqlite3_column_text(st, 4),
			.status = (const char *)sqlite3_column_text(st, 5),
			.list_title = (const char *)sqlite3_column_text(st, 6),
			.now = (const char *)sqlite3_column_text(st, 7),
		};
		char mac[32];

		cert_mac(s->key, s->keylen, c.fields, mac);
		cert_page(s, &c, mac);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(s->oc->db));
		return -1;
	}
	batch_flush(s);
	return 0;
}

/* The index of every list (of every year, whatever S->year is). */
static void
index_page(struct site *s)
{
	struct buf b = {0}, lists = {0};
	char *rel = xasprintf("site%sindex.html", s->base), *title;
	struct fingerprint *fp;
	sqlite3_stmt *st;

	/* every year's lists, also when one year is published */
	st = store_prepare(s->oc->db, "SELECT c.year, c.award, COALESCE(a.title, c.award), "
	    "  min(c.recipient_kind), count(*) "
	    "FROM certificate c LEFT JOIN award a ON a.code = c.award "
	    "WHERE c.fields IS NOT NULL AND c.status = 'active' "
	    "GROUP BY c.year, c.award ORDER BY c.year DESC, COALESCE(a.ord, 1000000), c.award");
	if (st != NULL) {
		int year = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			int y = sqlite3_column_int(st, 0);
			const char *award = (const char *)sqlite3_column_text(st, 1);
			if (y != year) {
				buf_printf(&lists, "%s<h2>%d年度</h2>\n<ul>\n", year ? "</ul>\n" : "", y);
				year = y;
			}
			buf_printf(&lists, "<li><a href=\"%d/", y);
			html(&lists, award);
			buf_puts(&lists, ".html\">");
			html(&lists, (const char *)sqlite3_column_text(st, 2));
			buf_printf(&lists, "</a>（%d%s）</li>\n", sqlite3_column_int(st, 4),
			    words_of((const char *)sqlite3_column_text(st, 3))->counter);
		}
		if (year)
			buf_puts(&lists, "</ul>\n");
		sqlite3_finalize(st);
	} else
		s->failures++;
	title = xasprintf("%s荣誉证书查验", s->issuer);
	page_open(&b, title);
	buf_puts(&b, "<p class=\"issuer\">");
	html(&b, s->issuer);
	buf_puts(&b, "</p>\n<h1>荣誉证书查验</h1>\n<p>扫描荣誉证书上的二维码，即可打开该证书的查验页，"
	    "核对证书的内容。下面是历年获奖名单。</p>\n");
	if (lists.len == 0)
		buf_puts(&b, "<p>暂无获奖名单。</p>\n");
	else
		buf_add(&b, lists.data, lists.len);
	page_close(&b);
	fp = fp_new(s->oc);
	fp_add_str(fp, "site index 1");
	put(s, rel, fp, &b, 0);
	buf_free(&lists);
	free(title);
	free(rel);
}

/* The page a web server gives for an address where no page is (404.html at
 * the root of the site, which static hosts answer with of themselves and
 * nginx with `error_page 404 /404.html;`): a forged or mistyped code, a
 * serial typed by hand.  It is served at any address, so its links are
 * absolute, and it names no one. */
static void
not_found_page(struct site *s)
{
	struct buf b = {0};
	struct fingerprint *fp = fp_new(s->oc);

	page_open(&b, "未找到证书查验页");
	buf_puts(&b, "<p class=\"issuer\">");
	html(&b, s->issuer);
	buf_puts(&b, "</p>\n<h1>荣誉证书查验</h1>\n<p class=\"verdict withdrawn\">未找到这份证书的查验页</p>\n"
	    "<p>这个网址上没有证书查验页。荣誉证书上的二维码，扫码后都会打开该证书自己的查验页；"
	    "证书编号本身不能打开查验页，请扫描二维码，不要手工输入网址。</p>\n"
	    "<p>如果是扫描证书上的二维码来到这里，说明二维码与颁发单位印发的证书不符：证书不是原件，"
	    "或者二维码被改动过。请向");
	html(&b, s->issuer);
	buf_puts(&b, "核实。</p>\n<p class=\"small\"><a href=\"");
	html(&b, s->base);
	buf_puts(&b, "index.html\">历年获奖名单</a></p>\n");
	page_close(&b);
	fp_add_str(fp, "site 404 1");
	put(s, "site/404.html", fp, &b, 0);
}

/* ---- What is no longer given ---- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The year a recorded page or list REL belongs to; 0 when it is none of the
 * current URL's (its pattern changed). */
static int
rel_year(const struct site *s, const char *rel)
{
	size_t nbase = strlen(s->base);
	const char *p = rel + strlen("site");
	char serial[64], mac[64];
	int year = 0, n = 0;

	if (strncmp(p, s->base, nbase) == 0 && sscanf(p + nbase, "%d/%*[^/.].html%n", &year, &n) == 1 &&
	    n > 0 && p[nbase + (size_t)n] == '\0')
		return year;
	/* a page: its URL, back from its path */
	size_t len = strlen(p), tail = strlen("/index.html");
	char *url;

	year = 0;
	if (len <= tail || strcmp(p + len - tail, "/index.html") != 0)
		return 0;
	url = xasprintf("%.*s%.*s", (int)s->host_len, s->url, (int)(len - tail), p);
	if (cert_payload_parse(s->url, url, serial, mac) == 0 && mac[0] != '\0')
		year = atoi(serial);
	free(url);
	return year;
}

/* Removes the recorded files under site/ this publish did not give, within
 * its years (and those of no year: the URL changed). */
static int
remove_stale(struct site *s)
{
	sqlite3 *db = s->oc->db;
	sqlite3_stmt *st = store_prepare(db, "SELECT path FROM document WHERE path LIKE 'site/%' ORDER BY path");
	sqlite3_stmt *del = store_prepare(db, "DELETE FROM document WHERE path = ?1");
	char **gone = NULL;
	size_t ngone = 0;

	if (st == NULL || del == NULL) {
		sqlite3_finalize(st);
		sqlite3_finalize(del);
		return -1;
	}
	qsort(s->made, s->nmade, sizeof *s->made, cmp_str);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *rel = (const char *)sqlite3_column_text(st, 0);
		int year;
		if (bsearch(&rel, s->made, s->nmade, sizeof *s->made, cmp_str) != NULL)
			continue;
		year = rel_year(s, rel);
		if (year != 0 && s->year != 0 && year != s->year)
			continue;
		gone = xrealloc(gone, (ngone + 1) * sizeof *gone);
		gone[ngone++] = xstrdup(rel);
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < ngone; i++) {
		char *path = path_join(s->oc->opts->output_dir, gone[i]), *slash;
		if (unlink(path) != 0 && errno != ENOENT) {
			diag(DIAG_IO_REMOVE, path, 0, 0, strerror(errno));
			s->failures++;
		} else {
			/* a page's folder goes with it (unless something else is there) */
			if ((slash = strrchr(path, '/')) != NULL && strcmp(slash, "/index.html") == 0) {
				*slash = '\0';
				rmdir(path);
			}
			sqlite3_reset(del);
			sqlite3_bind_text(del, 1, gone[i], -1, SQLITE_STATIC);
			if (sqlite3_step(del) != SQLITE_DONE) {
				diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
				s->failures++;
			}
			s->removed++;
		}
		free(path);
		free(gone[i]);
	}
	free(gone);
	sqlite3_finalize(del);
	return 0;
}

int
site_build(struct out_ctx *oc, int year, int *removed)
{
	struct site s = {.oc = oc, .year = year};
	UErrorCode err = U_ZERO_ERROR;
	UCollator *zh = ucol_open("zh", &err);
	int rc = JZ_EXIT_FAILURE, k, nested = 0, tx = 0;
	int built = oc->built, unchanged = oc->unchanged;

	if (U_FAILURE(err) || sqlite3_create_collation_v2(oc->db, "zh", SQLITE_UTF8, zh, zh_compare,
	    zh_close) != SQLITE_OK) {
		diag(DIAG_SITE_COLLATION, NULL, 0, 0);
		if (!U_FAILURE(err))
			ucol_close(zh);
		return JZ_EXIT_FAILURE;
	}
	s.batch = xcalloc(SITE_BATCH, sizeof *s.batch);
	s.issuer = programme_get(oc->db, "issuer", "");
	s.url = programme_get(oc->db, "verify_url", NULL);
	if (url_split(&s) != 0)
		goto done;
	if ((k = cert_key_load(oc->opts->key_file, &s.key, &s.keylen)) < 0)
		goto done;
	cert_key_id(s.key, s.keylen, s.key_id);
	if (key_fits(&s) != 0)
		goto done;
	if (cert_tx_begin(oc->db, &nested) != 0)
		goto done;
	tx = 1;
	if (pages_and_lists(&s) != 0 || earlier_pages(&s) != 0)
		goto done;
	index_page(&s);
	not_found_page(&s);
	if (remove_stale(&s) != 0)
		goto done;
	diag(DIAG_SITE_SUMMARY, NULL, 0, 0, s.pages, s.lists, oc->built - built, oc->unchanged - unchanged,
	    s.removed);
	rc = s.failures ? JZ_EXIT_FAILURE : JZ_EXIT_OK;
done:
	if (tx && cert_tx_end(oc->db, nested, 1) != 0)
		rc = JZ_EXIT_FAILURE;
	if (removed != NULL)
		*removed = s.removed;
	for (size_t i = 0; i < s.nmade; i++)
		free(s.made[i]);
	free(s.made);
	batch_clear(&s);
	free(s.batch);
	free(s.key);
	free(s.issuer);
	free(s.url);
	free(s.path);
	free(s.base);
	/* the collation goes with the connection's next use of the name */
	sqlite3_create_collation_v2(oc->db, "zh", SQLITE_UTF8, NULL, NULL, NULL);
	return rc;
}

int
cmd_publish(const struct jz_opts *o, const struct jz_args *a)
{
	struct out_ctx oc;
	sqlite3 *db;
	int year = 0, rc, removed = 0;

	if (a->argc > 0 && jz_parse_year(a->argv[0], &year) != 0) {
		diag(DIAG_USAGE_YEAR, NULL, 0, 0, "publish", a->argv[0]);
		return JZ_EXIT_USAGE;
	}
	if ((db = store_open_existing(o->db_path, 0, DIAG_STORE_MISSING)) == NULL)
		return JZ_EXIT_FAILURE;
	out_init(&oc, db, o);
	/* pages are written only when what they show changed */
	oc.force = 0;
	rc = site_build(&oc, year, &removed);
	if (rc == JZ_EXIT_OK && !o->quiet)
		printf(ngettext("jingsai publish: %d page written, %d unchanged, %d removed, in %s/site\n",
		    "jingsai publish: %d pages written, %d unchanged, %d removed, in %s/site\n",
		    (unsigned long)oc.built), oc.built, oc.unchanged, removed, o->output_dir);
	store_close(db);
	return rc;
}
