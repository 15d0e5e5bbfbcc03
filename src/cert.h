/* cert.h — the certificate stage, shared by its files: who receives what
 * (cert_award.c), serials (cert_serial.c), keyed codes and verification
 * (cert_sign.c), templates (cert_template.c) and drawing (cert_render.c).
 * cert.c holds the commands. */
#ifndef CERT_H
#define CERT_H

#include <qrencode.h>
#include <sqlite3.h>

#include "jingsai.h"
#include "programme.h"

struct doc;

/* A row of the award table (programme.xml). */
/* One certificate: a recipient of an award in a year. */
struct cert_rec {
	int year;
	const struct prog_award *award; /* borrowed from the set */
	char *recipient;       /* person, unit or team name as printed */
	char *credit_code;     /* the unit's 统一社会信用代码 */
	char *kind;            /* person | unit | team */
	char *gender;          /* 男 | 女 | NULL */
	char *unit;            /* the enterprise's name; NULL when unknown */
	char *region;          /* the enterprise's region code; NULL when unknown */
	int region_ord;        /* region order; a large number when unknown */
	char *source;          /* what named it: "awards", "top-ten", "skills", joined by "," */
	char *file;            /* where the awards row came from; NULL for derived awards */
	long line;
	int seen;              /* order of gathering, for de-duplication */
	char *serial;          /* YYYY-AWARD-NNNN, after cert_serials_assign */
	char *fields;          /* the printed fields, as signed; after cert_fields */
	char mac[32];          /* base64url of the truncated HMAC, "" without a key */
};

/* A recipient whose credit code names no known enterprise, reported after
 * the build (the nightly run reports it only when it rebuilt something). */
struct cert_unknown_unit {
	char *file;
	long line;
	char *credit_code, *recipient;
};

/* The awards of the programme and the certificates of one build. */
struct cert_set {
	struct cert_unknown_unit *unknown; /* credit codes without enterprise */
	int nunknown;
	struct prog_award *awards;
	int nawards;
	const struct prog_award *top_ten; /* the award the rules of SPEC §4 give (award_rule): */
	const struct prog_award *skills;  /* first completers of the top ten, city contest winners; NULL: none */
	struct cert_rec *recs;
	int nrecs;
	size_t caprecs;
	int errors;            /* rows rejected while gathering */
};

/* ---- cert_award.c ---- */
/* Loads the award table and the awards its rules give into SET.  Returns 0,
 * or -1 after a diagnostic. */
int cert_awards_load(sqlite3 *db, struct cert_set *set);
/* The award CODE of SET, or NULL. */
const struct prog_award *cert_award_find(const struct cert_set *set, const char *code);
/* Gathers the certificates of YEAR (only award AWARD when not NULL): the
 * awards rows plus the derived awards of SPEC §4, one per person (name +
 * credit code), award and year.  A row whose recipient kind or gender does
 * not fit its award is reported at its file and line, counted in
 * set->errors and left out.  Returns 0, or -1 on a store failure. */
int cert_gather(sqlite3 *db, int year, const char *award, struct cert_set *set);
/* Sorts SET's certificates into ceremony order: award order, then region
 * order, then name (pinyin collation of ICU's zh). */
void cert_sort_ceremony(struct cert_set *set);
void cert_set_free(struct cert_set *set);
/* Reports SET's recipients whose unit is unknown (warnings). */
void cert_report_unknown_units(const struct cert_set *set);

/* ---- cert_serial.c ---- */
/* A transaction of the certificate stage: BEGIN IMMEDIATE, or a savepoint
 * when the caller (the nightly run) already holds one.  cert_tx_end commits
 * when OK, else rolls back.  Return 0, or -1 after a diagnostic. */
int cert_tx_begin(sqlite3 *db, int *nested);
int cert_tx_end(sqlite3 *db, int nested, int ok);
/* Gives every certificate of SET its serial, in one store transaction:
 * the serial recorded for (year, award, recipient, credit code) when there
 * is one (reactivated if it was withdrawn), else the next number of that
 * award and year.  Recorded certificates of YEAR (of AWARD when not NULL)
 * that SET no longer has are marked withdrawn and reported (warning); their
 * serials are never given again.  REPORT_ALL: also report the ones
 * withdrawn earlier.  Returns 0, or -1 after a diagnostic (nothing changed). */
int cert_serials_assign(sqlite3 *db, int year, const char *award, struct cert_set *set,
    int report_all);
/* The register protects itself: before any serial of YEAR is given, the
 * manifests of YEAR already on disk under OUTPUT_DIR (manifest.csv and
 * stock/manifest.csv) must agree with the store, each serial listed there
 * known to it for the same award and recipient (a manifest the store wrote
 * and whose metadata has not moved since agrees, unread).  When they do not (the
 * store was lost, or replaced by another), numbering afresh would give
 * printed serials to other people: reports the first disagreement and what
 * to do (restore the store from a backup of DB_PATH, or --new-register)
 * and returns -1; NEW_REGISTER: warns instead and returns 0.  Returns 0
 * when they agree or there is no manifest. */
int cert_register_check(sqlite3 *db, const char *db_path, const char *output_dir, int year,
    int new_register);
/* Records each certificate's printed fields.  Returns 0 or -1. */
int cert_fields_store(sqlite3 *db, const struct cert_set *set);
/* Keeps, in table cert_superseded, the fields the certificates R[0..N)
 * were signed with under KEY_ID where they are about to be recorded with
 * others (the copies handed out still carry their codes), and warns once
 * per certificate, naming what changed.  Returns 0, or -1 after a
 * diagnostic. */
int cert_fields_supersede(sqlite3 *db, const struct cert_rec *r, int n, const char *key_id);
/* The id of the key that signed the certificates of AWARD in YEAR ("" for
 * printed without codes) into ID; returns 1, or 0 when none is recorded,
 * or -1 after a diagnostic. */
int cert_signing_get(sqlite3 *db, int year, const char *award, char id[32]);
/* Records ID as that key.  Returns 0, or -1 after a diagnostic. */
int cert_signing_set(sqlite3 *db, int year, const char *award, const char *id);

/* ---- cert_sign.c ---- */
/* The key in the file PATH (the options' key_file: $JINGSAI_KEY_FILE).
 * Returns 1 with *KEY (caller frees) and *LEN set, 0 when PATH is NULL or
 * empty, -1 after a diagnostic when the file cannot be read or is too short. */
int cert_key_load(const char *path, unsigned char **key, size_t *len);
/* The canonical printed fields that are signed; the caller frees. */
char *cert_fields_make(const char *serial, const char *title, const char *recipient,
    const char *unit, const char *date);
/* Reads field NAME ("recipient") of FIELDS; the caller frees; NULL when absent. */
char *cert_fields_get(const char *fields, const char *name);
/* HMAC-SHA256 of FIELDS under KEY, first 16 bytes, base64url without
 * padding (22 characters) into OUT. */
void cert_mac(const unsigned char *key, size_t keylen, const char *fields, char out[32]);
/* The id of KEY (a MAC of a fixed text: it tells keys apart and gives
 * nothing of the key away) into OUT; KEY NULL: "" (no key). */
void cert_key_id(const unsigned char *key, size_t keylen, char out[32]);
/* The QR payload: PATTERN with {serial} and {mac} replaced, and {payload}
 * by SERIAL.MAC (pattern NULL or empty: "{payload}"); the caller frees. */
char *cert_payload(const char *pattern, const char *serial, const char *mac);
/* Splits TEXT (a serial, a payload or URL of PATTERN) into SERIAL and MAC
 * (MAC "" when TEXT is a bare serial).  Returns 0, or -1 when TEXT is
 * neither: a payload whose code is empty is not one. */
int cert_payload_parse(const char *pattern, const char *text, char serial[64], char mac[64]);
/* A code as cert_mac writes it: 22 characters of base64url. */
#define CERT_MAC_CHARS 22
/* 1 when MAC has the form of a code (CERT_MAC_CHARS of base64url), else 0. */
int cert_mac_form(const char *mac);
/* 1 when the code GIVEN is WANT; compared in constant time. */
int cert_mac_equal(const char *want, const char *given);
/* 1 when S has the form YYYY-AWARD-NNNN. */
int cert_serial_valid(const char *s);

/* ---- cert_template.c ---- */
enum cert_elem_kind { CE_RECT, CE_LINE, CE_CIRCLE, CE_TEXT, CE_QR };

/* One element of a template: a background shape, a text box or the QR code. */
struct cert_elem {
	enum cert_elem_kind kind;
	long line;             /* in the template file */
	double x, y, w, h;     /* mm; line: x, y to w (x2), h (y2); circle: centre x, y, radius w */
	double width_pt;       /* stroke width; 0 = none */
	unsigned stroke;       /* 0xRRGGBB */
	long fill;             /* 0xRRGGBB or -1 */
	char *text;            /* text with {placeholders} */
	char *role;            /* font role */
	double size_pt;
	int align;             /* enum align */
	int flags;             /* BOX_* */
	int bold;
	double letter_spacing_pt;
	int variable;          /* printed in --stock mode */
};

struct cert_template {
	char *path;
	char *bytes;           /* the file as read, for fingerprints */
	size_t nbytes;
	double page_w, page_h; /* mm */
	int month, day;        /* ceremony date in the award year */
	double offset_x, offset_y; /* default stock offset, mm */
	struct cert_elem *elems;
	int nelems;
};

/* Reads the template at PATH.  Returns NULL after diagnostics at its lines. */
struct cert_template *cert_template_load(const char *path);
/* The template of award A under DIR: the file programme.xml names, or the
 * default template of A's recipient kind (cert-default-person.xml, -unit,
 * -team) when it names none.  Returns NULL
 * after a diagnostic; *MISSING is 1 when the file is not there (reported
 * with the award, the file and how to make it). */
struct cert_template *cert_template_of(const char *dir, const struct prog_award *a, int *missing);
void cert_template_free(struct cert_template *t);

/* ---- cert_render.c ---- */
/* What the placeholders of a certificate stand for. */
struct cert_qr_batch;
struct cert_values {
	const char *recipient, *unit, *title, *issuer, *programme, *date, *serial;
	const char *payload;   /* QR payload; NULL: no QR */
	const QRcode *qr;      /* its code; NULL: from QR_BATCH, or encoded when drawn */
	struct cert_qr_batch *qr_batch;  /* where code QR_INDEX is being made */
	int qr_index;
	int report_fit;        /* warn of text too long for its box (once per certificate:
	                        * the print.pdf pass, not again for the single files) */
};
/* Starts encoding the N PAYLOADS (NULL entries stay NULL) into QR[0..N),
 * one thread a core, while the caller goes on. */
struct cert_qr_batch *cert_qr_start(const char *const *payloads, QRcode **qr, int n);
/* Code I of B, made here when no thread has begun it, else waited for;
 * NULL when it could not be made. */
QRcode *cert_qr_get(struct cert_qr_batch *b, int i);
/* The same as a doc_qr_fetch for doc_qr_later (ARG: the batch). */
const unsigned char *cert_qr_fetch(void *arg, int i, int *width);
/* Waits for every code of B and frees B; the codes stay in QR (free each
 * with QRcode_free).  Gives the times in *TM.  Returns the number that
 * could not be encoded (after a diagnostic each). */
struct cert_qr_times {
	double wall;             /* from the start to the last code made */
	double cpu_threads;      /* processor time of the threads */
	double cpu_here;         /* of the caller making codes in cert_qr_get */
	int threads;
};
int cert_qr_finish(struct cert_qr_batch *b, struct cert_qr_times *tm);
/* Whether E prints what changes from one certificate of an award to the
 * next (recipient, unit, serial, QR code). */
int cert_elem_varies(const struct cert_elem *e);
/* Substitutes {recipient} {unit} {title} {issuer} {programme} {date}
 * {serial} {year} in TEXT; the caller frees. */
char *cert_expand(const char *text, const struct cert_values *v);
/* Draws, as a shared block of D, what every certificate of T prints alike
 * (border, fixed wording, award, issuer, date; with STOCK only the variable
 * fields among them), from the values V of any certificate of the award.
 * Returns the block's number for cert_draw, or -1 when there is none.
 * LABEL names the certificates in messages about characters no font has. */
int cert_draw_shared(struct doc *d, const struct cert_template *t, const struct cert_values *v,
    int stock, double dx, double dy, const char *label);
/* Draws one certificate as a new page of D.  STOCK: only the variable
 * fields, shifted by DX, DY mm.  LABEL names the certificate in messages
 * about characters no font has.  BLOCK: from cert_draw_shared on D with
 * the same T, STOCK, DX, DY, which it draws instead of those elements;
 * -1: every element drawn on the page. */
void cert_draw(struct doc *d, const struct cert_template *t, const struct cert_values *v,
    int stock, double dx, double dy, const char *label, int block);
/* Renders item I into OUT: 0, or -1 after a diagnostic. */
typedef int (*cert_render_fn)(void *arg, int i, struct buf *out);
/* Takes item I: STATUS from the render function (-1 also when its worker
 * was lost; DATA NULL then).  It may take DATA's bytes over, leaving DATA
 * empty; what is left is freed after the call. */
typedef void (*cert_take_fn)(void *arg, int i, int status, struct buf *data);
/* Runs RENDER for items 0 .. N-1 in worker processes, one per core (in
 * this process when there is one core or few items), and calls TAKE here
 * for each in order; the diagnostics a worker made for an item are
 * reported here just before it.  RENDER must touch nothing but its item
 * (no store, no files).  Returns how many items were lost with a worker
 * (after a diagnostic). */
int cert_par_render(int n, cert_render_fn render, cert_take_fn take, void *arg);
/* A document made beside the N of cert_par_render_beside, by a worker of
 * its own, so that every core stays busy (print.pdf, a page at a time,
 * while the single files are made).  FN must touch nothing but its own
 * document (no store); KEEP_FD is a file it writes, kept open for it. */
struct cert_side {
	int (*fn)(void *arg, struct buf *out); /* 0, or -1 after a diagnostic */
	void *arg;
	int keep_fd;             /* -1: none */
	int status;              /* filled in: FN's return, -1 when its worker was lost */
	struct buf out;          /* filled in: what FN put in OUT (the caller frees) */
	double cpu;              /* filled in: FN's processor time, seconds */
};
/* cert_par_render with SIDE made at the same time (first, in this process,
 * when there is one core).  SIDE's diagnostics are reported before any
 * made here meanwhile (those of the items held back until it is done), as
 * if SIDE had been made first. */
int cert_par_render_beside(int n, cert_render_fn render, cert_take_fn take, void *arg,
    struct cert_side *side);
/* Processor time of the finished worker processes so far, seconds. */
double cert_par_cpu_seconds(void);
/* Draws the calibration page of T (millimetre grid, crosshairs at the
 * variable fields shifted by DX, DY) as a new page of D. */
void cert_draw_calibration(struct doc *d, const struct cert_template *t, double dx, double dy);

#endif
