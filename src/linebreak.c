/* linebreak.c — where a line of Chinese text may break and how wide it is:
 * ICU's line breaks (UAX #14, zh) under the clreq prohibitions; pieces no
 * break may split (a number with its unit, a code, a word of ICU's dictionary
 * segmentation, a personal name); full-width punctuation adjusted as W3C
 * clreq §3.1.6 and GB/T 15834 ask; greedy filling that compresses punctuation
 * only to pull back a mark that may not start a line; balanced centred
 * lines; titles broken at phrase boundaries into the GB/T 9704 §7.3.3 shape. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <uchar.h>

#include <unicode/ubrk.h>
#include <unicode/utypes.h>

#include "jingsai.h"
#include "layout.h"
#include "layout_int.h"
#include "face.h"

/* ---- Characters ------------------------------------------------------------ */

static int
is_han(uint32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
	    (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF) || c == 0x3007;
}

static int
is_latin_digit(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

static int
is_digit(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19);
}

/* Letters and digits of codes and numbers (ASCII and full-width). */
static int
is_alnum(uint32_t c)
{
	return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A);
}

/* Whether C is in LIST (0-terminated).  Every list here holds punctuation
 * only, so the ideographs and letters that make most of a text are turned
 * away at once. */
static int
in_list(uint32_t c, const uint32_t *list)
{
	if ((c >= 0x3400 && c < 0xFF00) || c >= 0x10000 || (c >= '0' && c <= '9') ||
	    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
		return 0;
	for (; *list != 0; list++)
		if (*list == c)
			return 1;
	return 0;
}

/* clreq "basic": characters that may not start a line ... */
static const uint32_t no_start[] = {
	0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F,  /* 、。，．：；！？ */
	0xFF09, 0x300B, 0x3009, 0x300D, 0x300F, 0x3011, 0x3015, 0x3017,  /* ）》〉」』】〕〗 */
	0x3019, 0x301B, 0xFF3D, 0xFF5D, 0x201D, 0x2019, 0x00B7, 0x30FB,  /* 〙〛］｝”’·・ */
	0x2030, 0xFF05, 0x2103, 0x203C, 0x2047, 0x2048, 0x2049,          /* ‰％℃‼⁇⁈⁉ */
	')', ']', '}', ',', '.', ':', ';', '!', '?', '%', 0
};
/* ... and that may not end one. */
static const uint32_t no_end[] = {
	0xFF08, 0x300A, 0x3008, 0x300C, 0x300E, 0x3010, 0x3014, 0x3016,  /* （《〈「『【〔〖 */
	0x3018, 0x301A, 0xFF3B, 0xFF5B, 0x201C, 0x2018,                  /* 〘〚［｛“‘ */
	'(', '[', '{', 0
};

/* Full-width punctuation by where its blank half is (clreq §3.1.6.1): an
 * opening mark has it on the left, a closing mark (and the Mainland
 * ，。、：；！？, set in the left half) on the right, a middle dot a quarter on
 * each side. */
enum { MARK_NONE, MARK_OPENING, MARK_CLOSING, MARK_MIDDLE };

static const uint32_t opening_marks[] = {
	0xFF08, 0x300A, 0x3008, 0x300C, 0x300E, 0x3010, 0x3014, 0x3016,  /* （《〈「『【〔〖 */
	0x3018, 0x301A, 0xFF3B, 0xFF5B, 0x201C, 0x2018, 0               /* 〘〚［｛“‘ */
};
static const uint32_t closing_marks[] = {
	0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F,  /* 、。，．：；！？ */
	0xFF09, 0x300B, 0x3009, 0x300D, 0x300F, 0x3011, 0x3015, 0x3017,  /* ）》〉」』】〕〗 */
	0x3019, 0x301B, 0xFF3D, 0xFF5D, 0x201D, 0x2019, 0               /* 〙〛］｝”’ */
};

static int
mark_class(uint32_t c)
{
	if (in_list(c, opening_marks))
		return MARK_OPENING;
	if (in_list(c, closing_marks))
		return MARK_CLOSING;
	if (c == 0x00B7 || c == 0x30FB)
		return MARK_MIDDLE;
	return MARK_NONE;
}

/* ---- Unbreakable pieces -------------------------------------------------- */

/* Units and measure words a number keeps on its line (clreq: "numbers with
 * their units"); the longest that follows the number is taken. */
static const char32_t *const units[] = {
	U"个百分点", U"百分点", U"万人次", U"人次", U"万人", U"万元", U"亿元", U"年度", U"小时",
	U"平方米", U"公里", U"千米", U"个", U"项", U"件", U"家", U"人", U"名", U"位", U"起",
	U"次", U"年", U"月", U"日", U"号", U"元", U"万", U"亿", U"倍", U"户", U"所", U"座",
	U"支", U"篇", U"条", U"场", U"批", U"期", U"届", U"岁", U"天", U"周", U"吨", U"米",
	U"分", U"秒", U"台", U"套", U"辆", U"份", U"组", U"队", U"类", U"种", U"部", U"张",
	U"处", U"点", U"页",
};

/* Length of the unit at G[I..N), 0 for none. */
static int
unit_at(const struct tg *g, int i, int n)
{
	int best = 0;

	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		int k = 0;

		while (units[u][k] != 0 && i + k < n && g[i + k].cp == (uint32_t)units[u][k])
			k++;
		if (units[u][k] == 0 && k > best)
			best = k;
	}
	return best;
}

/* A separator that joins the characters on either side into one number or
 * code: 1,234  86.8  12:30  2024-320682-007  2023—2024  3～5. */
static int
joiner(uint32_t sep, uint32_t before, uint32_t after)
{
	if (sep == ',' || sep == '.' || sep == ':' || sep == 0x2014 || sep == 0x2013 ||
	    sep == 0xFF5E || sep == '~')
		return is_digit(before) && is_digit(after);
	return (sep == '-' || sep == '_' || sep == '/') && is_alnum(before) && is_alnum(after);
}

static int
is_sign(uint32_t c)
{
	return c == '+' || c == '-' || c == 0x2212 || c == 0xB1 || c == 0x2265 || c == 0x2264 ||
	    c == '>' || c == '<' || c == 0xFF1E || c == 0xFF1C || c == 0x7B2C;  /* … ≥ ≤ > < ＞ ＜ 第 */
}

/* Whether G[S..J) is a date written 2025-01-13 and a space at J is
 * followed by a time of day (12:43). */
static int
time_after(const struct tg *g, int s, int j, int n)
{
	int dashes = 0, k = j + 1, digits = 0;

	if (j >= n || g[j].cp != ' ' || j - s < 8 || !is_digit(g[j - 1].cp))
		return 0;
	for (int i = s; i < j; i++) {
		if (g[i].cp == '-')
			dashes++;
		else if (!is_digit(g[i].cp))
			return 0;
	}
	while (k < n && is_digit(g[k].cp))
		k++, digits++;
	return dashes == 2 && digits >= 1 && digits <= 2 && k + 1 < n && g[k].cp == ':' &&
	    is_digit(g[k + 1].cp);
}

/* Numbers with sign, separators, percent sign and unit, dates written
 * 2025年1月15日 or 2025-01-13 12:43, and codes: KEEP[k] = 1 for every
 * boundary inside one. */
static void
keep_numbers(const struct tg *g, int n, char *keep)
{
	int i = 0;

	while (i < n) {
		int s = i, j = i, u;

		if (is_sign(g[i].cp) && i + 1 < n && is_digit(g[i + 1].cp) &&
		    (i == 0 || !is_alnum(g[i - 1].cp)))
			j = i + 1;
		if (!is_alnum(g[j].cp)) {
			i++;
			continue;
		}
		for (;;) {
			while (j < n && is_alnum(g[j].cp))
				j++;
			if (j + 1 < n && joiner(g[j].cp, g[j - 1].cp, g[j + 1].cp)) {
				j++;
				continue;
			}
			/* 2025-01-13 12:43 is one moment */
			if (time_after(g, s, j, n)) {
				j++;
				continue;
			}
			if (!is_digit(g[j - 1].cp))
				break;
			if (j < n && (g[j].cp == '%' || g[j].cp == 0xFF05 || g[j].cp == 0x2030 ||
			    g[j].cp == 0x2103)) {
				j++;
				break;
			}
			u = unit_at(g, j, n);
			j += u;
			/* 2025年 1月 15日 is one date */
			if (u == 1 && (g[j - 1].cp == 0x5E74 || g[j - 1].cp == 0x6708) && j < n &&
			    is_digit(g[j].cp)) {
				int k = j, want = g[j - 1].cp == 0x5E74 ? 0x6708 : 0x65E5;

				while (k < n && is_digit(g[k].cp))
					k++;
				if (k < n && (g[k].cp == (uint32_t)want ||
				    (want == 0x6708 && g[k].cp == 0x65E5))) {
					j = k;
					continue;
				}
			}
			break;
		}
		for (int k = s + 1; k < j; k++)
			keep[k] = 1;
		i = j > i ? j : i + 1;
	}
}

/* Words of ICU's dictionary segmentation: no break inside one. */
static void
keep_words(struct doc *d, int n, const UChar *u16, int nu, const int *u2g, char *keep)
{
	UErrorCode err = U_ZERO_ERROR;
	char *boundary;
	int32_t pos;

	if (d->wbrk == NULL) {
		d->wbrk = ubrk_open(UBRK_WORD, "zh", NULL, 0, &err);
		if (U_FAILURE(err)) {
			d->wbrk = NULL;
			return;
		}
	}
	ubrk_setText(d->wbrk, u16, nu, &err);
	if (U_FAILURE(err))
		return;
	boundary = xcalloc((size_t)n + 1, 1);
	for (pos = ubrk_first(d->wbrk); pos != UBRK_DONE; pos = ubrk_next(d->wbrk))
		if (pos <= nu)
			boundary[u2g[pos]] = 1;
	for (int k = 1; k < n; k++)
		if (!boundary[k])
			keep[k] = 1;
	free(boundary);
}

static int
list_separator(uint32_t c)
{
	return c == 0x3001 || c == 0xFF0C || c == ',' || c == 0xFF1B || c == ';' || lb_is_space(c) ||
	    c == '/' || c == 0xFF0F;
}

/* The separator of the parts of a name written in Chinese characters from
 * another language (买买提·艾力, 列夫·托尔斯泰): 间隔号, as typed. */
static int
name_dot(uint32_t c)
{
	return c == 0x00B7 || c == 0x30FB || c == 0x2022 || c == 0x2027;
}

/* Characters of a name (its dots counted) that always stay on one line:
 * 买买提·艾力 as 欧阳堃喆 does. */
#define NAME_WHOLE 6

/* A personal name or a 、 list of names: breaks only between the items, and
 * in a name longer than NAME_WHOLE after the dot between its parts
 * (热依汗古丽· / 阿不都热合曼), where such a name breaks when its line is
 * too short for all of it. */
static void
keep_names(const struct tg *g, int n, char *keep)
{
	int s = 0;

	for (int k = 1; k < n; k++)
		if (!list_separator(g[k - 1].cp) && !lb_is_space(g[k].cp))
			keep[k] = 1;
	for (int k = 0; k <= n; k++) {
		if (k < n && !list_separator(g[k].cp))
			continue;
		if (k - s > NAME_WHOLE)
			for (int m = s + 1; m < k; m++)
				if (name_dot(g[m - 1].cp))
					keep[m] = 0;
		s = k + 1;
	}
}

/* The short items of a 、 list (崇川区、通州区; 曹亮荣、刘秀婷) stay whole,
 * whatever ICU's dictionary makes of them: two to four Han characters. */
static void
keep_list_items(const struct tg *g, int n, char *keep)
{
	int s = 0, listed = 0;

	for (int k = 0; k < n; k++)
		listed |= g[k].cp == 0x3001;
	if (!listed)
		return;
	for (int k = 0; k <= n; k++) {
		if (k < n && !list_separator(g[k].cp))
			continue;
		if (k - s >= 2 && k - s <= 4) {
			int han = 1;

			for (int m = s; m < k; m++)
				han &= is_han(g[m].cp);
			if (han)
				for (int m = s + 1; m < k; m++)
					keep[m] = 1;
		}
		s = k + 1;
	}
}

/* ---- Punctuation ------------------------------------------------------------ */

/* What each full-width mark may give up (sl, sr), and the adjacent-pair rule
 * (clreq §3.1.6.2): two marks side by side take at most 1.5 em; the blank of
 * the first, when it closes, goes first, then that of the second, when it
 * opens, so brackets stay against their content.  A font that sets a mark
 * elsewhere in its em gives up only blank beside the ink (il, ir). */
static void
punct_prepare(struct para *p)
{
	struct tg *g = p->g;
	double size = p->size;

	for (int i = 0; i < p->n; i++) {
		int cls = mark_class(g[i].cp);
		double l, r, half;

		if (cls == MARK_NONE || g[i].face == NULL || g[i].adv < 0.9 * size)
			continue;
		face_blanks_em(g[i].face, g[i].gid, &l, &r);
		g[i].il = (float)(l * size);
		g[i].ir = (float)(r * size);
		half = cls == MARK_MIDDLE ? size / 4 : size / 2;
		if (cls != MARK_CLOSING)
			g[i].sl = (float)(g[i].il < half ? g[i].il : half);
		if (cls != MARK_OPENING)
			g[i].sr = (float)(g[i].ir < half ? g[i].ir : half);
	}
	for (int i = 1; i < p->n; i++) {
		struct tg *a = &g[i - 1], *b = &g[i];
		double need, take, margin = 0.08 * size;

		if (a->il + a->ir == 0 || b->il + b->ir == 0 || b->gap > 0)
			continue;
		need = (a->adv - a->tl - a->tr) + (b->adv - b->tl - b->tr) - 1.5 * size;
		if (need <= 0.005)
			continue;
		take = fmin(need, a->sr - a->tr);
		if (take > 0) {
			a->tr += (float)take;
			need -= take;
		}
		take = fmin(need, b->sl - b->tl);
		if (take > 0) {
			b->tl += (float)take;
			need -= take;
		}
		take = fmin(need, a->ir - a->tr - margin);
		if (take > 0) {
			a->tr += (float)take;
			need -= take;
		}
		take = fmin(need, b->il - b->tl - margin);
		if (take > 0)
			b->tl += (float)take;
	}
}

/* ---- Break opportunities -------------------------------------------------- */

void
lb_mark(struct doc *d, struct para *p, const UChar *u16, int nu, const int *u2g)
{
	struct tg *g = p->g;
	int n = p->n, i;
	char *keep;

	/* ICU's UAX #14 for zh ... */
	if (d->brk != NULL && nu > 0) {
		UErrorCode err = U_ZERO_ERROR;
		int32_t pos;

		ubrk_setText(d->brk, u16, nu, &err);
		if (U_SUCCESS(err)) {
			for (pos = ubrk_next(d->brk); pos != UBRK_DONE && pos < nu;
			    pos = ubrk_next(d->brk)) {
				int st = ubrk_getRuleStatus(d->brk);
				g[u2g[pos]].brk = st >= UBRK_LINE_HARD ? BRK_HARD : BRK_OK;
			}
		}
	} else {
		for (i = 1; i < n; i++)
			g[i].brk = BRK_OK;
	}
	/* ... then the clreq prohibitions, and the opening/closing quotes that
	 * ICU 72 treats as ambiguous but Chinese text breaks around. */
	for (i = 1; i < n; i++) {
		uint32_t a = g[i - 1].cp, b = g[i].cp;

		if (g[i].brk == BRK_HARD)
			continue;
		if (g[i].brk == BRK_NO && ((b == 0x201C || b == 0x2018) &&
		    (is_han(a) || in_list(a, no_start))))
			g[i].brk = BRK_OK;
		if (g[i].brk == BRK_NO && ((a == 0x201D || a == 0x2019) &&
		    (is_han(b) || in_list(b, no_end))))
			g[i].brk = BRK_OK;
		if (in_list(b, no_start) || in_list(a, no_end) ||
		    (a == 0x2014 && b == 0x2014) || (a == 0x2026 && b == 0x2026))
			g[i].brk = BRK_NO;
		/* a quarter em between Han and Latin letters or digits */
		if ((is_han(a) && is_latin_digit(b)) || (is_latin_digit(a) && is_han(b)))
			g[i].gap = p->size / 4;
	}
	/* pieces no break may split but when nothing else fits */
	keep = xcalloc((size_t)n + 1, 1);
	keep_numbers(g, n, keep);
	switch (p->s->wrap) {
	case WRAP_WORDS:
	case WRAP_TITLE:
		keep_words(d, n, u16, nu, u2g, keep);
		keep_list_items(g, n, keep);
		break;
	case WRAP_NAMES:
		keep_names(g, n, keep);
		break;
	case WRAP_CHARS:
		break;
	}
	for (i = 1; i < n; i++)
		if (keep[i] && g[i].brk == BRK_OK)
			g[i].brk = BRK_PIECE;
	free(keep);
	if (d->setup.punctuation == PUNCT_ADJUST)
		punct_prepare(p);
}

/* ---- Measuring ------------------------------------------------------------ */

/* Width of glyph I as set inside a line (the pair rule applied). */
static double
cellw(const struct para *p, int i)
{
	return p->g[i].adv + p->ls - p->g[i].tl - p->g[i].tr;
}

/* What compression may still take at its left and right. */
static double
rem_l(const struct para *p, int i)
{
	return p->g[i].sl > p->g[i].tl ? p->g[i].sl - p->g[i].tl : 0;
}

static double
rem_r(const struct para *p, int i)
{
	return p->g[i].sr > p->g[i].tr ? p->g[i].sr - p->g[i].tr : 0;
}

int
lb_visible_end(const struct para *p, int start, int end)
{
	while (end > start && (lb_is_space(p->g[end - 1].cp) || lb_is_control(p->g[end - 1].cp)))
		end--;
	return end;
}

/* Width of glyphs [START, END) as a line, and what compression may take off
 * it: gaps inside, trailing spaces out, the mark that ends it trimmed of its
 * right blank, and the one that starts it of its left blank (TRIM_START). */
static double
measure(const struct para *p, int start, int end, int trim_start, double *shrink)
{
	double w = 0, sh = 0;
	int i;

	end = lb_visible_end(p, start, end);
	for (i = start; i < end; i++) {
		w += cellw(p, i) + (i > start ? p->g[i].gap : 0);
		sh += rem_l(p, i) + rem_r(p, i);
	}
	if (end > start) {
		if (trim_start) {
			w -= rem_l(p, start);
			sh -= rem_l(p, start);
		}
		w -= rem_r(p, end - 1);
		sh -= rem_r(p, end - 1);
	}
	if (shrink != NULL)
		*shrink = sh;
	return w;
}

static void
add_line(struct para *p, int start, int end, int last)
{
	struct pline *l;

	p->lines = xrealloc(p->lines, (p->nlines + 1) * sizeof *p->lines);
	l = &p->lines[p->nlines++];
	l->start = start;
	l->end = end;
	l->last = last;
	/* an indented first line keeps its first mark whole: it does not stand
	 * at the edge */
	l->trim_start = !(p->nlines == 1 && p->first_indent_pt > 0);
	l->natural = measure(p, start, end, l->trim_start, &l->shrink);
}

void
para_line_measure(struct para *p, int li)
{
	struct pline *l = &p->lines[li];

	l->natural = measure(p, l->start, l->end, l->trim_start, &l->shrink);
}

/* How far punctuation compression may bring a line back: one em. */
#define COMPRESS_MAX_EM 1.0

/* What compression inside the line may take off glyphs [START, END) to make
 * it fit, given SHRINK, all it could: only when the line ends with a mark
 * that may not start one (clreq §3.1.7's push-in, the closing mark pulled
 * back rather than left to open the next line), else nothing.  Compression
 * never pulls in one more character: a mid-line ，。、；： keeps its em, so
 * that body text stays on the grid and a list does not read as Western
 * commas.  The pair rule and the edges of a line are taken before this. */
static double
fit_shrink(const struct para *p, int start, int end, double shrink)
{
	end = lb_visible_end(p, start, end);
	if (end <= start || !in_list(p->g[end - 1].cp, no_start))
		return 0;
	return fmin(shrink, COMPRESS_MAX_EM * p->size);
}

/* Greedy filling: the longest line that fits (its edge marks trimmed, its
 * last mark pulled in as fit_shrink allows), and ends at an allowed break;
 * inside a piece only when the piece alone is wider than the line. */
static void
break_lines(struct para *p, double width_pt)
{
	int start = 0, n = p->n;

	p->nlines = 0;
	p->broken = 0;
	while (start < n) {
		double avail = width_pt - (p->nlines == 0 ? p->first_indent_pt : 0);
		double w = 0, sh = 0, lead = 0;
		int j, last_ok = -1, last_piece = -1, end = n, hard = 0;
		int trim_start = !(p->nlines == 0 && p->first_indent_pt > 0);

		if (trim_start && start < n)
			lead = rem_l(p, start);
		for (j = start; j < n; j++) {
			double nat, shrink;

			if (j > start && p->g[j].brk == BRK_HARD) {
				end = j;
				hard = 1;
				break;
			}
			if (j > start && p->g[j].brk >= BRK_OK)
				last_ok = j;
			else if (j > start && p->g[j].brk == BRK_PIECE)
				last_piece = j;
			w += cellw(p, j) + (j > start ? p->g[j].gap : 0);
			sh += rem_l(p, j) + rem_r(p, j);
			/* [start, j] as a line: its edge marks trimmed */
			nat = w - lead - rem_r(p, j);
			shrink = sh - lead - rem_r(p, j);
			if (width_pt > 0 && nat - fit_shrink(p, start, j + 1, shrink) > avail + 0.01 &&
			    !lb_is_space(p->g[j].cp) && !lb_is_control(p->g[j].cp)) {
				if (last_ok > start)
					end = last_ok;
				else if (last_piece > start) {
					end = last_piece;
					p->broken++;
				} else {
					end = j > start ? j : start + 1;
					p->broken += j > start;
				}
				break;
			}
		}
		add_line(p, start, end, hard || end >= n);
		start = end;
		/* spaces after a soft break do not begin the next line */
		if (!hard)
			while (start < n && lb_is_space(p->g[start].cp))
				start++;
	}
}

/* Most a line gives the last one so that it does not hold one character
 * alone: two ems (报 of 年度报 / 表。, or a short number). */
#define LONE_TAKE_EM 2.0

/* A paragraph of body text does not end with one character alone on its
 * last line (年度报 / 表。): the line before it gives it what follows its
 * last break opportunity, as long as that is short, and is spread (as a
 * line left short by a piece that may not be split is).  The same before a
 * forced break. */
static void
no_lone_char(struct para *p, double width_pt)
{
	for (int li = 1; li < p->nlines; li++) {
		struct pline *l = &p->lines[li], *prev = &p->lines[li - 1];
		int end = lb_visible_end(p, l->start, l->end), chars = 0, j;
		double shrink, nat;

		if (!l->last || prev->last)
			continue;
		for (int i = l->start; i < end; i++)
			if (!in_list(p->g[i].cp, no_start) && !lb_is_control(p->g[i].cp))
				chars++;
		if (chars != 1)
			continue;
		for (j = l->start - 1; j > prev->start && p->g[j].brk < BRK_OK; j--)
			;
		if (j <= prev->start || measure(p, j, l->start, 1, NULL) > LONE_TAKE_EM * p->size + 0.01)
			continue;
		nat = measure(p, j, l->end, 1, &shrink);
		if (nat - fit_shrink(p, j, l->end, shrink) > width_pt + 0.01)
			continue;
		prev->end = j;
		l->start = j;
		para_line_measure(p, li - 1);
		para_line_measure(p, li);
	}
}

/* Centred text of several lines reads better with lines of even length:
 * re-break at the narrowest width that needs no more lines. */
static void
balance(struct para *p, double width_pt)
{
	int want = p->nlines, k;
	double lo, hi, total = 0;

	if (p->s->align != ALIGN_CENTER || want < 2)
		return;
	for (k = 0; k < p->nlines; k++)
		total += p->lines[k].natural - fit_shrink(p, p->lines[k].start, p->lines[k].end,
		    p->lines[k].shrink);
	lo = total / want;
	hi = width_pt;
	for (k = 0; k < 12; k++) {
		double mid = (lo + hi) / 2;

		break_lines(p, mid);
		if (p->nlines > want)
			lo = mid;
		else
			hi = mid;
	}
	break_lines(p, hi);
}

/* ---- Titles ------------------------------------------------------------ */

#define TITLE_MAX_LINES 4

struct title_plan {
	int ncand;
	int *cand;               /* break positions */
	double *penalty;         /* of breaking there */
	double width, size;
	double best;
	int bestbrk[TITLE_MAX_LINES];
	int cur[TITLE_MAX_LINES];
};

/* Closing quotation marks and brackets: ”’》）」』】〕 */
static int
is_closing_bracket(uint32_t c)
{
	return c == 0x201D || c == 0x2019 || c == 0x300B || c == 0xFF09 || c == 0x300D ||
	    c == 0x300F || c == 0x3011 || c == 0x3015;
}

static int
starts_with(const struct tg *g, int i, int n, const char32_t *w)
{
	for (int k = 0; w[k] != 0; k++)
		if (i + k >= n || g[i + k].cp != (uint32_t)w[k])
			return 0;
	return 1;
}

/* Whether glyphs [J, N) are one bracketed remark, the last thing of the
 * text: （家） in 参与企业（家）, （试行） after a title. */
static int
final_bracket(const struct para *p, int j)
{
	int end = lb_visible_end(p, j, p->n);

	if (end - j < 3 || p->g[j].cp != 0xFF08 || p->g[end - 1].cp != 0xFF09)
		return 0;
	for (int i = j + 1; i < end - 1; i++)
		if (p->g[i].cp == 0xFF08 || p->g[i].cp == 0xFF09)
			return 0;
	return 1;
}

/* Suffixes that make a word of the one before them (群众性, 覆盖率,
 * 合理化, 监督员, 操作法, 企业级) and that ICU's dictionary leaves as words
 * of their own (群众/性/创新, 覆盖/率, 义务/监督/员). */
static const uint32_t suffixes[] = {
	0x6027, 0x7387, 0x5316, 0x578B, 0x5F0F, 0x5458, 0x8005, 0x6CD5,  /* 性率化型式员者法 */
	0x7EA7, 0x7C7B, 0                                                /* 级类 */
};

/* Whether glyph J is such a suffix, a word of its own after a Han
 * character. */
static int
lone_suffix(const struct para *p, int j)
{
	uint32_t c = p->g[j].cp;

	if (j == 0 || !is_han(p->g[j - 1].cp) || (j + 1 < p->n && p->g[j + 1].brk < BRK_OK))
		return 0;
	for (const uint32_t *s = suffixes; *s != 0; s++)
		if (*s == c)
			return 1;
	return 0;
}

/* What a break before glyph J costs: nothing at a phrase boundary (after a
 * closing quote or bracket, after 的, before 关于 or 通报, before a bracketed
 * unit such as （家）), a little between two words, a little more before a
 * suffix that would open the line (群众 / 性创新 rather than 群众性 / 创新),
 * much inside quotation marks, most inside a piece.  A
 * bracketed remark that ends the text gains by a line of its own (参与企业 /
 * （家）, as statistical tables set their units; …办法 / （试行）), more than
 * the lines' evenness would give. */
static double
break_penalty(const struct para *p, int j, int depth)
{
	uint32_t a = p->g[j - 1].cp;

	if (p->g[j].brk == BRK_PIECE)
		return 300;
	if (depth <= 0 && final_bracket(p, j))
		return -4;
	if (depth <= 0 && (is_closing_bracket(a) || a == 0x7684 || p->g[j].cp == 0xFF08 ||
	    starts_with(p->g, j, p->n, U"关于") || starts_with(p->g, j, p->n, U"通报")))
		return 0;
	return (depth > 0 ? 40 : 6) + (lone_suffix(p, j) ? 2 : 0);
}

static void
title_try(const struct para *p, struct title_plan *tp, int k, int line, int from_cand,
    int from)
{
	if (line == k - 1) {
		double w[TITLE_MAX_LINES], sh, mean = 0, cost = 0;
		int i;

		tp->cur[line] = p->n;
		for (i = 0; i < k; i++) {
			int st = i == 0 ? 0 : tp->cur[i - 1];

			while (st < p->n && lb_is_space(p->g[st].cp))
				st++;
			w[i] = measure(p, st, tp->cur[i], 1, &sh);
			if (w[i] - fit_shrink(p, st, tp->cur[i], sh) > tp->width + 0.01)
				return;
			mean += w[i] / k;
		}
		for (i = 0; i < k; i++)
			cost += (w[i] - mean) * (w[i] - mean) / (tp->size * tp->size);
		for (i = 0; i + 1 < k; i++)
			for (int c = 0; c < tp->ncand; c++)
				if (tp->cand[c] == tp->cur[i])
					cost += tp->penalty[c];
		/* no hourglass: a middle line shorter than both its neighbours */
		for (i = 1; i + 1 < k; i++)
			if (w[i] < w[i - 1] - tp->size / 2 && w[i] < w[i + 1] - tp->size / 2)
				cost += 25;
		if (cost < tp->best) {
			tp->best = cost;
			memcpy(tp->bestbrk, tp->cur, sizeof tp->cur);
		}
		return;
	}
	for (int c = from_cand; c < tp->ncand; c++) {
		int sh0 = from;
		double sh, w;

		while (sh0 < p->n && lb_is_space(p->g[sh0].cp))
			sh0++;
		w = measure(p, sh0, tp->cand[c], 1, &sh);
		if (w - sh > tp->width + 0.01)
			break;          /* (and every later one too wide as well) */
		if (w - fit_shrink(p, sh0, tp->cand[c], sh) > tp->width + 0.01)
			continue;
		tp->cur[line] = tp->cand[c];
		title_try(p, tp, k, line + 1, c + 1, tp->cand[c]);
	}
}

/* Re-breaks a title of several lines at its best breaks for K lines or
 * (MORE) one more: even lengths, phrase boundaries, no hourglass (GB/T 9704
 * §7.3.3: words kept whole, lines in a 梯形 or 菱形). */
static void
title_break(struct para *p, double width_pt, int more)
{
	struct title_plan tp = {0};
	int k0 = p->nlines, depth = 0, k, i, bestk = 0;
	double best = 1e300;
	int bestbrk[TITLE_MAX_LINES];

	p->penalty = 0;

	if (k0 < 2 || k0 + more > TITLE_MAX_LINES)
		return;
	for (i = 1; i < p->n; i++)
		if (p->g[i].brk == BRK_HARD)
			return;
	tp.cand = xmalloc(p->n * sizeof *tp.cand);
	tp.penalty = xmalloc(p->n * sizeof *tp.penalty);
	tp.width = width_pt;
	tp.size = p->size;
	for (i = 1; i < p->n; i++) {
		uint32_t a = p->g[i - 1].cp;

		if (in_list(a, opening_marks))
			depth++;
		else if (is_closing_bracket(a))
			depth--;
		if (p->g[i].brk < BRK_PIECE)
			continue;
		tp.cand[tp.ncand] = i;
		tp.penalty[tp.ncand++] = break_penalty(p, i, depth);
	}
	for (k = k0; k <= k0 + more && k <= TITLE_MAX_LINES; k++) {
		tp.best = 1e300;
		title_try(p, &tp, k, 0, 0, 0);
		if (tp.best < best - 1e-9) {
			best = tp.best;
			bestk = k;
			memcpy(bestbrk, tp.bestbrk, sizeof bestbrk);
		}
		if (best < 20)
			break;
	}
	if (bestk > 0) {
		int start = 0;

		p->nlines = 0;
		for (i = 0; i < bestk; i++) {
			while (start < p->n && lb_is_space(p->g[start].cp))
				start++;
			add_line(p, start, bestbrk[i], i == bestk - 1);
			start = bestbrk[i];
		}
		p->broken = 0;
		for (i = 0; i + 1 < bestk; i++) {
			p->broken += p->g[bestbrk[i]].brk == BRK_PIECE;
			for (int c = 0; c < tp.ncand; c++)
				if (tp.cand[c] == bestbrk[i])
					p->penalty += fmax(tp.penalty[c], 0);
		}
	}
	free(tp.cand);
	free(tp.penalty);
}

void
para_break(struct para *p, double w_mm)
{
	double width = w_mm > 0 ? w_mm * PT_PER_MM : 0;

	break_lines(p, width);
	if (width <= 0)
		return;
	if (p->s->wrap == WRAP_CHARS && p->s->align == ALIGN_JUSTIFY)
		no_lone_char(p, width);
	if (p->s->wrap == WRAP_TITLE)
		title_break(p, width, 1);
	else
		balance(p, width);
}

void
para_even_lines(struct para *p, double w_mm)
{
	const struct pline *last;

	if (w_mm <= 0 || p->nlines < 2)
		return;
	/* only a last line of one or two characters looks left over */
	last = &p->lines[p->nlines - 1];
	if (lb_visible_end(p, last->start, last->end) - last->start <= 2)
		title_break(p, w_mm * PT_PER_MM, 0);
}

/* The widest of the stretches of P between the breaks of at least LEAST
 * (BRK_OK: every opportunity; BRK_HARD: forced breaks only), pt; LEAD:
 * the spaces and controls that start a stretch not counted. */
static double
widest_stretch(const struct para *p, int least, int lead)
{
	double widest = 0;
	int s = 0;

	for (int j = 1; j <= p->n; j++) {
		if (j < p->n && p->g[j].brk < least)
			continue;
		while (!lead && s < j && (lb_is_space(p->g[s].cp) || lb_is_control(p->g[s].cp)))
			s++;
		if (s < j) {
			double w = measure(p, s, j, 1, NULL);

			if (w > widest)
				widest = w;
		}
		s = j;
	}
	return widest;
}

double
para_min_width(const struct para *p)
{
	return widest_stretch(p, BRK_OK, 0);
}

double
para_max_width(const struct para *p)
{
	return widest_stretch(p, BRK_HARD, 1);
}

void
para_line_cuts(const struct para *p, int li, double avail, float *cl, float *cr)
{
	const struct pline *l = &p->lines[li];
	int end = lb_visible_end(p, l->start, l->end), i;
	double ratio = 0, edge_l = 0, edge_r = 0;

	if (end <= l->start)
		return;
	if (l->trim_start)
		edge_l = rem_l(p, l->start);
	edge_r = rem_r(p, end - 1);
	/* Justified text keeps the blank of a mark at its edges while the line
	 * fits with it: a line of 28 full-width characters ending in ， stays on
	 * the grid instead of losing half an em there and spreading it over the
	 * line; the edges are trimmed as far as the line needs (the end first). */
	if (p->s->align == ALIGN_JUSTIFY) {
		double over = l->natural + edge_l + edge_r - avail;

		edge_r = fmin(edge_r, fmax(over, 0));
		edge_l = fmin(edge_l, fmax(over - edge_r, 0));
	}
	/* a line that is still too long (a pushed-in mark, or text set in less
	 * than it was broken for) compresses its marks, never more than they
	 * may give */
	if (l->natural > avail + 1e-6 && l->shrink > 0)
		ratio = fmin(1, (l->natural - avail) / l->shrink);
	for (i = l->start; i < end; i++) {
		double a = p->g[i].tl, b = p->g[i].tr;

		if (i == l->start && l->trim_start)
			a += edge_l;
		else
			a += ratio * rem_l(p, i);
		if (i == end - 1)
			b += edge_r;
		else
			b += ratio * rem_r(p, i);
		cl[i - l->start] = (float)a;
		cr[i - l->start] = (float)b;
	}
}
