/* commands.h — the subcommands of SPEC §7, one function each, called by main.c. */
#ifndef COMMANDS_H
#define COMMANDS_H

#include "jingsai.h"

/* What the command line said beyond the common options. */
struct jz_args {
	int argc;            /* positional arguments after the subcommand */
	char **argv;
	const char *region;  /* --region CODE (annual) */
	const char *award;   /* --award CODE (certificates) */
	int stock;           /* --stock (certificates) */
	long number;         /* --number N (bulletin); 0 when not given */
	double offset_x_mm;  /* --offset DX,DY (certificates --stock), millimetres */
	double offset_y_mm;
	int calibrate;       /* --calibrate (certificates): also write the calibration page */
	int year;            /* --year YYYY (forms); 0 when not given */
	int re_sign;         /* --re-sign (certificates): print them again under the key now
	                      * set (or without codes), though another one signed them */
};

struct out_ctx;

/* Document builders, shared by their subcommand and by `run` (which passes
 * an out_ctx without force, so unchanged documents are skipped).  Each
 * returns an exit status of enum jz_exit. */
/* The annual report of YEAR for the city and every region (REGION NULL), or one region. */
int annual_build(struct out_ctx *oc, int year, const char *region);
/* The bulletin of ROUND ("2023-2024"); NUMBER 0: the number last used for it (else 1). */
int bulletin_build(struct out_ctx *oc, const char *round, long number);
/* The certificates of YEAR (A->award NULL: every award), per A's --stock etc. */
int certificates_build(struct out_ctx *oc, int year, const struct jz_args *a);
/* The verification site under output/site/ (site.c): the pages and lists of
 * YEAR (0: every year), the index, and the removal of pages no longer given;
 * *REMOVED (may be NULL) counts those. */
int site_build(struct out_ctx *oc, int year, int *removed);

/* Subcommands.  Each returns an exit status of enum jz_exit. */
int cmd_ingest(const struct jz_opts *o, const struct jz_args *a);
int cmd_check(const struct jz_opts *o, const struct jz_args *a);
int cmd_forget(const struct jz_opts *o, const struct jz_args *a);
int cmd_annual(const struct jz_opts *o, const struct jz_args *a);
int cmd_bulletin(const struct jz_opts *o, const struct jz_args *a);
int cmd_certificates(const struct jz_opts *o, const struct jz_args *a);
int cmd_verify(const struct jz_opts *o, const struct jz_args *a);
int cmd_publish(const struct jz_opts *o, const struct jz_args *a);
int cmd_run(const struct jz_opts *o, const struct jz_args *a);
int cmd_backup(const struct jz_opts *o, const struct jz_args *a);
int cmd_restore(const struct jz_opts *o, const struct jz_args *a);
int cmd_forms(const struct jz_opts *o, const struct jz_args *a);

#endif
