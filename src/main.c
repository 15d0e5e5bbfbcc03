/* main.c — the command line: options anywhere, one subcommand, its exit status. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "store.h"
#include "device.h"

/* --help, a msgid per paragraph and per command or option, so that a new
 * one is one new line to translate (printed in the user's language). */
static const char *const usage_text[] = {
	N_("usage: jingsai [OPTIONS] COMMAND [ARGS] [OPTIONS]\n"),
	"\n",
	N_("Validates the labour-competition submissions under input/, keeps them in a\n"
	   "store, and typesets the annual reports, the biennial bulletin and the award\n"
	   "certificates as PDF under output/.\n"),
	"\n",
	N_("Commands:\n"),
	N_("  ingest [PATH...]          validate and load submissions (default: the input folder)\n"),
	N_("  check PATH...             validate only; print diagnostics; change nothing\n"),
	N_("  annual YEAR [--region CODE]\n"
	   "                            annual report of the city (and of every region), or of one region\n"),
	N_("  bulletin ROUND --number N the biennial bulletin of ROUND (e.g. 2023-2024), document number N\n"),
	N_("  certificates YEAR [--award CODE] [--stock [--offset DX,DY]] [--calibrate] [--re-sign]\n"
	   "                            award certificates of YEAR; --stock prints only the variable\n"
	   "                            fields onto pre-printed paper, shifted by DX,DY millimetres;\n"
	   "                            --re-sign prints them again under the key set now (or with\n"
	   "                            no QR code) although another key signed them\n"),
	N_("  verify SERIAL|PAYLOAD     check a certificate serial or a scanned QR payload\n"),
	N_("  publish [YEAR]            the verification site under output/site/: a page where each\n"
	   "                            certificate's QR code points, and the award lists\n"),
	N_("  forget PATH               remove what one submitted file contributed to the store\n"
	   "                            (rows it had replaced come back)\n"),
	N_("  run                       the nightly job: ingest what is new, rebuild what changed,\n"
	   "                            and write a receipt for each region whose files changed\n"),
	N_("  backup                    copy the store into the backup folder now (checked)\n"),
	N_("  restore FILE              put the backup FILE in place of the store (the store\n"
	   "                            it replaces is kept); takes the run lock\n"),
	N_("  forms [--year YYYY] [--region CODE]\n"
	   "                            fill-in workbooks (.xlsx) for the counties under output/forms/\n"
	   "                            (a region's under output/forms/CODE/, its region filled in)\n"),
	"\n",
	N_("Options (before or after the command):\n"),
	N_("  --input DIR       submissions and programme.xml   (default: input)\n"),
	N_("  --output DIR      where documents are written      (default: output)\n"),
	N_("  --db FILE         the store                        (default: var/jingsai.db)\n"),
	N_("  --templates DIR   document templates               (default: templates)\n"),
	N_("  --fonts DIR       font roles and operator fonts    (default: fonts)\n"),
	N_("  --backup-dir DIR  where backups of the store go     (default: backup/ beside\n"
	   "                    the store; put it on another disk)\n"),
	N_("  --backups N       backups kept                     (default: 7)\n"),
	N_("  --new-register    number certificates afresh although certificates on disk\n"
	   "                    are unknown to the store (a lost store: restore it instead)\n"),
	N_("  --device LIST     what each document is written as, comma-separated\n"
	   "                    devices from the list below      (default: pdf)\n"),
	N_("  --dump            the same as --device pdf,dump: a layout dump beside\n"
	   "                    each PDF, for tests and template authors\n"),
	N_("  --quiet           print errors only\n"),
	N_("  --verbose         print notes too\n"),
	N_("  --help            this text\n"),
	N_("  --version         the version\n"),
	"\n",
	N_("Exit status: 0 all good; 1 done, but some input was rejected; 2 bad usage;\n"
	   "3 failure (I/O, store, fonts); 75 another run holds the lock.\n"),
	"\n",
	N_("Environment: JINGSAI_KEY_FILE names the file holding the certificate key\n"
	   "(no key: certificates carry no QR code, with a warning). Certificates once\n"
	   "signed are not printed again without their key or under another one (the\n"
	   "codes already handed out would no longer verify) unless --re-sign is given;\n"
	   "set the variable for cron jobs too. JINGSAI_BACKUP_DIR and JINGSAI_BACKUPS\n"
	   "set --backup-dir and --backups. SOURCE_DATE_EPOCH fixes the moment \"now\"\n"
	   "(for a template that asks for today, a bulletin number issued today);\n"
	   "documents are otherwise dated by their data. The key file must be readable\n"
	   "by its owner only (chmod 600).\n"),
	"\n",
	N_("Every command that changed the store ends with a backup of it, checked\n"
	   "(PRAGMA integrity_check) before the oldest beyond --backups is removed.\n"),
	"\n",
	N_("Messages follow the locale: LANG=zh_CN.UTF-8 (or LC_ALL, LC_MESSAGES) gives\n"
	   "them in Chinese, the C locale in English. Text that goes into documents\n"
	   "(receipts, the rejected-files appendix) is Chinese in every locale.\n"),
	"\n",
	N_("Devices (--device): each writes NAME plus its suffix for every document\n"),
};

/* The usage text, then the devices of the table, one line each. */
static void
usage(FILE *fp)
{
	const struct device *dev;

	for (size_t i = 0; i < sizeof usage_text / sizeof *usage_text; i++)
		fputs(usage_text[i][0] == '\n' ? "\n" : _(usage_text[i]), fp);
	for (int i = 0; (dev = device_at(i)) != NULL; i++)
		fprintf(fp, "  %-6s %-6s %s\n", dev->name, dev->suffix, _(dev->about));
}

/* Reads LIST ("pdf,dump") into O's devices; returns 0, or -1 for an
 * unknown name (in *BAD, when there is room) or too many. */
static int
parse_devices(const char *list, struct jz_opts *o, char *bad, size_t badlen)
{
	o->ndevices = 0;
	while (*list != '\0') {
		size_t n = strcspn(list, ",");
		char name[32];
		const struct device *dev = NULL;

		if (n > 0 && n < sizeof name) {
			memcpy(name, list, n);
			name[n] = '\0';
			dev = device_find(name);
		}
		if (dev == NULL) {
			snprintf(bad, badlen, "%.*s", (int)n, list);
			return -1;
		}
		for (int i = 0; i < o->ndevices && dev != NULL; i++)
			if (o->devices[i] == dev)
				dev = NULL;        /* named twice: once is enough */
		if (dev != NULL) {
			if (o->ndevices == JZ_DEVICES_MAX)
				return -1;
			o->devices[o->ndevices++] = dev;
		}
		list += n;
		if (*list == ',')
			list++;
	}
	return o->ndevices > 0 ? 0 : -1;
}

struct command {
	const char *name;
	int (*fn)(const struct jz_opts *, const struct jz_args *);
	int min_args, max_args; /* positional arguments; -1 = any number */
	int key;                /* uses the certificate key (JINGSAI_KEY_FILE) */
	const char *about;      /* for `jingsai COMMAND --help`: what it does for whom */
};

static const struct command commands[] = {
	{"ingest", cmd_ingest, 0, -1, 0,
	    N_("Validates the submissions (the input folder, or the files and folders named) and\n"
	       "stores those without errors, making no document: `run` does this, then makes the\n"
	       "documents and the receipts. Each error is printed as FILE:LINE:COLUMN: error: and\n"
	       "what to correct.\n"
	       "Exit status: 0 every file accepted; 1 some file rejected (see the errors);\n"
	       "3 failure; 75 another run holds the lock.\n")},
	{"check", cmd_check, 1, -1, 0,
	    N_("Validates files without storing anything: each error is printed as\n"
	       "FILE:LINE:COLUMN: error: and what to correct. Use it on a county's file before\n"
	       "putting it under the input folder, or send the county what it prints.\n"
	       "Exit status: 0 every file good; 1 some file has errors; 3 failure.\n")},
	{"annual", cmd_annual, 1, 1, 0,
	    N_("Makes the annual report of YEAR for the city and for every region (or for one,\n"
	       "--region CODE) under output/annual/YEAR/: city.pdf and CODE.pdf, each with its\n"
	       "tables beside it as .csv and .xlsx.\n"
	       "Exit status: 0 made; 3 failure (the message says what).\n")},
	{"bulletin", cmd_bulletin, 1, 1, 0,
	    N_("Makes the bulletin of the ten best innovation achievements and operating methods\n"
	       "of ROUND (two years, e.g. 2023-2024) under output/bulletin/ROUND/, with its\n"
	       "document number (--number N).\n"
	       "Exit status: 0 made; 3 failure (the message says what).\n")},
	{"certificates", cmd_certificates, 1, 1, 1,
	    N_("Prints the certificates of YEAR from the award lists stored: a PDF for each under\n"
	       "output/certificates/YEAR/AWARD/, and print.pdf with all of an award's for the\n"
	       "printer. A serial, once printed, never changes. With the key set, each carries a\n"
	       "QR code that opens its page on the verification site.\n"
	       "Exit status: 0 printed; 3 failure (the message names the certificate).\n")},
	{"verify", cmd_verify, 1, 1, 1,
	    N_("Says whether a certificate is genuine: give its serial (2025-MEDAL-0001) or what\n"
	       "its QR code holds (the address a phone shows). The first word is the answer:\n"
	       "valid, altered, withdrawn, superseded or unknown.\n"
	       "Exit status: 0 valid; 1 any other answer; 3 the key is needed and not set.\n")},
	{"forget", cmd_forget, 1, -1, 0,
	    N_("Takes out of the store what one submitted file brought (a file sent in error);\n"
	       "rows it had replaced come back. Take the file out of the input folder too, or\n"
	       "the next run reads it again.\n"
	       "Exit status: 0 done; 3 failure.\n")},
	{"publish", cmd_publish, 0, 1, 1,
	    N_("Writes the verification site under output/site/: a page for each certificate,\n"
	       "which its QR code opens, and the award lists. Copy the folder whole to the web\n"
	       "server of the verification address in programme.xml.\n"
	       "Exit status: 0 written; 3 failure (the message says what).\n")},
	{"run", cmd_run, 0, 0, 1,
	    N_("The nightly job. Reads the submissions under the input folder, stores the new and\n"
	       "the corrected ones, and makes again what they change: the annual reports\n"
	       "(output/annual/), the bulletin (output/bulletin/), the certificates\n"
	       "(output/certificates/), the verification site (output/site/), and for each\n"
	       "region whose files were read a receipt (output/receipts/REGION/): send each\n"
	       "region its receipt, which lists the files accepted and where to correct each\n"
	       "one rejected. A night with nothing new writes and prints nothing. The summary\n"
	       "and the messages of every run are added to output/jingsai.log.\n"
	       "Exit status: 0 all made; 1 all made, but some file was rejected (forward the\n"
	       "receipts); 3 something could not be made (the message says what; the next run\n"
	       "makes what is missing); 75 another run holds the lock (try again later).\n")},
	{"backup", cmd_backup, 0, 0, 0,
	    N_("Copies the store into the backup folder now and checks the copy; every command\n"
	       "that changes the store does so at its end. Keep the backup folder on another\n"
	       "disk (--backup-dir).\n"
	       "Exit status: 0 done; 3 failure.\n")},
	{"restore", cmd_restore, 1, 1, 0,
	    N_("After a lost or damaged store: puts the backup FILE in place of the store,\n"
	       "keeping the store it replaces beside it. Certificate serials are then as they\n"
	       "were; the next run reads again what came after the backup.\n"
	       "Exit status: 0 done; 3 the backup is not whole; 75 a run is going on.\n")},
	{"forms", cmd_forms, 0, 0, 0,
	    N_("Writes the fill-in workbooks for the counties under output/forms/ (a region's\n"
	       "under output/forms/CODE/, its region filled in), with the column names and the\n"
	       "lists to choose from: send each county its folder.\n"
	       "Exit status: 0 written; 3 failure.\n")},
};

/* `jingsai COMMAND --help`: the command's line of the usage text, what it
 * does, the options, and the key's paragraph for the commands that use it. */
static void
command_help(const struct command *cmd)
{
	size_t n = strlen(cmd->name), i = 0;

	printf(_("usage: jingsai [OPTIONS] %s [ARGS] [OPTIONS]\n"), cmd->name);
	fputs("\n", stdout);
	for (; i < sizeof usage_text / sizeof *usage_text; i++)
		if (strncmp(usage_text[i], "  ", 2) == 0 && strncmp(usage_text[i] + 2, cmd->name, n) == 0 &&
		    (usage_text[i][n + 2] == ' ' || usage_text[i][n + 2] == '\n'))
			fputs(_(usage_text[i]), stdout);
	fputs("\n", stdout);
	fputs(_(cmd->about), stdout);
	for (i = 0; i < sizeof usage_text / sizeof *usage_text; i++)
		if (strncmp(usage_text[i], "Options", 7) == 0)
			break;
	fputs("\n", stdout);
	for (; i < sizeof usage_text / sizeof *usage_text && strncmp(usage_text[i], "Exit status", 11) != 0; i++)
		fputs(usage_text[i][0] == '\n' ? "\n" : _(usage_text[i]), stdout);
	for (i = 0; cmd->key && i < sizeof usage_text / sizeof *usage_text; i++)
		if (strncmp(usage_text[i], "Environment", 11) == 0)
			fputs(_(usage_text[i]), stdout);
}

/* Reports CODE (a usage row of the catalogue, one string: ARG); returns the
 * exit status of bad usage. */
static int
usage_error(enum diag_code code, const char *arg)
{
	diag(code, NULL, 0, 0, arg);
	return JZ_EXIT_USAGE;
}

/* Parses "DX,DY" into two millimetre values; returns 0 or -1. */
static int
parse_offset(const char *s, double *dx, double *dy)
{
	char *end;

	*dx = strtod(s, &end);
	if (end == s || *end != ',')
		return -1;
	s = end + 1;
	*dy = strtod(s, &end);
	return end == s || *end != '\0' ? -1 : 0;
}

/* A whole number of at least 1 (at most 10000), or 0. */
static int
parse_count(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	return *s != '\0' && *end == '\0' && n >= 1 && n <= 10000 ? (int)n : 0;
}

/* The environment jingsai heeds, read here once into O (options given on
 * the command line win); the stages read O (and jz_now the clock fixed
 * here), never the environment.  Returns 0, or -1 after a usage error. */
static int
read_environment(struct jz_opts *o)
{
	const char *backups = getenv("JINGSAI_BACKUPS");

	o->key_file = getenv("JINGSAI_KEY_FILE");
	o->source_date_epoch = getenv("SOURCE_DATE_EPOCH");
	o->timing = getenv("JINGSAI_TIMING") != NULL;
	jz_clock_fix(jz_epoch_parse(o->source_date_epoch));
	if (o->backup_dir == NULL && getenv("JINGSAI_BACKUP_DIR") != NULL &&
	    *getenv("JINGSAI_BACKUP_DIR") != '\0')
		o->backup_dir = getenv("JINGSAI_BACKUP_DIR");
	if (o->backups == 0 && backups != NULL && (o->backups = parse_count(backups)) == 0) {
		usage_error(DIAG_USAGE_BACKUPS_ENV, backups);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct jz_opts o = {.input_dir = "input", .output_dir = "output", .db_path = "var/jingsai.db",
	    .templates_dir = "templates", .fonts_dir = "fonts"};
	struct jz_args a = {0};
	const struct command *cmd = NULL;
	char **pos = xcalloc((size_t)argc, sizeof *pos);
	int npos = 0, rc;
	/* Switches, one row each: the option, its short form, what it sets. */
	const struct { const char *name, *alias; int *flag; } switches[] = {
		{"--quiet", "-q", &o.quiet},
		{"--verbose", "-v", &o.verbose},
		{"--stock", NULL, &a.stock},
		{"--calibrate", NULL, &a.calibrate},
		{"--re-sign", NULL, &a.re_sign},
		{"--new-register", NULL, &o.new_register},
	};
	/* Options with a value, "--name VALUE" or "--name=VALUE", one row
	 * each: where a text goes, or NULL for a value read below. */
	const struct { const char *name; const char **target; } valued[] = {
		{"--input", &o.input_dir}, {"--output", &o.output_dir}, {"--db", &o.db_path},
		{"--templates", &o.templates_dir}, {"--fonts", &o.fonts_dir}, {"--region", &a.region},
		{"--award", &a.award}, {"--number", NULL}, {"--offset", NULL}, {"--device", NULL},
		{"--year", NULL}, {"--backup-dir", &o.backup_dir}, {"--backups", NULL},
	};

	jz_i18n_init();
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char **target = NULL;
		int *flag = NULL;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			/* the command's help when one is named (`jingsai run
			 * --help`), the whole text when none is */
			const char *word = NULL;
			for (int j = 1; j < argc && word == NULL; j++) {
				if (strncmp(argv[j], "-", 1) != 0) {
					word = argv[j];
					continue;
				}
				for (size_t k = 0; k < sizeof valued / sizeof *valued; k++)
					if (strcmp(argv[j], valued[k].name) == 0)
						j++;   /* its value, not a command */
			}
			free(pos);
			if (word == NULL) {
				usage(stdout);
				return JZ_EXIT_OK;
			}
			for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
				if (strcmp(word, commands[k].name) == 0) {
					command_help(&commands[k]);
					return JZ_EXIT_OK;
				}
			return usage_error(DIAG_USAGE_COMMAND, word);
		}
		if (strcmp(arg, "--version") == 0) {
			printf("jingsai %s\n", JZ_VERSION);
			free(pos);
			return JZ_EXIT_OK;
		}
		for (size_t k = 0; k < sizeof switches / sizeof *switches; k++)
			if (strcmp(arg, switches[k].name) == 0 ||
			    (switches[k].alias != NULL && strcmp(arg, switches[k].alias) == 0))
				flag = switches[k].flag;
		if (flag != NULL) {
			*flag = 1;
			continue;
		}
		if (strcmp(arg, "--dump") == 0) {
			char bad[32];
			(void)parse_devices("pdf,dump", &o, bad, sizeof bad);
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			while (++i < argc)
				pos[npos++] = argv[i];
			break;
		}
		if (strncmp(arg, "--", 2) != 0) {
			pos[npos++] = argv[i];
			continue;
		}
		const char *eq = strchr(arg, '=');
		size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
		const char *value = eq ? eq + 1 : NULL;
		const char *name = NULL;
		for (size_t k = 0; k < sizeof valued / sizeof *valued; k++)
			if (strlen(valued[k].name) == nlen && strncmp(arg, valued[k].name, nlen) == 0) {
				name = valued[k].name;
				target = valued[k].target;
			}
		if (name == NULL) {
			free(pos);
			return usage_error(DIAG_USAGE_OPTION, arg);
		}
		if (value == NULL) {
			if (i + 1 >= argc) {
				free(pos);
				return usage_error(DIAG_USAGE_NO_VALUE, name);
			}
			value = argv[++i];
		}
		if (strcmp(name, "--number") == 0) {
			char *end;
			a.number = strtol(value, &end, 10);
			if (*value == '\0' || *end != '\0' || a.number <= 0) {
				free(pos);
				return usage_error(DIAG_USAGE_NUMBER, value);
			}
		} else if (strcmp(name, "--backups") == 0) {
			if ((o.backups = parse_count(value)) <= 0) {
				free(pos);
				return usage_error(DIAG_USAGE_BACKUPS, value);
			}
		} else if (strcmp(name, "--device") == 0) {
			char bad[32] = "";
			if (parse_devices(value, &o, bad, sizeof bad) != 0) {
				free(pos);
				return usage_error(bad[0] ? DIAG_USAGE_DEVICE : DIAG_USAGE_DEVICES,
				    bad[0] ? bad : value);
			}
		} else if (strcmp(name, "--year") == 0) {
			if (jz_parse_year(value, &a.year) != 0) {
				free(pos);
				return usage_error(DIAG_USAGE_YEAR_OPTION, value);
			}
		} else if (strcmp(name, "--offset") == 0) {
			if (parse_offset(value, &a.offset_x_mm, &a.offset_y_mm) != 0) {
				free(pos);
				return usage_error(DIAG_USAGE_OFFSET, value);
			}
		}
		if (target != NULL)
			*target = value;
	}
	if (npos == 0) {
		usage(stderr);
		free(pos);
		return JZ_EXIT_USAGE;
	}
	for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
		if (strcmp(pos[0], commands[k].name) == 0)
			cmd = &commands[k];
	if (cmd == NULL) {
		rc = usage_error(DIAG_USAGE_COMMAND, pos[0]);
		free(pos);
		return rc;
	}
	a.argc = npos - 1;
	a.argv = pos + 1;
	if (a.argc < cmd->min_args || (cmd->max_args >= 0 && a.argc > cmd->max_args)) {
		rc = usage_error(a.argc < cmd->min_args ? DIAG_USAGE_MISSING : DIAG_USAGE_EXTRA,
		    cmd->name);
		free(pos);
		return rc;
	}
	if (read_environment(&o) != 0) {
		free(pos);
		return JZ_EXIT_USAGE;
	}
	store_backup_config(o.backup_dir, o.backups);
	diag_set_verbosity(o.quiet, o.verbose);
	jz_catch_interrupts();
	rc = cmd->fn(&o, &a);
	free(pos);
	if (jz_interrupted) {
		/* Stopped between whole steps: the store and every document are
		 * whole; what this process had half made goes, and it ends by the
		 * signal, as its caller expects. */
		int sig = jz_interrupted;
		jz_remove_own_temporaries(o.output_dir);
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return rc;
}
