/* outputs.h — writing documents under output/: fingerprints of their inputs,
 * atomic writes, and the record in the store's `document` table.
 *
 * A document builder gathers everything the document is made from (template
 * bytes, query results, the font set) into a fingerprint first; when the
 * store records the same fingerprint and the file is still there untouched,
 * the document is not rebuilt.  Whether it is still there untouched is told
 * by its size, times and inode as written (filestat.h), its bytes read only
 * when those moved. */
#ifndef OUTPUTS_H
#define OUTPUTS_H

#include <sqlite3.h>

#include "jingsai.h"

struct doc;

struct out_ctx {
	sqlite3 *db;                /* the store (read-write) */
	const struct jz_opts *opts;
	/* what renders each document, one file each: opts' devices, or the
	 * PDF device when opts names none */
	const struct device *devices[JZ_DEVICES_MAX];
	int ndevices;
	int force;                  /* 1: build even when the fingerprint is unchanged */
	char base[65];              /* fingerprint of the program, fonts and programme; mixed into every document's */
	int built, unchanged, failed; /* counters for the run summary: written, left as they were, not written */
	void (*progress)(void *arg, const char *relpath); /* called after each document, may be NULL */
	void *progress_arg;
	sqlite3 *figures;           /* read-only, with the agg_* figures of every year (aggregate.h):
	                             * made by the first annual report built, kept for the others */
};

/* Fills OC for OPTS and DB, computing the base fingerprint (program version,
 * fonts/ folder listing and roles, the devices unless only the PDF one). */
void out_init(struct out_ctx *oc, sqlite3 *db, const struct jz_opts *opts);

/* The file that says process PID may leave temporary files under output/
 * (made before its first one, removed when it exits normally): beside the
 * store DB_PATH.  The caller frees. */
char *out_writing_mark(const char *db_path, long pid);

/* Releases what OC keeps between documents (not the store). */
void out_close(struct out_ctx *oc);

/* The output context of a command that makes documents (annual, bulletin,
 * certificates): the store at OPTS->db_path opened, OC filled for it
 * (out_init), every document written anew (force).  Returns 0, or -1
 * after a diagnostic (the store cannot be opened). */
int out_begin(struct out_ctx *oc, const struct jz_opts *opts);
/* Ends what out_begin began: what OC keeps released (out_close), the store
 * backed up when it changed and closed (store_finish).  Returns the
 * command's STATUS, or JZ_EXIT_FAILURE when that is worse and the store
 * could not be finished. */
int out_end(struct out_ctx *oc, int status);

/* A fingerprint being gathered. */
struct fingerprint;
struct fingerprint *fp_new(const struct out_ctx *oc); /* starts with oc->base */
void fp_add(struct fingerprint *fp, const void *data, size_t len);
void fp_add_str(struct fingerprint *fp, const char *s);   /* with its NUL, so "a","b" ≠ "ab" */
void fp_add_file(struct fingerprint *fp, const char *path); /* the file's bytes, or its absence */
/* Adds every row of SQL's result (all columns, as text) — what a document reads. */
int fp_add_query(struct fingerprint *fp, sqlite3 *db, const char *sql);
/* The same for ST, prepared and bound by the caller; steps and finalizes it.
 * Returns 0, or -1 after a diagnostic. */
int fp_add_stmt(struct fingerprint *fp, sqlite3_stmt *st);
/* Finishes into HEX and frees FP. */
void fp_done(struct fingerprint *fp, char hex[65]);

/* 1 when output/RELPATH must be (re)built for FINGERPRINT: forced, no record,
 * another fingerprint, or the file missing or changed since written. */
int out_needed(struct out_ctx *oc, const char *relpath, const char *fingerprint);
/* The number of documents recorded under FOLDER ("certificates/2025/")
 * when every one is still there as written, else -1.  Reads a file only
 * when its metadata moved since it was written. */
long out_folder_intact(struct out_ctx *oc, const char *folder);
/* Writes DATA atomically at output/RELPATH (temporary file in the same
 * folder, fsync, rename: a crash leaves the old file or the new one), then
 * records FINGERPRINT and the file's sha256.  Counts it as built, or as
 * unchanged when the file already held exactly these bytes (then it is not
 * touched).  Returns 0, or -1 after a diagnostic. */
int out_write(struct out_ctx *oc, const char *relpath, const char *fingerprint,
    const void *data, size_t len);
/* A document for out_write_batch. */
struct out_file {
	char *relpath;              /* under output/ */
	char fingerprint[65];
	struct buf data;            /* the bytes to write */
	int in_tmp;                 /* 1: out_write_temp already wrote them, owner this process */
};
/* Writes DATA into the temporary file out_write_batch of process OWNER
 * (a pid) would write for output/RELPATH, so that another process (a
 * worker forked by OWNER) can do that part of the work; OWNER then passes
 * the file with in_tmp set.  Touches neither the store nor OC.  Returns 0,
 * or -1 after a diagnostic. */
int out_write_temp(const struct out_ctx *oc, const char *relpath, long owner, const void *data,
    size_t len);
/* Writes the N documents FILES like out_write, but makes them durable
 * together, which is what a thousand certificates need: each goes to a
 * temporary file, then one sync of the file system, then each is renamed
 * into place and each folder synced once (the file system once more when
 * the files are in many folders).  A crash leaves every file either
 * as it was or complete.  Documents whose bytes are already there are only
 * recorded.  Returns the number that failed (0 when all went well), each
 * after a diagnostic.  FILES stay the caller's. */
int out_write_batch(struct out_ctx *oc, struct out_file *files, int n);

/* A document written as it is made (a print file of thousands of pages):
 * into the temporary file out_write would use, hashed on the way, so that
 * it is never held in memory whole.  out_stream_open returns NULL after a
 * diagnostic; out_stream_write (a pdfw_sink) returns 0 or -1 (diagnostic
 * at close).  out_stream_close puts the file in place and records it as
 * out_write does (when the file there already holds these bytes it stays
 * as it is); with FAILED set (the caller could not make the document) or
 * after a write failed (then counted as failed), it removes the temporary
 * file.  It frees S either way and returns 0, or -1. */
struct out_stream;
struct out_stream *out_stream_open(struct out_ctx *oc, const char *relpath);
int out_stream_write(void *s, const void *data, size_t len);
int out_stream_close(struct out_ctx *oc, struct out_stream *s, const char *fingerprint,
    int failed);
/* A stream written by another process (a worker forked after
 * out_stream_open, writing to the same file, out_stream_fd): the worker
 * ends its writing with out_stream_seal (flushed, synced unless FAILED,
 * hashed; what the opener needs added to SEAL, a few bytes to send back),
 * the opener takes that with out_stream_unseal (a SEAL that did not come
 * whole counts as a failed write) before out_stream_close. */
int out_stream_fd(const struct out_stream *s);
void out_stream_seal(struct out_stream *s, int failed, struct buf *seal);
void out_stream_unseal(struct out_stream *s, const struct buf *seal);

/* Counts a document found up to date (calls the progress hook). */
void out_unchanged(struct out_ctx *oc, const char *relpath);

/* ---- A document as the devices of OC render it ----------------------------
 * One file per device, output/RELBASE plus the device's suffix:
 * "annual/2025/city" is written as annual/2025/city.pdf, and with the dump
 * device also as annual/2025/city.dump. */
struct out_doc {
	int n;                               /* the devices of OC */
	char *relpath[JZ_DEVICES_MAX];       /* RELBASE + the suffix of device i (owned) */
	struct buf data[JZ_DEVICES_MAX];     /* what device i rendered */
};
/* Names the files of document RELBASE for the devices of OC; free with out_doc_free. */
void out_doc_init(struct out_doc *od, const struct out_ctx *oc, const char *relbase);
void out_doc_free(struct out_doc *od);
/* 1 when any of OD's files must be (re)built for FINGERPRINT (out_needed). */
int out_doc_needed(struct out_ctx *oc, const struct out_doc *od, const char *fingerprint);
/* Counts each of OD's files as up to date (out_unchanged). */
void out_doc_unchanged(struct out_ctx *oc, const struct out_doc *od);
/* Renders D with each device of OC into OD's data (doc_render).  Returns 0,
 * or -1 after a diagnostic: then nothing of OD is fit to write. */
int out_doc_render(struct out_doc *od, const struct out_ctx *oc, struct doc *d);
/* Writes OD's files in order, each as out_write does; stops at the first
 * that fails.  Returns 0, or -1 after a diagnostic. */
int out_doc_write(struct out_ctx *oc, const struct out_doc *od, const char *fingerprint);

#endif
