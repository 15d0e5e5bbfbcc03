/* ingest_cmd.c — the commands `ingest`, `check` and `forget`, and the
 * summary line of a run. */
#include <stdio.h>
#include <unistd.h>

#include "commands.h"
#include "ingest.h"
#include "store.h"

void
ingest_print_summary(const struct ingest_summary *s, int quiet)
{
	if (quiet && s->rejected == 0)
		return;
	printf("%d file%s accepted (%ld row%s), %d rejected, %d unchanged", s->accepted,
	    s->accepted == 1 ? "" : "s", s->rows, s->rows == 1 ? "" : "s", s->rejected, s->unchanged);
	if (s->changed > 0)
		printf("; %d changed file%s dropped %ld row%s", s->changed, s->changed == 1 ? "" : "s",
		    s->rows_vanished, s->rows_vanished == 1 ? "" : "s");
	if (s->disappeared > 0)
		printf("; %d file%s gone from the input folder (data kept)", s->disappeared,
		    s->disappeared == 1 ? "" : "s");
	if (s->programme_changed)
		printf("; programme.xml loaded");
	putchar('\n');
}

/* ---- Subcommands --------------------------------------------------------------- */

int
cmd_ingest(const struct jz_opts *o, const struct jz_args *a)
{
	struct ingest_summary sum;
	sqlite3 *db = store_open(o->db_path, 0);
	int status;

	if (db == NULL)
		return JZ_EXIT_FAILURE;
	status = ingest_paths(db, o, a->argc, a->argv, 0, &sum);
	store_close(db);
	if (status != JZ_EXIT_FAILURE)
		ingest_print_summary(&sum, o->quiet);
	return status;
}

int
cmd_check(const struct jz_opts *o, const struct jz_args *a)
{
	struct ingest_summary sum;
	sqlite3 *db = NULL;
	int status;

	/* The store's data resolves references; a missing store is not created. */
	if (access(o->db_path, F_OK) == 0 && (db = store_open(o->db_path, 0)) == NULL)
		return JZ_EXIT_FAILURE;
	status = ingest_paths(db, o, a->argc, a->argv, 1, &sum);
	store_close(db);
	if (status != JZ_EXIT_FAILURE && !o->quiet)
		printf("%d file%s checked: %d good, %d rejected, %d already stored\n", sum.files,
		    sum.files == 1 ? "" : "s", sum.accepted, sum.rejected, sum.unchanged);
	return status;
}

int
cmd_forget(const struct jz_opts *o, const struct jz_args *a)
{
	sqlite3 *db = store_open(o->db_path, 0);
	int status = JZ_EXIT_OK;

	if (db == NULL)
		return JZ_EXIT_FAILURE;
	for (int i = 0; i < a->argc; i++) {
		long rows, back;
		int s = ingest_forget(db, o, a->argv[i], &rows, &back);
		if (s == JZ_EXIT_OK && !o->quiet) {
			printf("%s: forgotten, %ld row%s removed", a->argv[i], rows, rows == 1 ? "" : "s");
			if (back > 0)
				printf("; %ld row%s of earlier files came back in their place", back,
				    back == 1 ? "" : "s");
			printf("\n");
		}
		if (s > status)
			status = s;
	}
	store_close(db);
	return status;
}
