/* annual.c — placeholder until this stage is written. */
#include "commands.h"

int
cmd_annual(const struct jz_opts *o, const struct jz_args *a)
{
	diag(DIAG_NOT_YET, NULL, 0, 0, "annual");
	return JZ_EXIT_USAGE;
}

int
annual_build(struct out_ctx *oc, int year, const char *region)
{
	diag(DIAG_NOT_YET, NULL, 0, 0, "annual_build");
	return JZ_EXIT_USAGE;
}
