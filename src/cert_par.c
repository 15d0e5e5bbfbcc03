/* cert_par.c — renders many documents on every core: worker processes make
 * them, this process takes them in order, with the diagnostics each made;
 * one more document (print.pdf) may be made beside them by a worker of its
 * own. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cert.h"

#define MAX_WORKERS 8

/* What a worker sends before each document: its number, how rendering went,
 * the bytes of its diagnostics, then of the document. */
struct head {
	int32_t i, status;
	uint32_t ndiag;
	uint32_t pad;
	uint64_t len;
	double cpu;            /* the side worker's processor time, seconds */
};

static int
read_all(int fd, void *p, size_t n)
{
	char *s = p;

	while (n > 0) {
		ssize_t k = read(fd, s, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

/* A diagnostic as bytes: level, line, column, file (length -1: none), text. */
static void
put_i64(struct buf *b, int64_t v)
{
	buf_add(b, &v, sizeof v);
}

static void
put_str(struct buf *b, const char *s)
{
	put_i64(b, s != NULL ? (int64_t)strlen(s) : -1);
	if (s != NULL)
		buf_add(b, s, strlen(s));
}

static void
capture(const struct diag_msg *m, void *arg)
{
	struct buf *b = arg;

	put_i64(b, m->level);
	put_i64(b, m->line);
	put_i64(b, m->column);
	put_str(b, m->file);
	put_str(b, m->text);
}

static int
get_i64(const char **p, const char *end, int64_t *v)
{
	if (end - *p < (long)sizeof *v)
		return -1;
	memcpy(v, *p, sizeof *v);
	*p += sizeof *v;
	return 0;
}

/* The string at *P, copied (NULL for none); -1 when the bytes end first. */
static int
get_str(const char **p, const char *end, char **s)
{
	int64_t n;

	*s = NULL;
	if (get_i64(p, end, &n) != 0 || n > end - *p)
		return -1;
	if (n >= 0) {
		*s = xmalloc((size_t)n + 1);
		memcpy(*s, *p, (size_t)n);
		(*s)[n] = '\0';
		*p += n;
	}
	return 0;
}

/* Reports again, here, the diagnostics a worker made. */
static void
replay(const char *p, size_t n)
{
	static const enum diag_code code[] = {
		[DIAG_NOTE] = DIAG_CERT_FWD_NOTE, [DIAG_WARNING] = DIAG_CERT_FWD_WARNING,
		[DIAG_ERROR] = DIAG_CERT_FWD_ERROR, [DIAG_FATAL] = DIAG_CERT_FWD_FATAL,
	};
	const char *end = p + n;

	while (p < end) {
		int64_t level, line, column;
		char *file, *text;

		if (get_i64(&p, end, &level) != 0 || get_i64(&p, end, &line) != 0 ||
		    get_i64(&p, end, &column) != 0 || get_str(&p, end, &file) != 0)
			return;
		if (get_str(&p, end, &text) != 0) {
			free(file);
			return;
		}
		if (level < DIAG_NOTE || level > DIAG_FATAL)
			level = DIAG_ERROR;
		diag(code[level], file, (long)line, (long)column, text ? text : "");
		free(file);
		free(text);
	}
}

/* The start of a forked worker.  It ends with PARENT (killed, say); and it
 * holds none of the parent's files but KEEP and KEEP2 (-1: none) and the
 * standard ones, such as the run lock, an flock() that would otherwise
 * outlive the parent in it.  An interrupt ends it at once: the parent stops
 * the run. */
static void
worker_begin(pid_t parent, int keep, int keep2)
{
	int lo = keep, hi = keep;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	if (keep2 >= 0 && keep2 < lo)
		lo = keep2;
	if (keep2 > hi)
		hi = keep2;
	if (lo > 3)
		close_range(3, (unsigned)lo - 1, 0);
	if (hi - lo > 1)
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	close_range((unsigned)hi + 1, ~0U, 0);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
}

/* Worker K of W: documents K, K + W, ... to FD, then exits. */
static void
worker(int k, int w, int n, int fd, pid_t parent, cert_render_fn render, void *arg)
{
	struct buf diags = {0};

	worker_begin(parent, fd, -1);
	diag_set_sink(capture, &diags, NULL, NULL);
	for (int i = k; i < n; i += w) {
		struct buf out = {0};
		struct head h = {0};

		diags.len = 0;
		h.i = i;
		h.status = render(arg, i, &out);
		h.ndiag = (uint32_t)diags.len;
		h.len = out.len;
		if (write_full(fd, &h, sizeof h) != 0 || write_full(fd, diags.data, diags.len) != 0 ||
		    write_full(fd, out.data, out.len) != 0)
			_exit(1);
		buf_free(&out);
	}
	/* no exit handlers: they belong to the parent (store, temporary files) */
	_exit(0);
}

/* The side worker: SIDE's function, then its result to FD; keeps FD and
 * SIDE->keep_fd open, nothing else. */
static void
side_worker(struct cert_side *side, int fd, pid_t parent)
{
	struct buf diags = {0}, out = {0};
	struct head h = {0};
	double c0;

	worker_begin(parent, fd, side->keep_fd);
	diag_set_sink(capture, &diags, NULL, NULL);
	c0 = jz_thread_cpu_seconds();
	h.i = -1;
	h.status = side->fn(side->arg, &out);
	h.cpu = jz_thread_cpu_seconds() - c0;
	h.ndiag = (uint32_t)diags.len;
	h.len = out.len;
	if (write_full(fd, &h, sizeof h) != 0 || write_full(fd, diags.data, diags.len) != 0 ||
	    write_full(fd, out.data, out.len) != 0)
		_exit(1);
	_exit(0);
}

/* Starts SIDE in a worker of its own; returns its pid (its result to be
 * read from *FD), or -1 when no process could be had. */
static pid_t
side_start(struct cert_side *side, int *fd)
{
	pid_t self = getpid(), pid;
	int p[2];

	if (pipe(p) != 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		side_worker(side, p[1], self);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	*fd = p[0];
	return pid;
}

/* Reads the side worker's result into SIDE and reports its diagnostics;
 * ends the worker.  A worker lost leaves SIDE->status -1, after a
 * diagnostic. */
static void
side_end(struct cert_side *side, pid_t pid, int fd, int kill_it)
{
	struct head h;
	struct buf diags = {0};
	int came = 0;

	side->status = -1;
	if (kill_it)
		kill(pid, SIGKILL);
	else if (read_all(fd, &h, sizeof h) == 0 && h.i == -1 && h.ndiag < (1u << 30) &&
	    h.len < (1ull << 34)) {
		diags.data = xmalloc(h.ndiag + 1);
		buf_free(&side->out);
		side->out.data = xmalloc(h.len + 1);
		side->out.cap = h.len + 1;
		if (read_all(fd, diags.data, h.ndiag) == 0 &&
		    read_all(fd, side->out.data, h.len) == 0) {
			side->out.len = h.len;
			side->out.data[h.len] = '\0';
			side->status = h.status;
			side->cpu = h.cpu;
			replay(diags.data, h.ndiag);
			came = 1;
		}
		buf_free(&diags);
	}
	if (!came && !kill_it)
		diag(DIAG_CERT_WORKER, NULL, 0, 0, (int)pid);
	close(fd);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static int
cores(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof set, &set) == 0)
		n = CPU_COUNT(&set);
	else
		n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : n;
}

/* Ends the K workers started so far; returns 0 (workers left). */
static int
stop(pid_t *pids, int *fds, int k)
{
	for (int j = 0; j < k; j++) {
		kill(pids[j], SIGKILL);
		close(fds[j]);
		while (waitpid(pids[j], NULL, 0) < 0 && errno == EINTR)
			;
	}
	return 0;
}

/* Takes items 0 .. N-1 from the W workers (PIDS, FDS) in order; returns
 * how many were lost. */
static int
take_all(int n, int w, pid_t *pids, int *fds, cert_take_fn take, void *arg)
{
	char dead[MAX_WORKERS] = {0};
	int lost = 0;

	for (int i = 0; i < n; i++) {
		int k = i % w;
		struct head h;
		struct buf out = {0}, diags = {0};

		if (jz_interrupted) {
			/* the workers go; what they made and this process did not
			 * take is removed with the run's other temporary files */
			stop(pids, fds, w);
			for (; i < n; i++)
				take(arg, i, -1, NULL);
			return n;
		}
		if (!dead[k] && read_all(fds[k], &h, sizeof h) == 0 && h.i == i &&
		    h.ndiag < (1u << 30) && h.len < (1ull << 34)) {
			diags.data = xmalloc(h.ndiag + 1);
			out.data = xmalloc(h.len + 1);
			out.cap = h.len + 1;
			if (read_all(fds[k], diags.data, h.ndiag) == 0 &&
			    read_all(fds[k], out.data, h.len) == 0) {
				out.len = h.len;
				replay(diags.data, h.ndiag);
				take(arg, i, h.status, &out);
				buf_free(&out);
				buf_free(&diags);
				continue;
			}
			buf_free(&out);
			buf_free(&diags);
		}
		if (!dead[k])
			diag(DIAG_CERT_WORKER, NULL, 0, 0, (int)pids[k]);
		dead[k] = 1;
		lost++;
		take(arg, i, -1, NULL);
	}
	for (int k = 0; k < w; k++) {
		close(fds[k]);
		while (waitpid(pids[k], NULL, 0) < 0 && errno == EINTR)
			;
	}
	return lost;
}

int
cert_par_render(int n, cert_render_fn render, cert_take_fn take, void *arg)
{
	return cert_par_render_beside(n, render, take, arg, NULL);
}

int
cert_par_render_beside(int n, cert_render_fn render, cert_take_fn take, void *arg,
    struct cert_side *side)
{
	int w = cores(), fds[MAX_WORKERS], lost = 0, side_fd = -1;
	pid_t pids[MAX_WORKERS], self = getpid(), side_pid = -1;
	struct diag_held *held = NULL;

	if (side != NULL) {
		side->status = -1;
		side->cpu = 0;
		/* one core: the side document first, here, as before the others */
		if (w < 2 || (side_pid = side_start(side, &side_fd)) < 0) {
			double c0 = jz_thread_cpu_seconds();
			side->status = side->fn(side->arg, &side->out);
			side->cpu = jz_thread_cpu_seconds() - c0;
			side = NULL;
		}
	}
	if (n < 2 * w)
		w = n / 2;
	/* fewer than two workers: none (the documents are made here) */
	for (int k = 0; w >= 2 && k < w; k++) {
		int p[2];

		if (pipe(p) != 0) {
			w = stop(pids, fds, k);
			break;
		}
		/* room for a good many documents while this process writes files */
		fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
		fflush(NULL);
		pids[k] = fork();
		if (pids[k] == 0) {
			close(p[0]);
			for (int j = 0; j < k; j++)
				close(fds[j]);
			worker(k, w, n, p[1], self, render, arg);
		}
		close(p[1]);
		fds[k] = p[0];
		if (pids[k] < 0) {
			close(p[0]);
			w = stop(pids, fds, k);
			break;
		}
	}
	/* What is said here meanwhile comes after what the side document
	 * says, as when it was made first. */
	if (side != NULL)
		held = diag_hold();
	if (w < 2) {
		/* one core, few documents, or no processes to be had: here */
		for (int i = 0; i < n; i++) {
			struct buf out = {0};
			int st = render(arg, i, &out);

			take(arg, i, st, &out);
			buf_free(&out);
		}
	} else
		lost = take_all(n, w, pids, fds, take, arg);
	if (side != NULL) {
		/* the side worker's diagnostics first, then this process's */
		diag_unhold(held);
		side_end(side, side_pid, side_fd, jz_interrupted != 0);
		diag_release(held);
	}
	return lost;
}

double
cert_par_cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_CHILDREN, &ru) != 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}
