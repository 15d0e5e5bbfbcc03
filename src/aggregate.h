/* aggregate.h — the figures of SPEC §4 as temporary SQL tables (agg_*) that templates query.
 * The tables and their columns are documented in aggregate.c and templates/README.md. */
#ifndef AGGREGATE_H
#define AGGREGATE_H

#include <sqlite3.h>

/* Builds the agg_* tables in DB's temporary database (works on a read-only
 * connection; the store is not changed).  Call once per connection.
 * Returns 0, or -1 after a DIAG_STORE diagnostic. */
int aggregate_prepare(sqlite3 *db);

#endif
