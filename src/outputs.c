/* outputs.c — documents under output/: fingerprints, atomic writes, records. */
#define _GNU_SOURCE /* syncfs */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <unistd.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "device.h"
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

	EVP_DigestFinal_ex(fp->md, md, &n);
	for (unsigned i = 0; i < 32 && i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
	EVP_MD_CTX_free(fp->md);
	free(fp);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
out_init(struct out_ctx *oc, sqlite3 *db, const struct jz_opts *opts)
{
	struct fingerprint *fp = fp_new(NULL);
	DIR *dir;

	memset(oc, 0, sizeof *oc);
	oc->db = db;
	oc->opts = opts;
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

static char *
out_path(const struct out_ctx *oc, const char *relpath)
{
	return path_join(oc->opts->output_dir, relpath);
}

int
out_needed(struct out_ctx *oc, const char *relpath, const char *fingerprint)
{
	sqlite3_stmt *st;
	int needed = 1;

	if (oc->force || oc->db == NULL)
		return 1;
	st = store_prepare(oc->db, "SELECT fingerprint, sha256 FROM document WHERE path = ?1");
	if (st == NULL)
		return 1;
	sqlite3_bind_text(st, 1, relpath, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 0), fingerprint) == 0) {
		/* Same inputs: still needed if the file is gone or was altered. */
		char *path = out_path(oc, relpath);
		struct buf b = {0};
		char hex[65];
		if (file_read_all(path, &b) == 0) {
			sha256_hex(b.data, b.len, hex);
			needed = strcmp(hex, (const char *)sqlite3_column_text(st, 1)) != 0;
		}
		buf_free(&b);
		free(path);
	}
	sqlite3_finalize(st);
	return needed;
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
	free(path);
	if (oc->progress != NULL)
		oc->progress(oc->progress_arg, relpath);
	if (oc->db == NULL)
		return 0;
	sha256_hex(data, len, hex);
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

void
out_unchanged(struct out_ctx *oc, const char *relpath)
{
	oc->unchanged++;
	if (oc->progress != NULL)
		oc->progress(oc->progress_arg, relpath);
}

/* Records RELPATH's fingerprint and sha256 in the document table. */
static int
out_record(struct out_ctx *oc, sqlite3_stmt *st, const char *relpath, const char *fingerprint,
    const void *data, size_t len, const char *now)
{
	char hex[65];

	sha256_hex(data, len, hex);
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, relpath, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE)
		return 0;
	diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(oc->db));
	return -1;
}

int
out_write_temp(const struct out_ctx *oc, const char *relpath, long owner, const void *data,
    size_t len)
{
	char *path = out_path(oc, relpath), *copy = xstrdup(path);
	char *tmp = xasprintf("%s.tmp.%ld", path, owner);
	int fd, rc = 0;

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
	int syncfd;

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
	for (int i = 0; i < n; i++) {
		if (state[i] != 2)
			continue;
		if (rename(tmp[i], path[i]) != 0) {
			diag(DIAG_IO_WRITE, path[i], 0, 0, strerror(errno));
			unlink(tmp[i]);
			state[i] = -1;
			continue;
		}
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
			oc->built++;
			if (oc->progress != NULL)
				oc->progress(oc->progress_arg, files[i].relpath);
			if (st != NULL && out_record(oc, st, files[i].relpath, files[i].fingerprint,
			    files[i].data.data, files[i].data.len, now) != 0)
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
