/* util_test.c — UTF-8 decoding, buffers, hashing, atomic writes. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "jingsai.h"

int
main(void)
{
	int adv;
	const unsigned char jie[] = "\xf0\xa0\xae\xb7"; /* 𠮷 U+20BB7 */
	CHECK(utf8_decode(jie, 4, &adv) == 0x20BB7 && adv == 4, "utf8 decodes a character outside the BMP");
	CHECK(utf8_decode((const unsigned char *)"\xc0\xaf", 2, &adv) == -1, "utf8 refuses an overlong form");
	CHECK(utf8_decode((const unsigned char *)"\xed\xa0\x80", 3, &adv) == -1, "utf8 refuses a surrogate");
	size_t bad = 0;
	CHECK(!utf8_valid("ab\xe5\x96", 4, &bad) && bad == 2, "utf8_valid finds a truncated sequence");
	long line, col;
	const char *text = "<a>\n  <b x=\"张三\">\xd5\xc5";
	jz_text_position(text, strstr(text, "\xd5"), &line, &col);
	CHECK(line == 2 && col == 13, "text position: line, and column in characters");

	/* mkdir_p: a new tree, a folder that is there, a path under a file. */
	char tdir[64], deep[128];
	snprintf(tdir, sizeof tdir, "/tmp/jingsai-util-test.%ld", (long)getpid());
	snprintf(deep, sizeof deep, "%s/a/b/c", tdir);
	struct stat sb;
	CHECK(mkdir_p(deep) == 0 && stat(deep, &sb) == 0 && S_ISDIR(sb.st_mode), "mkdir_p makes every level");
	CHECK(mkdir_p(deep) == 0, "mkdir_p: a folder that is there is fine");
	snprintf(deep, sizeof deep, "%s/a/f", tdir);
	CHECK(atomic_write(deep, "x", 1) == 0, "a file to build under");
	snprintf(deep, sizeof deep, "%s/a/f/g/h", tdir);
	CHECK(mkdir_p(deep) != 0, "mkdir_p under a file fails");
	snprintf(deep, sizeof deep, "rm -rf %s", tdir);
	CHECK(system(deep) == 0, "clean up");

	/* The string map: short keys in their slots, long ones outside, many
	 * through several growths; a key there keeps its first value. */
	struct strmap m = {0};
	long v = 0, found = 0, right = 0;
	CHECK(!strmap_get(&m, "x", &v), "strmap: empty map has nothing");
	char key[64];
	for (long i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, i % 2 ? "91320614MA1XYW%04ld" : "a key longer than the slot holds %ld", i);
		strmap_add(&m, key, i);
	}
	CHECK(m.n == 5000, "strmap: 5000 keys added");
	CHECK(strmap_add(&m, "91320614MA1XYW0001", 7) == 0 && strmap_get(&m, "91320614MA1XYW0001", &v) && v == 1,
	    "strmap: adding a key again keeps its value");
	for (long i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, i % 2 ? "91320614MA1XYW%04ld" : "a key longer than the slot holds %ld", i);
		found += strmap_get(&m, key, &v);
		right += v == i;
	}
	CHECK(found == 5000 && right == 5000, "strmap: every key found with its value, short and long");
	CHECK(!strmap_get(&m, "91320614MA1XYW5001", NULL) && !strmap_get(&m, "", NULL), "strmap: absent keys are absent");
	strmap_free(&m);

	struct buf b = {0};
	utf8_encode(&b, 0x20BB7);
	CHECK(b.len == 4 && memcmp(b.data, jie, 4) == 0, "utf8 encodes a character outside the BMP");
	buf_free(&b);

	/* File names as printed and stored: unchanged when printable UTF-8. */
	static const struct { const char *name, *want, *what; } names[] = {
		{"2025/报表.csv", "2025/报表.csv", "printable UTF-8 unchanged"},
		{"a\\b c.csv", "a\\b c.csv", "a backslash alone changes nothing"},
		{"\xB2\xE2\xCA\xD4.csv", "\\xB2\\xE2\\xCA\\xD4.csv", "GBK bytes as \\xHH"},
		{"x\nerror: forged.csv", "x\\x0Aerror: forged.csv", "a line break cannot forge a diagnostic"},
		{"\x1b[31mred", "\\x1B[31mred", "no terminal control"},
		{"a\xEE\x80\x80" "b", "a\\u{E000}b", "private use as \\u{...}"},
		{"evil\xE2\x80\xAE" "fdp.csv", "evil\\u{202E}fdp.csv", "no right-to-left override"},
		{"\xFF\\x", "\\xFF\\\\x", "an escaped name doubles its backslash"},
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char *e = jz_escape_name(names[i].name);
		CHECK_STR(e, names[i].want, names[i].what);
		free(e);
	}

	char hex[65];
	sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 of abc");

	char dir[] = "/tmp/jingsai-util-XXXXXX";
	CHECK(mkdtemp(dir) != NULL, "temporary folder");
	char *path = xasprintf("%s/a/b/c.txt", dir);
	CHECK(atomic_write(path, "hello", 5) == 0, "atomic_write creates folders and the file");
	CHECK(atomic_write_if_changed(path, "hello", 5) == 0, "unchanged content is not rewritten");
	CHECK(atomic_write_if_changed(path, "hello!", 6) == 1, "changed content is rewritten");
	struct buf r = {0};
	CHECK(file_read_all(path, &r) == 0 && r.len == 6, "file reads back");
	buf_free(&r);
	/* Rounding half up as SQLite's round() does, which charts use: the same
	 * figure on both sides of a report, for a million quotients of whole
	 * numbers (counts over counts or targets), in tenths and hundredths. */
	CHECK(jz_round_half(1385.85, 1) == 1385.9 && jz_round_half(13.8585 * 100, 1) == 1385.9,
	    "round_half: 13.8585 * 100 is 1385.9 to a tenth");
	CHECK(jz_round_half(2.675, 2) == 2.68 && jz_round_half(-2.5, 0) == -3 && jz_round_half(2.4999, 0) == 2,
	    "round_half: 2.675 → 2.68, -2.5 → -3, 2.4999 → 2");
	CHECK(jz_round_half(-0.04, 1) == 0 && !signbit(jz_round_half(-0.04, 1)), "round_half: no negative zero");
	{
		sqlite3 *db;
		sqlite3_stmt *st;
		unsigned long long seed = 88172645463325252ULL;
		int differ = 0, halves = 0;

		sqlite3_open(":memory:", &db);
		sqlite3_prepare_v2(db, "SELECT round(?1, ?2)", -1, &st, NULL);
		for (int i = 0; i < 1000000; i++) {
			long long p, q;
			int d = 1 + (i & 1);
			double x, mine;

			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			p = (long long)(seed % 2000000);
			q = 1 + (long long)((seed >> 21) % (i % 3 == 0 ? 200 : 20000));
			x = 100.0 * (double)p / (double)q;
			mine = jz_round_half(x, d);
			sqlite3_bind_double(st, 1, x);
			sqlite3_bind_int(st, 2, d);
			if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_double(st, 0) != mine) {
				if (differ++ < 5)
					fprintf(stderr, "  %lld/%lld to %d places: sqlite %.17g, here %.17g\n", p, q, d,
					    sqlite3_column_double(st, 0), mine);
			}
			sqlite3_reset(st);
			/* the exact halves among them: 20 p (or 200 p) = (2k + 1) q */
			halves += (d == 1 ? 2000 * p : 20000 * p) % (10 * q) == 5 * q;
		}
		sqlite3_finalize(st);
		sqlite3_close(db);
		CHECK(differ == 0 && halves > 1000, "round_half rounds as SQLite's round() does (million quotients)");
	}

	char *cmd = xasprintf("rm -rf %s", tdir);
	if (system(cmd) != 0)
		perror("rm");
	free(cmd);
	free(path);
	return CHECK_DONE();
}
