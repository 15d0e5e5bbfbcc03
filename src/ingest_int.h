/* ingest_int.h — what the stages of a run share: the run and its files,
 * the store helpers, and each stage's entry points.  In the order they
 * call one another, none calling back: finding the files (ingest_walk.c),
 * rejection records and the run's diagnostics (ingest_reject.c), what the
 * receipts need of each file (ingest_receipt.c), CSV rows into the store
 * (ingest_csv.c), annual returns (ingest_xml.c), taking out
 * what a file contributed (ingest_forget.c), the run itself (ingest.c), the
 * commands (ingest_cmd.c).  Callers use ingest.h. */
#ifndef INGEST_INT_H
#define INGEST_INT_H

#include <sqlite3.h>
#include <sys/stat.h>

#include "csv_read.h"
#include "filestat.h"
#include "ingest.h"

#define SNIFF_BYTES 65536          /* what csv_sniff looks at */

struct programme;

#define KIND_SEVERAL (-2) /* infile.csv_kind of a workbook with sheets of several kinds */
enum { WB_XLSX = 1, WB_XLS = 2 }; /* infile.workbook */

struct xlsx;

/* Processing order of the kinds. */
enum slot {
	SLOT_ENTERPRISES, SLOT_XML, SLOT_PARTICIPATION, SLOT_ACHIEVEMENTS, SLOT_SCORES,
	SLOT_SKILLS, SLOT_AWARDS, SLOT_OTHER
};

struct infile {
	char *path;        /* path as walked, its bytes as they are: what is opened */
	char *shown;       /* the same, escaped where not printable UTF-8 (jz_escape_name):
	                    * what diagnostics, the log and reports name */
	char *key;         /* path as stored, escaped: relative to the input folder when under it */
	struct stat st;    /* as walked (lstat), then as hashed (fstat): the file read must be it */
	char sha256[65];
	long long size;
	enum slot slot;
	int csv_kind;      /* enum csv_kind, or -1; KIND_SEVERAL: a workbook of several */
	int workbook;      /* WB_XLSX, WB_XLS, or 0 */
	long long prior_id;   /* file row with this path and these bytes, or 0 */
	char prior_status[16];
	struct filestat meta; /* as it was while hashed (unchanged throughout) */
	int meta_known;       /* 1: META holds, and the bytes are to be recorded */
	char *unreadable;     /* could not be opened or read: why (Chinese), for its receipt */
	int folder;           /* a folder that could not be read (its files unknown) */
	int read_errno;       /* the error that stopped its reading, or 0 */
};

/* One diagnostic kept for the `rejection` table. */
struct kept_diag {
	long line, column;
	char *message;
};

/* What the file being stored says of itself, for its receipt (ingest_receipt.c). */
struct file_notes {
	int region;            /* index into the programme's regions: -1 none seen, -2 several */
	char years[8][16];     /* distinct years (or rounds) of its rows, in the order seen */
	int nyears;            /* more than 8: the rest shown as … */
	long replaced_rows;    /* rows of other files its rows replaced (the later file wins) */
	char supersedes[24];   /* an annual return: submitted time of the one it supersedes, */
	char superseded_by[24]; /* or of the later one that supersedes it (UTC), else "" */
};

/* One run: what it was asked, the files found, the file being stored. */
struct run {
	sqlite3 *db;
	const struct jz_opts *opts;
	struct programme *prog;
	struct ingest_summary *sum;
	int check_only;
	char *input_real;        /* realpath of the input folder, or NULL */
	struct infile *files;
	size_t nfiles, capfiles;
	struct strmap seen_keys; /* store keys of every file found in this run */

	/* The file being processed. */
	const struct infile *cur;
	int cur_errors;
	struct kept_diag *kept;
	size_t nkept, capkept;
	long dropped;            /* diagnostics not kept (beyond REJECTION_ROWS) */
	struct file_notes notes;

	/* Diagnostics go on to whoever listened before (the nightly run). */
	diag_sink_fn old_fn;
	void *old_arg;

	/* Reference sets, reloaded when stale. */
	struct strmap enterprises, projects; /* enterprises: credit code -> 1 + its region's index */
	int enterprises_stale, projects_stale;
	/* What others refer to that went away (REFS_*): stored rows are
	 * checked again at the end. */
	unsigned refs_removed;
	sqlite3_stmt *entry_known;   /* scores: SELECT 1 FROM achievement ... */
	char now[32];                /* ingested_at of this run */
	long long receipt_run;       /* its number in receipt_file (ingest_receipt.c) */
};

/* Reports a store failure and returns -1. */
static inline int
store_fail(struct run *r)
{
	diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(r->db));
	return -1;
}

/* Runs a prepared statement to completion; returns 0 or -1 after a diagnostic. */
static inline int
step_done(struct run *r, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(r);
	return 0;
}

/* ---- ingest_walk.c ---- */
/* The path the store knows PATH by: relative to the input folder when it is
 * inside it, else absolute (also for a file that no longer exists),
 * escaped where it is not printable UTF-8 (jz_escape_name), so that a name
 * as printed names the file too; the caller frees. */
char *ingest_store_key(const struct run *r, const char *path);
/* Adds the regular files under PATH (a file or a folder, walked
 * recursively), in name order.  PATH itself is followed when it is a
 * symbolic link (TOP: the operator named it); below it no link is followed
 * (a warning names it), FIFOs, devices and sockets are skipped with a
 * warning, office and system litter (input_is_litter) without one (a note
 * with --verbose).  Returns 0 or -1 after a diagnostic. */
int ingest_walk(struct run *r, const char *path, int top);
/* Hashes F (streamed) and recognises its kind from the first bytes; F must
 * still be the regular file walked (input_open).  Returns 0, or -1 after a
 * diagnostic (F cannot be read). */
int ingest_recognise(struct infile *f);
/* qsort order of the files: by slot, then by path. */
int ingest_by_slot(const void *a, const void *b);
/* Looks up which files are unchanged (same path, same bytes, accepted) and
 * which content was seen before under another status.  Returns 0 or -1. */
int ingest_find_prior(struct run *r);
/* 1 when F's metadata is what the store recorded when it last read F's
 * bytes, and those bytes are accepted: F is unchanged, known without
 * reading it (its sha256 and size are filled in). */
int ingest_known_unchanged(struct run *r, struct infile *f);
/* Records the metadata of every file hashed in this run, for the next run
 * to know them unchanged without reading them. */
void ingest_record_metadata(struct run *r);
/* Warns about accepted files under the input folder that were not found.
 * Returns 0 or -1. */
int ingest_warn_disappeared(struct run *r);
int ingest_retire_folders(struct run *r);
/* The kind name stored in file.kind ("annual-return", "participation"...), or NULL. */
const char *ingest_file_kind(const struct infile *f);

/* ---- ingest_reject.c ---- */
/* The diagnostics sink of a run (ARG: the run): keeps the errors of the file
 * being stored, then passes every diagnostic on. */
void ingest_sink(const struct diag_msg *m, void *arg);
/* Forgets the diagnostics kept. */
void ingest_kept_clear(struct run *r);
/* Records the rejection of F with the kept diagnostics; its row in `file`
 * into *ID.  Returns 0 or -1. */
int ingest_record_rejection(struct run *r, const struct infile *f, long long *id);
/* Marks earlier rejected contents of F's path as replaced.  Returns 0 or -1. */
int ingest_retire_rejections(struct run *r, const struct infile *f);

/* ---- ingest_receipt.c: what the receipts need of each file read ---- */
/* Forgets the notes of the previous file. */
void ingest_notes_clear(struct run *r);
/* The file's data names region CODE (a code of the programme; NULL: none). */
void ingest_note_region(struct run *r, const char *code);
/* ... the region of index INDEX of the programme's regions (-1: none). */
void ingest_note_region_index(struct run *r, long index);
/* ... holds rows of year (or round) YEAR. */
void ingest_note_year(struct run *r, const char *year);
/* The index of region CODE among the programme's, or -1. */
long ingest_region_index(const struct run *r, const char *code);
/* Records for the receipts what became of F (of KIND, stored as FILE_ID): accepted
 * with ROWS rows, VANISHED rows of its path's earlier content gone (REPLACED:
 * it had one), or rejected.  Nothing in a check.  Returns 0 or -1. */
int ingest_record_receipt(struct run *r, const struct infile *f, const char *kind, long long file_id,
    int accepted, long rows, int replaced, long vanished);
/* Drops what the run recorded of regions of which it changed nothing: their
 * receipts are not written.  Returns 0 or -1. */
int ingest_receipts_prune(struct run *r);

/* ---- ingest_csv.c, ingest_xml.c ---- */
/* Reads the CSV file F (DATA/LEN) into the store as FILE_ID; returns the
 * rows stored, or -1 on a store failure; ENCODING gets the encoding read.
 * Errors are counted by the sink. */
long ingest_load_csv(struct run *r, const struct infile *f, long long file_id, const char *data,
    size_t len, char encoding[32]);
/* Reads the annual return F (DATA/LEN) into the store as FILE_ID (OLD_ID:
 * the file it replaces, or 0); returns the rows stored, -2 when F is a
 * programme file (skipped), or -1 on a store failure. */
long ingest_load_xml(struct run *r, const struct infile *f, long long file_id, long long old_id,
    const char *data, size_t len);

/* Reads SHEET of workbook X, a table of KIND, into the store as FILE_ID;
 * returns the rows stored, or -1 on a store failure (ingest_csv.c). */
long ingest_load_sheet(struct run *r, struct xlsx *x, int sheet, enum csv_kind kind,
    long long file_id);
/* Reads the annual return of workbook X (of F) into the store as FILE_ID
 * (OLD_ID as for ingest_load_xml); returns the rows stored, or -1 on a
 * store failure (ingest_xml.c). */
long ingest_load_return_workbook(struct run *r, const struct infile *f, struct xlsx *x,
    long long file_id, long long old_id);

/* ---- ingest_xlsx.c ---- */
/* Where the workbook F goes in the order of kinds (sets F's csv_kind). */
enum slot ingest_workbook_slot(struct infile *f);
/* Reads the workbook F (DATA/LEN) into the store as FILE_ID: an annual
 * return, or its sheets of CSV kinds; returns the rows stored, or -1 on a
 * store failure; ENCODING gets "xlsx". */
long ingest_load_workbook(struct run *r, const struct infile *f, long long file_id,
    long long old_id, const char *data, size_t len, char encoding[32]);

/* ---- ingest_forget.c ---- */
/* Removes what file ID (of KIND) contributed; returns the rows removed, or
 * -1 after a diagnostic.  With NEW_ID, counts for an annual return only the
 * projects and studios the new return (of file NEW_ID) no longer has.  A
 * CSV row removed whose key an earlier file also had brings that file's
 * row back; *RESTORED counts them. */
long ingest_remove_contribution(struct run *r, long long id, const char *kind, long long new_id,
    long *restored);

#endif
