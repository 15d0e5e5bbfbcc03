/* cert.c — placeholder until this stage is written. */
#include "commands.h"

int
cmd_certificates(const struct jz_opts *o, const struct jz_args *a)
{
	diag(DIAG_NOT_YET, NULL, 0, 0, "certificates");
	return JZ_EXIT_USAGE;
}

int
cmd_verify(const struct jz_opts *o, const struct jz_args *a)
{
	diag(DIAG_NOT_YET, NULL, 0, 0, "verify");
	return JZ_EXIT_USAGE;
}

int
certificates_build(struct out_ctx *oc, int year, const struct jz_args *a)
{
	diag(DIAG_NOT_YET, NULL, 0, 0, "certificates_build");
	return JZ_EXIT_USAGE;
}
