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

static void
discard(const struct diag_msg *m, void *arg)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *path;
	struct tpl *t;
	FILE *fp;

	if (path == NULL) {
		/* tpl_load reads a file: one scratch file, rewritten per input. */
		const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
		path = xasprintf("%s/fuzz_template.%ld.xml", dir ? dir : "/tmp", (long)getpid());
		diag_set_sink(discard, NULL, NULL, NULL);
	}
	/* Plain write: no fsync per input. */
	if ((fp = fopen(path, "wb")) == NULL || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
		abort();
	t = tpl_load(path);
	if (t != NULL)
		tpl_free(t);
	return 0;
}
