/* schemas.h — the XSDs of schemas/ compiled into the program (build/gen/schemas.c). */
#ifndef SCHEMAS_H
#define SCHEMAS_H

#include <stddef.h>

struct embedded_file {
	const char *name; /* "annual-return.xsd"; NULL ends the table */
	const char *data; /* the file's bytes, NUL-terminated */
	size_t len;       /* without the NUL */
};

/* Every .xsd file of schemas/, by file name; the last entry has name NULL. */
extern const struct embedded_file jz_schemas[];

#endif
