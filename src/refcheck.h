/* refcheck.h — rows whose project, enterprise or achievement is no longer in the store. */
#ifndef REFCHECK_H
#define REFCHECK_H

#include <sqlite3.h>

/* What went away, to check: */
enum {
	REFS_PROJECTS = 1,     /* annual returns replaced, superseded or forgotten */
	REFS_ENTERPRISES = 2,  /* enterprises rows removed */
	REFS_ENTRIES = 4       /* achievement rows removed */
};

/* Warns, for WHAT, at the first row of each reference the store no longer has (an
 * enterprise, a current project, an achievement entry), how many rows name
 * it; stored paths are shown under INPUT_DIR.  Run it after files that others
 * refer to were replaced, superseded or forgotten.  Returns the number of
 * such rows, or -1 after a DIAG_STORE diagnostic. */
long refcheck_report(sqlite3 *db, unsigned what, const char *input_dir);

#endif
