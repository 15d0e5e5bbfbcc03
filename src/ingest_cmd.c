/* ingest_cmd.c — the commands `ingest`, `check` and `forget`, and the
 * summary line of a run. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "commands.h"
#include "ingest.h"
#include "store.h"

void
ingest_print_summary(const struct ingest_summary *s, int quiet)
{
	if (quiet && s->rejected == 0)
		return;
	/* each clause translated whole, with its punctuation */
	printf(ngettext("%d file accepted", "%d files accepted", (unsigned long)s->accepted), s->accepted);
	printf(ngettext(" (%ld row)", " (%ld rows)", (unsigned long)s->rows), s->rows);
	printf(_(", %d rejected, %d unchanged"), s->rejected, s->unchanged);
	if (s->changed > 0) {
		printf(ngettext("; %d changed file", "; %d changed files", (unsigned long)s->changed),
		    s->changed);
		printf(ngettext(" dropped %ld row", " dropped %ld rows", (unsigned long)s->rows_vanished),
		    s->rows_vanished);
	}
	if (s->disappeared > 0)
		printf(ngettext("; %d file gone from the input folder (data kept)",
		    "; %d files gone from the input folder (data kept)", (unsigned long)s->disappeared),
		    s->disappeared);
	if (s->programme_changed)
		fputs(_("; programme.xml loaded"), stdout);
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
	if (status != JZ_EXIT_FAILURE)
		ingest_print_summary(&sum, o->quiet);
	/* a store that changed is backed up */
	if (store_finish(db, o->db_path) != 0 && status < JZ_EXIT_FAILURE)
		status = JZ_EXIT_FAILURE;
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
		printf(ngettext("%d file checked: %d good, %d rejected, %d already stored\n",
		    "%d files checked: %d good, %d rejected, %d already stored\n", (unsigned long)sum.files),
		    sum.files, sum.accepted, sum.rejected, sum.unchanged);
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
			char *shown = jz_escape_name(a->argv[i]);
			printf(ngettext("%s: forgotten, %ld row removed", "%s: forgotten, %ld rows removed",
			    (unsigned long)rows), shown, rows);
			free(shown);
			if (back > 0)
				printf(ngettext("; %ld row of earlier files came back in their place",
				    "; %ld rows of earlier files came back in their place", (unsigned long)back),
				    back);
			putchar('\n');
		}
		if (s > status)
			status = s;
	}
	if (store_finish(db, o->db_path) != 0 && status < JZ_EXIT_FAILURE)
		status = JZ_EXIT_FAILURE;
	return status;
}
