/* ingest_walk.c — finding the submitted files: the input paths walked in
 * name order, each file hashed and recognised by its first bytes (an XML
 * annual return, or the CSV kind its header names), what the store already
 * knows of it, and the accepted files no longer there. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "csv_read.h"
#include "ingest_int.h"
#include "input_file.h"
#include "xlsx_read.h"
#include "store.h"

/* The path the store knows PATH by: relative to the input folder when it is
 * inside it, else absolute.  Works for files that no longer exist too. */
/* The store key of PATH before escaping. */
static char *
store_key_raw(const struct run *r, const char *path)
{
	char real[PATH_MAX], *res = NULL;

	if (realpath(path, real) == NULL) {
		/* Gone: resolve its folder instead. */
		char *copy = xstrdup(path), *slash = strrchr(copy, '/');
		const char *dir = ".", *base = copy;
		if (slash != NULL) {
			*slash = '\0';
			dir = *copy ? copy : "/";
			base = slash + 1;
		}
		char rdir[PATH_MAX];
		if (realpath(dir, rdir) != NULL) {
			char *joined = path_join(rdir, base);
			snprintf(real, sizeof real, "%s", joined);
			free(joined);
		} else
			snprintf(real, sizeof real, "%s", path);
		free(copy);
	}
	if (r->input_real != NULL) {
		size_t n = strlen(r->input_real);
		if (strncmp(real, r->input_real, n) == 0 && real[n] == '/')
			res = xstrdup(real + n + 1);
	}
	return res ? res : xstrdup(real);
}

char *
ingest_store_key(const struct run *r, const char *path)
{
	char *raw = store_key_raw(r, path), *key = jz_escape_name(raw);

	free(raw);
	return key;
}

/* Adds the regular file at PATH (as walked: SB); OPEN is the path to open,
 * when it differs (a link the operator named, resolved). */
static void
add_file(struct run *r, const char *path, const char *open, const struct stat *sb)
{
	r->files = xgrow(r->files, r->nfiles, &r->capfiles, 64, sizeof *r->files);
	struct infile *f = &r->files[r->nfiles++];
	memset(f, 0, sizeof *f);
	f->path = xstrdup(open ? open : path);
	f->shown = jz_escape_name(path);
	f->key = ingest_store_key(r, path);
	f->st = *sb;
	f->csv_kind = -1;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The warning for a file that is not a regular one, by what it is (one
 * catalogue entry each, so that each is translated whole). */
static enum diag_code
special_file(mode_t mode)
{
	return S_ISFIFO(mode) ? DIAG_IN_FIFO : S_ISSOCK(mode) ? DIAG_IN_SOCKET :
	    S_ISCHR(mode) ? DIAG_IN_CHAR_DEVICE : S_ISBLK(mode) ? DIAG_IN_BLOCK_DEVICE :
	    DIAG_IN_SPECIAL;
}

int
ingest_walk(struct run *r, const char *path, int top)
{
	struct stat sb;
	char *shown = jz_escape_name(path), *resolved = NULL;
	int rc = 0;

	/* Symbolic links are not followed below the paths given: a link in a
	 * submitted folder could show any file of the machine (the first line
	 * of /etc/shadow in a diagnostic, a secret in a report), and one that
	 * stays inside would be read twice.  A path the operator named is
	 * theirs to follow. */
	if (lstat(path, &sb) != 0) {
		diag(DIAG_IN_READ, shown, 0, 0, strerror(errno));
		free(shown);
		return -1;
	}
	if (S_ISLNK(sb.st_mode) && top) {
		if ((resolved = realpath(path, NULL)) == NULL || stat(resolved, &sb) != 0) {
			diag(DIAG_IN_READ, shown, 0, 0, strerror(errno));
			free(resolved);
			free(shown);
			return -1;
		}
	}
	if (S_ISLNK(sb.st_mode)) {
		diag(DIAG_IN_LINK, shown, 0, 0);
	} else if (S_ISREG(sb.st_mode)) {
		char *key = ingest_store_key(r, path);
		/* programme.xml at the top of the input folder is reference data. */
		if (strcmp(key, "programme.xml") != 0)
			add_file(r, path, resolved, &sb);
		free(key);
	} else if (!S_ISDIR(sb.st_mode)) {
		/* opening a FIFO would wait for a writer, for ever, holding the lock */
		diag(special_file(sb.st_mode), shown, 0, 0);
	} else {
		DIR *d = opendir(resolved ? resolved : path);
		char **names = NULL;
		size_t n = 0, cap = 0;
		struct dirent *e;

		if (d == NULL) {
			int err = errno;

			diag(DIAG_IN_READ_FOLDER, shown, 0, 0, strerror(err));
			/* below the paths given, it goes on the receipt of the
			 * region it names (2024/320623/), as a file that cannot
			 * be read does */
			if (!top) {
				add_file(r, path, resolved, &sb);
				r->files[r->nfiles - 1].folder = 1;
				r->files[r->nfiles - 1].unreadable =
				    xasprintf(jz_doc_text(N_("cannot read the folder: %s")), jz_doc_strerror(err));
			}
			free(resolved);
			free(shown);
			return -1;
		}
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			if (input_is_litter(e->d_name)) {
				/* not a submission: never rejected, never in a report */
				char *child = path_join(path, e->d_name), *cs = jz_escape_name(child);
				diag(DIAG_IN_LITTER, cs, 0, 0);
				free(cs);
				free(child);
				continue;
			}
			names = xgrow(names, n, &cap, 32, sizeof *names);
			names[n++] = xstrdup(e->d_name);
		}
		closedir(d);
		qsort(names, n, sizeof *names, by_name);
		for (size_t i = 0; i < n; i++) {
			char *child = path_join(path, names[i]);
			if (jz_interrupted == 0 && ingest_walk(r, child, 0) != 0)
				rc = -1;
			free(child);
			free(names[i]);
		}
		free(names);
	}
	free(resolved);
	free(shown);
	return rc;
}

/* Hashes F (streamed) and recognises its kind from the first bytes. */
int
ingest_recognise(struct infile *f)
{
	enum input_refusal why;
	struct stat now;
	int fd = input_open(f->path, &f->st, &now, &why);
	EVP_MD_CTX *md;
	unsigned char digest[32];
	char *head;
	size_t nhead = 0;
	ssize_t got;
	char *chunk;

	if (fd < 0) {
		f->read_errno = why == INPUT_ERRNO ? errno : 0;
		input_refusal_diag(f->shown, why);
		return -1;
	}
	f->st = now;
	filestat_from(&f->meta, &now);
	f->meta_known = 1;
	head = xmalloc(SNIFF_BYTES);
	md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	chunk = xmalloc(1 << 20);
	f->size = 0;
	while ((got = read(fd, chunk, 1 << 20)) > 0 || (got < 0 && errno == EINTR)) {
		if (got < 0)
			continue;
		EVP_DigestUpdate(md, chunk, (size_t)got);
		if (nhead < SNIFF_BYTES) {
			size_t take = (size_t)got < SNIFF_BYTES - nhead ? (size_t)got : SNIFF_BYTES - nhead;
			memcpy(head + nhead, chunk, take);
			nhead += take;
		}
		f->size += got;
	}
	int err = got < 0 ? errno : 0;
	if (f->meta_known) {
		/* what was hashed is what the metadata stands for only if
		 * nothing changed the file meanwhile */
		struct stat sb;
		struct filestat after;
		f->meta_known = fstat(fd, &sb) == 0;
		if (f->meta_known) {
			filestat_from(&after, &sb);
			f->meta_known = filestat_same(&after, &f->meta);
		}
	}
	close(fd);
	free(chunk);
	EVP_DigestFinal_ex(md, digest, NULL);
	EVP_MD_CTX_free(md);
	if (err) {
		f->meta_known = 0;
		f->read_errno = err;
		diag(DIAG_IN_READ, f->shown, 0, 0, strerror(err));
		free(head);
		return -1;
	}
	for (int i = 0; i < 32; i++)
		snprintf(f->sha256 + 2 * i, 3, "%02x", digest[i]);

	/* XML: '<' first, after a BOM and white space. */
	size_t i = 0;
	if (nhead >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < nhead && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i < nhead && head[i] == '<')
		f->slot = SLOT_XML;
	else if (xlsx_is_zip(head, nhead)) {
		f->workbook = WB_XLSX;
		f->slot = ingest_workbook_slot(f);
	} else if (xlsx_is_ole2(head, nhead)) {
		f->workbook = WB_XLS;
		f->slot = SLOT_OTHER;
	} else {
		f->csv_kind = csv_sniff(head, nhead);
		static const enum slot slots[CSV__KINDS] = {
			[CSV_ENTERPRISES] = SLOT_ENTERPRISES, [CSV_PARTICIPATION] = SLOT_PARTICIPATION,
			[CSV_ACHIEVEMENTS] = SLOT_ACHIEVEMENTS, [CSV_SCORES] = SLOT_SCORES,
			[CSV_SKILLS] = SLOT_SKILLS, [CSV_AWARDS] = SLOT_AWARDS};
		f->slot = f->csv_kind >= 0 && f->csv_kind < CSV__KINDS ? slots[f->csv_kind] : SLOT_OTHER;
	}
	free(head);
	return 0;
}

int
ingest_by_slot(const void *a, const void *b)
{
	const struct infile *x = a, *y = b;

	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	return strcmp(x->shown, y->shown);
}

int
ingest_known_unchanged(struct run *r, struct infile *f)
{
	struct filestat now, was;
	char sha[65];
	sqlite3_stmt *st;
	int accepted = 0;

	/* the file as walked (lstat: a regular file, no link) */
	filestat_from(&now, &f->st);
	if (filestat_lookup(r->db, "input", f->key, &was, sha) != 1 || !filestat_same(&now, &was))
		return 0;
	st = store_cached(r->db, "SELECT 1 FROM file WHERE path = ?1 AND sha256 = ?2 AND status = 'accepted'");
	if (st == NULL)
		return 0;
	sqlite3_bind_text(st, 1, f->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sha, -1, SQLITE_STATIC);
	accepted = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (accepted) {
		memcpy(f->sha256, sha, sizeof f->sha256);
		f->size = now.size;
		f->slot = SLOT_OTHER;   /* not read: passed over as unchanged */
	}
	return accepted;
}

void
ingest_record_metadata(struct run *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nfiles; i++)
		n += r->files[i].meta_known;
	if (n == 0 || store_begin(r->db) != 0)
		return;
	for (size_t i = 0; i < r->nfiles; i++)
		if (r->files[i].meta_known)
			filestat_record(r->db, "input", r->files[i].key, &r->files[i].meta,
			    r->files[i].sha256);
	store_commit(r->db);
}

/* Looks up which files are unchanged (same path, same bytes, accepted) and
 * which content was seen before under another status. */
int
ingest_find_prior(struct run *r)
{
	sqlite3_stmt *st = store_prepare(r->db, "SELECT id, status FROM file WHERE path = ? AND sha256 = ?");

	if (st == NULL)
		return -1;
	for (size_t i = 0; i < r->nfiles; i++) {
		struct infile *f = &r->files[i];
		sqlite3_bind_text(st, 1, f->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, f->sha256, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			f->prior_id = sqlite3_column_int64(st, 0);
			snprintf(f->prior_status, sizeof f->prior_status, "%s", (const char *)sqlite3_column_text(st, 1));
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return 0;
}

/* Warns about accepted files under the input folder that were not found. */
int
ingest_warn_disappeared(struct run *r)
{
	sqlite3_stmt *st = store_prepare(r->db, "SELECT path, rows FROM file WHERE status = 'accepted' "
	    "AND path NOT LIKE '/%' ORDER BY path");

	if (st == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		if (strmap_get(&r->seen_keys, key, NULL))
			continue;
		char *shown = path_join(r->opts->input_dir, key);
		diag(DIAG_IN_DISAPPEARED, shown, 0, 0, (long)sqlite3_column_int64(st, 1), shown);
		free(shown);
		r->sum->disappeared++;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Folders under the input folder that could not be read on an earlier run
 * and are readable now, or gone: their rejection is over (status
 * 'replaced', as a rejected file's is when it is sent again), so the
 * data-quality appendix no longer lists them.  Returns 0 or -1. */
int
ingest_retire_folders(struct run *r)
{
	sqlite3_stmt *st = store_prepare(r->db, "SELECT id, path FROM file WHERE kind = 'folder' "
	    "AND status = 'rejected' AND path NOT LIKE '/%'");
	sqlite3_stmt *up = store_prepare(r->db, "UPDATE file SET status = 'replaced' WHERE id = ?");
	int rc = st != NULL && up != NULL ? 0 : -1;

	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		if (strmap_get(&r->seen_keys, (const char *)sqlite3_column_text(st, 1), NULL))
			continue;
		sqlite3_bind_int64(up, 1, sqlite3_column_int64(st, 0));
		if (sqlite3_step(up) != SQLITE_DONE) {
			diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(r->db));
			rc = -1;
		}
		sqlite3_reset(up);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	return rc;
}

/* The kind name stored in file.kind. */
const char *
ingest_file_kind(const struct infile *f)
{
	if (f->folder)
		return "folder";
	if (f->slot == SLOT_XML)
		return "annual-return";
	if (f->csv_kind == KIND_SEVERAL)
		return "workbook";
	if (f->csv_kind >= 0 && f->csv_kind < CSV__KINDS)
		return csv_kind_name((enum csv_kind)f->csv_kind);
	return NULL;
}
