/* csv_validate.c — the six CSV kinds as tables (one row per column with its
 * rule), header matching, field validation and the credit-code check. */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv_read.h"
#include "jingsai.h"

static const char *const ownership_values[] = {"国有", "集体", "民营", "外资", "港澳台", "其他", NULL};
static const char *const yes_no_values[] = {"是", "否", NULL};
static const char *const gender_values[] = {"男", "女", NULL};
static const char *const category_values[] = {"科技创新成果", "先进操作法", NULL};
/* The store keeps the English word; a Chinese form offers the Chinese. */
static const char *const recipient_kind_values[] = {"person|个人", "unit|单位|集体", "team|班组|团队", NULL};

/* Names shared by several kinds. */
#define ZH_CREDIT "统一社会信用代码|信用代码|社会信用代码|统一信用代码|企业信用代码|单位统一社会信用代码|所在单位统一社会信用代码"
#define ZH_YEAR   "年度|年份"
#define ZH_GENDER "性别"
#define ZH_ROUND  "届次|评选届次|评选周期|轮次"
#define ZH_ENTRY  "成果编号|申报编号|编号"

/*
 * SPEC §3.2, one row per column, in the order csv_row.field follows:
 * English identifier, Chinese names (the first is what forms write; then the
 * variants offices use), store column, rule, need, values, conversion into
 * the store, reference checked at ingest.
 */
static const struct csv_column enterprise_cols[] = {
	{"credit_code", ZH_CREDIT, "credit_code", CT_CREDIT, CN_REQUIRED, NULL, CV_TEXT, CR_NONE},
	{"name", "企业名称|单位名称|企业全称|单位全称|名称", "name", CT_TEXT, CN_REQUIRED, NULL, CV_TEXT, CR_NONE},
	{"region", "所属地区|地区|所在地区|所属县（市、区）|县（市、区）", "region", CT_TEXT, CN_REQUIRED, NULL, CV_REGION, CR_REGION},
	{"ownership", "所有制|所有制性质|经济类型|企业性质|所有制类型", "ownership", CT_ENUM, CN_REQUIRED, ownership_values, CV_TEXT, CR_NONE},
	{"above_scale", "是否规上|是否规模以上|是否规上企业|是否规模以上企业|规上企业", "above_scale", CT_ENUM, CN_REQUIRED, yes_no_values, CV_YES_NO, CR_NONE},
	{"industry", "所属行业|行业|行业类别", "industry", CT_TEXT, CN_OPTIONAL, NULL, CV_TEXT_NULL, CR_NONE},
	{"employees", "职工人数|职工数|从业人数|员工人数|职工总数", "employees", CT_COUNT, CN_OPTIONAL, NULL, CV_INT_NULL, CR_NONE},
};
static const struct csv_column participation_cols[] = {
	{"year", ZH_YEAR, "year", CT_YEAR, CN_REQUIRED, NULL, CV_INT, CR_PERIOD},
	{"project_id", "项目编号|竞赛项目编号", "project_id", CT_TEXT, CN_REQUIRED, NULL, CV_TEXT, CR_PROJECT},
	{"credit_code", ZH_CREDIT, "credit_code", CT_CREDIT, CN_REQUIRED, NULL, CV_TEXT, CR_ENTERPRISE},
	{"participants", "参与职工人次|参与人次|参赛职工人次|参赛人次", "participants", CT_COUNT, CN_REQUIRED, NULL, CV_INT, CR_NONE},
};
static const struct csv_column achievement_cols[] = {
	{"round", ZH_ROUND, "round", CT_ROUND, CN_REQUIRED, NULL, CV_TEXT, CR_NONE},
	{"entry_id", ZH_ENTRY, "entry_id", CT_TEXT, CN_REQUIRED, NULL, CV_TEXT, CR_NONE},
	{"category", "成果类别|类别|成果类型", "category", CT_ENUM, CN_REQUIRED, category_values, CV_TEXT, CR_NONE},
	{"title", "成果名称|名称", "title", CT_TEXT, CN_REQUIRED, NULL, CV_TEXT, CR_NONE},
	{"first_completer", "第一完成人|第一完成人姓名|主要完成人", "first_completer", CT_TEXT, CN_REQUIRED, NULL, CV_TEXT, CR_NONE},
	{"gender", ZH_GENDER "|第一完成人性别", "gender", CT_ENUM, CN_REQUIRED, gender_values, CV_TEXT_NULL, CR_NONE},
	{"credit_code", ZH_CREDIT, "credit_code", CT_CREDIT, CN_REQUIRED, NULL, CV_TEXT, CR_ENTERPRISE},
	{"completers", "其他完成人|其他完成人员|参与完成人", "completers", CT_LIST, CN_OPTIONAL, NULL, CV_TEXT_NULL, CR_NONE},
};
static const struct csv_column score_cols[] = {
	{"round", ZH_ROUND, "round", CT_ROUND, CN_REQUIRED, NULL, CV_TEXT, CR_NONE},
	{"entry_id", ZH_ENTRY, "entry_id", CT_TEXT, CN_REQUIRED, NULL, CV_TEXT, CR_ENTRY},
	{"judge", "评委|评委姓名|评审专家|专家", "judge", CT_TEXT, CN_REQUIRED, NULL, CV_TEXT, CR_NONE},
	{"score", "评分|分数|得分", "score", CT_SCORE, CN_REQUIRED, NULL, CV_REAL, CR_NONE},
};
static const struct csv_column skill_cols[] = {
	{"year", ZH_YEAR, "year", CT_YEAR, CN_REQUIRED, NULL, CV_INT, CR_PERIOD},
	{"competition", "竞赛名称|比赛名称|赛项|竞赛项目", "competition", CT_TEXT, CN_REQUIRED, NULL, CV_TEXT, CR_NONE},
	{"city_contest", "是否市级竞赛|是否市赛|市级竞赛", "city_contest", CT_ENUM, CN_REQUIRED, yes_no_values, CV_YES_NO, CR_NONE},
	{"rank", "名次|排名", "rank", CT_RANK, CN_REQUIRED, NULL, CV_INT, CR_NONE},
	{"name", "姓名", "name", CT_TEXT, CN_REQUIRED, NULL, CV_TEXT, CR_NONE},
	{"gender", ZH_GENDER, "gender", CT_ENUM, CN_REQUIRED, gender_values, CV_TEXT_NULL, CR_NONE},
	{"credit_code", ZH_CREDIT, "credit_code", CT_CREDIT, CN_REQUIRED, NULL, CV_TEXT, CR_ENTERPRISE},
	{"score", "成绩|分数|得分", "score", CT_SCORE, CN_REQUIRED, NULL, CV_REAL_NULL, CR_NONE},
};
static const struct csv_column award_cols[] = {
	{"year", ZH_YEAR, "year", CT_YEAR, CN_REQUIRED, NULL, CV_INT, CR_PERIOD},
	{"award", "奖项|荣誉称号|表彰类别|奖项代码", "award", CT_TEXT, CN_REQUIRED, NULL, CV_AWARD, CR_AWARD},
	{"recipient", "获奖对象|受表彰对象|获奖者|获奖单位（个人）|获奖个人（集体）", "recipient", CT_TEXT, CN_REQUIRED, NULL, CV_TEXT, CR_NONE},
	{"recipient_kind", "对象类型|获奖对象类型|类型", "recipient_kind", CT_ENUM, CN_REQUIRED, recipient_kind_values, CV_TEXT, CR_NONE},
	{"gender", ZH_GENDER, "gender", CT_ENUM, CN_PERSON, gender_values, CV_TEXT_NULL, CR_NONE},
	{"credit_code", ZH_CREDIT, "credit_code", CT_CREDIT, CN_REQUIRED, NULL, CV_TEXT, CR_ENTERPRISE},
	{"reason", "主要事迹|事迹|表彰理由|理由|简要事迹", "reason", CT_TEXT, CN_OPTIONAL, NULL, CV_TEXT_NULL, CR_NONE},
};

#define COLS(a) a, (int)(sizeof a / sizeof a[0])

/* One row per kind, indexed by enum csv_kind. */
static const struct csv_kind_def kinds[CSV__KINDS] = {
	[CSV_ENTERPRISES]   = {"enterprises",   "企业名录", "enterprise",    COLS(enterprise_cols),    {0, -1},          -1, -1},
	[CSV_PARTICIPATION] = {"participation", "竞赛参与", "participation", COLS(participation_cols), {0, 1, 2, -1},    -1, -1},
	[CSV_ACHIEVEMENTS]  = {"achievements",  "创新成果", "achievement",   COLS(achievement_cols),   {0, 1, -1},       -1, -1},
	[CSV_SCORES]        = {"scores",        "成果评分", "score",         COLS(score_cols),         {0, 1, 2, -1},    -1, -1},
	[CSV_SKILLS]        = {"skills",        "技能竞赛", "skill",         COLS(skill_cols),         {0, 1, 3, 4, -1}, -1, -1},
	[CSV_AWARDS]        = {"awards",        "表彰",     "award_row",     COLS(award_cols),         {0, 1, 2, 5, -1}, 3, 2},
};

const struct csv_kind_def *
csv_kind_def(enum csv_kind k)
{
	return (unsigned)k < CSV__KINDS ? &kinds[k] : NULL;
}

const char *
csv_kind_name(enum csv_kind k)
{
	if ((unsigned)k >= CSV__KINDS)
		return "unknown";
	return kinds[k].name;
}

const char *
csv_recipient_kind_word(const char *code)
{
	size_t n = strlen(code);

	for (int i = 0; recipient_kind_values[i] != NULL; i++) {
		const char *v = recipient_kind_values[i], *bar = strchr(v, '|');
		if (bar != NULL && (size_t)(bar - v) == n && memcmp(v, code, n) == 0) {
			static char word[32];
			snprintf(word, sizeof word, "%.*s", (int)strcspn(bar + 1, "|"), bar + 1);
			return word;
		}
	}
	return code;
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

/* NAME as header matching sees it, in OUT: without spaces, tabs, line
 * breaks (Excel's Alt+Enter), ideographic and no-break spaces, and without
 * the '*' (or ＊) forms put on required columns. */
static void
header_norm(const char *name, char *out, size_t size)
{
	size_t k = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p && k + 4 < size;) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '*') {
			p++;
		} else if ((p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) ||
		    (p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8A)) {
			p += 3; /* U+3000, U+FF0A */
		} else if (p[0] == 0xC2 && p[1] == 0xA0) {
			p += 2;
		} else
			out[k++] = (char)*p++;
	}
	out[k] = '\0';
}

/* 1 when NAME is one of the '|'-separated VARIANTS. */
static int
zh_match(const char *variants, const char *name)
{
	size_t n = strlen(name);

	for (const char *v = variants; v != NULL && *v;) {
		const char *bar = strchr(v, '|');
		size_t len = bar ? (size_t)(bar - v) : strlen(v);
		if (len == n && memcmp(v, name, n) == 0)
			return 1;
		v = bar ? bar + 1 : NULL;
	}
	return 0;
}

static int
column_lookup(enum csv_kind k, const char *name)
{
	if (strcmp(name, "序号") == 0)
		return CSV_IGNORED;
	for (int i = 0; i < kinds[k].ncols; i++)
		if (strcasecmp(kinds[k].cols[i].name, name) == 0 || zh_match(kinds[k].cols[i].zh, name))
			return i;
	return -1;
}

int
csv_names_match(const char *english, const char *zh, const char *name)
{
	char norm[256];

	header_norm(name, norm, sizeof norm);
	if ((english != NULL && strcasecmp(english, norm) == 0) || zh_match(zh, norm))
		return 1;
	size_t n = strlen(norm);
	char *open = NULL;
	if (n > 3 && strcmp(norm + n - 3, "）") == 0)
		open = strstr(norm, "（");
	else if (n > 1 && norm[n - 1] == ')')
		open = strrchr(norm, '(');
	if (open == NULL || open == norm)
		return 0;
	*open = '\0';
	return (english != NULL && strcasecmp(english, norm) == 0) || zh_match(zh, norm);
}

int
csv_column_index(enum csv_kind k, const char *name)
{
	char norm[256];

	if ((unsigned)k >= CSV__KINDS)
		return -1;
	header_norm(name, norm, sizeof norm);
	int c = column_lookup(k, norm);
	if (c != -1)
		return c;
	/* A unit in brackets after the name: 职工人数（人）, 参与人次(人次). */
	size_t n = strlen(norm);
	char *open = NULL;
	if (n > 3 && strcmp(norm + n - 3, "）") == 0)
		open = strstr(norm, "（");
	else if (n > 1 && norm[n - 1] == ')')
		open = strrchr(norm, '(');
	if (open == NULL || open == norm)
		return -1;
	*open = '\0';
	return column_lookup(k, norm);
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
			if (c == CSV_IGNORED)
				;
			else if (c >= 0 && (seen & (1u << c)))
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

/* The values of an enumeration for a message: each with its synonyms,
 * separated by spaces. */
static void
enum_list(const char *const *values, char *out, size_t size)
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; values[i] != NULL; i++)
		len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s", i ? " " : "", values[i]);
	for (char *p = out; *p; p++)
		if (*p == '|')
			*p = ' ';
}

/* 1 when V is a number in Excel's scientific notation (9.13206E+17): what
 * Excel makes of an 18-digit credit code in a column not formatted as
 * text, its last digits lost. */
static int
scientific(const char *v)
{
	const char *p = v;

	if (*p < '0' || *p > '9')
		return 0;
	p++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p != 'E' && *p != 'e')
		return 0;
	p++;
	if (*p == '+')
		p++;
	return all_digits(p, strlen(p));
}

/* The ASCII character the full-width form at P stands for (U+FF01-U+FF5E:
 * the digits, letters and signs of a Chinese input method, ０ for 0), or 0. */
static int
fullwidth(const unsigned char *p)
{
	if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x81 && p[2] <= 0xBF)
		return p[2] - 0x60;   /* U+FF01-U+FF3F: ! to _ */
	if (p[0] == 0xEF && p[1] == 0xBD && p[2] >= 0x80 && p[2] <= 0x9E)
		return p[2] - 0x20;   /* U+FF40-U+FF5E: ` to ~ */
	return 0;
}

/*
 * A whole number as Excel and Chinese input methods write it, made plain in
 * place: full-width digits (１２０) as ASCII, thousands separators (1,234;
 * also the full-width ，) in groups of three dropped, and an integral
 * decimal part (120.0, what a number cell saved by some programs gives)
 * dropped.  Anything else is left as it is, for check_field to refuse with
 * the value as written.
 */
void
csv_normalize_count(char *v)
{
	char plain[64];
	size_t k = 0;
	const unsigned char *p = (const unsigned char *)v;

	while (*p) {
		int c = fullwidth(p);
		if (k + 1 >= sizeof plain)
			return;
		if ((c >= '0' && c <= '9') || c == ',') {
			plain[k++] = (char)c;   /* ０-９ and ， */
			p += 3;
		} else if (*p < 0x80)
			plain[k++] = (char)*p++;
		else
			return;
	}
	plain[k] = '\0';

	/* digits, in groups of three after the first when commas are used */
	char digits[64];
	size_t nd = 0, i = 0, group = 0;
	int commas = 0;
	while (plain[i] >= '0' && plain[i] <= '9') {
		digits[nd++] = plain[i++];
		group++;
		if (plain[i] == ',') {
			if ((commas && group != 3) || (!commas && group > 3))
				return;
			commas = 1;
			group = 0;
			i++;
			if (plain[i] < '0' || plain[i] > '9')
				return;
		}
	}
	if (nd == 0 || (commas && group != 3))
		return;
	if (plain[i] == '.') {
		if (plain[i + 1] == '\0')
			return;
		for (i++; plain[i] == '0'; i++)
			;
	}
	if (plain[i] != '\0')
		return;
	memcpy(v, digits, nd);
	v[nd] = '\0';
}

/* V with the full-width digits and full stop of a Chinese input method
 * (０-９ U+FF10-U+FF19, ． U+FF0E) made ASCII, in place, when it holds
 * nothing else but ASCII digits and '.'; else V is left as it is. */
static void
normalize_digits(char *v)
{
	char plain[64];
	size_t k = 0;
	const unsigned char *p = (const unsigned char *)v;

	while (*p) {
		int c = fullwidth(p);
		if (k + 1 >= sizeof plain)
			return;
		if ((c >= '0' && c <= '9') || c == '.')
			plain[k++] = (char)c, p += 3;   /* ０-９ and ． */
		else if ((*p >= '0' && *p <= '9') || *p == '.')
			plain[k++] = (char)*p++;
		else
			return;
	}
	memcpy(v, plain, k);   /* never longer: each character only shrinks */
	v[k] = '\0';
}

void
csv_normalize_year(char *v)
{
	size_t n = strlen(v);

	/* 2025年: the year it names */
	if (n > 3 && strcmp(v + n - 3, "年") == 0) {
		char year[64];
		snprintf(year, sizeof year, "%.*s", (int)(n - 3), v);
		normalize_digits(year);
		if (strlen(year) == 4 && strspn(year, "0123456789") == 4)
			strcpy(v, year);
		return;
	}
	normalize_digits(v);
}

/* A credit code as a Chinese input method or a careful typist leaves it —
 * full-width (９１３２…), in lower case, in groups with spaces between —
 * made the code itself, in place, when that is a valid code; else V is
 * left as written, for check_field to refuse as it is. */
static void
normalize_credit(char *v)
{
	char code[32];
	size_t k = 0;
	const unsigned char *p = (const unsigned char *)v;

	if (strlen(v) == 18 && credit_code_valid(v))
		return; /* the common case */
	while (*p) {
		int c = fullwidth(p);
		if (k + 1 >= sizeof code)
			return;
		if (*p == ' ' || *p == '\t')
			p++;
		else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
			p += 3; /* U+3000 */
		else if (p[0] == 0xC2 && p[1] == 0xA0)
			p += 2;
		else if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))
			code[k++] = (char)c, p += 3;                     /* ０-９ Ａ-Ｚ */
		else if (c >= 'a' && c <= 'z')
			code[k++] = (char)(c - 'a' + 'A'), p += 3;       /* ａ-ｚ */
		else if (*p >= 'a' && *p <= 'z')
			code[k++] = (char)(*p++ - 'a' + 'A');
		else if (*p < 0x80)
			code[k++] = (char)*p++;
		else
			return;
	}
	code[k] = '\0';
	if (k == 18 && credit_code_valid(code))
		strcpy(v, code);   /* never longer than what it replaces */
}

void
csv_normalize_row(enum csv_kind k, char **field)
{
	const struct csv_kind_def *kd = &kinds[k];

	for (int i = 0; i < kd->ncols; i++) {
		const struct csv_column *c = &kd->cols[i];
		if (field[i][0] == '\0')
			continue;
		if (c->type == CT_COUNT || c->type == CT_RANK)
			csv_normalize_count(field[i]);
		else if (c->type == CT_YEAR)
			csv_normalize_year(field[i]);
		else if (c->type == CT_CREDIT)
			normalize_credit(field[i]);
		else if (c->type == CT_SCORE)
			normalize_digits(field[i]);
		else if (c->type == CT_ENUM)
			for (int j = 0; c->values[j] != NULL; j++)
				if (strchr(c->values[j], '|') != NULL && zh_match(c->values[j], field[i])) {
					/* the store's word: the part before the first '|',
					 * never longer than a synonym here */
					size_t n = strcspn(c->values[j], "|");
					if (n <= strlen(field[i])) {
						memcpy(field[i], c->values[j], n);
						field[i][n] = '\0';
					}
					break;
				}
	}
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

/* Checks value V of column C, called NAME in the file; reports at
 * PATH:LINE:COL (PATH NULL: does not report).  Returns 1 when bad. */
static int
check_field(const struct csv_column *c, const char *name, const char *v, const char *path,
    long line, long col)
{
	size_t n = strlen(v);

	/* U+FFFD (EF BF BD), what a conversion to another encoding leaves
	 * where it lost a character: a name holding it would print it */
	if ((c->type == CT_TEXT || c->type == CT_LIST) && memmem(v, n, "\xEF\xBF\xBD", 3) != NULL) {
		say(DIAG_CSV_LOST_CHAR, path, line, col, v, name);
		return 1;
	}
	switch (c->type) {
	case CT_TEXT:
		return 0;
	case CT_LIST: {
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
			say(DIAG_CSV_LIST, path, line, col, v, name);
			return 1;
		}
		return 0;
	}
	case CT_YEAR:
		if (n == 4 && all_digits(v, 4))
			return 0;
		say(DIAG_CSV_YEAR, path, line, col, v, name);
		return 1;
	case CT_COUNT:
	case CT_RANK: {
		const char *d = v;
		if (*d == '-' && all_digits(d + 1, n - 1)) {
			if (c->type == CT_RANK)
				say(DIAG_CSV_RANK, path, line, col, v);
			else
				say(DIAG_CSV_NEGATIVE, path, line, col, v, name);
			return 1;
		}
		if (*d == '+')
			d++;
		if (!all_digits(d, strlen(d))) {
			if (c->type == CT_RANK)
				say(DIAG_CSV_RANK, path, line, col, v);
			else
				say(DIAG_CSV_NUMBER, path, line, col, v, name);
			return 1;
		}
		while (*d == '0' && d[1] != '\0')
			d++;
		if (strlen(d) > 9) { /* keeps every count within 32-bit storage */
			say(DIAG_CSV_TOO_BIG, path, line, col, v, name);
			return 1;
		}
		if (c->type == CT_RANK && strcmp(d, "0") == 0) {
			say(DIAG_CSV_RANK, path, line, col, v);
			return 1;
		}
		return 0;
	}
	case CT_CREDIT: {
		char ch[5];
		int chars = 0;
		if (scientific(v)) {
			say(DIAG_CSV_CREDIT_SCI, path, line, col, v);
			return 1;
		}
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
	case CT_ENUM:
		for (int i = 0; c->values[i] != NULL; i++)
			if (zh_match(c->values[i], v))
				return 0;
		char list[256];
		enum_list(c->values, list, sizeof list);
		say(DIAG_CSV_ENUM, path, line, col, v, name, list);
		return 1;
	case CT_ROUND:
		if (n == 9 && all_digits(v, 4) && v[4] == '-' && all_digits(v + 5, 4) &&
		    atoi(v + 5) == atoi(v) + 1)
			return 0;
		say(DIAG_CSV_ROUND, path, line, col, v);
		return 1;
	case CT_SCORE: {
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
    const long *field_line, const long *column, const char *const *label)
{
	const struct csv_kind_def *kd = &kinds[k];
	int errors = 0;

	for (int i = 0; i < kd->ncols; i++) {
		const struct csv_column *c = &kd->cols[i];
		const char *v = field[i];
		const char *name = label != NULL && label[i] != NULL ? label[i] : c->name;
		if (v[0] == '\0') {
			if (c->need == CN_REQUIRED) {
				say(DIAG_CSV_EMPTY, path, field_line[i], column[i], name);
				errors++;
			} else if (c->need == CN_PERSON && kd->recipient_kind >= 0 &&
			    strcmp(field[kd->recipient_kind], "person") == 0) {
				say(DIAG_CSV_EMPTY_GENDER, path, field_line[i], column[i],
				    kd->recipient >= 0 ? field[kd->recipient] : "");
				errors++;
			}
			continue;
		}
		errors += check_field(c, name, v, path, field_line[i], column[i]);
	}
	return errors;
}
