/* csv_validate.c — the six CSV kinds as tables (one row per column with its
 * rule), header matching, field validation and the credit-code check. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv_read.h"
#include "jingsai.h"

/* What a column holds; the rules are in check_field(). */
enum col_type {
	T_TEXT,   /* any text */
	T_LIST,   /* names separated by 、, none of them empty */
	T_YEAR,   /* 4 digits */
	T_COUNT,  /* whole number >= 0 */
	T_RANK,   /* whole number >= 1 */
	T_CREDIT, /* 统一社会信用代码, GB 32100-2015 */
	T_ENUM,   /* one of col.values */
	T_ROUND,  /* YYYY-YYYY, consecutive years */
	T_SCORE   /* 0-100, at most one decimal */
};

/* May the value be empty? */
enum col_need {
	REQUIRED,
	OPTIONAL,
	PERSON /* required when the row's recipient_kind is person */
};

struct col_def {
	const char *name;
	enum col_type type;
	enum col_need need;
	const char *const *values; /* T_ENUM: the allowed values, NULL-terminated */
};

struct kind_def {
	const char *name;
	const struct col_def *cols;
	int ncols;
	int key[5];         /* key columns (indices into cols), -1 ends */
	int recipient_kind; /* column deciding PERSON, or -1 */
	int recipient;      /* column naming the recipient in messages, or -1 */
};

static const char *const ownership_values[] = {"国有", "集体", "民营", "外资", "港澳台", "其他", NULL};
static const char *const yes_no_values[] = {"是", "否", NULL};
static const char *const gender_values[] = {"男", "女", NULL};
static const char *const category_values[] = {"科技创新成果", "先进操作法", NULL};
static const char *const recipient_kind_values[] = {"person", "unit", "team", NULL};

/* SPEC §3.2, one row per column, in the order csv_row.field follows. */
static const struct col_def enterprise_cols[] = {
	{"credit_code", T_CREDIT, REQUIRED, NULL},
	{"name",        T_TEXT,   REQUIRED, NULL},
	{"region",      T_TEXT,   REQUIRED, NULL},
	{"ownership",   T_ENUM,   REQUIRED, ownership_values},
	{"above_scale", T_ENUM,   REQUIRED, yes_no_values},
	{"industry",    T_TEXT,   OPTIONAL, NULL},
	{"employees",   T_COUNT,  OPTIONAL, NULL},
};
static const struct col_def participation_cols[] = {
	{"year",         T_YEAR,   REQUIRED, NULL},
	{"project_id",   T_TEXT,   REQUIRED, NULL},
	{"credit_code",  T_CREDIT, REQUIRED, NULL},
	{"participants", T_COUNT,  REQUIRED, NULL},
};
static const struct col_def achievement_cols[] = {
	{"round",           T_ROUND,  REQUIRED, NULL},
	{"entry_id",        T_TEXT,   REQUIRED, NULL},
	{"category",        T_ENUM,   REQUIRED, category_values},
	{"title",           T_TEXT,   REQUIRED, NULL},
	{"first_completer", T_TEXT,   REQUIRED, NULL},
	{"gender",          T_ENUM,   REQUIRED, gender_values},
	{"credit_code",     T_CREDIT, REQUIRED, NULL},
	{"completers",      T_LIST,   OPTIONAL, NULL},
};
static const struct col_def score_cols[] = {
	{"round",    T_ROUND, REQUIRED, NULL},
	{"entry_id", T_TEXT,  REQUIRED, NULL},
	{"judge",    T_TEXT,  REQUIRED, NULL},
	{"score",    T_SCORE, REQUIRED, NULL},
};
static const struct col_def skill_cols[] = {
	{"year",         T_YEAR,   REQUIRED, NULL},
	{"competition",  T_TEXT,   REQUIRED, NULL},
	{"city_contest", T_ENUM,   REQUIRED, yes_no_values},
	{"rank",         T_RANK,   REQUIRED, NULL},
	{"name",         T_TEXT,   REQUIRED, NULL},
	{"gender",       T_ENUM,   REQUIRED, gender_values},
	{"credit_code",  T_CREDIT, REQUIRED, NULL},
	{"score",        T_SCORE,  REQUIRED, NULL},
};
static const struct col_def award_cols[] = {
	{"year",           T_YEAR,   REQUIRED, NULL},
	{"award",          T_TEXT,   REQUIRED, NULL},
	{"recipient",      T_TEXT,   REQUIRED, NULL},
	{"recipient_kind", T_ENUM,   REQUIRED, recipient_kind_values},
	{"gender",         T_ENUM,   PERSON,   gender_values},
	{"credit_code",    T_CREDIT, REQUIRED, NULL},
	{"reason",         T_TEXT,   OPTIONAL, NULL},
};

#define COLS(a) a, (int)(sizeof a / sizeof a[0])

/* One row per kind, indexed by enum csv_kind. */
static const struct kind_def kinds[CSV__KINDS] = {
	[CSV_ENTERPRISES]   = {"enterprises",   COLS(enterprise_cols),    {0, -1},          -1, -1},
	[CSV_PARTICIPATION] = {"participation", COLS(participation_cols), {0, 1, 2, -1},    -1, -1},
	[CSV_ACHIEVEMENTS]  = {"achievements",  COLS(achievement_cols),   {0, 1, -1},       -1, -1},
	[CSV_SCORES]        = {"scores",        COLS(score_cols),         {0, 1, 2, -1},    -1, -1},
	[CSV_SKILLS]        = {"skills",        COLS(skill_cols),         {0, 1, 3, 4, -1}, -1, -1},
	[CSV_AWARDS]        = {"awards",        COLS(award_cols),         {0, 1, 2, 5, -1}, 3, 2},
};

const char *
csv_kind_name(enum csv_kind k)
{
	if ((unsigned)k >= CSV__KINDS)
		return "unknown";
	return kinds[k].name;
}

const char *const *
csv_kind_columns(enum csv_kind k, int *n)
{
	/* The names, gathered once from the tables above. */
	static const char *names[CSV__KINDS][16];
	if ((unsigned)k >= CSV__KINDS) {
		*n = 0;
		return NULL;
	}
	if (names[k][0] == NULL)
		for (int i = 0; i < kinds[k].ncols; i++)
			names[k][i] = kinds[k].cols[i].name;
	*n = kinds[k].ncols;
	return names[k];
}

int
csv_column_index(enum csv_kind k, const char *name)
{
	if ((unsigned)k >= CSV__KINDS)
		return -1;
	for (int i = 0; i < kinds[k].ncols; i++)
		if (strcasecmp(kinds[k].cols[i].name, name) == 0)
			return i;
	return -1;
}

const int *
csv_kind_key(enum csv_kind k)
{
	return kinds[k].key;
}

/*
 * A header names the kind whose columns it names most of (ties: the kind
 * with fewer columns, so that "round,entry_id,judge,score" is scores, not a
 * broken achievements header).  It must name at least half of them: less is
 * some other file.
 */
int
csv_header_match(const char *const *names, int n, int *map)
{
	int best = -1, best_hits = 0;

	for (int k = 0; k < CSV__KINDS; k++) {
		unsigned seen = 0;
		int hits = 0;
		for (int i = 0; i < n; i++) {
			int c = csv_column_index((enum csv_kind)k, names[i]);
			if (c >= 0 && !(seen & (1u << c))) {
				seen |= 1u << c;
				hits++;
			}
		}
		if (hits * 2 < kinds[k].ncols || hits < 2)
			continue;
		if (best < 0 || hits * kinds[best].ncols > best_hits * kinds[k].ncols) {
			best = k;
			best_hits = hits;
		}
	}
	if (best < 0)
		return -1;
	if (map != NULL) {
		unsigned seen = 0;
		for (int i = 0; i < n; i++) {
			int c = csv_column_index((enum csv_kind)best, names[i]);
			if (c >= 0 && (seen & (1u << c)))
				c = -2;
			else if (c >= 0)
				seen |= 1u << c;
			map[i] = c;
		}
	}
	return best;
}

/* ---- Credit codes (GB 32100-2015) ------------------------------------------ */

/* The 31 characters of the code, in the order of their values 0..30. */
static const char credit_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Value of character C in the code, or -1. */
static int
credit_value(int c)
{
	/* value + 1 per byte, built once from credit_alphabet */
	static signed char table[256];

	if (table['0'] == 0)
		for (int i = 0; credit_alphabet[i] != '\0'; i++)
			table[(unsigned char)credit_alphabet[i]] = (signed char)(i + 1);
	return table[c & 0xFF] - 1;
}

char
credit_code_check_char(const char *code)
{
	/* Weight of position i is 3^i mod 31. */
	static const int weight[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
	int sum = 0;

	for (int i = 0; i < 17; i++) {
		int v = credit_value((unsigned char)code[i]);
		if (v < 0)
			return 0;
		sum += v * weight[i];
	}
	return credit_alphabet[(31 - sum % 31) % 31];
}

int
credit_code_valid(const char *code)
{
	if (code == NULL || strlen(code) != 18)
		return 0;
	char want = credit_code_check_char(code);
	return want != 0 && code[17] == want;
}

/* ---- Field rules -------------------------------------------------------------- */

static int
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/* The UTF-8 character at S as a string in OUT (for messages). */
static const char *
char_at(const char *s, char out[5])
{
	int adv;
	size_t n = strnlen(s, 4);
	if (utf8_decode((const unsigned char *)s, n, &adv) < 0)
		adv = 1;
	memcpy(out, s, (size_t)adv);
	out[adv] = '\0';
	return out;
}

static void
enum_list(const char *const *values, char *out, size_t size)
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; values[i] != NULL; i++)
		len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s", i ? " " : "", values[i]);
}

/* diag(), unless PATH is NULL: then the caller only wants the count. */
static void
say(enum diag_code code, const char *path, long line, long col, ...)
{
	va_list ap;

	if (path == NULL)
		return;
	va_start(ap, col);
	vdiag(code, path, line, col, ap);
	va_end(ap);
}

/* Checks value V of column C; reports at PATH:LINE:COL (PATH NULL: does
 * not report).  Returns 1 when bad. */
static int
check_field(const struct col_def *c, const char *v, const char *path, long line, long col)
{
	size_t n = strlen(v);

	switch (c->type) {
	case T_TEXT:
		return 0;
	case T_LIST: {
		/* 、 is E3 80 81; an empty name is two separators in a row, or
		 * one at either end. */
		const char *p = v;
		int empty = strncmp(p, "、", 3) == 0 || (n >= 3 && strcmp(v + n - 3, "、") == 0);
		while (!empty && (p = strstr(p, "、")) != NULL) {
			p += 3;
			const char *q = p;
			while (*q == ' ' || *q == '\t')
				q++;
			if (strncmp(q, "、", 3) == 0)
				empty = 1;
		}
		if (empty) {
			say(DIAG_CSV_LIST, path, line, col, v, c->name);
			return 1;
		}
		return 0;
	}
	case T_YEAR:
		if (n == 4 && all_digits(v, 4))
			return 0;
		say(DIAG_CSV_YEAR, path, line, col, v, c->name);
		return 1;
	case T_COUNT:
	case T_RANK: {
		const char *d = v;
		if (*d == '-' && all_digits(d + 1, n - 1)) {
			if (c->type == T_RANK)
				say(DIAG_CSV_RANK, path, line, col, v);
			else
				say(DIAG_CSV_NEGATIVE, path, line, col, v, c->name);
			return 1;
		}
		if (*d == '+')
			d++;
		if (!all_digits(d, strlen(d))) {
			if (c->type == T_RANK)
				say(DIAG_CSV_RANK, path, line, col, v);
			else
				say(DIAG_CSV_NUMBER, path, line, col, v, c->name);
			return 1;
		}
		while (*d == '0' && d[1] != '\0')
			d++;
		if (strlen(d) > 9) { /* keeps every count within 32-bit storage */
			say(DIAG_CSV_TOO_BIG, path, line, col, v, c->name);
			return 1;
		}
		if (c->type == T_RANK && strcmp(d, "0") == 0) {
			say(DIAG_CSV_RANK, path, line, col, v);
			return 1;
		}
		return 0;
	}
	case T_CREDIT: {
		char ch[5];
		int chars = 0;
		for (const char *p = v; *p; p++)
			chars += ((unsigned char)*p & 0xC0) != 0x80;
		if (chars != 18) {
			say(DIAG_CSV_CREDIT_LEN, path, line, col, v, chars);
			return 1;
		}
		for (const char *p = v; *p; p++)
			if (credit_value((unsigned char)*p) < 0) {
				say(DIAG_CSV_CREDIT_CHAR, path, line, col, char_at(p, ch), v);
				return 1;
			}
		char want = credit_code_check_char(v);
		if (v[17] != want) {
			say(DIAG_CSV_CREDIT_CHECK, path, line, col, v, want);
			return 1;
		}
		return 0;
	}
	case T_ENUM:
		for (int i = 0; c->values[i] != NULL; i++)
			if (strcmp(v, c->values[i]) == 0)
				return 0;
		char list[256];
		enum_list(c->values, list, sizeof list);
		say(DIAG_CSV_ENUM, path, line, col, v, c->name, list);
		return 1;
	case T_ROUND:
		if (n == 9 && all_digits(v, 4) && v[4] == '-' && all_digits(v + 5, 4) &&
		    atoi(v + 5) == atoi(v) + 1)
			return 0;
		say(DIAG_CSV_ROUND, path, line, col, v);
		return 1;
	case T_SCORE: {
		/* digits{1,3} [. digit], at most 100 */
		size_t i = 0;
		while (i < n && v[i] >= '0' && v[i] <= '9')
			i++;
		int ok = i >= 1 && i <= 3;
		int tenths = 0;
		if (ok && i < n)
			ok = v[i] == '.' && i + 2 == n && v[i + 1] >= '0' && v[i + 1] <= '9' &&
			    (tenths = v[i + 1] - '0', 1);
		if (ok) {
			int whole = atoi(v);
			ok = whole < 100 || (whole == 100 && tenths == 0);
		}
		if (ok)
			return 0;
		say(DIAG_CSV_SCORE, path, line, col, v);
		return 1;
	}
	}
	return 0;
}

int
csv_validate_row(enum csv_kind k, const char *path, const char *const *field,
    const long *field_line, const long *column)
{
	const struct kind_def *kd = &kinds[k];
	int errors = 0;

	for (int i = 0; i < kd->ncols; i++) {
		const struct col_def *c = &kd->cols[i];
		const char *v = field[i];
		if (v[0] == '\0') {
			if (c->need == REQUIRED) {
				say(DIAG_CSV_EMPTY, path, field_line[i], column[i], c->name);
				errors++;
			} else if (c->need == PERSON && kd->recipient_kind >= 0 &&
			    strcmp(field[kd->recipient_kind], "person") == 0) {
				say(DIAG_CSV_EMPTY_GENDER, path, field_line[i], column[i],
				    kd->recipient >= 0 ? field[kd->recipient] : "");
				errors++;
			}
			continue;
		}
		errors += check_field(c, v, path, field_line[i], column[i]);
	}
	return errors;
}
