/* ingest.h — loading submissions into the store: the API of `ingest`, `check`, `forget` and `run`.
 *
 * A run takes paths (files or folders, walked recursively), recognises every
 * file by its content (XML annual return by root element and namespace, CSV
 * by its header row), and stores each file in one transaction: a file with
 * any error is rejected as a whole (all its errors reported through diag(),
 * recorded in the store's `file` and `rejection` tables), the other files go
 * in.  Files are taken in dependency order (enterprises, annual returns,
 * then participation, achievements, scores, skills, awards; by path within a
 * kind), so a row may name a project or enterprise of a later file of the
 * same run.  input/programme.xml is the reference data, loaded first, never a
 * submission. */
#ifndef INGEST_H
#define INGEST_H

#include <sqlite3.h>

#include "jingsai.h"

/* What one run did; filled by ingest_paths (zeroed first). */
struct ingest_summary {
	int files;          /* submission files looked at (programme.xml not counted) */
	int accepted;       /* new or changed files now in the store */
	int rejected;       /* files with an error: nothing of them stored */
	int unchanged;      /* same path and same bytes as already stored: skipped */
	int changed;        /* of the accepted: a new content at a known path */
	long rows;          /* rows stored from the accepted files */
	long rows_vanished; /* rows that earlier content of changed files had and the new one has not */
	int disappeared;    /* accepted files no longer found under the input folder (warned; data kept) */
	int programme_changed; /* 1 when programme.xml differed from what the store held */
};

/* Validates and loads PATHS (NPATHS files or folders; NPATHS 0: o->input_dir)
 * into DB, with the reference data of o->input_dir/programme.xml loaded
 * first.  CHECK_ONLY: validate everything the same way (references included)
 * but leave DB exactly as it was (DB may then be a store opened read-write
 * or NULL: an empty in-memory store is used).  Diagnostics go through diag().
 * Returns JZ_EXIT_OK, JZ_EXIT_REJECTED (some file rejected; the others
 * stored) or JZ_EXIT_FAILURE (store or I/O failure, or a bad programme.xml:
 * then nothing of the run is stored). */
int ingest_paths(sqlite3 *db, const struct jz_opts *o, int npaths, char *const *paths,
    int check_only, struct ingest_summary *sum);

/* Removes everything the file stored under PATH contributed (its rows, its
 * annual returns) and marks it forgotten; rows of earlier files that its
 * rows had replaced come back (*ROWS_BACK of them).  Returns JZ_EXIT_OK, or
 * JZ_EXIT_USAGE when the store knows no such file, or JZ_EXIT_FAILURE. */
int ingest_forget(sqlite3 *db, const struct jz_opts *o, const char *path, long *rows_removed,
    long *rows_back);

/* Prints the one-line summary of SUM to stdout ("3 files accepted, ..."),
 * or nothing when QUIET and nothing was rejected. */
void ingest_print_summary(const struct ingest_summary *sum, int quiet);

#endif
