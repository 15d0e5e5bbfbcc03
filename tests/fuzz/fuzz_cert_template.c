/* fuzz_cert_template.c — libFuzzer target for the certificate templates
 * (templates/cert-AWARD.xml, which operators edit by hand): any bytes as a
 * template through cert_template_load, and a template that loads is drawn
 * as certificates are — the shared block, a page in full and one for
 * pre-printed stock, the calibration page — into the layout dump.
 * Diagnostics are expected and discarded; crashes, leaks, hangs and
 * sanitizer reports are the findings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cert.h"
#include "device.h"
#include "jingsai.h"
#include "layout.h"
#include "scratch.h"

static void
discard(const struct diag_msg *m, void *arg)
{
	(void)m;
	(void)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* values as long as real ones get: a two-character name, a long unit */
	static const struct cert_values v = {.recipient = "张三",
	    .unit = "江苏省南通市通州区某某精密机械制造股份有限公司第二分公司",
	    .title = "南通市五一劳动奖章", .issuer = "南通市劳动竞赛委员会",
	    .programme = "建功“十四五”奋进新征程", .date = "二〇二五年四月二十八日",
	    .serial = "2025-MEDAL-0001"};
	static struct fontset *fs;
	struct doc_setup setup = {0};
	struct buf dump = {0};
	struct cert_template *t;
	struct doc *d;

	if (fs == NULL) {
		diag_set_sink(discard, NULL, NULL, NULL);
		/* run from the top of the tree: the fonts of fonts/roles.conf */
		if ((fs = fontset_open("fonts")) == NULL)
			abort();
	}
	/* cert_template_load reads a file */
	if ((t = cert_template_load(scratch_write("fuzz_cert_template", data, size))) == NULL)
		return 0;
	setup.page_w_mm = t->page_w;
	setup.page_h_mm = t->page_h;
	setup.date = 1745798400;
	d = doc_new(fs, &setup);
	cert_draw(d, t, &v, 0, 0, 0, "fuzz", cert_draw_shared(d, t, &v, 0, 0, 0, "fuzz"));
	cert_draw(d, t, &v, 1, 1.5, -2, "fuzz", -1);
	cert_draw_calibration(d, t, 1.5, -2);
	device_find("dump")->render(doc_finish(d), &dump);
	buf_free(&dump);
	doc_free(d);
	cert_template_free(t);
	return 0;
}
