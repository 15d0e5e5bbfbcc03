/* cert_test.c — unit tests of the certificate stage: serial form, signed
 * fields, HMAC, payloads, placeholders, templates, and serial stability in
 * a store built from tests/fixtures/cert/base.sql. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cert.h"
#include "layout.h"
#include "store.h"

static int diag_lines;
static long last_line;
static char last_text[512];

static void
sink(const struct diag_msg *m, void *arg)
{
	(void)arg;
	diag_lines++;
	last_line = m->line;
	snprintf(last_text, sizeof last_text, "%s", m->text);
}

static void
test_sign(void)
{
	const unsigned char key[] = "0123456789abcdef-test-key";
	char mac[32], serial[64], m[64], *fields, *v, *payload;

	CHECK(cert_serial_valid("2025-MEDAL-0001"), "serial form accepted");
	CHECK(cert_serial_valid("2025-PIONEER-12345"), "serial with five digits accepted");
	CHECK(!cert_serial_valid("2025-MEDAL-001"), "serial with three digits refused");
	CHECK(!cert_serial_valid("25-MEDAL-0001"), "two-digit year refused");
	CHECK(!cert_serial_valid("2025-medal-0001"), "lower-case award refused");

	fields = cert_fields_make("2025-MEDAL-0001", "T", "R", "U", "D");
	CHECK_STR(fields, "serial=2025-MEDAL-0001\ntitle=T\nrecipient=R\nunit=U\ndate=D\n",
	    "canonical fields");
	v = cert_fields_get(fields, "recipient");
	CHECK_STR(v, "R", "field read back");
	free(v);
	CHECK(cert_fields_get(fields, "nothing") == NULL, "absent field is NULL");

	/* The value Python's hmac module gives for the same key and message. */
	cert_mac(key, strlen((const char *)key), fields, mac);
	CHECK_STR(mac, "JWw2B0Ch124Is3DWOZhs3g", "HMAC-SHA256 truncated, base64url");
	free(fields);
	{
		char id1[32], id2[32], none[32];
		cert_key_id(key, strlen((const char *)key), id1);
		cert_key_id((const unsigned char *)"another key, 16+ bytes", 22, id2);
		cert_key_id(NULL, 0, none);
		CHECK(strlen(id1) == 22 && strcmp(id1, id2) != 0 && none[0] == '\0',
		    "key ids: 22 characters, one per key, empty for none");
		CHECK(strstr(id1, (const char *)key) == NULL, "a key id does not spell the key");
	}

	payload = cert_payload("https://v.example/zs?c={serial}&m={mac}", "2025-MEDAL-0001", mac);
	CHECK_STR(payload, "https://v.example/zs?c=2025-MEDAL-0001&m=JWw2B0Ch124Is3DWOZhs3g",
	    "payload from the URL pattern");
	CHECK(cert_payload_parse("https://v.example/zs?c={serial}&m={mac}", payload, serial, m) == 0,
	    "payload parsed back");
	CHECK_STR(serial, "2025-MEDAL-0001", "serial from payload");
	CHECK_STR(m, "JWw2B0Ch124Is3DWOZhs3g", "code from payload");
	free(payload);
	CHECK(cert_payload_parse("https://v.example/zs?c={serial}&m={mac}", "2025-MEDAL-0001\n",
	    serial, m) == 0 && m[0] == '\0', "bare serial (scanner newline) parsed");
	CHECK(cert_payload_parse("https://v.example/zs?c={serial}&m={mac}",
	    "https://evil.example/zs?c=2025-MEDAL-0001&m=x", serial, m) != 0,
	    "payload of another site refused");
	payload = cert_payload(NULL, "2025-TECH-0002", "abc");
	CHECK_STR(payload, "2025-TECH-0002.abc", "default pattern");
	CHECK(cert_payload_parse(NULL, payload, serial, m) == 0 && strcmp(m, "abc") == 0,
	    "default pattern parsed back");
	free(payload);
	CHECK(cert_payload_parse(NULL, "hello", serial, m) != 0, "junk refused");
	CHECK(cert_payload_parse(NULL, "2025-MEDAL-0001.", serial, m) != 0,
	    "a payload with an empty code refused (never a bare serial)");
	CHECK(cert_payload_parse("https://v.example/zs?c={serial}&m={mac}",
	    "https://v.example/zs?c=2025-MEDAL-0001&m=", serial, m) != 0,
	    "a URL with an empty code refused");
	CHECK(cert_mac_form("JWw2B0Ch124Is3DWOZhs3g") && !cert_mac_form("") && !cert_mac_form("abc") &&
	    !cert_mac_form("JWw2B0Ch124Is3DWOZhs3g=") && !cert_mac_form("JWw2B0Ch124Is3DWOZhs3/"),
	    "a code's form: 22 characters of base64url");
	CHECK(cert_mac_equal("JWw2B0Ch124Is3DWOZhs3g", "JWw2B0Ch124Is3DWOZhs3g") &&
	    !cert_mac_equal("JWw2B0Ch124Is3DWOZhs3g", "JWw2B0Ch124Is3DWOZhs3h") &&
	    !cert_mac_equal("JWw2B0Ch124Is3DWOZhs3g", "") &&
	    !cert_mac_equal("JWw2B0Ch124Is3DWOZhs3g", "JWw2B0Ch124Is3DWOZhs3gX"),
	    "codes compared whole");

	/* programme.xml's pattern: https://jsj.ntzgh.cn/v/{payload} */
	payload = cert_payload("https://jsj.ntzgh.cn/v/{payload}", "2025-MEDAL-0001", "JWw2B0Ch124Is3DWOZhs3g");
	CHECK_STR(payload, "https://jsj.ntzgh.cn/v/2025-MEDAL-0001.JWw2B0Ch124Is3DWOZhs3g",
	    "{payload} is SERIAL.MAC");
	CHECK(cert_payload_parse("https://jsj.ntzgh.cn/v/{payload}", payload, serial, m) == 0 &&
	    strcmp(serial, "2025-MEDAL-0001") == 0 && strcmp(m, "JWw2B0Ch124Is3DWOZhs3g") == 0,
	    "{payload} parsed back");
	free(payload);
	CHECK(cert_payload_parse("https://jsj.ntzgh.cn/v/{payload}", "https://jsj.ntzgh.cn/v/2025-MEDAL-0001",
	    serial, m) != 0, "{payload} without its code refused");
	/* the address a browser shows after the server sent it on to the
	 * page's folder, copied from a phone with a space before it */
	static const char *const shown[] = {
	    "https://jsj.ntzgh.cn/v/2025-MEDAL-0001.JWw2B0Ch124Is3DWOZhs3g/",
	    "https://jsj.ntzgh.cn/v/2025-MEDAL-0001.JWw2B0Ch124Is3DWOZhs3g/index.html",
	    " https://jsj.ntzgh.cn/v/2025-MEDAL-0001.JWw2B0Ch124Is3DWOZhs3g\r\n",
	};
	for (size_t i = 0; i < sizeof shown / sizeof *shown; i++)
		CHECK(cert_payload_parse("https://jsj.ntzgh.cn/v/{payload}", shown[i], serial, m) == 0 &&
		    strcmp(serial, "2025-MEDAL-0001") == 0 && strcmp(m, "JWw2B0Ch124Is3DWOZhs3g") == 0,
		    "the address a browser shows is read as the code");
	CHECK(cert_payload_parse("https://jsj.ntzgh.cn/v/{payload}",
	    "https://jsj.ntzgh.cn/v/2025-MEDAL-0001.JWw2B0Ch124Is3DWOZhs3g/x.html", serial, m) != 0 ||
	    !cert_mac_form(m), "another page of the folder is no code");
}

static void
test_expand(void)
{
	struct cert_values v = {.recipient = "张三", .unit = "某公司", .title = "南通市五一劳动奖章",
	    .issuer = "南通市劳动竞赛委员会", .programme = "P", .date = "二〇二五年四月二十八日",
	    .serial = "2025-MEDAL-0001"};
	char *s = cert_expand("兹授予{recipient}同志{title}，{unknown}{serial}", &v);

	CHECK_STR(s, "兹授予张三同志南通市五一劳动奖章，{unknown}2025-MEDAL-0001", "placeholders");
	free(s);
}

static void
test_templates(void)
{
	static const char *const names[] = {"MEDAL", "CERT", "PIONEER", "TECH", "INNOV", "WOMEN"};
	struct cert_template *t;
	FILE *fp;

	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char path[64], label[96];
		int variable = 0, qr = 0;
		snprintf(path, sizeof path, "templates/cert-%s.xml", names[i]);
		t = cert_template_load(path);
		snprintf(label, sizeof label, "shipped template %s loads", path);
		CHECK(t != NULL, label);
		if (t == NULL)
			continue;
		for (int k = 0; k < t->nelems; k++) {
			variable += t->elems[k].variable;
			qr += t->elems[k].kind == CE_QR;
		}
		snprintf(label, sizeof label, "%s: A4 landscape, 04-28, a QR code, variable fields", names[i]);
		CHECK(t->page_w == 297 && t->page_h == 210 && t->month == 4 && t->day == 28 &&
		    qr == 1 && variable >= 3, label);
		cert_template_free(t);
	}

	fp = fopen("/tmp/jingsai-cert-test.xml", "w");
	fputs("<certificate width=\"210\" height=\"297\" date=\"05-01\">\n"
	    "  <text x=\"10\" y=\"10\" w=\"50\" h=\"10\" colour=\"#000000\">{recipient}</text>\n"
	    "</certificate>\n", fp);
	fclose(fp);
	diag_lines = 0;
	t = cert_template_load("/tmp/jingsai-cert-test.xml");
	CHECK(t == NULL && diag_lines == 1 && last_line == 2 && strstr(last_text, "colour") != NULL,
	    "unknown attribute reported at its line");
	cert_template_free(t);

	fp = fopen("/tmp/jingsai-cert-test.xml", "w");
	fputs("<certificate width=\"210\" height=\"297\" date=\"05-01\">\n"
	    "  <qr x=\"10\" y=\"1o\"/>\n  <text x=\"1\" y=\"1\" w=\"9\" h=\"9\" flags=\"shrink\">x</text>\n"
	    "</certificate>\n", fp);
	fclose(fp);
	diag_lines = 0;
	t = cert_template_load("/tmp/jingsai-cert-test.xml");
	CHECK(t == NULL && diag_lines == 1 && last_line == 2 && strstr(last_text, "1o") != NULL,
	    "bad number reported at its line");
	cert_template_free(t);

	fp = fopen("/tmp/jingsai-cert-test.xml", "w");
	fputs("<certificate width=\"210\" height=\"297\" date=\"05-01\">\n"
	    "  <text x=\"1\" y=\"1\" w=\"9\" h=\"9\" flags=\"shrink name-spacing\">{recipient}</text>\n"
	    "  <text x=\"1\" y=\"1\" w=\"9\" h=\"9\">证书</text>\n"
	    "</certificate>\n", fp);
	fclose(fp);
	t = cert_template_load("/tmp/jingsai-cert-test.xml");
	CHECK(t != NULL && t->page_w == 210 && t->month == 5 && t->day == 1 && t->nelems == 2 &&
	    t->elems[0].flags == (BOX_SHRINK | BOX_NAME_SPACING) && t->elems[0].variable &&
	    !t->elems[1].variable, "portrait template with date, flags, variable fields");
	cert_template_free(t);
	remove("/tmp/jingsai-cert-test.xml");
}

/* Gathers and numbers the certificates of 2025; returns the set. */
static void
build(sqlite3 *db, struct cert_set *set)
{
	memset(set, 0, sizeof *set);
	cert_awards_load(db, set);
	cert_gather(db, 2025, NULL, set);
	cert_sort_ceremony(set);
	cert_serials_assign(db, 2025, NULL, set, 0);
}

static const char *
serial_of(const struct cert_set *set, const char *award, const char *name)
{
	for (int i = 0; i < set->nrecs; i++)
		if (strcmp(set->recs[i].award->code, award) == 0 &&
		    strcmp(set->recs[i].recipient, name) == 0)
			return set->recs[i].serial;
	return NULL;
}

static void
test_serials(void)
{
	struct buf sql = {0};
	struct cert_set set;
	sqlite3 *db = store_open(":memory:", 0);
	char *zhang, *wang, *wu;
	int medals = 0;

	if (file_read_all("tests/fixtures/cert/base.sql", &sql) != 0 || db == NULL) {
		CHECK(0, "fixture store");
		return;
	}
	store_exec(db, sql.data);
	buf_free(&sql);

	build(db, &set);
	for (int i = 0; i < set.nrecs; i++)
		medals += strcmp(set.recs[i].award->code, "MEDAL") == 0;
	CHECK(set.errors == 0 && set.nrecs == 10, "ten certificates, no error");
	/* 张三: awards row + skills rank 1 + top-ten first completer → one MEDAL. */
	CHECK(medals == 6, "derived MEDALs de-duplicated per person");
	CHECK(serial_of(&set, "MEDAL", "孙七") != NULL, "rank 1 of a city contest gets MEDAL");
	CHECK(serial_of(&set, "MEDAL", "周八") != NULL, "top-ten first completer gets MEDAL");
	CHECK(serial_of(&set, "MEDAL", "郑十") == NULL && serial_of(&set, "MEDAL", "冯十一") == NULL,
	    "rank 2, and rank 1 outside a city contest, get nothing");
	CHECK_STR(set.recs[0].serial, "2025-MEDAL-0001", "first serial in ceremony order");
	CHECK_STR(set.recs[0].recipient, "王喆", "ceremony order: region 崇川区 first");
	zhang = xstrdup(serial_of(&set, "MEDAL", "张三"));
	wang = xstrdup(serial_of(&set, "MEDAL", "王喆"));
	wu = xstrdup(serial_of(&set, "MEDAL", "吴𠮷"));
	cert_set_free(&set);

	/* Withdraw 王喆, add 钱九 (who sorts before 张三 in ceremony order). */
	store_exec(db, "DELETE FROM award_row WHERE recipient = '王喆';"
	    "INSERT INTO award_row VALUES (2025, 'MEDAL', '钱九', 'person', '男', "
	    "'91320600MA1XXXXX02', NULL, 1, 10);");
	diag_lines = 0;
	build(db, &set);
	CHECK(diag_lines == 1 && strstr(last_text, wang) != NULL && strstr(last_text, "withdrawn"),
	    "withdrawal reported with its serial");
	CHECK(serial_of(&set, "MEDAL", "张三") && strcmp(serial_of(&set, "MEDAL", "张三"), zhang) == 0 &&
	    strcmp(serial_of(&set, "MEDAL", "吴𠮷"), wu) == 0, "serials unchanged after add + withdraw");
	CHECK_STR(serial_of(&set, "MEDAL", "钱九"), "2025-MEDAL-0007", "new award takes the next number");
	cert_set_free(&set);

	/* 王喆 comes back: same serial; another newcomer never takes 0001. */
	store_exec(db, "INSERT INTO award_row VALUES (2025, 'MEDAL', '王喆', 'person', '男', "
	    "'91320600MA1XXXXX02', NULL, 1, 3);"
	    "INSERT INTO award_row VALUES (2025, 'MEDAL', '卫十二', 'person', '男', "
	    "'91320600MA1XXXXX02', NULL, 1, 11);");
	build(db, &set);
	CHECK(serial_of(&set, "MEDAL", "王喆") && strcmp(serial_of(&set, "MEDAL", "王喆"), wang) == 0,
	    "reactivated award keeps its serial");
	CHECK_STR(serial_of(&set, "MEDAL", "卫十二"), "2025-MEDAL-0008", "numbers never reused");
	cert_set_free(&set);

	/* WOMEN for a man is refused at its file and line. */
	store_exec(db, "INSERT INTO award_row VALUES (2025, 'WOMEN', '钱九', 'person', '男', "
	    "'91320600MA1XXXXX02', NULL, 1, 12);");
	diag_lines = 0;
	memset(&set, 0, sizeof set);
	cert_awards_load(db, &set);
	cert_gather(db, 2025, "WOMEN", &set);
	CHECK(set.errors == 1 && set.nrecs == 1 && last_line == 12 && strstr(last_text, "women only"),
	    "WOMEN for a man rejected at file:line");
	cert_set_free(&set);

	/* A unit award given to a person is refused. */
	store_exec(db, "INSERT INTO award_row VALUES (2025, 'CERT', '钱九', 'person', '男', "
	    "'91320600MA1XXXXX02', NULL, 1, 13);");
	diag_lines = 0;
	memset(&set, 0, sizeof set);
	cert_awards_load(db, &set);
	cert_gather(db, 2025, "CERT", &set);
	CHECK(set.errors == 1 && last_line == 13 && strstr(last_text, "is for a unit"),
	    "recipient kind that does not fit the award rejected at file:line");
	cert_set_free(&set);
	free(zhang);
	free(wang);
	free(wu);
	store_close(db);
}

/* ---- Documents made beside one another (cert_par.c) ---- */

static struct buf said;   /* every diagnostic's text, one a line */

static void
keep_sink(const struct diag_msg *m, void *arg)
{
	(void)arg;
	buf_printf(&said, "%s\n", m->text);
}

/* An item: its number as bytes; item 3 says something and fails. */
static int
item_render(void *arg, int i, struct buf *out)
{
	(void)arg;
	if (i == 3) {
		diag(DIAG_CERT_FWD_WARNING, NULL, 0, 0, "item 3 says");
		return -1;
	}
	buf_printf(out, "item %d", i);
	return 0;
}

static void
item_take(void *arg, int i, int status, struct buf *data)
{
	struct buf *got = arg;

	int n = status == 0 && data != NULL ? (int)data->len : 0;

	buf_printf(got, "%d:%d:%.*s;", i, status, n, n > 0 ? data->data : "");
	if (i == 5)
		diag(DIAG_CERT_FWD_NOTE, NULL, 0, 0, "taken 5");
}

/* The side document: says two things, writes to the file it keeps. */
static int
side_make(void *arg, struct buf *out)
{
	int fd = *(int *)arg;

	diag(DIAG_CERT_FWD_WARNING, NULL, 0, 0, "side first");
	diag(DIAG_CERT_FWD_WARNING, NULL, 0, 0, "side second");
	if (write(fd, "side file", 9) != 9)
		return -1;
	buf_puts(out, "side bytes");
	return 7;
}

static void
test_beside(void)
{
	char path[] = "/tmp/jingsai-beside-XXXXXX";
	int fd = mkstemp(path);
	struct cert_side side = {side_make, &fd, fd, 0, {0}, 0};
	struct buf got = {0}, file = {0};
	diag_sink_fn old_fn;
	void *old_arg;

	diag_set_sink(keep_sink, NULL, &old_fn, &old_arg);
	CHECK(cert_par_render_beside(12, item_render, item_take, &got, &side) == 0,
	    "beside: no item lost");
	diag_set_sink(old_fn, old_arg, NULL, NULL);
	CHECK_STR(got.data, "0:0:item 0;1:0:item 1;2:0:item 2;3:-1:;4:0:item 4;5:0:item 5;"
	    "6:0:item 6;7:0:item 7;8:0:item 8;9:0:item 9;10:0:item 10;11:0:item 11;",
	    "beside: every item taken in order");
	CHECK(side.status == 7 && side.out.len == 10 && memcmp(side.out.data, "side bytes", 10) == 0,
	    "beside: the side document's status and bytes come back");
	CHECK_STR(said.data, "side first\nside second\nitem 3 says\ntaken 5\n",
	    "beside: what the side document said comes first, then the items' in order");
	close(fd);
	CHECK(file_read_all(path, &file) == 0 && file.len == 9 && memcmp(file.data, "side file", 9) == 0,
	    "beside: the side document wrote to the file it kept open");
	unlink(path);
	buf_free(&got);
	buf_free(&file);
	buf_free(&side.out);
	buf_free(&said);
}

int
main(void)
{
	diag_set_sink(sink, NULL, NULL, NULL);
	test_sign();
	test_expand();
	test_templates();
	test_serials();
	test_beside();
	return CHECK_DONE();
}
