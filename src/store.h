/* store.h — the SQLite store: one schema (store.c), opening, transactions.
 *
 * Every table that holds submitted data carries its provenance: file_id
 * (a row of `file`: path, sha256, ingest time) and the line it came from.
 * Aggregation reads the cur_* views only. */
#ifndef STORE_H
#define STORE_H

#include <sqlite3.h>

#include "jingsai.h"

/* What the header of a jingsai store says: PRAGMA application_id ("JSAI")
 * and PRAGMA user_version, the version of the schema below. */
#define STORE_APPLICATION_ID 0x4A534149
#define STORE_SCHEMA_VERSION 1
/* How long a statement waits for another writer (another run, ingest, an
 * operator's sqlite3 shell) before it fails with "database is locked". */
#define STORE_BUSY_MS 10000

/* Opens (creating, with its folder, when missing) the store at PATH and
 * brings its schema up to date: a store of an older schema is backed up
 * (store_backup) and migrated.  Another program's database, a file that is
 * not a database and a store of a newer schema are refused untouched.
 * READONLY opens it read-only (for template queries), and then a missing
 * store is an error.  Returns NULL after a diagnostic on failure. */
sqlite3 *store_open(const char *path, int readonly);
/* The store at PATH opened as store_open does, for a command that works on
 * a store but makes none (backup, publish, verify): a missing one is
 * reported as "PATH: error: …" by MISSING (a catalogue row taking the
 * reason, strerror) and not created.  Returns NULL after a diagnostic. */
sqlite3 *store_open_existing(const char *path, int readonly, enum diag_code missing);
void store_close(sqlite3 *db);

/* What an open database is, by store_identify. */
enum store_kind {
	STORE_OURS,     /* a jingsai store; its schema version in *VERSION */
	STORE_EMPTY,    /* no table at all: a new store */
	STORE_FOREIGN,  /* another program's database */
	STORE_NOT_DB    /* not an SQLite database (or unreadable) */
};
/* Reads (and never writes) DB's header and tables (store_id.c).  Returns
 * an enum store_kind. */
int store_identify(sqlite3 *db, int *version);

/* ---- Backups (backup.c; the commands and store_finish in backup_cmd.c) ---
 * A backup is a whole copy of the store made online (VACUUM INTO) into the
 * backup folder: "jingsai-YYYYMMDD-HHMMSSZ.db" (UTC; a suffix such as
 * "-before-migration" says why, when not at the end of a command).  It is
 * checked (PRAGMA integrity_check, identity) before it takes its final name,
 * and only then are the oldest beyond the configured number removed. */

/* NULL when DB is a whole jingsai store (identity and PRAGMA
 * integrity_check), else the reason, a static string. */
const char *store_check(sqlite3 *db);
/* Where backups go and how many are kept; main.c calls this once.  DIR NULL:
 * the folder "backup" beside the store.  KEEP < 1: the default, 7. */
void store_backup_config(const char *dir, int keep);
/* The backup folder for the store at DB_PATH; the caller frees it. */
char *store_backup_dir(const char *db_path);
/* Backs up DB (the store at DB_PATH) now; WHY NULL for the regular
 * generations, else a word put into the name ("before-migration").
 * Stores the new file's path in *MADE when MADE is not NULL (caller frees).
 * Returns 0, or -1 after a diagnostic (the older backups are then kept). */
int store_backup(sqlite3 *db, const char *db_path, const char *why, char **made);
int store_backup_owed(const char *db_path);   /* 1: the last backup failed */
/* Removes what backups of the store at DB_PATH killed half-way left in the
 * backup folder (the next backup does it too; the nightly run at its start). */
void store_backup_sweep(const char *db_path);
/* The newest backup of the store at DB_PATH (caller frees), or NULL; with
 * SERIAL and RECIPIENT not NULL, the newest whose register has that
 * certificate for that recipient (else the newest). */
char *store_backup_newest(const char *db_path, const char *serial, const char *recipient);
/* The store is in doubt (its register disagrees with the certificates on
 * disk): this process makes no more regular backups, so that the good ones
 * are neither outnumbered nor pruned.  Named backups are still made. */
void store_backup_hold(void);
/* Closes DB, the store at DB_PATH; when this connection changed it, backs
 * it up first.  Returns 0, or -1 when the backup failed (after a diagnostic). */
int store_finish(sqlite3 *db, const char *db_path);

/* Runs SQL (one or more statements, no results); returns 0, or -1 after a
 * DIAG_STORE diagnostic. */
int store_exec(sqlite3 *db, const char *sql);
/* Prepares SQL; returns NULL after a diagnostic. */
sqlite3_stmt *store_prepare(sqlite3 *db, const char *sql);

/* SQL (a string that outlives DB, such as a literal) prepared once for DB
 * and kept until store_close: for what is looked up once per document or
 * file, thousands of times a run.  The caller resets it after use and never
 * finalizes it.  Returns NULL after a diagnostic. */
sqlite3_stmt *store_cached(sqlite3 *db, const char *sql);

int store_begin(sqlite3 *db);     /* BEGIN IMMEDIATE */
/* Opens savepoint NAME.  When no transaction is open, one is begun first
 * with BEGIN IMMEDIATE (and *OUTER set to 1): the write lock is then taken,
 * waiting up to STORE_BUSY_MS for another writer, before anything is read.
 * (A bare SAVEPOINT begins a deferred transaction, which fails at once with
 * "database is locked" when another connection wrote since it read.)
 * Returns 0 or -1 after a diagnostic. */
int store_savepoint(sqlite3 *db, const char *name, int *outer);
/* Releases savepoint NAME (OK) or rolls it back, then commits (or rolls
 * back) the transaction store_savepoint began when OUTER.  Returns 0, or -1
 * when the release or commit failed (then everything is rolled back). */
int store_release(sqlite3 *db, const char *name, int outer, int ok);
int store_commit(sqlite3 *db);

/* The store of DB set up for loading many rows (store_load.c): a larger
 * page cache, and its write-ahead log copied into the store by a thread of
 * its own, woken by store_load_committed after each commit, rather than
 * by DB after its commits.  store_load_end puts DB back as it was.  Never
 * fails: without a thread, DB copies as before. */
struct store_load;
struct store_load *store_load_begin(sqlite3 *db);
void store_load_committed(struct store_load *l);
void store_load_end(struct store_load *l);
void store_rollback(sqlite3 *db); /* never fails loudly */

/* The schema, as SQL, for documentation and tests. */
extern const char store_schema[];

#endif
