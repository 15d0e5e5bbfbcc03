/* cert_sign.c — the keyed code on a certificate: the key file, the signed
 * fields, HMAC-SHA256, and the QR payload (built and parsed back). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include "cert.h"

#define DEFAULT_PATTERN "{serial}.{mac}"
#define MAC_BYTES 16

/* The key file last found unusable: a run loads the key for every year's
 * certificates and for the site, and says why it cannot once, not once a
 * year (a missing file printed its error six times). */
static char *unusable;

/* 1 when PATH was said to be unusable before; else remembers it. */
static int
said_unusable(const char *path)
{
	if (unusable != NULL && strcmp(unusable, path) == 0)
		return 1;
	free(unusable);
	unusable = xstrdup(path);
	return 0;
}

int
cert_key_load(const char *path, unsigned char **key, size_t *len)
{
	struct buf b = {0};
	struct stat sb;
	int fd;

	*key = NULL;
	*len = 0;
	if (path == NULL || *path == '\0')
		return 0;
	/* O_NONBLOCK: a FIFO put in its place must not hang the run */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		if (said_unusable(path))
			;
		else if (err == ENOENT)
			diag(DIAG_CERT_KEY_NONE, NULL, 0, 0, path);
		else
			diag(DIAG_CERT_KEY, NULL, 0, 0, path, strerror(err));
		return -1;
	}
	/* The key signs every certificate: a file anyone else can read or
	 * replace is no secret. */
	if (!S_ISREG(sb.st_mode) || (sb.st_mode & 077) != 0 ||
	    (sb.st_uid != geteuid() && sb.st_uid != 0)) {
		if (said_unusable(path))
			;
		else if (!S_ISREG(sb.st_mode))
			diag(DIAG_CERT_KEY_NOT_FILE, NULL, 0, 0, path);
		else if ((sb.st_mode & 077) != 0)
			diag(DIAG_CERT_KEY_OPEN, NULL, 0, 0, path, (unsigned)(sb.st_mode & 07777), path);
		else
			diag(DIAG_CERT_KEY_OWNER, NULL, 0, 0, path, (long)sb.st_uid, (long)geteuid());
		close(fd);
		return -1;
	}
	for (;;) {
		char chunk[4096];
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			diag(DIAG_CERT_KEY, NULL, 0, 0, path, strerror(errno));
			close(fd);
			buf_free(&b);
			return -1;
		}
		if (n == 0 || b.len > 65536)
			break;
		buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	if (b.data == NULL)
		buf_add(&b, "", 0);
	/* An editor's final newline is not part of the key. */
	while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
		b.len--;
	if (b.len < 16) {
		if (!said_unusable(path))
			diag(DIAG_CERT_KEY_SHORT, NULL, 0, 0, path);
		buf_free(&b);
		return -1;
	}
	*key = (unsigned char *)b.data;
	*len = b.len;
	return 1;
}

static void
put_field(struct buf *b, const char *name, const char *value)
{
	buf_puts(b, name);
	buf_putc(b, '=');
	for (const char *p = value ? value : ""; *p; p++)
		buf_putc(b, *p == '\n' || *p == '\r' ? ' ' : *p);
	buf_putc(b, '\n');
}

char *
cert_fields_make(const char *serial, const char *title, const char *recipient,
    const char *unit, const char *date)
{
	struct buf b = {0};

	put_field(&b, "serial", serial);
	put_field(&b, "title", title);
	put_field(&b, "recipient", recipient);
	put_field(&b, "unit", unit);
	put_field(&b, "date", date);
	return b.data;
}

char *
cert_fields_get(const char *fields, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = fields; p != NULL && *p; ) {
		const char *eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		if ((size_t)(eol - p) > n && strncmp(p, name, n) == 0 && p[n] == '=')
			return xstrndup(p + n + 1, (size_t)(eol - p - (long)n - 1));
		p = *eol ? eol + 1 : eol;
	}
	return NULL;
}

void
cert_mac(const unsigned char *key, size_t keylen, const char *fields, char out[32])
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int o = 0;

	HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)fields, strlen(fields), md, &mdlen);
	/* base64url without padding of the first MAC_BYTES bytes. */
	for (int i = 0; i < MAC_BYTES; i += 3) {
		unsigned v = (unsigned)md[i] << 16;
		int have = MAC_BYTES - i >= 3 ? 3 : MAC_BYTES - i;
		if (have > 1)
			v |= (unsigned)md[i + 1] << 8;
		if (have > 2)
			v |= md[i + 2];
		out[o++] = alphabet[(v >> 18) & 63];
		out[o++] = alphabet[(v >> 12) & 63];
		if (have > 1)
			out[o++] = alphabet[(v >> 6) & 63];
		if (have > 2)
			out[o++] = alphabet[v & 63];
	}
	out[o] = '\0';
}

void
cert_key_id(const unsigned char *key, size_t keylen, char out[32])
{
	if (key == NULL)
		out[0] = '\0';
	else
		cert_mac(key, keylen, "jingsai certificate key id", out);
}

char *
cert_payload(const char *pattern, const char *serial, const char *mac)
{
	struct buf b = {0};

	if (pattern == NULL || *pattern == '\0')
		pattern = DEFAULT_PATTERN;
	for (const char *p = pattern; *p; ) {
		if (strncmp(p, "{serial}", 8) == 0) {
			buf_puts(&b, serial);
			p += 8;
		} else if (strncmp(p, "{mac}", 5) == 0) {
			buf_puts(&b, mac);
			p += 5;
		} else if (strncmp(p, "{payload}", 9) == 0) {
			buf_printf(&b, "%s.%s", serial, mac);
			p += 9;
		} else
			buf_putc(&b, *p++);
	}
	return b.data;
}

int
cert_serial_valid(const char *s)
{
	int i, n;

	for (i = 0; i < 4; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	if (s[4] != '-')
		return 0;
	for (i = 5, n = 0; isupper((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_'; i++)
		n++;
	if (n == 0 || s[i] != '-')
		return 0;
	for (i++, n = 0; isdigit((unsigned char)s[i]); i++)
		n++;
	return n >= 4 && s[i] == '\0';
}

/* Matches TEXT against PATTERN; a placeholder takes everything up to the
 * pattern's next literal character.  Returns 0 on a whole match. */
static int
match(const char *pattern, const char *text, char serial[64], char mac[64])
{
	const char *p = pattern, *t = text;
	char payload[128] = "";

	serial[0] = mac[0] = '\0';
	while (*p) {
		char *dst = NULL;
		if (strncmp(p, "{serial}", 8) == 0) {
			dst = serial;
			p += 8;
		} else if (strncmp(p, "{mac}", 5) == 0) {
			dst = mac;
			p += 5;
		} else if (strncmp(p, "{payload}", 9) == 0) {
			dst = payload;
			p += 9;
		}
		if (dst != NULL) {
			const char *end = *p ? strchr(t, *p) : t + strlen(t);
			if (end == NULL || end - t >= 64)
				return -1;
			memcpy(dst, t, (size_t)(end - t));
			dst[end - t] = '\0';
			t = end;
			continue;
		}
		if (*p != *t)
			return -1;
		p++;
		t++;
	}
	if (payload[0] != '\0') {
		/* {payload} is SERIAL.MAC (neither has a dot). */
		char *dot = strchr(payload, '.');
		if (dot == NULL || serial[0] != '\0' || mac[0] != '\0')
			return -1;
		*dot = '\0';
		strcpy(serial, payload);
		strcpy(mac, dot + 1);
	}
	/* a payload without its code is no payload (never a bare serial) */
	return *t == '\0' && cert_serial_valid(serial) && mac[0] != '\0' ? 0 : -1;
}

int
cert_mac_equal(const char *want, const char *given)
{
	size_t n = strlen(want);

	/* the length of a MAC is no secret; its bytes are compared in
	 * constant time, so that timing tells nothing of the right code */
	return strlen(given) == n && CRYPTO_memcmp(want, given, n) == 0;
}

int
cert_mac_form(const char *mac)
{
	size_t n = 0;

	for (; mac[n] != '\0'; n++)
		if (!isalnum((unsigned char)mac[n]) && mac[n] != '-' && mac[n] != '_')
			return 0;
	return n == CERT_MAC_CHARS;
}

int
cert_payload_parse(const char *pattern, const char *text, char serial[64], char mac[64])
{
	/* The address a browser shows is the page's folder once the web
	 * server has sent it on there (PATH/), or the page (PATH/index.html):
	 * a holder copies that, not what the QR code holds.  Those ends are
	 * tried first, for the last placeholder of a pattern takes whatever
	 * ends the text (a code has no '/'). */
	static const char *const ends[] = {"/index.html", "/", ""};
	size_t n = strlen(text);

	/* Scanners may add a final newline; a copy, spaces around. */
	while (n > 0 && isspace((unsigned char)text[n - 1]))
		n--;
	while (n > 0 && isspace((unsigned char)*text)) {
		text++;
		n--;
	}
	char *t = xstrndup(text, n);
	int rc = -1;

	if (n < 64 && cert_serial_valid(t)) {
		strcpy(serial, t);
		mac[0] = '\0';
		rc = 0;
	}
	for (size_t i = 0; rc != 0 && i < sizeof ends / sizeof *ends; i++) {
		size_t e = strlen(ends[i]);
		if (n < e || strcmp(t + n - e, ends[i]) != 0)
			continue;
		t[n - e] = '\0';
		if ((pattern != NULL && *pattern != '\0' && match(pattern, t, serial, mac) == 0) ||
		    match(DEFAULT_PATTERN, t, serial, mac) == 0)
			rc = 0;
		t[n - e] = ends[i][0];
	}
	free(t);
	return rc;
}
