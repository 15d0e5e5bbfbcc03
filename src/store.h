/* store.h — the SQLite store: one schema (store.c), opening, transactions.
 *
 * Every table that holds submitted data carries its provenance: file_id
 * (a row of `file`: path, sha256, ingest time) and the line it came from.
 * Aggregation reads the cur_* views only. */
#ifndef STORE_H
#define STORE_H

#include <sqlite3.h>

#include "jingsai.h"

/* Opens (creating, with its folder, when missing) the store at PATH and
 * brings its schema up to date.  READONLY opens it read-only (for template
 * queries), and then a missing store is an error.  Returns NULL after a
 * diagnostic on failure. */
sqlite3 *store_open(const char *path, int readonly);
void store_close(sqlite3 *db);

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
int store_commit(sqlite3 *db);
void store_rollback(sqlite3 *db); /* never fails loudly */

/* The schema, as SQL, for documentation and tests. */
extern const char store_schema[];

#endif
