/* ingest.c — placeholder until this stage is written. */
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

