/* outputs.c — documents under output/: fingerprints, atomic writes, records. */
#define _GNU_SOURCE /* syncfs */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <unistd.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "device.h"
#include "filestat.h"
#include "layout.h"
#include "outputs.h"
#include "store.h"

struct fingerprint {
	EVP_MD_CTX *md;
};

struct fingerprint *
fp_new(const struct out_ctx *oc)
{
	struct fingerprint *fp = xmalloc(sizeof *fp);

	fp->md = EVP_MD_CTX_new();
	if (fp->md == NULL) {
		fputs("jingsai: fatal: out of memory\n", stderr);
		abort();
	}
	EVP_DigestInit_ex(fp->md, EVP_sha256(), NULL);
	if (oc != NULL)
		fp_add_str(fp, oc->base);
	return fp;
}

void
fp_add(struct fingerprint *fp, const void *data, size_t len)
{
	EVP_DigestUpdate(fp->md, data, len);
}

void
fp_add_str(struct fingerprint *fp, const char *s)
{
	if (s == NULL)
		s = "\x01(null)";
	fp_add(fp, s, strlen(s) + 1);
}

void
fp_add_file(struct fingerprint *fp, const char *path)
{
	struct buf b = {0};

	fp_add_str(fp, path);
	if (file_read_all(path, &b) == 0) {
		char len[32];
		snprintf(len, sizeof len, "%zu", b.len);
		fp_add_str(fp, len);
		fp_add(fp, b.data, b.len);
	} else
		fp_add_str(fp, "\x01missing");
	buf_free(&b);
}

int
fp_add_stmt(struct fingerprint *fp, sqlite3_stmt *st)
{
	int rc;

	fp_add_str(fp, sqlite3_sql(st));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = sqlite3_column_count(st);
		for (int i = 0; i < n; i++) {
			const unsigned char *t = sqlite3_column_text(st, i);
			fp_add_str(fp, t ? (const char *)t : "\x01NULL");
		}
		fp_add(fp, "\n", 1);
	}
	if (rc != SQLITE_DONE)
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(sqlite3_db_handle(st)));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
fp_add_query(struct fingerprint *fp, sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = store_prepare(db, sql);

	return st == NULL ? -1 : fp_add_stmt(fp, st);
}

void
fp_done(struct fingerprint *fp, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	static const char digits[] = "0123456789abcdef";

	EVP_DigestFinal_ex(fp->md, md, &n);
	for (unsigned i = 0; i < 32 && i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	EVP_MD_CTX_free(fp->md);
	free(fp);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A process that dies while writing leaves temporary files ("NAME.tmp.PID")
 * beside the documents; the next run sweeps them (run.c).  So that a run
 * need not walk a province's 260 000 files and folders to find none, a
 * process that writes any says so first: out_writing_mark, a file
 * jingsai.writing.PID beside the store, made before its first temporary
 * file (or its workers') and removed when it exits normally.  A mark whose
 * process is gone means temporary files may be left.
 */
static char *mark_path;          /* this process's mark, once out_init ran */
static int marked;               /* made (inherited by forked workers) */

char *
out_writing_mark(const char *db_path, long pid)
{
	char *copy = xstrdup(db_path), *mark = xasprintf("%s/jingsai.writing.%ld", dirname(copy), pid);

	free(copy);
	return mark;
}

static void
unmark(void)
{
	/* made here, or by a worker in this process's name */
	if (mark_path != NULL)
		unlink(mark_path);
	free(mark_path);
	mark_path = NULL;
}

/* Makes the mark of OWNER (this process, or the one whose workers write)
 * before a temporary file is made, once. */
static void
mark_writing(const struct out_ctx *oc, long owner)
{
	char *mark;
	int fd;

	if (marked || oc->opts == NULL || oc->opts->db_path == NULL)
		return;
	mark = out_writing_mark(oc->opts->db_path, owner);
	if ((fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0666)) >= 0)
		close(fd);
	marked = 1;
	free(mark);
}

void
out_init(struct out_ctx *oc, sqlite3 *db, const struct jz_opts *opts)
{
	struct fingerprint *fp = fp_new(NULL);
	DIR *dir;

	memset(oc, 0, sizeof *oc);
	oc->db = db;
	oc->opts = opts;
	if (mark_path == NULL && opts->db_path != NULL) {
		mark_path = out_writing_mark(opts->db_path, (long)getpid());
		atexit(unmark);
	}
	for (int i = 0; i < opts->ndevices && i < JZ_DEVICES_MAX; i++)
		oc->devices[oc->ndevices++] = opts->devices[i];
	if (oc->ndevices == 0)
		oc->devices[oc->ndevices++] = device_at(0);
	fp_add_str(fp, "jingsai " JZ_VERSION);
	/* Other devices, other files: a run that adds the dump is not skipped
	 * as unchanged.  The PDF alone leaves the fingerprints as they were. */
	if (oc->ndevices > 1 || oc->devices[0] != device_at(0))
		for (int i = 0; i < oc->ndevices; i++)
			fp_add_str(fp, oc->devices[i]->name);
	/* The fonts folder: names, sizes and times of the files an operator
	 * dropped in, and the role table itself. */
	if ((dir = opendir(opts->fonts_dir)) != NULL) {
		char **names = NULL;
		size_t n = 0;
		struct dirent *e;
		while ((e = readdir(dir)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			names = xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = xstrdup(e->d_name);
		}
		closedir(dir);
		qsort(names, n, sizeof *names, cmp_names);
		for (size_t i = 0; i < n; i++) {
			char *p = path_join(opts->fonts_dir, names[i]);
			struct stat sb;
			fp_add_str(fp, names[i]);
			if (stat(p, &sb) == 0) {
				char meta[64];
				snprintf(meta, sizeof meta, "%lld:%lld", (long long)sb.st_size,
				    (long long)sb.st_mtime);
				fp_add_str(fp, meta);
			}
			if (strstr(names[i], ".conf") != NULL)
				fp_add_file(fp, p);
			free(p);
			free(names[i]);
		}
		free(names);
	}
	if (db != NULL)
		fp_add_query(fp, db, "SELECT key, value FROM programme ORDER BY key");
	fp_done(fp, oc->base);
}

void
out_close(struct out_ctx *oc)
{
	store_close(oc->figures);
	oc->figures = NULL;
}

int
out_begin(struct out_ctx *oc, const struct jz_opts *opts)
{
	sqlite3 *db = store_open(opts->db_path, 0);

	if (db == NULL)
		return -1;
	out_init(oc, db, opts);
	oc->force = 1;
	return 0;
}

int
out_end(struct out_ctx *oc, int status)
{
	out_close(oc);
	if (store_finish(oc->db, oc->opts->db_path) != 0 && status < JZ_EXIT_FAILURE)
		status = JZ_EXIT_FAILURE;
	return status;
}

static char *
out_path(const struct out_ctx *oc, const char *relpath)
{
	return path_join(oc->opts->output_dir, relpath);
}

/* Whether output/RELPATH (PATH) still holds the bytes of SHA256: from the
 * metadata recorded when it was written when that has not moved, else by
 * reading it (and then its metadata is recorded anew when the bytes are
 * right, say after a `touch`).  Returns 1 or 0. */
static int
out_intact(struct out_ctx *oc, const char *relpath, const char *path, const char *sha256)
{
	struct filestat now, was;
	char recorded[65], hex[65];
	struct buf b = {0};
	int same;

	if (filestat_get(path, &now) != 0)
		return 0;
	if (filestat_lookup(oc->db, "output", relpath, &was, recorded) == 1 &&
	    filestat_same(&now, &was) && strcmp(recorded, sha256) == 0)
		return 1;
	if (file_read_all(path, &b) != 0) {
		buf_free(&b);
		return 0;
	}
	sha256_hex(b.data, b.len, hex);
	buf_free(&b);
	same = strcmp(hex, sha256) == 0;
	if (same)
		filestat_record(oc->db, "output", relpath, &now, sha256);
	return same;
}

int
out_needed(struct out_ctx *oc, const char *relpath, const char *fingerprint)
{
	sqlite3_stmt *st;
	int needed = 1;

	if (oc->force || oc->db == NULL)
		return 1;
	st = store_cached(oc->db, "SELECT fingerprint, sha256 FROM document WHERE path = ?1");
	if (st == NULL)
		return 1;
	sqlite3_bind_text(st, 1, relpath, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 0), fingerprint) == 0) {
		/* Same inputs: still needed if the file is gone or was altered. */
		char *path = out_path(oc, relpath), sha[65];
		snprintf(sha, sizeof sha, "%s", (const char *)sqlite3_column_text(st, 1));
		sqlite3_reset(st);
		needed = !out_intact(oc, relpath, path, sha);
		free(path);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return needed;
}

/* A document out_folder_intact looks at: its recorded bytes and metadata. */
struct check {
	char *rel;                  /* under output/ (owned) */
	char sha[65];               /* of the document as recorded */
	char meta_sha[65];          /* of the bytes the recorded metadata stands for */
	int have_meta;
	struct filestat was;
	int same;                   /* the file's metadata is as recorded, for these bytes */
};

/* Checks [FROM, TO) of a batch, stat'ed relative to the folder (DIRFD) with
 * PREFIX bytes of their paths left out. */
struct stat_job {
	struct check *c;
	size_t from, to, prefix;
	int dirfd;
};

static void *
stat_some(void *arg)
{
	struct stat_job *j = arg;

	for (size_t i = j->from; i < j->to; i++) {
		struct check *c = &j->c[i];
		struct filestat now;
		struct stat sb;

		c->same = 0;
		if (c->have_meta && j->dirfd >= 0 && fstatat(j->dirfd, c->rel + j->prefix, &sb, 0) == 0) {
			filestat_from(&now, &sb);
			c->same = filestat_same(&now, &c->was) && strcmp(c->meta_sha, c->sha) == 0;
		}
	}
	return NULL;
}

/* Documents looked at together: their metadata is read by two threads
 * (the kernel's path lookup is most of the time, and a second core halves
 * the wait). */
#define CHECK_BATCH 8192

long
out_folder_intact(struct out_ctx *oc, const char *folder)
{
	/* The documents and their recorded metadata, both in path order and
	 * walked side by side (a province has 260 000 of them: no lookup per
	 * document). */
	sqlite3_stmt *docs = store_prepare(oc->db, "SELECT path, sha256 FROM document "
	    "WHERE path >= ?1 AND path < ?2 ORDER BY path");
	sqlite3_stmt *meta = store_prepare(oc->db, "SELECT path, size, mtime_ns, ctime_ns, inode, sha256 "
	    "FROM file_stat WHERE tree = 'output' AND path >= ?1 AND path < ?2 ORDER BY path");
	char *upper = xstrdup(folder), *top = out_path(oc, folder);
	size_t n = strlen(upper);
	long count = 0;
	int dirfd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC), have_meta = 0, more = 1;
	struct check *batch = NULL;

	if (docs == NULL || meta == NULL) {
		count = -1;
		goto out;
	}
	batch = xcalloc(CHECK_BATCH, sizeof *batch);
	/* the paths that start with FOLDER: from it up to (not including) its
	 * last character's successor */
	if (n > 0)
		upper[n - 1]++;
	sqlite3_bind_text(docs, 1, folder, -1, SQLITE_STATIC);
	sqlite3_bind_text(docs, 2, upper, -1, SQLITE_STATIC);
	sqlite3_bind_text(meta, 1, folder, -1, SQLITE_STATIC);
	sqlite3_bind_text(meta, 2, upper, -1, SQLITE_STATIC);
	have_meta = sqlite3_step(meta) == SQLITE_ROW;
	while (count >= 0 && more) {
		size_t k = 0;
		struct stat_job jobs[2];
		pthread_t helper;
		int threaded = 0;

		while (k < CHECK_BATCH && (more = sqlite3_step(docs) == SQLITE_ROW)) {
			struct check *c = &batch[k++];
			const char *rel = (const char *)sqlite3_column_text(docs, 0);
			int cmp = 1;

			c->rel = xstrdup(rel);
			snprintf(c->sha, sizeof c->sha, "%s", (const char *)sqlite3_column_text(docs, 1));
			while (have_meta && (cmp = strcmp((const char *)sqlite3_column_text(meta, 0), rel)) < 0)
				have_meta = sqlite3_step(meta) == SQLITE_ROW;
			c->have_meta = have_meta && cmp == 0 && strlen(rel) > n;
			if (c->have_meta) {
				c->was.size = sqlite3_column_int64(meta, 1);
				c->was.mtime_ns = sqlite3_column_int64(meta, 2);
				c->was.ctime_ns = sqlite3_column_int64(meta, 3);
				c->was.inode = sqlite3_column_int64(meta, 4);
				snprintf(c->meta_sha, sizeof c->meta_sha, "%s",
				    (const char *)sqlite3_column_text(meta, 5));
			}
		}
		jobs[0] = (struct stat_job){batch, 0, k / 2, n, dirfd};
		jobs[1] = (struct stat_job){batch, k / 2, k, n, dirfd};
		if (k >= 512 && pthread_create(&helper, NULL, stat_some, &jobs[1]) == 0)
			threaded = 1;
		stat_some(&jobs[0]);
		if (threaded)
			pthread_join(helper, NULL);
		else
			stat_some(&jobs[1]);
		for (size_t i = 0; i < k; i++) {
			if (count >= 0 && !batch[i].same) {
				/* unknown or moved metadata: read the file */
				char *path = out_path(oc, batch[i].rel);
				if (!out_intact(oc, batch[i].rel, path, batch[i].sha))
					count = -1;
				free(path);
			}
			if (count >= 0)
				count++;
			free(batch[i].rel);
		}
	}
out:
	if (dirfd >= 0)
		close(dirfd);
	free(batch);
	free(top);
	free(upper);
	sqlite3_finalize(docs);
	sqlite3_finalize(meta);
	return count;
}

/* Records RELPATH's metadata after it was written (or found holding its
 * bytes), waiting the tick that makes them trustworthy when need be. */
static void
out_record_stat(struct out_ctx *oc, const char *relpath, const char *path, const char *sha256)
{
	struct filestat fs;

	if (oc->db == NULL)
		return;
	if (filestat_get(path, &fs) != 0)
		memset(&fs, 0, sizeof fs);   /* not settled: forgotten */
	else
		filestat_settle(&fs);
	filestat_record(oc->db, "output", relpath, &fs, sha256);
}

int
out_write(struct out_ctx *oc, const char *relpath, const char *fingerprint,
    const void *data, size_t len)
{
	char *path = out_path(oc, relpath);
	char hex[65], now[32];
	sqlite3_stmt *st;
	long long t = jz_now();
	struct tm tm;
	time_t tt = (time_t)t;

	if (jz_interrupted) {
		/* the run stops: nothing more is written, nothing recorded */
		free(path);
		return -1;
	}
	mark_writing(oc, (long)getpid());
	switch (atomic_write_if_changed(path, data, len)) {
	case -1:
		diag(DIAG_IO_WRITE, path, 0, 0, strerror(errno));
		free(path);
		oc->failed++;
		return -1;
	case 0:
		/* Inputs changed, bytes did not (or a crash came between the
		 * rename and the record): the file stays as it is. */
		oc->unchanged++;
		break;
	default:
		oc->built++;
	}
	if (oc->progress != NULL)
		oc->progress(oc->progress_arg, relpath);
	if (oc->db == NULL) {
		free(path);
		return 0;
	}
	sha256_hex(data, len, hex);
	out_record_stat(oc, relpath, path, hex);
	free(path);
	gmtime_r(&tt, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	st = store_prepare(oc->db, "INSERT OR REPLACE INTO document (path, fingerprint, sha256, built_at) "
	    "VALUES (?1, ?2, ?3, ?4)");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, relpath, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	if (rc != 0)
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(oc->db));
	sqlite3_finalize(st);
	return rc;
}

static int out_record(struct out_ctx *oc, sqlite3_stmt *st, const char *relpath, const char *path,
    const char *fingerprint, const void *data, size_t len, const char *now, const char *sha256);

struct out_stream {
	char *relpath, *path, *tmp;
	int fd;
	int error;               /* errno of the first failed write, 0 */
	EVP_MD_CTX *md;          /* sha256 of what was written */
	struct buf pending;      /* written in blocks of STREAM_BLOCK */
	int sealed;              /* written, synced and hashed (into HEX) already */
	char hex[65];
};

/* What out_stream_seal hands the opener. */
struct seal {
	char hex[65];
	int error;
};

#define STREAM_BLOCK (1 << 20)

struct out_stream *
out_stream_open(struct out_ctx *oc, const char *relpath)
{
	struct out_stream *s = xcalloc(1, sizeof *s);
	char *copy;

	s->relpath = xstrdup(relpath);
	s->path = out_path(oc, relpath);
	s->tmp = xasprintf("%s.tmp.%ld", s->path, (long)getpid());
	mark_writing(oc, (long)getpid());
	copy = xstrdup(s->path);
	mkdir_p(dirname(copy));
	free(copy);
	s->fd = open(s->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (s->fd < 0) {
		diag(DIAG_IO_WRITE, s->path, 0, 0, strerror(errno));
		oc->failed++;
		free(s->relpath);
		free(s->path);
		free(s->tmp);
		free(s);
		return NULL;
	}
	s->md = EVP_MD_CTX_new();
	if (s->md == NULL) {
		fputs("jingsai: fatal: out of memory\n", stderr);
		abort();
	}
	EVP_DigestInit_ex(s->md, EVP_sha256(), NULL);
	return s;
}

static void
stream_flush(struct out_stream *s)
{
	if (s->pending.len > 0 && s->error == 0 &&
	    write_full(s->fd, s->pending.data, s->pending.len) != 0)
		s->error = errno ? errno : EIO;
	buf_reset(&s->pending);
}

int
out_stream_write(void *arg, const void *data, size_t len)
{
	struct out_stream *s = arg;

	EVP_DigestUpdate(s->md, data, len);
	buf_add(&s->pending, data, len);
	if (s->pending.len >= STREAM_BLOCK)
		stream_flush(s);
	return s->error ? -1 : 0;
}

/* The sha256 of what PATH holds now (RELPATH's recorded one when its
 * metadata says it is intact), into HEX; 0, or -1 when there is no file. */
static int
current_sha(struct out_ctx *oc, const char *relpath, const char *path, char hex[65])
{
	struct filestat now, was;
	char recorded[65];
	EVP_MD_CTX *md;
	unsigned char digest[32], *chunk;
	ssize_t got;
	int fd;

	if (filestat_get(path, &now) != 0)
		return -1;
	if (oc->db != NULL && filestat_lookup(oc->db, "output", relpath, &was, recorded) == 1 &&
	    filestat_same(&now, &was)) {
		memcpy(hex, recorded, 65);
		return 0;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	md = EVP_MD_CTX_new();
	chunk = xmalloc(STREAM_BLOCK);
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	while ((got = read(fd, chunk, STREAM_BLOCK)) > 0)
		EVP_DigestUpdate(md, chunk, (size_t)got);
	EVP_DigestFinal_ex(md, digest, NULL);
	EVP_MD_CTX_free(md);
	free(chunk);
	close(fd);
	if (got < 0)
		return -1;
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return 0;
}

/* Flushes S, syncs it unless FAILED, and keeps its sha256 in S->hex. */
static void
stream_seal(struct out_stream *s, int failed)
{
	unsigned char digest[32];

	if (s->sealed)
		return;
	stream_flush(s);
	EVP_DigestFinal_ex(s->md, digest, NULL);
	for (int i = 0; i < 32; i++)
		snprintf(s->hex + 2 * i, 3, "%02x", digest[i]);
	if (!failed && s->error == 0 && fsync(s->fd) != 0)
		s->error = errno;
	s->sealed = 1;
}

int
out_stream_fd(const struct out_stream *s)
{
	return s->fd;
}

void
out_stream_seal(struct out_stream *s, int failed, struct buf *seal)
{
	struct seal k = {0};

	stream_seal(s, failed);
	memcpy(k.hex, s->hex, sizeof k.hex);
	k.error = s->error;
	buf_add(seal, &k, sizeof k);
}

void
out_stream_unseal(struct out_stream *s, const struct buf *seal)
{
	struct seal k;

	if (seal->len != sizeof k) {
		/* nothing came back: what the file holds is not known */
		s->error = s->error ? s->error : EIO;
		return;
	}
	memcpy(&k, seal->data, sizeof k);
	memcpy(s->hex, k.hex, sizeof s->hex);
	s->hex[64] = '\0';
	s->error = k.error;
	s->sealed = 1;
}

int
out_stream_close(struct out_ctx *oc, struct out_stream *s, const char *fingerprint, int failed)
{
	char hex[65], old[65], now[32];
	int rc = -1, same = 0;

	stream_seal(s, failed);
	memcpy(hex, s->hex, sizeof hex);
	if (close(s->fd) != 0 && s->error == 0)
		s->error = errno;
	if (failed || s->error != 0) {
		/* a document that could not be made is the caller's to report */
		if (!failed) {
			diag(DIAG_IO_WRITE, s->path, 0, 0, strerror(s->error));
			oc->failed++;
		}
		unlink(s->tmp);
		goto done;
	}
	/* the same bytes there already: the file stays as it is */
	if (current_sha(oc, s->relpath, s->path, old) == 0 && strcmp(old, hex) == 0) {
		same = 1;
		unlink(s->tmp);
	} else {
		char *copy = xstrdup(s->path);
		int dfd;
		if (rename(s->tmp, s->path) != 0) {
			diag(DIAG_IO_WRITE, s->path, 0, 0, strerror(errno));
			unlink(s->tmp);
			free(copy);
			oc->failed++;
			goto done;
		}
		if ((dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(copy);
	}
	if (same)
		oc->unchanged++;
	else
		oc->built++;
	if (oc->progress != NULL)
		oc->progress(oc->progress_arg, s->relpath);
	rc = 0;
	if (oc->db != NULL) {
		time_t tt = (time_t)jz_now();
		struct tm tm;
		sqlite3_stmt *st = store_prepare(oc->db, "INSERT OR REPLACE INTO document "
		    "(path, fingerprint, sha256, built_at) VALUES (?1, ?2, ?3, ?4)");
		gmtime_r(&tt, &tm);
		strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
		rc = st != NULL && out_record(oc, st, s->relpath, s->path, fingerprint, NULL, 0, now, hex) == 0 ?
		    0 : -1;
		sqlite3_finalize(st);
	}
done:
	EVP_MD_CTX_free(s->md);
	buf_free(&s->pending);
	free(s->relpath);
	free(s->path);
	free(s->tmp);
	free(s);
	return rc;
}

void
out_unchanged(struct out_ctx *oc, const char *relpath)
{
	oc->unchanged++;
	if (oc->progress != NULL)
		oc->progress(oc->progress_arg, relpath);
}

/* Records RELPATH (at PATH) with its fingerprint, sha256 (of DATA, or
 * SHA256 when given) and metadata. */
static int
out_record(struct out_ctx *oc, sqlite3_stmt *st, const char *relpath, const char *path,
    const char *fingerprint, const void *data, size_t len, const char *now, const char *sha256)
{
	char hex[65];

	if (sha256 != NULL)
		memcpy(hex, sha256, sizeof hex);
	else
		sha256_hex(data, len, hex);
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, relpath, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(oc->db));
		return -1;
	}
	out_record_stat(oc, relpath, path, hex);
	return 0;
}

int
out_write_temp(const struct out_ctx *oc, const char *relpath, long owner, const void *data,
    size_t len)
{
	char *path = out_path(oc, relpath), *copy = xstrdup(path);
	char *tmp = xasprintf("%s.tmp.%ld", path, owner);
	int fd, rc = 0;

	mark_writing(oc, owner);
	mkdir_p(dirname(copy));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0 || write_full(fd, data, len) != 0 || close(fd) != 0) {
		diag(DIAG_IO_WRITE, path, 0, 0, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		rc = -1;
	}
	free(copy);
	free(tmp);
	free(path);
	return rc;
}

/* A batch in more folders than this is made durable by one more sync of
 * the file system rather than one of each folder. */
#define FOLDERS_SYNCED 4

int
out_write_batch(struct out_ctx *oc, struct out_file *files, int n)
{
	/* state per file: 0 write, 1 same bytes already there, 2 temporary written, -1 failed */
	int *state = xcalloc((size_t)n + 1, sizeof *state), failed = 0;
	char **path = xcalloc((size_t)n + 1, sizeof *path), **tmp = xcalloc((size_t)n + 1, sizeof *tmp);
	char now[32], *lastdir = NULL;
	struct tm tm;
	time_t tt = (time_t)jz_now();
	sqlite3_stmt *st = NULL;
	int syncfd, folders = 0;

	for (int i = 0; i < n; i++) {
		struct buf old = {0};
		char *copy;
		int fd;
		path[i] = out_path(oc, files[i].relpath);
		if (file_read_all(path[i], &old) == 0 && old.len == files[i].data.len &&
		    memcmp(old.data, files[i].data.data, old.len) == 0)
			state[i] = 1;
		buf_free(&old);
		if (state[i] == 1) {
			if (files[i].in_tmp) {
				char *t = xasprintf("%s.tmp.%ld", path[i], (long)getpid());
				unlink(t);
				free(t);
			}
			continue;
		}
		tmp[i] = xasprintf("%s.tmp.%ld", path[i], (long)getpid());
		mark_writing(oc, (long)getpid());
		if (files[i].in_tmp) {      /* out_write_temp did the writing */
			state[i] = 2;
			continue;
		}
		copy = xstrdup(path[i]);
		mkdir_p(dirname(copy));
		free(copy);
		fd = open(tmp[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd < 0 || write_full(fd, files[i].data.data, files[i].data.len) != 0 || close(fd) != 0) {
			diag(DIAG_IO_WRITE, path[i], 0, 0, strerror(errno));
			if (fd >= 0)
				unlink(tmp[i]);
			state[i] = -1;
			continue;
		}
		state[i] = 2;
	}
	/* One sync makes every temporary file durable before any rename. */
	if ((syncfd = open(oc->opts->output_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		syncfs(syncfd);
		close(syncfd);
	}
	/* The renames made durable: each folder synced once, or, when the
	 * files are in many folders (a page per folder: the verification
	 * site), the file system once more. */
	for (int i = 0; i < n; i++) {
		char *copy, *dir;

		if (state[i] != 2)
			continue;
		copy = xstrdup(path[i]);
		dir = dirname(copy);
		if (lastdir == NULL || strcmp(lastdir, dir) != 0) {
			folders++;
			free(lastdir);
			lastdir = xstrdup(dir);
		}
		free(copy);
	}
	free(lastdir);
	lastdir = NULL;
	for (int i = 0; i < n; i++) {
		if (state[i] != 2)
			continue;
		if (rename(tmp[i], path[i]) != 0) {
			diag(DIAG_IO_WRITE, path[i], 0, 0, strerror(errno));
			unlink(tmp[i]);
			state[i] = -1;
			continue;
		}
		if (folders > FOLDERS_SYNCED)
			continue;
		char *copy = xstrdup(path[i]), *dir = dirname(copy);
		if (lastdir == NULL || strcmp(lastdir, dir) != 0) {
			int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (dfd >= 0) {
				fsync(dfd);
				close(dfd);
			}
			free(lastdir);
			lastdir = xstrdup(dir);
		}
		free(copy);
	}
	free(lastdir);
	if (folders > FOLDERS_SYNCED &&
	    (syncfd = open(oc->opts->output_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		syncfs(syncfd);
		close(syncfd);
	}
	gmtime_r(&tt, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (oc->db != NULL)
		st = store_prepare(oc->db, "INSERT OR REPLACE INTO document (path, fingerprint, sha256, "
		    "built_at) VALUES (?1, ?2, ?3, ?4)");
	for (int i = 0; i < n; i++) {
		if (state[i] < 0) {
			failed++;
			oc->failed++;
		} else {
			/* the same bytes already there: not rewritten, and not
			 * said to be (a new programme or program version makes
			 * every page again, and the office would send them on) */
			if (state[i] == 1)
				oc->unchanged++;
			else
				oc->built++;
			if (oc->progress != NULL)
				oc->progress(oc->progress_arg, files[i].relpath);
			if (st != NULL && out_record(oc, st, files[i].relpath, path[i], files[i].fingerprint,
			    files[i].data.data, files[i].data.len, now, NULL) != 0)
				failed++;
		}
		free(path[i]);
		free(tmp[i]);
	}
	sqlite3_finalize(st);
	free(state);
	free(path);
	free(tmp);
	return failed;
}

void
out_doc_init(struct out_doc *od, const struct out_ctx *oc, const char *relbase)
{
	memset(od, 0, sizeof *od);
	for (int i = 0; i < oc->ndevices; i++)
		od->relpath[od->n++] = xasprintf("%s%s", relbase, oc->devices[i]->suffix);
}

void
out_doc_free(struct out_doc *od)
{
	for (int i = 0; i < od->n; i++) {
		free(od->relpath[i]);
		buf_free(&od->data[i]);
	}
	od->n = 0;
}

int
out_doc_needed(struct out_ctx *oc, const struct out_doc *od, const char *fingerprint)
{
	for (int i = 0; i < od->n; i++)
		if (out_needed(oc, od->relpath[i], fingerprint))
			return 1;
	return 0;
}

void
out_doc_unchanged(struct out_ctx *oc, const struct out_doc *od)
{
	for (int i = 0; i < od->n; i++)
		out_unchanged(oc, od->relpath[i]);
}

int
out_doc_render(struct out_doc *od, const struct out_ctx *oc, struct doc *d)
{
	for (int i = 0; i < od->n; i++)
		if (doc_render(d, oc->devices[i], &od->data[i]) != 0)
			return -1;
	return 0;
}

int
out_doc_write(struct out_ctx *oc, const struct out_doc *od, const char *fingerprint)
{
	for (int i = 0; i < od->n; i++)
		if (out_write(oc, od->relpath[i], fingerprint, od->data[i].data, od->data[i].len) != 0)
			return -1;
	return 0;
}
