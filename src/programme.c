/* programme.c — input/programme.xml: the city's reference data, checked and kept in the store. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "programme.h"
#include "store.h"
#include "xml_read.h"

/* What programme_store writes, as the key 'tables' records it: a store that
 * has the same programme.xml stored by an earlier version is written again. */
#define PROGRAMME_TABLES "2"

/* Text content of the first child element NAME of PARENT, or NULL; caller frees. */
static char *
child_text(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent->children; c != NULL; c = c->next)
		if (xml_is(c, PROGRAMME_NAMESPACE, name)) {
			xmlChar *t = xmlNodeGetContent(c);
			char *s = xstrdup(t ? (const char *)t : "");
			xmlFree(t);
			return s;
		}
	return NULL;
}

static xmlNodePtr
child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent->children; c != NULL; c = c->next)
		if (xml_is(c, PROGRAMME_NAMESPACE, name))
			return c;
	return NULL;
}

/* Counts the element children NAME of PARENT. */
static size_t
count_children(xmlNodePtr parent, const char *name)
{
	size_t n = 0;

	if (parent != NULL)
		for (xmlNodePtr c = parent->children; c != NULL; c = c->next)
			n += xml_is(c, PROGRAMME_NAMESPACE, name);
	return n;
}

/* The rules of enum prog_rule, one row each: the name programme.xml and the
 * store use (award_rule.rule). */
static const struct {
	const char *name;
	int rule;
} rules[] = {
	{"top-ten", PROG_RULE_TOP_TEN},
	{"skills", PROG_RULE_SKILLS},
};

const char *
programme_rule_name(int rule)
{
	for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
		if (rules[i].rule == rule)
			return rules[i].name;
	return NULL;
}

/* The region a name means, searching codes, names and aliases. */
const char *
programme_region(const struct programme *p, const char *name)
{
	for (size_t i = 0; i < p->nregions; i++)
		if (strcmp(p->regions[i].code, name) == 0 || strcmp(p->regions[i].name, name) == 0)
			return p->regions[i].code;
	for (size_t i = 0; i < p->naliases; i++)
		if (strcmp(p->aliases[i].alias, name) == 0)
			return p->regions[p->aliases[i].region].code;
	return NULL;
}

const struct prog_track *
programme_track(const struct programme *p, const char *code)
{
	for (size_t i = 0; i < p->ntracks; i++)
		if (strcmp(p->tracks[i].code, code) == 0)
			return &p->tracks[i];
	return NULL;
}

const struct prog_award *
prog_award_find(const struct prog_award *awards, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(awards[i].code, code) == 0)
			return &awards[i];
	return NULL;
}

void
prog_awards_free(struct prog_award *awards, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct prog_award *w = &awards[i];
		free(w->code), free(w->title), free(w->recipient_kind), free(w->template);
	}
	free(awards);
}

const struct prog_award *
programme_award(const struct programme *p, const char *code)
{
	return prog_award_find(p->awards, p->nawards, code);
}

/* Appends "CODE（NAME）" items, 、-separated (the list is Chinese in both
 * languages' messages: the names are), to LIST of SIZE bytes. */
static const char *
code_name_list(char *list, size_t size, size_t n, const char *(*code)(const struct programme *, size_t),
    const char *(*name)(const struct programme *, size_t), const struct programme *p)
{
	size_t len = 0;

	list[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(list + len, size - len, "%s%s（%s）", i ? "、" : "", code(p, i), name(p, i));
		if (w < 0 || (size_t)w >= size - len) {
			list[len] = '\0';  /* whole items only */
			break;
		}
		len += (size_t)w;
	}
	return list;
}

static const char *track_code(const struct programme *p, size_t i) { return p->tracks[i].code; }
static const char *track_name(const struct programme *p, size_t i) { return p->tracks[i].name; }
static const char *award_code(const struct programme *p, size_t i) { return p->awards[i].code; }
static const char *award_title(const struct programme *p, size_t i) { return p->awards[i].title; }
static const char *region_code(const struct programme *p, size_t i) { return p->regions[i].code; }
static const char *region_name(const struct programme *p, size_t i) { return p->regions[i].name; }

const char *
programme_track_list(const struct programme *p)
{
	static char list[1024];

	return code_name_list(list, sizeof list, p->ntracks, track_code, track_name, p);
}

const char *
programme_award_list(const struct programme *p)
{
	static char list[1024];

	return code_name_list(list, sizeof list, p->nawards, award_code, award_title, p);
}

const char *
programme_region_list(const struct programme *p)
{
	static char list[2048];

	/* names first: what a clerk writes */
	return code_name_list(list, sizeof list, p->nregions, region_name, region_code, p);
}

struct programme *
programme_load(const char *path)
{
	struct buf data = {0};
	struct programme *p = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, n;
	int errors = 0;

	if (file_read_all(path, &data) != 0) {
		diag(DIAG_PROG_MISSING, path, 0, 0, strerror(errno));
		goto done;
	}
	doc = xml_parse(path, data.data ? data.data : "", data.len);
	if (doc == NULL)
		goto bad;
	root = xmlDocGetRootElement(doc);
	if (!xml_is(root, PROGRAMME_NAMESPACE, "programme")) {
		diag(DIAG_PROG_ROOT, path, root ? xmlGetLineNo(root) : 1, 1,
		    root ? (const char *)root->name : "", root && root->ns ? (const char *)root->ns->href : "");
		goto bad;
	}
	if (xml_validate(doc, "programme.xsd", path, data.data, data.len) != 0)
		goto bad;

	p = xcalloc(1, sizeof *p);
	sha256_hex(data.data, data.len, p->sha256);
	p->name = child_text(root, "name");
	p->city = child_text(root, "city");
	p->basis = child_text(root, "basis");
	p->issuer = child_text(root, "issuer");
	p->doc_prefix = child_text(root, "doc-prefix");
	p->verify_url = child_text(root, "verify-url");
	p->time_zone = child_text(root, "time-zone");
	if (p->time_zone != NULL && !jz_zone_valid(p->time_zone)) {
		n = child(root, "time-zone");
		diag(DIAG_PROG_ZONE, path, xmlGetLineNo(n), xml_column(data.data, data.len, xmlGetLineNo(n), NULL),
		    p->time_zone);
		errors++;
	}
	p->slogan = child_text(root, "slogan");
	p->copy_to = child_text(root, "copy-to");
	p->printer = child_text(root, "printer");
	n = child(root, "period");
	char *first = xml_attr(n, "first"), *last = xml_attr(n, "last");
	p->first_year = atoi(first);
	p->last_year = atoi(last);
	free(first), free(last);
	if (p->first_year > p->last_year) {
		diag(DIAG_PROG_PERIOD, path, xmlGetLineNo(n), xml_column(data.data, data.len, xmlGetLineNo(n), "first"),
		    p->first_year, p->last_year);
		errors++;
	}

	xmlNodePtr regions = child(root, "regions");
	p->regions = xcalloc(count_children(regions, "region"), sizeof *p->regions);
	size_t nalias = 0;
	for (xmlNodePtr r = regions->children; r != NULL; r = r->next)
		if (xml_is(r, PROGRAMME_NAMESPACE, "region"))
			nalias += count_children(r, "alias");
	p->aliases = xcalloc(nalias, sizeof *p->aliases);
	for (xmlNodePtr r = regions->children; r != NULL; r = r->next) {
		if (!xml_is(r, PROGRAMME_NAMESPACE, "region"))
			continue;
		struct prog_region *reg = &p->regions[p->nregions];
		reg->code = xml_attr(r, "code");
		reg->name = xml_attr(r, "name");
		reg->kind = xml_attr(r, "kind");
		if ((reg->short_name = xml_attr(r, "short")) == NULL)
			reg->short_name = xstrdup(reg->name);
		/* A name must not be another region's code or name. */
		const char *taken = programme_region(p, reg->name);
		if (taken == NULL)
			taken = programme_region(p, reg->code);
		p->nregions++;
		if (taken != NULL) {
			diag(DIAG_PROG_ALIAS, path, xmlGetLineNo(r),
			    xml_column(data.data, data.len, xmlGetLineNo(r), "name"), reg->name, taken);
			errors++;
		}
		for (xmlNodePtr a = r->children; a != NULL; a = a->next) {
			if (!xml_is(a, PROGRAMME_NAMESPACE, "alias"))
				continue;
			xmlChar *t = xmlNodeGetContent(a);
			const char *other = programme_region(p, (const char *)t);
			if (other != NULL) {
				diag(DIAG_PROG_ALIAS, path, xmlGetLineNo(a),
				    xml_column(data.data, data.len, xmlGetLineNo(a), NULL), (const char *)t, other);
				errors++;
			} else {
				p->aliases[p->naliases].alias = xstrdup((const char *)t);
				p->aliases[p->naliases++].region = p->nregions - 1;
			}
			xmlFree(t);
		}
	}

	xmlNodePtr tracks = child(root, "tracks");
	p->tracks = xcalloc(count_children(tracks, "track"), sizeof *p->tracks);
	for (xmlNodePtr t = tracks->children; t != NULL; t = t->next)
		if (xml_is(t, PROGRAMME_NAMESPACE, "track")) {
			struct prog_track *k = &p->tracks[p->ntracks++];
			k->code = xml_attr(t, "code");
			k->name = xml_attr(t, "name");
			if ((k->short_name = xml_attr(t, "short")) == NULL)
				k->short_name = xstrdup(k->name);
		}

	xmlNodePtr targets = child(root, "targets");
	p->targets = xcalloc(count_children(targets, "target"), sizeof *p->targets);
	for (xmlNodePtr t = targets->children; t != NULL; t = t->next)
		if (xml_is(t, PROGRAMME_NAMESPACE, "target")) {
			struct prog_target *g = &p->targets[p->ntargets++];
			g->metric = xml_attr(t, "metric");
			g->label = xml_attr(t, "label");
			g->comparator = xml_attr(t, "comparator");
			g->kind = xml_attr(t, "kind");
			g->unit = xml_attr(t, "unit");
			char *v = xml_attr(t, "value");
			if (v != NULL) {
				g->value = strtod(v, NULL);
				g->has_value = 1;
				free(v);
			}
		}

	xmlNodePtr awards = child(root, "awards");
	int rules_said = 0, rules_taken = 0;
	p->awards = xcalloc(count_children(awards, "award"), sizeof *p->awards);
	for (xmlNodePtr a = awards->children; a != NULL; a = a->next)
		if (xml_is(a, PROGRAMME_NAMESPACE, "award")) {
			struct prog_award *w = &p->awards[p->nawards++];
			w->ord = (int)p->nawards;
			w->code = xml_attr(a, "code");
			w->title = xml_attr(a, "title");
			w->recipient_kind = xml_attr(a, "recipient-kind");
			w->template = xml_attr(a, "template");
			char *wo = xml_attr(a, "women-only");
			w->women_only = wo != NULL && (strcmp(wo, "true") == 0 || strcmp(wo, "1") == 0);
			free(wo);
			char *derived = xml_attr(a, "derived");
			if (derived == NULL)
				continue;
			rules_said = 1;
			for (char *tok = strtok(derived, " \t\r\n"); tok != NULL; tok = strtok(NULL, " \t\r\n"))
				for (size_t k = 0; k < sizeof rules / sizeof *rules; k++) {
					if (strcmp(tok, rules[k].name) != 0)
						continue;
					/* One award per rule: the person named by it gets one. */
					if (rules_taken & rules[k].rule) {
						const char *other = "";
						for (size_t j = 0; j + 1 < p->nawards; j++)
							if (p->awards[j].rules & rules[k].rule)
								other = p->awards[j].code;
						diag(DIAG_PROG_RULE, path, xmlGetLineNo(a),
						    xml_column(data.data, data.len, xmlGetLineNo(a), "derived"),
						    rules[k].name, w->code, other);
						errors++;
					}
					w->rules |= rules[k].rule;
					rules_taken |= rules[k].rule;
				}
			free(derived);
		}
	if (!rules_said)
		for (size_t i = 0; i < p->nawards; i++)
			if (strcmp(p->awards[i].code, PROGRAMME_RULES_AWARD) == 0)
				p->awards[i].rules = PROG_RULE_TOP_TEN | PROG_RULE_SKILLS;
	if (errors == 0)
		goto done;
bad:
	programme_free(p);
	p = NULL;
	diag(DIAG_PROG_BAD, path, 0, 0);
done:
	xmlFreeDoc(doc);
	buf_free(&data);
	return p;
}

void
programme_free(struct programme *p)
{
	if (p == NULL)
		return;
	free(p->name), free(p->city), free(p->basis), free(p->issuer), free(p->doc_prefix), free(p->verify_url);
	free(p->time_zone);
	free(p->slogan);
	free(p->copy_to), free(p->printer);
	for (size_t i = 0; i < p->nregions; i++) {
		free(p->regions[i].code), free(p->regions[i].name), free(p->regions[i].kind);
		free(p->regions[i].short_name);
	}
	for (size_t i = 0; i < p->naliases; i++)
		free(p->aliases[i].alias);
	for (size_t i = 0; i < p->ntracks; i++)
		free(p->tracks[i].code), free(p->tracks[i].name), free(p->tracks[i].short_name);
	for (size_t i = 0; i < p->ntargets; i++) {
		struct prog_target *g = &p->targets[i];
		free(g->metric), free(g->label), free(g->comparator), free(g->kind), free(g->unit);
	}
	prog_awards_free(p->awards, p->nawards);
	free(p->regions), free(p->aliases), free(p->tracks), free(p->targets);
	free(p);
}

char *
programme_get(sqlite3 *db, const char *key, const char *def)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT value FROM programme WHERE key = ?1");
	char *v = NULL;

	if (st != NULL) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL &&
		    *sqlite3_column_text(st, 0) != '\0')
			v = xstrdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	return v != NULL ? v : def != NULL ? xstrdup(def) : NULL;
}

/* Binds TEXT (or NULL) at I. */
static void
bind_text(sqlite3_stmt *st, int i, const char *text)
{
	if (text != NULL)
		sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Runs ST once and resets it; returns 0 or -1 after a diagnostic. */
static int
step_once(sqlite3 *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	diag(DIAG_STORE, NULL, 0, 0, sqlite3_errmsg(db));
	return -1;
}

/* Deletes the rows of TABLE whose COLUMN is not among the values in the
 * temporary table `keep`; reports a row still referenced as DIAG_PROG_IN_USE. */
static int
delete_others(sqlite3 *db, const char *path, const char *what, const char *table, const char *column)
{
	char *sql = xasprintf("SELECT %s FROM %s WHERE %s NOT IN (SELECT k FROM temp.keep)", column, table, column);
	sqlite3_stmt *sel = store_prepare(db, sql);
	int errors = 0;

	free(sql);
	if (sel == NULL)
		return -1;
	sql = xasprintf("DELETE FROM %s WHERE %s = ?", table, column);
	sqlite3_stmt *del = store_prepare(db, sql);
	free(sql);
	while (del != NULL && sqlite3_step(sel) == SQLITE_ROW) {
		char *key = xstrdup((const char *)sqlite3_column_text(sel, 0));
		sqlite3_bind_text(del, 1, key, -1, SQLITE_TRANSIENT);
		int rc = sqlite3_step(del);
		sqlite3_reset(del);
		if (rc != SQLITE_DONE) {
			diag(DIAG_PROG_IN_USE, path, 0, 0, what, key);
			errors++;
		}
		free(key);
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(del);
	store_exec(db, "DELETE FROM temp.keep");
	return del == NULL || errors ? -1 : 0;
}

static int
keep(sqlite3 *db, sqlite3_stmt *ins, const char *key)
{
	sqlite3_bind_text(ins, 1, key, -1, SQLITE_TRANSIENT);
	return step_once(db, ins);
}

int
programme_store(sqlite3 *db, const struct programme *p, const char *path, int *changed)
{
	sqlite3_stmt *st = NULL, *k = NULL;
	int rc = -1, outer;

	*changed = 0;
	/* The same file, stored with the tables this version fills (a store
	 * written before short names and rules were kept gets them once). */
	st = store_prepare(db, "SELECT value FROM programme WHERE key = 'sha256' "
	    "AND (SELECT value FROM programme WHERE key = 'tables') = '" PROGRAMME_TABLES "'");
	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), p->sha256) == 0) {
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	*changed = 1;
	if (store_savepoint(db, "programme", &outer) != 0)
		return -1;
	if (store_exec(db, "CREATE TEMP TABLE IF NOT EXISTS keep (k TEXT PRIMARY KEY);"
	    "DELETE FROM temp.keep; DELETE FROM programme; DELETE FROM region_alias;"
	    "DELETE FROM region_short; DELETE FROM track_short; DELETE FROM award_rule;") != 0) {
		store_release(db, "programme", outer, 0);
		return -1;
	}
	k = store_prepare(db, "INSERT OR IGNORE INTO temp.keep VALUES (?)");

	/* programme: key/value */
	char first[16], last[16];
	snprintf(first, sizeof first, "%d", p->first_year);
	snprintf(last, sizeof last, "%d", p->last_year);
	const char *kv[][2] = {{"name", p->name}, {"city", p->city}, {"basis", p->basis},
	    {"first_year", first}, {"last_year", last}, {"issuer", p->issuer},
	    {"doc_prefix", p->doc_prefix}, {"verify_url", p->verify_url}, {"slogan", p->slogan},
	    {"sha256", p->sha256}, {"tables", PROGRAMME_TABLES}, {"copy_to", p->copy_to},
	    {"printer", p->printer}, {"time_zone", p->time_zone ? p->time_zone : JZ_DEFAULT_ZONE}};
	st = store_prepare(db, "INSERT INTO programme (key, value) VALUES (?, ?)");
	if (st == NULL || k == NULL)
		goto done;
	for (size_t i = 0; i < sizeof kv / sizeof *kv; i++) {
		if (kv[i][1] == NULL)
			continue;
		bind_text(st, 1, kv[i][0]);
		bind_text(st, 2, kv[i][1]);
		if (step_once(db, st) != 0)
			goto done;
	}
	sqlite3_finalize(st);

	/* Upserts, then removal of what the file no longer has: submitted data
	 * refers to regions and awards, so those go only when unused. */
	st = store_prepare(db, "INSERT INTO region (code, name, kind, ord) VALUES (?, ?, ?, ?) "
	    "ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, ord = excluded.ord");
	if (st == NULL)
		goto done;
	for (size_t i = 0; i < p->nregions; i++) {
		bind_text(st, 1, p->regions[i].code);
		bind_text(st, 2, p->regions[i].name);
		bind_text(st, 3, p->regions[i].kind);
		sqlite3_bind_int(st, 4, (int)i + 1);
		if (step_once(db, st) != 0 || keep(db, k, p->regions[i].code) != 0)
			goto done;
	}
	sqlite3_finalize(st);
	if (delete_others(db, path, "region", "region", "code") != 0)
		goto fail;
	st = store_prepare(db, "INSERT INTO region_short (code, short) VALUES (?, ?)");
	if (st == NULL)
		goto done;
	for (size_t i = 0; i < p->nregions; i++) {
		bind_text(st, 1, p->regions[i].code);
		bind_text(st, 2, p->regions[i].short_name);
		if (step_once(db, st) != 0)
			goto done;
	}
	sqlite3_finalize(st);
	st = store_prepare(db, "INSERT INTO region_alias (alias, code) VALUES (?, ?)");
	if (st == NULL)
		goto done;
	for (size_t i = 0; i < p->naliases; i++) {
		bind_text(st, 1, p->aliases[i].alias);
		bind_text(st, 2, p->regions[p->aliases[i].region].code);
		if (step_once(db, st) != 0)
			goto done;
	}
	sqlite3_finalize(st);

	st = store_prepare(db, "INSERT INTO track (code, name, ord) VALUES (?, ?, ?) "
	    "ON CONFLICT (code) DO UPDATE SET name = excluded.name, ord = excluded.ord");
	if (st == NULL)
		goto done;
	for (size_t i = 0; i < p->ntracks; i++) {
		bind_text(st, 1, p->tracks[i].code);
		bind_text(st, 2, p->tracks[i].name);
		sqlite3_bind_int(st, 3, (int)i + 1);
		if (step_once(db, st) != 0 || keep(db, k, p->tracks[i].code) != 0)
			goto done;
	}
	sqlite3_finalize(st);
	if (delete_others(db, path, "track", "track", "code") != 0)
		goto fail;
	st = store_prepare(db, "INSERT INTO track_short (code, short) VALUES (?, ?)");
	if (st == NULL)
		goto done;
	for (size_t i = 0; i < p->ntracks; i++) {
		bind_text(st, 1, p->tracks[i].code);
		bind_text(st, 2, p->tracks[i].short_name);
		if (step_once(db, st) != 0)
			goto done;
	}
	sqlite3_finalize(st);

	st = store_prepare(db, "INSERT OR REPLACE INTO target (metric, label, comparator, value, kind, unit, ord) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL)
		goto done;
	for (size_t i = 0; i < p->ntargets; i++) {
		const struct prog_target *g = &p->targets[i];
		bind_text(st, 1, g->metric);
		bind_text(st, 2, g->label);
		bind_text(st, 3, g->comparator);
		if (g->has_value)
			sqlite3_bind_double(st, 4, g->value);
		else
			sqlite3_bind_null(st, 4);
		bind_text(st, 5, g->kind);
		bind_text(st, 6, g->unit);
		sqlite3_bind_int(st, 7, (int)i + 1);
		if (step_once(db, st) != 0 || keep(db, k, g->metric) != 0)
			goto done;
	}
	sqlite3_finalize(st);
	if (delete_others(db, path, "target", "target", "metric") != 0)
		goto fail;

	st = store_prepare(db, "INSERT INTO award (code, title, recipient_kind, template, women_only, ord) "
	    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET title = excluded.title, "
	    "recipient_kind = excluded.recipient_kind, template = excluded.template, "
	    "women_only = excluded.women_only, ord = excluded.ord");
	if (st == NULL)
		goto done;
	for (size_t i = 0; i < p->nawards; i++) {
		const struct prog_award *w = &p->awards[i];
		bind_text(st, 1, w->code);
		bind_text(st, 2, w->title);
		bind_text(st, 3, w->recipient_kind);
		bind_text(st, 4, w->template ? w->template : ""); /* '': the default template */
		sqlite3_bind_int(st, 5, w->women_only);
		sqlite3_bind_int(st, 6, w->ord);
		if (step_once(db, st) != 0 || keep(db, k, w->code) != 0)
			goto done;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (delete_others(db, path, "award", "award", "code") != 0)
		goto fail;
	st = store_prepare(db, "INSERT INTO award_rule (rule, award) VALUES (?, ?)");
	if (st == NULL)
		goto done;
	for (size_t i = 0; i < p->nawards; i++)
		for (size_t k = 0; k < sizeof rules / sizeof *rules; k++)
			if (p->awards[i].rules & rules[k].rule) {
				bind_text(st, 1, rules[k].name);
				bind_text(st, 2, p->awards[i].code);
				if (step_once(db, st) != 0)
					goto done;
			}
	sqlite3_finalize(st);
	st = NULL;
	rc = 0;
	goto done;
fail:
	st = NULL;
done:
	sqlite3_finalize(st);
	sqlite3_finalize(k);
	if (rc == 0 && store_release(db, "programme", outer, 1) != 0)
		rc = -1;
	else if (rc != 0)
		store_release(db, "programme", outer, 0);
	if (rc != 0)
		*changed = 0;
	return rc;
}
