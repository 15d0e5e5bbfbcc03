/* jingsai.h — what every stage shares: run options, diagnostics, memory, buffers, files. */
#ifndef JINGSAI_H
#define JINGSAI_H

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define JZ_VERSION "0.1.0"

/* ---- Messages in the user's language (i18n.c, GNU gettext) ------------
 * _("…") is a message for the terminal, in the locale's language (English
 * in the C locale); N_("…") marks text translated later (the catalogue's
 * formats).  jz_doc_text("…") is the Chinese of a message, whatever the
 * locale, for text that goes into a document.  po/zh_CN.po translates
 * every one; `make test` fails on a message it lacks. */
#include <libintl.h>
#define JZ_TEXTDOMAIN "jingsai"
#define _(msgid) gettext(msgid)
#define N_(msgid) (msgid)
/* Reads the locale from the environment and finds the catalogue (build tree
 * or installed); main() calls it first. */
void jz_i18n_init(void);
/* MSGID's Chinese translation (MSGID itself when the catalogue or the
 * zh_CN.UTF-8 locale is missing, reported once).  Static storage. */
const char *jz_doc_text(const char *msgid);
/* strerror(ERR) in Chinese, whatever the locale, for documents. */
const char *jz_doc_strerror(int err);
/* 0 when jz_doc_text gives Chinese; -1 when the zh_CN.UTF-8 locale is not
 * installed, -2 when the catalogue is not found (i18n.c). */
int jz_doc_available(void);
/* Writers of documents call this first: returns 0 when jz_doc_text gives
 * Chinese, else -1 after a warning (once) that says what to install (diag.c). */
int jz_doc_check(void);

/* Exit statuses (SPEC §7). */
enum jz_exit {
	JZ_EXIT_OK = 0,       /* all good */
	JZ_EXIT_REJECTED = 1, /* done, but some input was rejected */
	JZ_EXIT_USAGE = 2,    /* bad usage */
	JZ_EXIT_FAILURE = 3,  /* I/O, store or font failure */
	JZ_EXIT_LOCKED = 75   /* another run holds the lock */
};

/* The most devices a document is rendered by at once (device.h). */
#define JZ_DEVICES_MAX 4
struct device;

/* Options common to every subcommand; main.c fills them, stages read them. */
struct jz_opts {
	const char *input_dir;     /* submissions; default "input" */
	const char *output_dir;    /* documents; default "output" */
	const char *db_path;       /* the store; default "var/jingsai.db" */
	const char *templates_dir; /* default "templates" */
	const char *fonts_dir;     /* default "fonts" */
	int quiet;                 /* --quiet: errors only */
	int verbose;               /* --verbose: notes too */
	const char *backup_dir;    /* --backup-dir or JINGSAI_BACKUP_DIR; NULL: "backup" beside the store */
	int backups;               /* --backups or JINGSAI_BACKUPS: generations kept; 0: the default */
	int new_register;          /* --new-register: number certificates afresh although
	                            * certificates on disk are unknown to the store */
	/* The environment, read once by main.c (nothing else calls getenv): */
	const char *key_file;      /* JINGSAI_KEY_FILE: the certificate key; NULL (or empty) when unset */
	const char *source_date_epoch; /* SOURCE_DATE_EPOCH as given (it also fixes jz_now); NULL when unset */
	int timing;                /* JINGSAI_TIMING set: say where the time goes (make bench) */
	/* --device LIST, --dump: the devices that render each document, in
	 * order; none (ndevices 0): the first of the table, PDF */
	const struct device *devices[JZ_DEVICES_MAX];
	int ndevices;
};

/* ---- Diagnostics (diag.c) ---------------------------------------------
 * One catalogue of codes (diagnostics.def), one printing function, and the
 * worst level seen decides the exit status.  Printed as
 * "FILE:LINE:COLUMN: error: message" so editors and CI can jump to it.
 * The message is in the locale's language; the severity word stays
 * error / warning / note / fatal in every locale, since that is what
 * editors, CI and a grep of the log look for.  A format may end in a second
 * line, after "\n", for the operator (where in programme.xml, a template or
 * the store to look); it takes no arguments, is printed as a note under the
 * message and never goes into a document. */

enum diag_level { DIAG_NOTE, DIAG_WARNING, DIAG_ERROR, DIAG_FATAL };

enum diag_code {
#define D(code, level, fmt) code,
#include "diagnostics.def"
#undef D
	DIAG__COUNT
};

/* A diagnostic as delivered to a sink. */
struct diag_msg {
	enum diag_code code;
	enum diag_level level;
	const char *file;  /* may be NULL */
	long line, column; /* 0 when unknown */
	const char *text;  /* formatted message, in the locale's language */
	const char *doc_text; /* the same in Chinese, for documents (receipts, appendix) */
	const char *hint;  /* the operator's second line, or NULL */
};

/* Report CODE at FILE:LINE:COLUMN with the catalogue's format and the
 * arguments.  Printed to stderr (unless a sink is installed) and counted. */
void diag(enum diag_code code, const char *file, long line, long column, ...);
void vdiag(enum diag_code code, const char *file, long line, long column, va_list ap);

/* A sink sees every diagnostic after it is counted; returns nothing.  With a
 * sink installed nothing is printed by diag() itself unless the sink prints.
 * Pass NULL to restore printing.  Returns the previous sink. */
typedef void (*diag_sink_fn)(const struct diag_msg *msg, void *arg);
void diag_set_sink(diag_sink_fn fn, void *arg, diag_sink_fn *old_fn, void **old_arg);
/* The sink that drops what it sees: for a first, quiet reading of what is
 * read again for real later (and reported then). */
void diag_discard(const struct diag_msg *msg, void *arg);
/* Print MSG the standard way to FP. */
void diag_print(FILE *fp, const struct diag_msg *msg);
/* Hands MSG, counted already, to the sink, or prints it as diag() does. */
void diag_deliver(const struct diag_msg *msg);

/* Counters since start (or since diag_reset). */
int diag_count(enum diag_level level);
enum diag_level diag_worst(void); /* DIAG_NOTE when nothing was reported */
void diag_reset(void);
void diag_set_verbosity(int quiet, int verbose);
const char *diag_level_name(enum diag_level level);
/* The sheet of a workbook being read: every diagnostic ends with it, in
 * brackets and in its language ("(sheet 参与情况)", "（工作表“参与情况”）"),
 * until set to NULL again.  Not copied. */
void diag_set_context(const char *sheet);
/* Diagnostics held back while work that must be reported first goes on
 * elsewhere (print.pdf, made beside the single files it precedes):
 * diag_hold installs a sink that keeps every diagnostic, counted, in
 * order; diag_unhold puts the sink before it back (what comes now is
 * reported at once); diag_release does that if not done and hands that
 * sink what was kept, as if reported only now, then frees H. */
struct diag_held;
/* The diagnostics of the calling thread go to FN alone, uncounted, until
 * it is set to NULL again (the other threads' go on as before): a thread
 * that tries a fast way, given up at the first thing said. */
void diag_set_thread_sink(diag_sink_fn fn, void *arg);
struct diag_held *diag_hold(void);
void diag_unhold(struct diag_held *h);
void diag_release(struct diag_held *h);

/* ---- Memory (util.c): out of memory aborts here, so callers stay clean. -- */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Room for one more element in the array P of SIZE-byte elements that holds
 * N of *CAP: when it is full, *CAP doubles (is FIRST the first time) and P
 * is reallocated.  Returns P, moved or not. */
void *xgrow(void *p, size_t n, size_t *cap, size_t first, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- Growable byte buffer, always NUL-terminated after buf_* calls. ---- */
struct buf {
	char *data;
	size_t len, cap;
};
void buf_add(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, int c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends S (NULL reads as empty) as one CSV field (RFC 4180): quoted, with
 * inner quotes doubled, when it holds a comma, quote or line break. */
void buf_csv_field(struct buf *b, const char *s);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

/* ---- String map (util.c): strings to longs, open addressing on a 64-bit
 * FNV-1a hash.  A key shorter than 23 bytes (credit codes, project ids,
 * region codes) sits in its slot, so that most lookups read one slot and no
 * other memory.  Zero-initialised is empty. ---- */
struct strmap_slot;
struct strmap {
	struct strmap_slot *slot;
	size_t cap, n;  /* cap: a power of two, at least 1.5 n */
};
/* 1 when KEY is there (its value in *VALUE when VALUE is not NULL), else 0. */
int strmap_get(const struct strmap *m, const char *key, long *value);
/* Adds KEY (copied) with VALUE and returns 1; when KEY is there already,
 * keeps its value and returns 0. */
int strmap_add(struct strmap *m, const char *key, long value);
void strmap_free(struct strmap *m);

/* ---- Files ---- */
/* Reads the whole of PATH into OUT (appending).  Returns 0, or -1 with errno set. */
int file_read_all(const char *path, struct buf *out);
/* Creates DIR and its parents; returns 0 or -1 with errno set. */
int mkdir_p(const char *dir);
/* Writes DATA to PATH atomically: temporary file in the same folder, fsync,
 * rename, fsync of the folder.  Creates missing folders.  Returns 0 or -1
 * with errno set; PATH is then untouched. */
int atomic_write(const char *path, const void *data, size_t len);
/* Same, but only when the content differs from what PATH holds now.
 * Returns 1 when written, 0 when unchanged, -1 on error. */
int atomic_write_if_changed(const char *path, const void *data, size_t len);
/* Writes all LEN bytes of DATA to FD, retrying after EINTR and short
 * writes.  Returns 0, or -1 with errno set. */
int write_full(int fd, const void *data, size_t len);
/* Joins A and B with one '/'; the caller frees the result. */
char *path_join(const char *a, const char *b);

/* Appends LEN bytes of DATA to OUT as a zlib stream (PDF's /FlateDecode),
 * compressed as tightly as deflate level 9.  libdeflate, not zlib: on the
 * few kilobytes of a font subset or a page it is ten times quicker, since
 * zlib readies and clears a quarter megabyte of state for every stream.
 * Thread-safe.  Returns 0, or -1 when out of memory. */
int buf_deflate(struct buf *out, const void *data, size_t len);

/* SHA-256 of DATA as 64 lowercase hex digits plus NUL in OUT. */
void sha256_hex(const void *data, size_t len, char out[65]);

/* ---- UTF-8 ---- */
/* Decodes one code point at S (LEN bytes left); stores its byte length in
 * *ADV.  Returns the code point, or -1 for an invalid sequence (then *ADV is 1). */
long utf8_decode(const unsigned char *s, size_t len, int *adv);
/* Appends code point CP as UTF-8. */
void utf8_encode(struct buf *b, long cp);
/* Returns 1 when the LEN bytes at S are valid UTF-8; else 0 and the offset of
 * the first bad byte in *BAD (when BAD is not NULL). */
int utf8_valid(const char *s, size_t len, size_t *bad);
/* A file name as it may be printed and stored: S itself when every
 * character of it is printable UTF-8; else a copy with each byte that is
 * not UTF-8 and each control character as \xHH, each other unprintable
 * character (format, private use, unassigned, separators) as \u{XXXX}, and
 * a backslash doubled.  A name never gets a line break or a terminal
 * control into a diagnostic, the log, the store or a report this way.  The
 * caller frees the result. */
char *jz_escape_name(const char *s);
/* The line and column (in characters, from 1) of AT in the text from BASE. */
void jz_text_position(const char *base, const char *at, long *line, long *col);
/* Templates are UTF-8: reports the first byte of the LEN bytes at DATA that
 * is not, as CODE (a diagnostic of one "%s") at its line and column in
 * PATH, with what to do.  Returns 0 when all are UTF-8, else -1. */
int template_utf8_check(const char *path, const char *data, size_t len, enum diag_code code);

/* Reads S as a whole year of a command line (1900-2999) into *YEAR.
 * Returns 0, or -1 when S is anything else. */
int jz_parse_year(const char *s, int *year);

/* Seconds since the epoch to use for "now" in documents: the moment
 * jz_clock_fix set (main.c: SOURCE_DATE_EPOCH), else the current time.
 * Documents are dated by their data (the report's year, the bulletin's
 * issue, the ceremony); only what a template asks for as today, and a
 * bulletin number issued today, read it. */
long long jz_now(void);
/* Fixes jz_now at EPOCH for the rest of the process; a negative EPOCH leaves
 * the system clock.  jz_clock_fixed says whether it is fixed. */
void jz_clock_fix(long long epoch);
int jz_clock_fixed(void);
/* SOURCE_DATE_EPOCH's form, S: a whole number of seconds, 0 or more.
 * Returns it, or -1 when S is NULL or anything else. */
long long jz_epoch_parse(const char *s);

/* Time zones, by IANA name ("Asia/Shanghai"; programme.xml's <time-zone>,
 * by default JZ_DEFAULT_ZONE): every document date is a date in the one
 * zone of the programme.  ZONE NULL means the default. */
#define JZ_DEFAULT_ZONE "Asia/Shanghai"
/* 1 when ZONE is a time zone the system knows, else 0. */
int jz_zone_valid(const char *zone);
/* The calendar date in ZONE at T (seconds since the epoch) into *Y, *M, *D.
 * Returns 0, or -1 when ZONE is unknown. */
int jz_zone_date(long long t, const char *zone, int *y, int *m, int *d);
/* Seconds since the epoch at 00:00 of Y-M-D in ZONE, or -1 when ZONE is unknown. */
long long jz_zone_midnight(int y, int m, int d, const char *zone);

/* ---- Interruption (util.c) ----
 * The signal (SIGINT, SIGTERM or SIGHUP) that asked the program to stop, or
 * 0.  Long loops look at it between whole steps (a file ingested, a group of
 * documents built, a document written) and stop there, so that the store
 * and the documents stay whole; a second signal ends the program at once. */
extern volatile sig_atomic_t jz_interrupted;
/* Installs the handlers that set jz_interrupted. */
void jz_catch_interrupts(void);
/* Removes the temporary files ("NAME.tmp.PID", PID this process) that this
 * process (or its workers) left under DIR. */
void jz_remove_own_temporaries(const char *dir);

/* V rounded half away from zero to DECIMALS places (0-6), as the decimal it
 * stands for is rounded by hand and by SQLite's round(): 13.8585 * 100 is
 * 1385.85 here (it is 1385.8499999999999 as a double, which printf's %.1f
 * takes down to 1385.8), 2.675 is 2.68, -2.5 is -3. */
double jz_round_half(double v, int decimals);

/* Seconds on a monotonic clock, and processor seconds of the process, for
 * timing notes and progress rates. */
double jz_wall_seconds(void);
double jz_cpu_seconds(void);
double jz_thread_cpu_seconds(void);  /* of the calling thread */

#endif
