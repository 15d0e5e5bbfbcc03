/* ingest.c — placeholder until this stage is written. */
#include <string.h>

#include "commands.h"

int
cmd_ingest(const struct jz_opts *o, const struct jz_args *a)
{
	diag(DIAG_NOT_YET, NULL, 0, 0, "ingest");
	return JZ_EXIT_USAGE;
}

int
cmd_check(const struct jz_opts *o, const struct jz_args *a)
{
	diag(DIAG_NOT_YET, NULL, 0, 0, "check");
	return JZ_EXIT_USAGE;
}

int
cmd_forget(const struct jz_opts *o, const struct jz_args *a)
{
	diag(DIAG_NOT_YET, NULL, 0, 0, "forget");
	return JZ_EXIT_USAGE;
}


#include "ingest.h"

int
ingest_paths(sqlite3 *db, const struct jz_opts *o, int npaths, char *const *paths,
    int check_only, struct ingest_summary *sum)
{
	memset(sum, 0, sizeof *sum);
	diag(DIAG_NOT_YET, NULL, 0, 0, "ingest");
	return JZ_EXIT_FAILURE;
}

int
ingest_forget(sqlite3 *db, const struct jz_opts *o, const char *path, long *rows_removed)
{
	*rows_removed = 0;
	diag(DIAG_NOT_YET, NULL, 0, 0, "forget");
	return JZ_EXIT_FAILURE;
}

void
ingest_print_summary(const struct ingest_summary *sum, int quiet)
{
}
