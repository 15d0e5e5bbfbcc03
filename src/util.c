/* util.c — memory, buffers, files written atomically, hashing, UTF-8. */
#define _GNU_SOURCE /* nftw's FTW_ACTIONRETVAL */
#include <errno.h>
#include <float.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libdeflate.h>
#include <openssl/evp.h>
#include <unicode/uchar.h>
#include <unicode/ucal.h>

#include "jingsai.h"

static void
out_of_memory(void)
{
	fputs("jingsai: fatal: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xgrow(void *p, size_t n, size_t *cap, size_t first, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? 2 * *cap : first;
	return xrealloc(p, *cap * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

static void
buf_grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *data, size_t len)
{
	buf_grow(b, len);
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_putc(struct buf *b, int c)
{
	char ch = (char)c;

	buf_add(b, &ch, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

struct strmap_slot {
	uint64_t hash;
	long value;
	char *ext;          /* the key when too long for inl, else NULL */
	char inl[23];       /* the key when it fits */
	unsigned char used;
};

static uint64_t
strmap_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return h ^ (h >> 29);
}

/* The slot of KEY (hash H), or the empty one where it would go. */
static struct strmap_slot *
strmap_slot(const struct strmap *m, const char *key, uint64_t h)
{
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct strmap_slot *sl = &m->slot[i];
		if (!sl->used || (sl->hash == h && strcmp(sl->ext ? sl->ext : sl->inl, key) == 0))
			return sl;
	}
}

int
strmap_get(const struct strmap *m, const char *key, long *value)
{
	struct strmap_slot *sl;

	if (m->cap == 0)
		return 0;
	sl = strmap_slot(m, key, strmap_hash(key));
	if (sl->used && value != NULL)
		*value = sl->value;
	return sl->used;
}

int
strmap_add(struct strmap *m, const char *key, long value)
{
	struct strmap_slot *sl;
	uint64_t h = strmap_hash(key);
	size_t len = strlen(key);

	if (3 * (m->n + 1) > 2 * m->cap) {
		struct strmap old = *m;
		m->cap = m->cap ? 2 * m->cap : 64;
		m->slot = xcalloc(m->cap, sizeof *m->slot);
		for (size_t i = 0; i < old.cap; i++) {
			if (!old.slot[i].used)
				continue;
			size_t j = old.slot[i].hash & (m->cap - 1);
			while (m->slot[j].used)
				j = (j + 1) & (m->cap - 1);
			m->slot[j] = old.slot[i];
		}
		free(old.slot);
	}
	sl = strmap_slot(m, key, h);
	if (sl->used)
		return 0;
	sl->used = 1;
	sl->hash = h;
	sl->value = value;
	if (len < sizeof sl->inl)
		memcpy(sl->inl, key, len + 1);
	else
		sl->ext = xstrdup(key);
	m->n++;
	return 1;
}

void
strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slot[i].ext);
	free(m->slot);
	memset(m, 0, sizeof *m);
}

int
jz_parse_year(const char *s, int *year)
{
	char *end;
	long y = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || y < 1900 || y > 2999)
		return -1;
	*year = (int)y;
	return 0;
}

void
buf_csv_field(struct buf *b, const char *s)
{
	if (s == NULL)
		s = "";
	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int
file_read_all(const char *path, struct buf *out)
{
	char chunk[65536];
	ssize_t n;
	/* O_NONBLOCK: a FIFO in the place of a file fails (EAGAIN), it does not hang */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		buf_add(out, chunk, (size_t)n);
	}
	if (out->data == NULL)
		buf_add(out, "", 0);
	close(fd);
	return 0;
}

int
mkdir_p(const char *dir)
{
	char *p;
	int rc = 0;

	/* the folder is most often there already (a thousand files written
	 * into one): one call then, not one per level */
	if (mkdir(dir, 0777) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -1;
	p = xstrdup(dir);
	for (char *s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			rc = -1;
			goto out;
		}
		*s = '/';
	}
	if (mkdir(p, 0777) != 0 && errno != EEXIST)
		rc = -1;
out:
	free(p);
	return rc;
}

char *
path_join(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (n == 0)
		return xstrdup(b);
	return xasprintf("%s%s%s", a, a[n - 1] == '/' ? "" : "/", b);
}

int
write_full(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
atomic_write(const char *path, const void *data, size_t len)
{
	char *copy = xstrdup(path);
	char *dir = dirname(copy);
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = -1, saved, rc = -1;

	if (mkdir_p(dir) != 0)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		goto out;
	if (write_full(fd, data, len) != 0 || fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	rc = 0;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	free(copy);
	errno = saved;
	return rc;
}

int
atomic_write_if_changed(const char *path, const void *data, size_t len)
{
	struct buf old = {0};
	int same = file_read_all(path, &old) == 0 && old.len == len &&
	    memcmp(old.data, data, len) == 0;

	buf_free(&old);
	if (same)
		return 0;
	return atomic_write(path, data, len) == 0 ? 1 : -1;
}

/* Compressors ready for use: making one costs more than a small stream. */
#define DEFLATE_POOL 8
static struct libdeflate_compressor *deflate_pool[DEFLATE_POOL];
static int deflate_pooled;
static pthread_mutex_t deflate_lock = PTHREAD_MUTEX_INITIALIZER;

int
buf_deflate(struct buf *out, const void *data, size_t len)
{
	struct libdeflate_compressor *c = NULL;
	size_t bound, n;

	pthread_mutex_lock(&deflate_lock);
	if (deflate_pooled > 0)
		c = deflate_pool[--deflate_pooled];
	pthread_mutex_unlock(&deflate_lock);
	if (c == NULL && (c = libdeflate_alloc_compressor(9)) == NULL)
		return -1;
	bound = libdeflate_zlib_compress_bound(c, len);
	buf_grow(out, bound);
	n = libdeflate_zlib_compress(c, data, len, out->data + out->len, bound);
	out->len += n;
	out->data[out->len] = '\0';
	pthread_mutex_lock(&deflate_lock);
	if (deflate_pooled < DEFLATE_POOL)
		deflate_pool[deflate_pooled++] = c, c = NULL;
	pthread_mutex_unlock(&deflate_lock);
	libdeflate_free_compressor(c);
	return n > 0 ? 0 : -1;
}

void
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	static const char hex[] = "0123456789abcdef";

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	for (unsigned i = 0; i < mdlen && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

long
utf8_decode(const unsigned char *s, size_t len, int *adv)
{
	long cp;
	int n;

	*adv = 1;
	if (len == 0)
		return -1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return -1;
	if ((size_t)n > len)
		return -1;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*adv = n;
	return cp;
}

void
utf8_encode(struct buf *b, long cp)
{
	unsigned char s[4];
	size_t n;

	if (cp < 0x80) {
		s[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		s[0] = (unsigned char)(0xC0 | (cp >> 6));
		s[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		s[0] = (unsigned char)(0xE0 | (cp >> 12));
		s[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		s[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		s[0] = (unsigned char)(0xF0 | (cp >> 18));
		s[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		s[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		s[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_add(b, s, n);
}

int
utf8_valid(const char *s, size_t len, size_t *bad)
{
	size_t i = 0;
	int adv;

	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		if (utf8_decode((const unsigned char *)s + i, len - i, &adv) < 0) {
			if (bad != NULL)
				*bad = i;
			return 0;
		}
		i += (size_t)adv;
	}
	return 1;
}

/* 1 when code point CP prints as itself: not a control, format, private-use
 * or unassigned character, nor a line or paragraph separator. */
static int
printable(long cp)
{
	switch (u_charType((UChar32)cp)) {
	case U_CONTROL_CHAR: case U_FORMAT_CHAR: case U_PRIVATE_USE_CHAR: case U_SURROGATE:
	case U_UNASSIGNED: case U_LINE_SEPARATOR: case U_PARAGRAPH_SEPARATOR:
		return 0;
	default:
		return 1;
	}
}

char *
jz_escape_name(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i;
	struct buf b = {0};
	int adv;
	long cp;

	for (i = 0; i < len; i += (size_t)adv)
		if ((cp = utf8_decode(p + i, len - i, &adv)) < 0 || !printable(cp))
			break;
	if (i == len)
		return xstrdup(s);
	for (i = 0; i < len; i += (size_t)adv) {
		cp = utf8_decode(p + i, len - i, &adv);
		if (cp < 0 || cp < 0x20 || cp == 0x7F)
			buf_printf(&b, "\\x%02X", p[i]);
		else if (cp == '\\')
			buf_puts(&b, "\\\\");
		else if (!printable(cp))
			buf_printf(&b, "\\u{%04lX}", cp);
		else
			buf_add(&b, p + i, (size_t)adv);
	}
	return b.data;
}

int
template_utf8_check(const char *path, const char *data, size_t len, enum diag_code code)
{
	size_t bad;
	long line, col;

	if (utf8_valid(data, len, &bad))
		return 0;
	/* an editor that saved the file in the local code page (GBK) is the
	 * usual way to break a template: say so, where, and what to do */
	jz_text_position(data, data + bad, &line, &col);
	(void)code;
	diag(DIAG_TPL_NOT_UTF8, path, line, col);
	return -1;
}

void
jz_text_position(const char *base, const char *at, long *line, long *col)
{
	const char *ls = base;

	*line = 1;
	for (const char *s = base; s < at; s++)
		if (*s == '\n') {
			++*line;
			ls = s + 1;
		}
	*col = 1;
	for (const char *s = ls; s < at; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			++*col;
}

static long long fixed_epoch = -1;  /* jz_clock_fix's moment; -1: the system clock */

long long
jz_epoch_parse(const char *s)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtoll(s, &end, 10);
	return *end == '\0' && v >= 0 ? v : -1;
}

void
jz_clock_fix(long long epoch)
{
	fixed_epoch = epoch < 0 ? -1 : epoch;
}

int
jz_clock_fixed(void)
{
	return fixed_epoch >= 0;
}

long long
jz_now(void)
{
	return fixed_epoch >= 0 ? fixed_epoch : (long long)time(NULL);
}

/* The time of CLOCK, in seconds. */
double
jz_round_half(double v, int decimals)
{
	static const double scale[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
	double s, x, f;

	decimals = decimals < 0 ? 0 : decimals > 6 ? 6 : decimals;
	s = scale[decimals];
	x = v * s;
	if (!isfinite(x) || fabs(x) >= 0x1p52)
		return v;
	f = floor(x);
	/* A few units in the last place from a half is the half itself: the
	 * quotient, the product and the scaling that led here rounded once
	 * each.  (A true value that close to a half and not a half would need
	 * a denominator of some 10^15.) */
	if (fabs(x - f - 0.5) <= 8 * DBL_EPSILON * fmax(1.0, fabs(x)))
		x = x >= 0 ? f + 1 : f;
	else
		x = round(x);
	return x == 0 ? 0.0 : x / s;
}

static double
seconds_of(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double
jz_wall_seconds(void)
{
	return seconds_of(CLOCK_MONOTONIC);
}

double
jz_cpu_seconds(void)
{
	return seconds_of(CLOCK_PROCESS_CPUTIME_ID);
}

double
jz_thread_cpu_seconds(void)
{
	return seconds_of(CLOCK_THREAD_CPUTIME_ID);
}

/* ---- Interruption ------------------------------------------------------------- */

volatile sig_atomic_t jz_interrupted;

static void
on_interrupt(int sig)
{
	if (jz_interrupted) {
		/* asked twice: stop now */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	jz_interrupted = sig;
}

void
jz_catch_interrupts(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;   /* whole steps go on to their end */
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &sa, NULL);
}

static char own_suffix[32];

static int
remove_own(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	size_t n = strlen(path), k = strlen(own_suffix);

	(void)ftw;
	if (type == FTW_F && n > k && strcmp(path + n - k, own_suffix) == 0)
		unlink(path);
	return FTW_CONTINUE;
}

void
jz_remove_own_temporaries(const char *dir)
{
	snprintf(own_suffix, sizeof own_suffix, ".tmp.%ld", (long)getpid());
	nftw(dir, remove_own, 16, FTW_PHYS | FTW_ACTIONRETVAL);
}

/* ---- Time zones (ICU's calendar, thread-safe, no TZ variable) ------------ */

/* A Gregorian calendar of ZONE (UTF-8), or NULL when ICU does not know it. */
static UCalendar *
zone_calendar(const char *zone)
{
	UChar id[64];
	UChar canonical[64];
	int32_t n = 0;
	UBool system = 0;
	UErrorCode err = U_ZERO_ERROR;
	UCalendar *cal;

	for (const char *p = zone; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80 || n >= 63)
			return NULL;   /* zone ids are ASCII */
		id[n++] = (UChar)*p;
	}
	id[n] = 0;
	/* ICU takes an unknown id for GMT: ask whether it is a real one */
	ucal_getCanonicalTimeZoneID(id, n, canonical, 64, &system, &err);
	if (U_FAILURE(err) || !system)
		return NULL;
	cal = ucal_open(id, n, "en_US_POSIX", UCAL_GREGORIAN, &err);
	if (U_FAILURE(err)) {
		ucal_close(cal);
		return NULL;
	}
	return cal;
}

int
jz_zone_valid(const char *zone)
{
	UCalendar *cal = zone ? zone_calendar(zone) : NULL;

	ucal_close(cal);
	return cal != NULL;
}

int
jz_zone_date(long long t, const char *zone, int *y, int *m, int *d)
{
	UCalendar *cal = zone_calendar(zone ? zone : JZ_DEFAULT_ZONE);
	UErrorCode err = U_ZERO_ERROR;

	if (cal == NULL)
		return -1;
	ucal_setMillis(cal, (UDate)t * 1000.0, &err);
	*y = ucal_get(cal, UCAL_YEAR, &err);
	*m = ucal_get(cal, UCAL_MONTH, &err) + 1;
	*d = ucal_get(cal, UCAL_DATE, &err);
	ucal_close(cal);
	return U_FAILURE(err) ? -1 : 0;
}

long long
jz_zone_midnight(int y, int m, int d, const char *zone)
{
	UCalendar *cal = zone_calendar(zone ? zone : JZ_DEFAULT_ZONE);
	UErrorCode err = U_ZERO_ERROR;
	UDate ms;

	if (cal == NULL)
		return -1;
	ucal_setDateTime(cal, y, m - 1, d, 0, 0, 0, &err);
	ucal_set(cal, UCAL_MILLISECOND, 0);
	ms = ucal_getMillis(cal, &err);
	ucal_close(cal);
	return U_FAILURE(err) ? -1 : (long long)(ms / 1000.0);
}
