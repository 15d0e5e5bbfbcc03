/* fuzz_template.c — libFuzzer target for the report-template parser: any
 * bytes as a template file through tpl_load (the operator edits these by
 * hand).  Diagnostics are expected and discarded; crashes, leaks, hangs and
 * sanitizer reports are the findings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "jingsai.h"
#include "template.h"
#include "scratch.h"

static void
discard(const struct diag_msg *m, void *arg)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct tpl *t;

	if (!ready++)
		diag_set_sink(discard, NULL, NULL, NULL);
	/* tpl_load reads a file */
	t = tpl_load(scratch_write("fuzz_template", data, size));
	if (t != NULL)
		tpl_free(t);
	return 0;
}
