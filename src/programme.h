/* programme.h — the reference data of input/programme.xml: loading, checking, storing, lookups. */
#ifndef PROGRAMME_H
#define PROGRAMME_H

#include <sqlite3.h>

struct prog_region {
	char *code, *name, *kind; /* kind: county | park | city */
	char *short_name;         /* for chart labels: `short`, else the name */
};

struct prog_alias {
	char *alias;   /* a former name or code */
	size_t region; /* index into regions */
};

struct prog_track {
	char *code, *name;
	char *short_name;         /* for table headers and chart labels: `short`, else the name */
};

struct prog_target {
	char *metric, *label, *comparator, *kind, *unit; /* unit may be NULL */
	double value;
	int has_value; /* 0 for rising / falling */
};

/* The rules of SPEC §4 that give an award without an awards row. */
enum prog_rule {
	PROG_RULE_TOP_TEN = 1,    /* first completers of the biennial top ten */
	PROG_RULE_SKILLS = 2,     /* winners (rank 1) of the city skills contests */
};

/* The award that takes every rule when programme.xml gives none (files
 * written before `derived`, and stores filled from them). */
#define PROGRAMME_RULES_AWARD "MEDAL"

/* An award of the programme, the one record of it: read from programme.xml
 * (programme_load) or from the store's award and award_rule tables
 * (cert_awards_load); the certificates borrow it. */
struct prog_award {
	char *code;               /* MEDAL, CERT ... */
	char *title;              /* 南通市五一劳动奖章 */
	char *recipient_kind;     /* person | unit | team */
	char *template;           /* file under templates/; NULL: the default template of its kind */
	int women_only;           /* 1: recipients must be 女 */
	int rules;                /* enum prog_rule bits: the rules that give it */
	int ord;                  /* its place in programme.xml, from 1 (ceremony order) */
};

/* The award with CODE among the N of AWARDS, or NULL. */
const struct prog_award *prog_award_find(const struct prog_award *awards, size_t n, const char *code);
/* Frees the N AWARDS, each with what it holds. */
void prog_awards_free(struct prog_award *awards, size_t n);

struct programme {
	char *name, *city, *basis, *issuer, *doc_prefix, *verify_url; /* basis may be NULL */
	char *time_zone;       /* <time-zone>, an IANA name; NULL: JZ_DEFAULT_ZONE */
	char *slogan;             /* the bulletin's closing words; may be NULL */
	char *copy_to, *printer;   /* the bulletin's 版记 (抄送, 印发机关); may be NULL */
	int first_year, last_year;
	struct prog_region *regions;
	size_t nregions;
	struct prog_alias *aliases;
	size_t naliases;
	struct prog_track *tracks;
	size_t ntracks;
	struct prog_target *targets;
	size_t ntargets;
	struct prog_award *awards;
	size_t nawards;
	char sha256[65]; /* of the file's bytes */
};

/* Reads, validates (programme.xsd and the rules the XSD cannot say) and
 * returns the programme at PATH; the caller frees it with programme_free.
 * Returns NULL after every problem was reported through diag(). */
struct programme *programme_load(const char *path);
void programme_free(struct programme *p);

/* Brings the reference tables of DB (programme, region, region_alias, track,
 * target, award, short_name, award_rule) in line with P, unless the store already holds this very
 * file (same sha256).  Sets *CHANGED to 1 when something was written.
 * Returns 0, or -1 after a diagnostic (a region or award still used by
 * submitted data cannot be removed). */
int programme_store(sqlite3 *db, const struct programme *p, const char *path, int *changed);

/* The value of KEY in the store's table programme (what programme_store
 * wrote: name, city, first_year, last_year, issuer, doc_prefix, verify_url,
 * slogan ...), or a copy of DEF when it has none or an empty one (DEF may be
 * NULL); the caller frees.  The one way the stages read programme.xml's
 * values from the store. */
char *programme_get(sqlite3 *db, const char *key, const char *def);

/* The region code that NAME (a code, a name or an alias) means, or NULL. */
const char *programme_region(const struct programme *p, const char *name);
/* The track / award with CODE, or NULL. */
const struct prog_track *programme_track(const struct programme *p, const char *code);
const struct prog_award *programme_award(const struct programme *p, const char *code);
/* The name of a rule of enum prog_rule ("top-ten"), or NULL. */
const char *programme_rule_name(int rule);

/* "T1（引领性劳动竞赛）、T2（…）…" — the tracks / awards with their names, and
 * "崇川区（320602）、…" the regions, for messages that list what is valid;
 * static buffers. */
const char *programme_track_list(const struct programme *p);
const char *programme_award_list(const struct programme *p);
const char *programme_region_list(const struct programme *p);

#endif
