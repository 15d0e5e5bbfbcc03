/* scratch.h — for fuzz targets whose parser reads a file by name: one
 * scratch file per process (in memory when /dev/shm is there), rewritten
 * with each input. */
#ifndef FUZZ_SCRATCH_H
#define FUZZ_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "jingsai.h"

/* Writes DATA to the scratch file named after NAME and returns its path
 * (kept for the life of the process).  Aborts when it cannot be written. */
static const char *
scratch_write(const char *name, const uint8_t *data, size_t size)
{
	static char *path;
	FILE *fp;

	if (path == NULL) {
		const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
		path = xasprintf("%s/%s.%ld.xml", dir ? dir : "/tmp", name, (long)getpid());
	}
	/* Plain write: no fsync per input. */
	if ((fp = fopen(path, "wb")) == NULL || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
		abort();
	return path;
}

#endif
