/* bulletin.c — placeholder until this stage is written. */
#include "commands.h"

int
cmd_bulletin(const struct jz_opts *o, const struct jz_args *a)
{
	diag(DIAG_NOT_YET, NULL, 0, 0, "bulletin");
	return JZ_EXIT_USAGE;
}

int
bulletin_build(struct out_ctx *oc, const char *round, long number)
{
	diag(DIAG_NOT_YET, NULL, 0, 0, "bulletin_build");
	return JZ_EXIT_USAGE;
}
