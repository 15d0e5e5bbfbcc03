/* store_load.c — the store set up for loading many rows (an ingest): a
 * larger page cache, and the write-ahead log copied into the store by a
 * thread of its own while the rows go on being written. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

/*
 * Why.  A transaction of SQLite in WAL mode writes its pages to the log;
 * after each commit that leaves the log longer than 1 000 pages, the
 * committing connection copies the log into the database file itself (a
 * checkpoint), and only then goes on.  An ingest of a province writes
 * about 700 MB that way, and the copying was a tenth of its time on the
 * one thread that stores rows.  A checkpoint may run on another connection
 * while a writer appends to the log (SQLite's "passive" checkpoint: it
 * copies what is committed, waits for no one, and the writer never waits
 * for it either), so a thread of its own does it on the other core, woken
 * after each commit, and the storing connection copies nothing.
 *
 * And the storing connection's page cache is made LOAD_CACHE_KB: with
 * SQLite's default 2 MB, a file of a million rows spills pages to the log
 * before its commit and reads them back.
 *
 * Nothing of the store's safety changes: every commit is in the log as
 * before, and a crash at any moment leaves what SQLite recovers from the
 * log.  The log may grow longer meanwhile (up to what the load wrote, when
 * the copying cannot keep up); the first checkpoint after the load, by
 * the storing connection again, copies the rest.
 */
#define LOAD_CACHE_KB 32768

struct store_load {
	sqlite3 *db;              /* the storing connection */
	sqlite3 *copier;          /* the thread's own connection */
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int commits;              /* commits not yet copied */
	int stop;
	int threaded;
	long long cache;          /* the cache_size before */
};

static void *
copy_log(void *arg)
{
	struct store_load *l = arg;

	pthread_mutex_lock(&l->lock);
	for (;;) {
		while (l->commits == 0 && !l->stop)
			pthread_cond_wait(&l->wake, &l->lock);
		if (l->commits == 0 && l->stop)
			break;
		l->commits = 0;
		pthread_mutex_unlock(&l->lock);
		/* copies what is committed; a busy store is left for the next time */
		sqlite3_wal_checkpoint_v2(l->copier, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&l->lock);
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

struct store_load *
store_load_begin(sqlite3 *db)
{
	struct store_load *l = xcalloc(1, sizeof *l);
	const char *path = sqlite3_db_filename(db, "main");
	char *sql = xasprintf("PRAGMA cache_size = -%d", LOAD_CACHE_KB);
	sqlite3_stmt *st;

	l->db = db;
	l->cache = -2000;  /* SQLite's default */
	if (sqlite3_prepare_v2(db, "PRAGMA cache_size", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		l->cache = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	free(sql);
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->wake, NULL);
	/* a store in a file, in WAL mode (an in-memory one has no log) */
	if (path == NULL || *path == '\0' ||
	    sqlite3_open_v2(path, &l->copier, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(l->copier);
		l->copier = NULL;
		return l;
	}
	if (pthread_create(&l->tid, NULL, copy_log, l) == 0) {
		l->threaded = 1;
		sqlite3_wal_autocheckpoint(db, 0);
	} else {
		sqlite3_close(l->copier);
		l->copier = NULL;
	}
	return l;
}

void
store_load_committed(struct store_load *l)
{
	if (l == NULL || !l->threaded)
		return;
	pthread_mutex_lock(&l->lock);
	l->commits++;
	pthread_cond_signal(&l->wake);
	pthread_mutex_unlock(&l->lock);
}

void
store_load_end(struct store_load *l)
{
	if (l == NULL)
		return;
	if (l->threaded) {
		pthread_mutex_lock(&l->lock);
		l->stop = 1;
		pthread_cond_signal(&l->wake);
		pthread_mutex_unlock(&l->lock);
		pthread_join(l->tid, NULL);
		sqlite3_wal_autocheckpoint(l->db, 1000);  /* SQLite's default */
	}
	sqlite3_close(l->copier);
	{
		char *sql = xasprintf("PRAGMA cache_size = %lld", l->cache);
		sqlite3_exec(l->db, sql, NULL, NULL, NULL);
		free(sql);
	}
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->wake);
	free(l);
}
