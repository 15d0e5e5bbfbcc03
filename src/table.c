/* table.c — tables in the flow, laid out from their content (CSS 2.1
 * automatic table layout, Typst's auto columns): column widths from the
 * widest unbreakable piece and the widest cell of each column, a size
 * smaller (五号, then 小五) for a table whose pieces do not fit side by side
 * in 小四, cells broken between words, cells padded as far as that costs no
 * line, the header (centred both ways) repeated under 表N（续） on every page
 * the table goes on to, rows never split, at least three rows of a table on
 * any page it shares, numbers right-aligned, a bold totals row at the end. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jingsai.h"
#include "layout.h"
#include "layout_int.h"

/* Room inside a cell, left and right: PAD_MIN at least (a third of an em of
 * the 小四 cells, counted in every width), PAD_WIDE where it costs the table
 * no line (digits fill their advance, so a number at PAD_MIN looks as if it
 * touched the rule at screen resolutions).  The same at every size: it is
 * room beside a rule, not a part of the type. */
#define PAD_MIN 1.5
#define PAD_WIDE 2.0

#define PAD_Y 0.8                /* mm above and below the text */
#define RULE_PT 0.5
#define FRAME_PT 1.0
#define HEADER_FILL 0xEEEEEE
#define MIN_ROWS 3               /* rows of a table a page holds at least */
#define LOOKAHEAD 16             /* half ems a column may take in one step (a name and its 、) */
#define HEADER_LINES 2           /* lines a header takes naturally (参与企业 / （家）) */
#define HEADER_LINE_COST 2       /* what a header line past those costs, in lines of the table */
#define HEADER_BREAK_COST 1      /* what a header broken off a phrase boundary costs */
#define SHORT_CELL 12            /* characters of a cell that is a name or a title, not prose */
#define SHORT_LINES 3            /* lines of such a cell that send the table a size down */

/* The sizes a table is set in, one a row, tried in turn: a table takes the
 * first at which every unbreakable piece of its columns (a number, a name, a
 * word as ICU marks it, a cell of four characters or fewer) fits its column
 * with the 版心's width shared out, so that a table of seven-digit numbers
 * and names is set a size smaller rather than have them broken.  The
 * documents set text in the named sizes (号) only: 小四 is the tables' size,
 * 五号 the next, 小五 the last, the size of the charts' labels and the
 * smallest the documents set anywhere.  A table also goes a size down while
 * a name or a title in it would take three lines or more and the smaller
 * size sets it on fewer.  A table whose pieces do not fit even at the last
 * has some of them broken inside (and reported), at the size where that
 * costs the fewest lines. */
static const struct cell_size {
	double size_pt;          /* the cells' type size */
	double pitch_pt;         /* baseline to baseline */
} cell_sizes[] = {
	{12, 15},                /* 小四, style_table: every table whose pieces fit */
	{10.5, 13},              /* 五号 */
	{9, 11},                 /* 小五, as the charts' labels */
};
#define NCELL_SIZES (sizeof cell_sizes / sizeof cell_sizes[0])

struct table {
	char *title;
	int ncols;
	struct table_col *cols;  /* headers owned */
	int nrows, cap;
	char **cells;            /* nrows × ncols, owned */
	char **total;            /* ncols or NULL */
	int pinned;              /* 1: stays where it stands in the text (no float) */
};

static char **
copy_row(int n, const char *const *cells)
{
	char **row = xcalloc(n, sizeof *row);
	int i;

	for (i = 0; i < n; i++)
		row[i] = xstrdup(cells[i] != NULL ? cells[i] : "");
	return row;
}

struct table *
table_new(const char *title, int ncols, const struct table_col *cols)
{
	struct table *t = xcalloc(1, sizeof *t);
	int i;

	t->title = title != NULL ? xstrdup(title) : NULL;
	t->ncols = ncols;
	t->cols = xcalloc(ncols, sizeof *t->cols);
	for (i = 0; i < ncols; i++) {
		t->cols[i] = cols[i];
		t->cols[i].header = xstrdup(cols[i].header != NULL ? cols[i].header : "");
		if (t->cols[i].width <= 0)
			t->cols[i].width = 1;
	}
	return t;
}

void
table_row(struct table *t, const char *const *cells)
{
	char **row = copy_row(t->ncols, cells);

	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->cells = xrealloc(t->cells, (size_t)t->cap * t->ncols * sizeof *t->cells);
	}
	memcpy(t->cells + (size_t)t->nrows * t->ncols, row, t->ncols * sizeof *row);
	free(row);
	t->nrows++;
}

void
table_total(struct table *t, const char *const *cells)
{
	int i;

	if (t->total != NULL)
		for (i = 0; i < t->ncols; i++)
			free(t->total[i]);
	free(t->total);
	t->total = copy_row(t->ncols, cells);
}

void
table_pin(struct table *t)
{
	t->pinned = 1;
}

void
table_free(struct table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < (size_t)t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	if (t->total != NULL)
		for (i = 0; i < (size_t)t->ncols; i++)
			free(t->total[i]);
	free(t->total);
	for (i = 0; i < (size_t)t->ncols; i++)
		free((char *)t->cols[i].header);
	free(t->cols);
	free(t->title);
	free(t);
}

static struct table *
table_copy(const struct table *t)
{
	struct table *c = table_new(t->title, t->ncols, t->cols);

	for (int r = 0; r < t->nrows; r++)
		table_row(c, (const char *const *)t->cells + (size_t)r * t->ncols);
	if (t->total != NULL)
		table_total(c, (const char *const *)t->total);
	c->pinned = t->pinned;
	return c;
}

/* ---- Layout ------------------------------------------------------------ */

enum { ROW_HEAD, ROW_BODY, ROW_TOTAL };

/* The table being laid out: every cell shaped once, broken at its column's
 * width; rows 0 the header, 1..nrows the body, then the totals row. */
struct tlay {
	const struct table *t;
	int ncols, nr;           /* nr: rows including header and totals */
	struct text_style *st;   /* ncols × 3 styles: header, body, totals */
	struct para **p;         /* nr × ncols */
	int *kind;               /* per row */
	double *w, *x;           /* column widths, ncols; x: ncols + 1 edges */
	double *h;               /* row heights, mm */
	double pad;              /* mm inside each cell, left and right */
	struct text_style cell;  /* style_table at the size the table is set in */
};

static const char *
row_text(const struct table *t, int r, int c)
{
	if (r == 0)
		return t->cols[c].header;
	if (r <= t->nrows)
		return t->cells[(size_t)(r - 1) * t->ncols + c];
	return t->total[c];
}

static double
pitch_mm(const struct tlay *L)
{
	return style_pitch_pt(&L->cell) * MM_PER_PT;
}

/* The sum of the template's weights of T's columns. */
static double
table_weights(const struct table *t)
{
	double sum = 0;

	for (int c = 0; c < t->ncols; c++)
		sum += t->cols[c].width;
	return sum;
}

/* Lines of header cell C at width W (mm, padding included). */
static int
header_lines(struct tlay *L, int c, double w)
{
	para_break(L->p[c], w - 2 * L->pad);
	return L->p[c]->nlines;
}

/* The narrowest width (mm) between LO and HI at which header cell C takes
 * at most LINES lines (CLEAN: broken at phrase boundaries only). */
static double
header_need(struct tlay *L, int c, int lines, double lo, double hi, int clean)
{
	if (header_lines(L, c, hi) > lines || (clean && L->p[c]->penalty > 0))
		return hi;
	for (int k = 0; k < 14 && hi - lo > 0.05; k++) {
		double mid = (lo + hi) / 2;

		if (header_lines(L, c, mid) <= lines && (!clean || L->p[c]->penalty == 0))
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/* The lines of every cell of one column at the widths tried so far (a
 * step of share_room tries every column again at the widths it tried
 * before, but for the one it widened), and what the column adds to the
 * table's cost there (see table_cost). */
struct tried {
	size_t n, wcap, lcap, ecap;
	double *w;               /* widths, mm (padding included) */
	int *lines;              /* n × nr: the lines of each row's cell at w[i] */
	int *extra;              /* n: the column's own cost at w[i] */
};

static size_t
column_lines(struct tlay *L, struct tried *tr, int c, double w)
{
	const struct para *head = L->p[c];
	int *v;

	for (size_t i = 0; i < tr->n; i++)
		if (fabs(tr->w[i] - w) < 1e-9)
			return i;
	tr->w = xgrow(tr->w, tr->n, &tr->wcap, 16, sizeof *tr->w);
	tr->lines = xgrow(tr->lines, tr->n, &tr->lcap, 16, (size_t)L->nr * sizeof *tr->lines);
	tr->extra = xgrow(tr->extra, tr->n, &tr->ecap, 16, sizeof *tr->extra);
	v = tr->lines + tr->n * L->nr;
	for (int r = 0; r < L->nr; r++) {
		struct para *p = L->p[(size_t)r * L->ncols + c];

		para_break(p, w - 2 * L->pad);
		v[r] = p->nlines;
	}
	para_break(L->p[c], w - 2 * L->pad);   /* the header last: its penalty */
	tr->extra[tr->n] = (head->nlines > HEADER_LINES ?
	    HEADER_LINE_COST * (head->nlines - HEADER_LINES) : 0) +
	    (head->nlines > 1 && head->penalty > 0 ? HEADER_BREAK_COST : 0);
	tr->w[tr->n] = w;
	return tr->n++;
}

static void
tried_free(struct tried *tr, int n)
{
	for (int c = 0; c < n; c++) {
		free(tr[c].w);
		free(tr[c].lines);
		free(tr[c].extra);
	}
	free(tr);
}

#define LINES(tr, at, L, c, r) ((tr)[c].lines[(at)[c] * (L)->nr + (r)])

/* What the table costs when column c's cells take the lines of its
 * AT[c]-th width tried (TR[c]): its height in lines (each row as tall as
 * its tallest cell), and what its headers cost beyond that: a line past
 * their natural two costs HEADER_LINE_COST lines (参与 / 企业 / （家） over a
 * narrow column reads worse than a long name wrapped in a wide one, and
 * makes the header row taller too), a break that is not at a phrase
 * boundary (先进操作 / 法（项）) HEADER_BREAK_COST. */
static int
table_cost(const struct tlay *L, const struct tried *tr, const size_t *at)
{
	int cost = 0;

	for (int r = 0; r < L->nr; r++) {
		int most = 1;

		for (int c = 0; c < L->ncols; c++)
			if (LINES(tr, at, L, c, r) > most)
				most = LINES(tr, at, L, c, r);
		cost += most;
	}
	for (int c = 0; c < L->ncols; c++)
		cost += tr[c].extra[at[c]];
	return cost;
}

/* Greedy steps can leave room where a later step would have wanted it
 * (the names column widened for two rows that a header's second line
 * would have needed): moves of up to LOOKAHEAD half ems from one column to
 * another, the one that lowers table_cost the most each time, while one
 * does.  A column keeps within START and CAP. */
static void
exchange(struct tlay *L, struct tried *tr, size_t *cur, const double *start, const double *cap)
{
	int n = L->ncols;
	double step = L->cell.size_pt / 2 * MM_PER_PT;

	for (int round = 0; round < 4 * n; round++) {
		int now = table_cost(L, tr, cur), best = now, from = -1, to = -1;
		double moved = 0;

		for (int a = 0; a < n; a++)
			for (int b = 0; b < n; b++) {
				size_t ka = cur[a], kb = cur[b];

				if (a == b)
					continue;
				for (int k = 1; k <= LOOKAHEAD; k++) {
					double d = k * step;
					int cost;

					if (L->w[a] - d < start[a] - 1e-6 || L->w[b] + d > cap[b] + 1e-6)
						break;
					cur[a] = column_lines(L, &tr[a], a, L->w[a] - d);
					cur[b] = column_lines(L, &tr[b], b, L->w[b] + d);
					cost = table_cost(L, tr, cur);
					cur[a] = ka;
					cur[b] = kb;
					if (cost < best) {
						best = cost;
						from = a;
						to = b;
						moved = d;
					}
				}
			}
		if (from < 0)
			return;
		L->w[from] -= moved;
		L->w[to] += moved;
		cur[from] = column_lines(L, &tr[from], from, L->w[from]);
		cur[to] = column_lines(L, &tr[to], to, L->w[to]);
	}
}

/* Not every column can have what it would like.  Each starts at START
 * (mm) and may grow to CAP; the room left goes, in steps of half an em,
 * where it lowers table_cost the most per millimetre (so long text wraps in
 * the wide columns, headers keep to two lines, and the table is as short
 * as it can be), each step cut back to the narrowest width that saves as
 * much; ties go to the larger weight; then exchange moves room between
 * columns where that lowers the cost.  What no step saves goes by the
 * weights to the columns whose text still wraps (below MX), else to all. */
static void
share_room(struct tlay *L, const double *start, const double *mx, const double *cap,
    double width)
{
	const struct table *t = L->t;
	int n = L->ncols, c, k;
	double room = width, step = L->cell.size_pt / 2 * MM_PER_PT, wsum = 0;
	struct tried *tr = xcalloc(n, sizeof *tr);
	size_t *cur = xcalloc(n, sizeof *cur);

	for (c = 0; c < n; c++) {
		L->w[c] = start[c];
		room -= start[c];
		cur[c] = column_lines(L, &tr[c], c, L->w[c]);
	}
	while (room > 1e-6) {
		int now = table_cost(L, tr, cur), best = -1, target = now;
		double best_gain = 0, best_w = 0, lo, hi;

		for (c = 0; c < n; c++) {
			size_t kept = cur[c];

			if (L->w[c] >= cap[c] - 1e-6)
				continue;
			for (k = 1; k <= LOOKAHEAD; k++) {
				double w = fmin(fmin(L->w[c] + k * step, cap[c]), L->w[c] + room);
				int cost;

				cur[c] = column_lines(L, &tr[c], c, w);
				cost = table_cost(L, tr, cur);
				cur[c] = kept;
				if (cost < now) {
					double gain = (now - cost) / (w - L->w[c]);

					if (gain > best_gain + 1e-9 || (fabs(gain - best_gain) <= 1e-9 &&
					    t->cols[c].width > t->cols[best].width)) {
						best = c;
						best_w = w;
						best_gain = gain;
						target = cost;
					}
					break;
				}
				if (w >= cap[c] - 1e-6 || w >= L->w[c] + room - 1e-6)
					break;
			}
		}
		if (best < 0)
			break;
		/* the narrowest width of that step that saves as much */
		lo = L->w[best];
		hi = best_w;
		for (k = 0; k < 12 && hi - lo > 0.02; k++) {
			double mid = (lo + hi) / 2;
			size_t kept = cur[best];
			int cost;

			cur[best] = column_lines(L, &tr[best], best, mid);
			cost = table_cost(L, tr, cur);
			cur[best] = kept;
			if (cost <= target)
				hi = mid;
			else
				lo = mid;
		}
		cur[best] = column_lines(L, &tr[best], best, hi);
		room -= hi - L->w[best];
		L->w[best] = hi;
	}
	exchange(L, tr, cur, start, cap);
	for (c = 0; c < n; c++)
		if (L->w[c] < mx[c] - 1e-6)
			wsum += t->cols[c].width;
	for (c = 0; c < n && room > 0; c++)
		if (wsum == 0 || L->w[c] < mx[c] - 1e-6)
			L->w[c] += room * t->cols[c].width / (wsum > 0 ? wsum : table_weights(t));
	tried_free(tr, n);
	free(cur);
}

/* When every column can have its widest cell (MX), what is left goes first
 * to the headers (HX their one-line widths): all on as few lines as the
 * room allows, then broken at phrase boundaries where it allows that too,
 * and the rest by the template's weights.  Returns -1 (widths left unset)
 * when some header would still take more than HEADER_LINES. */
static int
headers_room(struct tlay *L, const double *mx, const double *hx, double width)
{
	const struct table *t = L->t;
	int n = L->ncols, c, most = 1;
	double extra = width;

	for (c = 0; c < n; c++) {
		L->w[c] = mx[c];
		extra -= mx[c];
		if (header_lines(L, c, L->w[c]) > most)
			most = L->p[c]->nlines;
	}
	/* headers on as few lines as the room allows, all of them alike,
	 * then broken at phrase boundaries where the room is there */
	for (int lines = 1; lines <= most; lines++) {
		double need = 0, *want = xcalloc(n, sizeof *want);

		for (c = 0; c < n; c++) {
			want[c] = L->w[c];
			if (hx[c] > L->w[c])
				want[c] = header_need(L, c, lines, L->w[c], fmax(hx[c], L->w[c]), 0);
			need += want[c] - L->w[c];
		}
		if (need <= extra + 1e-9) {
			for (c = 0; c < n; c++)
				L->w[c] = want[c];
			extra -= need;
			most = lines;
			for (c = 0; c < n; c++) {
				double clean;

				if (header_lines(L, c, L->w[c]) < 2 || L->p[c]->penalty == 0)
					continue;
				clean = header_need(L, c, lines, L->w[c], fmax(hx[c], L->w[c]), 1);
				/* a short header without a phrase boundary (覆盖/率, 上/年)
				 * goes on one line when that is not much wider, or is
				 * four characters at most */
				if (header_lines(L, c, clean) < lines &&
				    hx[c] - 2 * L->pad > 1.5 * (L->w[c] - 2 * L->pad) &&
				    hx[c] - 2 * L->pad > 4 * L->cell.size_pt * MM_PER_PT)
					continue;
				if (clean - L->w[c] <= extra + 1e-9) {
					extra -= clean - L->w[c];
					L->w[c] = clean;
				}
			}
			free(want);
			break;
		}
		free(want);
	}
	if (most > HEADER_LINES)
		return -1;
	for (c = 0; c < n; c++)
		L->w[c] += extra * t->cols[c].width / table_weights(t);
	return 0;
}

/* table_cost of the widths L has now. */
static int
widths_cost(struct tlay *L)
{
	struct tried *tr = xcalloc(L->ncols, sizeof *tr);
	size_t *at = xcalloc(L->ncols, sizeof *at);
	int cost;

	for (int c = 0; c < L->ncols; c++)
		at[c] = column_lines(L, &tr[c], c, L->w[c]);
	cost = table_cost(L, tr, at);
	tried_free(tr, L->ncols);
	free(at);
	return cost;
}

/* What each column of L needs at least (MN: its widest unbreakable piece,
 * or its min-width), would like (MX: its widest cell) and may take at most
 * (CAP: its header on one line too, within its max-width), and its header
 * on one line (HX); mm, L's padding included.  Returns the sum of the MNs. */
static double
column_needs(struct tlay *L, double *mn, double *mx, double *hx, double *cap)
{
	const struct table *t = L->t;
	int n = L->ncols, c, r;
	double smin = 0;

	for (c = 0; c < n; c++) {
		mn[c] = mx[c] = hx[c] = 0;
		for (r = 0; r < L->nr; r++) {
			const struct para *p = L->p[(size_t)r * n + c];
			double lo = para_min_width(p) * MM_PER_PT + 2 * L->pad;
			double hi = para_max_width(p) * MM_PER_PT + 2 * L->pad;

			/* a cell of four characters or fewer never wraps: a header
			 * (上年, 合计), a name (崇川区, which ICU's dictionary does not
			 * know, would go a character a line) */
			if (hi - 2 * L->pad <= 4 * L->cell.size_pt * MM_PER_PT + 0.01)
				lo = hi;
			if (lo > mn[c])
				mn[c] = lo;
			if (r == 0)
				hx[c] = hi;
			else if (hi > mx[c])
				mx[c] = hi;
		}
		cap[c] = fmax(mx[c], hx[c]);
		if (t->cols[c].max_mm > 0) {
			mx[c] = fmin(mx[c], t->cols[c].max_mm);
			mn[c] = fmin(mn[c], t->cols[c].max_mm);
			cap[c] = fmin(cap[c], t->cols[c].max_mm);
		}
		if (t->cols[c].min_mm > 0)
			mn[c] = fmax(mn[c], t->cols[c].min_mm);
		if (mx[c] < mn[c])
			mx[c] = mn[c];
		if (cap[c] < mx[c])
			cap[c] = mx[c];
		smin += mn[c];
	}
	return smin;
}

/* Whether every unbreakable piece of L fits its column in WIDTH mm. */
static int
pieces_fit(struct tlay *L, double width)
{
	int n = L->ncols;
	double *v = xcalloc((size_t)n * 4, sizeof *v);
	double smin = column_needs(L, v, v + n, v + 2 * n, v + 3 * n);

	free(v);
	return smin < width;
}

/* The level L at which N columns, each of width L held between FLOOR (none:
 * 0) and CEIL, fill WIDTH mm, the highest not beyond it (bisected). */
static double
water_level(int n, const double *floor, const double *ceil, double width)
{
	double lo = 0, hi = 0;

	for (int c = 0; c < n; c++)
		hi = fmax(hi, ceil[c]);
	for (int k = 0; k < 50; k++) {
		double level = (lo + hi) / 2, sum = 0;

		for (int c = 0; c < n; c++)
			sum += fmin(ceil[c], fmax(floor != NULL ? floor[c] : 0, level));
		if (sum > width)
			hi = level;
		else
			lo = level;
	}
	return lo;
}

/* Column widths from the content.  Each column needs its widest piece
 * (MIN) and would like its widest cell (MAX; headers aside, they may wrap).
 * When every column can have its MAX and the headers keep to two lines,
 * headers_room shares what is left.  When not, share_room decides: short
 * columns (those whose widest cell is below the fair share of the width,
 * found as a water level) start at their MAX and never wrap, the others at
 * their MIN, when the MAXes do not fit; when they do, every column starts
 * at its MIN, so that a column of long names can give its headers' room.
 * When even the MINs do not fit (at the smallest size), the widest pieces
 * are cut down to one width, as far as the width needs: they are broken
 * (and reported), and every column whose pieces are narrower keeps them
 * whole (a column of names is not broken a character a line because a
 * column of long numbers is too wide). */
static void
column_widths(struct tlay *L, double width)
{
	int n = L->ncols, c;
	double *mn = xcalloc(n, sizeof *mn), *mx = xcalloc(n, sizeof *mx), *hx = xcalloc(n, sizeof *hx);
	double *start = xcalloc(n, sizeof *start), *cap = xcalloc(n, sizeof *cap);
	double smin, smax = 0;

	smin = column_needs(L, mn, mx, hx, cap);
	for (c = 0; c < n; c++)
		smax += mx[c];
	if (smin >= width) {
		double lo = water_level(n, NULL, mn, width), sum = 0;
		int cut = 0;

		for (c = 0; c < n; c++) {
			L->w[c] = fmin(mn[c], lo);
			sum += L->w[c];
			cut += mn[c] > lo;
		}
		for (c = 0; c < n && cut > 0; c++)
			if (mn[c] > lo)
				L->w[c] += (width - sum) / cut;
	} else if (smax > width || headers_room(L, mx, hx, width) < 0) {
		double level = smax > width ? water_level(n, mn, mx, width) : 0;

		for (c = 0; c < n; c++)
			start[c] = smax > width && mx[c] <= level + 1e-6 ? mx[c] : mn[c];
		share_room(L, start, mx, cap, width);
	}
	free(mn);
	free(mx);
	free(hx);
	free(start);
	free(cap);
}

/* The most lines a short cell of L's body or totals (a name, a title:
 * SHORT_CELL characters or fewer) takes at the widths column_widths gives. */
static int
short_lines(struct tlay *L, double width)
{
	int most = 0;

	column_widths(L, width);
	for (int r = 1; r < L->nr; r++)
		for (int c = 0; c < L->ncols; c++) {
			struct para *p = L->p[(size_t)r * L->ncols + c];

			if (p->n > SHORT_CELL)
				continue;
			para_break(p, L->w[c] - 2 * L->pad);
			if (p->nlines > most)
				most = p->nlines;
		}
	return most;
}

/* The cells of L (header, body, totals) shaped at cell_sizes[SIZE]. */
static void
cells_make(struct doc *d, struct tlay *L, int size)
{
	const struct table *t = L->t;
	int n = L->ncols, c, r;

	L->cell = style_table;
	L->cell.size_pt = cell_sizes[size].size_pt;
	L->cell.line_pitch_pt = cell_sizes[size].pitch_pt;
	for (c = 0; c < n; c++) {
		struct text_style *hs = &L->st[c * 3], *bs = hs + 1, *ts = hs + 2;

		*hs = L->cell;
		hs->align = ALIGN_CENTER;
		hs->bold = 1;
		hs->wrap = WRAP_TITLE;   /* 参与企业 / （家）: balanced, at phrase boundaries */
		*bs = L->cell;
		bs->align = t->cols[c].align;
		bs->wrap = t->cols[c].names ? WRAP_NAMES : WRAP_WORDS;
		*ts = *bs;
		ts->bold = 1;
	}
	for (r = 0; r < L->nr; r++)
		for (c = 0; c < n; c++)
			L->p[(size_t)r * n + c] = para_make(d, &L->st[c * 3 + L->kind[r]], 0,
			    row_text(t, r, c), 0, 0);
}

static void
cells_free(struct tlay *L)
{
	for (size_t i = 0; i < (size_t)L->nr * L->ncols; i++) {
		para_free(L->p[i]);
		L->p[i] = NULL;
	}
}

static void
layout_make(struct doc *d, const struct table *t, struct tlay *L)
{
	int n = t->ncols, c, r, size;
	double width = d->setup.body_w_mm;

	memset(L, 0, sizeof *L);
	L->t = t;
	L->ncols = n;
	L->nr = 1 + t->nrows + (t->total != NULL);
	L->st = xcalloc((size_t)n * 3, sizeof *L->st);
	L->p = xcalloc((size_t)L->nr * n, sizeof *L->p);
	L->kind = xcalloc(L->nr, sizeof *L->kind);
	L->w = xcalloc(n, sizeof *L->w);
	L->x = xcalloc(n + 1, sizeof *L->x);
	L->h = xcalloc(L->nr, sizeof *L->h);
	for (r = 0; r < L->nr; r++)
		L->kind[r] = r == 0 ? ROW_HEAD : r <= t->nrows ? ROW_BODY : ROW_TOTAL;
	/* the first size at which every piece fits; when none does, the one at
	 * which the table (its widest pieces broken) takes the fewest lines,
	 * the larger of equals: a smaller size that saves nothing is no gain */
	L->pad = PAD_MIN;
	for (size = 0; size < (int)NCELL_SIZES; size++) {
		cells_make(d, L, size);
		if (pieces_fit(L, width))
			break;
		cells_free(L);
	}
	/* and a size smaller while a name or a title takes SHORT_LINES lines
	 * or more (南通 / 经济 / 技术 / 开发区 in a column of 五号 between seven
	 * columns of seven-digit numbers) and the smaller size, its pieces
	 * fitting too, sets it on fewer */
	while (size + 1 < (int)NCELL_SIZES) {
		int most = short_lines(L, width), fewer = most;

		if (most < SHORT_LINES)
			break;
		cells_free(L);
		cells_make(d, L, size + 1);
		if (pieces_fit(L, width))
			fewer = short_lines(L, width);
		if (fewer >= most) {
			cells_free(L);
			cells_make(d, L, size);
			break;
		}
		size++;
	}
	if (size == (int)NCELL_SIZES) {
		int best = 0, least = 0;

		for (size = 0; size < (int)NCELL_SIZES; size++) {
			int cost;

			cells_make(d, L, size);
			column_widths(L, width);
			cost = widths_cost(L);
			cells_free(L);
			if (size == 0 || cost < least) {
				best = size;
				least = cost;
			}
		}
		cells_make(d, L, best);
	}
	/* the widest padding that costs no line, and breaks no piece that is
	 * whole at the narrowest (a name of twelve characters that fits its
	 * column at 1.5 mm would be cut at 2 mm: the cost counts lines, not
	 * what they cut) */
	column_widths(L, width);
	{
		int least = widths_cost(L), whole = pieces_fit(L, width);
		double pad;

		for (pad = PAD_WIDE; pad > PAD_MIN + 1e-9; pad -= (PAD_WIDE - PAD_MIN) / 2) {
			L->pad = pad;
			if (whole && !pieces_fit(L, width))
				continue;
			column_widths(L, width);
			if (widths_cost(L) <= least)
				break;
		}
		if (pad <= PAD_MIN + 1e-9) {
			L->pad = PAD_MIN;
			column_widths(L, width);
		}
	}
	L->x[0] = d->setup.margin_left_mm;
	for (c = 0; c < n; c++)
		L->x[c + 1] = L->x[c] + L->w[c];
	for (r = 0; r < L->nr; r++) {
		int lines = 1;

		for (c = 0; c < n; c++) {
			struct para *p = L->p[(size_t)r * n + c];

			para_break(p, L->w[c] - 2 * L->pad);
			para_even_lines(p, L->w[c] - 2 * L->pad);
			if (p->nlines > lines)
				lines = p->nlines;
		}
		L->h[r] = lines * pitch_mm(L) + 2 * PAD_Y;
	}
}

/* Reports each piece of T broken inside in its layout L (once, when the
 * table is placed: a table that waits for the next page is laid out again
 * there). */
static void
report_broken(struct doc *d, const struct table *t, const struct tlay *L)
{
	for (int r = 0; r < L->nr; r++)
		for (int c = 0; c < L->ncols; c++) {
			char row[32];

			if (L->p[(size_t)r * L->ncols + c]->broken == 0)
				continue;
			if (L->kind[r] == ROW_BODY)
				snprintf(row, sizeof row, _("row %d"), r);
			else
				snprintf(row, sizeof row, "%s", r == 0 ? _("header") : _("totals row"));
			diag(DIAG_LAYOUT_PIECE_BROKEN, NULL, 0, 0,
			    d->setup.title != NULL ? d->setup.title : _("document"),
			    t->title != NULL ? t->title : t->cols[0].header, row, row_text(t, r, c));
		}
}

static void
layout_free(struct tlay *L)
{
	for (size_t i = 0; i < (size_t)L->nr * L->ncols; i++)
		para_free(L->p[i]);
	free(L->p);
	free(L->st);
	free(L->kind);
	free(L->w);
	free(L->x);
	free(L->h);
}

static void
rule(struct doc *d, double x1, double y1, double x2, double y2, double width_pt, const char *tag)
{
	struct dl_item *it = dl_add(d, DL_LINE, tag);

	it->x = x1;
	it->y = y1;
	it->x2 = x2;
	it->y2 = y2;
	it->width_pt = width_pt;
}

/* Row R at the cursor; TOP: the first row drawn on its page ("table-top" at
 * the start of the table, "table-cont" where it goes on), else NULL. */
static void
row_draw(struct doc *d, const struct tlay *L, int r, const char *top)
{
	int n = L->ncols, c, i;
	double y = d->y, pitch = pitch_mm(L);
	const double *x = L->x;

	if (L->kind[r] == ROW_HEAD) {
		struct dl_item *bg = dl_add(d, DL_RECT, "header");

		bg->x = x[0];
		bg->y = y;
		bg->w = x[n] - x[0];
		bg->h = L->h[r];
		bg->fill = HEADER_FILL;
	}
	/* every cell centred in the row's height */
	for (c = 0; c < n; c++) {
		const struct para *p = L->p[(size_t)r * n + c];
		double top_y = y + (L->h[r] - p->nlines * pitch) / 2;

		for (i = 0; i < p->nlines; i++)
			para_place_line(d, p, i, x[c] + L->pad, top_y + i * pitch, L->w[c] - 2 * L->pad,
			    L->kind[r] == ROW_HEAD ? "th" : L->kind[r] == ROW_TOTAL ? "total" : "td");
	}
	if (top != NULL)
		rule(d, x[0], y, x[n], y, FRAME_PT, top);
	rule(d, x[0], y + L->h[r], x[n], y + L->h[r], L->kind[r] == ROW_BODY ? RULE_PT : FRAME_PT,
	    L->kind[r] == ROW_HEAD ? "head" : L->kind[r] == ROW_TOTAL ? "total" : "row");
	for (c = 0; c <= n; c++)
		rule(d, x[c], y, x[c], y + L->h[r], c == 0 || c == n ? FRAME_PT : RULE_PT, "column");
	d->y += L->h[r];
}

static double
caption_mm(const struct table *t)
{
	if (t->title == NULL)
		return 0;
	return style_pitch_pt(&style_caption) * MM_PER_PT +
	    (style_caption.space_before_pt + style_caption.space_after_pt) * MM_PER_PT;
}

/* The pages a table goes on to begin with its number and （续） (表1（续）),
 * as GB/T 1.1-2020 sets a continued table, then its header row again:
 * the header because a column of figures cannot be read without it, the
 * number because the header alone does not tell a reader who opens the page
 * that the table began before.  Centred in the caption's face, on a line of
 * its own height rather than a line of the grid. */
static const struct text_style style_continued = {
	"heading", 14, ALIGN_CENTER, 0, 17.5, 0, 0x000000, 0, 3, 0, WRAP_WORDS
};

/* "表1（续）" for a table titled "表1　…" (or "附表2 …"): the title's first
 * word when it holds a digit; NULL when it has none (or no title).  The
 * caller frees. */
static char *
continued_caption(const struct table *t)
{
	const char *s = t->title, *e;
	int digit = 0;

	if (s == NULL)
		return NULL;
	for (e = s; *e != '\0' && *e != ' ' && strncmp(e, "\xe3\x80\x80", 3) != 0; e++)
		digit |= *e >= '0' && *e <= '9';
	if (!digit || e == s)
		return NULL;
	return xasprintf("%.*s（续）", (int)(e - s), s);
}

static double
continued_mm(const struct table *t)
{
	char *c = continued_caption(t);
	double h = c == NULL ? 0 : (style_continued.line_pitch_pt + style_continued.space_after_pt) *
	    MM_PER_PT;

	free(c);
	return h;
}

/* Rows on each page: SEG[k] body rows (totals included) on the k-th page of
 * the table, the first page having FIRST mm below its caption and header,
 * the others PAGE mm below the header.  Fills greedily, then moves rows
 * forward so that no page holds fewer than MIN_ROWS (a table of fewer rows
 * is never split).  Returns the number of pages. */
static int
paginate(const struct tlay *L, double first, double page, int *seg)
{
	int rows = L->nr - 1, k = 0, r = 1;

	while (r <= rows) {
		double room = k == 0 ? first : page, used = 0;
		int c = 0;

		while (r <= rows && (used + L->h[r] <= room + 0.01 || (c == 0 && k > 0))) {
			used += L->h[r++];
			c++;
		}
		seg[k++] = c;
		if (c == 0 && k == 1)
			continue;           /* nothing fits on the first page: the table starts on the next */
	}
	/* the last pages get at least MIN_ROWS, taken from the page before
	 * as long as it keeps MIN_ROWS and the rows fit where they go */
	for (int j = k - 1; j > 0; j--) {
		while (seg[j] < MIN_ROWS && seg[j - 1] > MIN_ROWS) {
			int first_row = 1, last_prev;
			double used = 0;

			for (int m = 0; m < j; m++)
				first_row += seg[m];
			last_prev = first_row - 1;
			for (int m = first_row; m < first_row + seg[j]; m++)
				used += L->h[m];
			if (used + L->h[last_prev] > page + 0.01)
				break;
			seg[j - 1]--;
			seg[j]++;
		}
	}
	return k;
}

/* How much of the page the table needs before it may begin: its caption,
 * header and MIN_ROWS rows (all of it when it has fewer). */
static double
start_need(const struct tlay *L, const struct table *t)
{
	double h = caption_mm(t) + L->h[0];

	for (int r = 1; r < L->nr && r <= MIN_ROWS; r++)
		h += L->h[r];
	return h;
}

/* The whole table's height on one page: caption, header, every row. */
static double
whole_mm(const struct tlay *L, const struct table *t)
{
	double h = caption_mm(t);

	for (int r = 0; r < L->nr; r++)
		h += L->h[r];
	return h;
}

/* A table that waited for its page, set there and freed. */
static void
float_place(struct doc *d, const void *block)
{
	doc_table(d, block);
}

static void
float_release(void *block)
{
	table_free(block);
}

/* What a page that the last rows of a table go on to begins with: its
 * number and （续）, and its header (the table's layout, kept while its
 * rows may still move). */
struct reopen {
	struct tlay L;
	char *cont;
};

static void
reopen_table(struct doc *d, void *arg)
{
	struct reopen *o = arg;

	if (o->cont != NULL)
		doc_paragraph(d, &style_continued, o->cont);
	row_draw(d, &o->L, 0, "table-cont");
}

static void
reopen_release(void *arg)
{
	struct reopen *o = arg;

	layout_free(&o->L);
	free(o->cont);
	free(o);
}

void
doc_table(struct doc *d, const struct table *t)
{
	struct tlay L;
	double page = d->setup.body_h_mm, first, avail;
	int *seg, nseg, r, k, *item, start_item, start_brk, first_row;
	double *ry, start_y;
	char *cont;

	layout_make(d, t, &L);
	if (doc_block_begin(d, BLOCK_TABLE, start_need(&L, t), whole_mm(&L, t), 0, t->pinned) < 0) {
		doc_float_add(d, BLOCK_TABLE, table_copy(t), float_place, float_release);
		layout_free(&L);
		return;
	}
	report_broken(d, t, &L);
	cont = continued_caption(t);
	d->placing++;
	doc_page(d);
	avail = doc_body_bottom(d) - d->y;
	/* the table starts on a page where its caption, header and first rows
	 * fit, and never leaves one or two rows on a page of their own */
	seg = xcalloc(L.nr + 2, sizeof *seg);
	first = avail - caption_mm(t) - L.h[0];
	nseg = paginate(&L, first, page - L.h[0] - continued_mm(t), seg);
	if (start_need(&L, t) > avail + 0.01 || (nseg > 1 && seg[0] < MIN_ROWS)) {
		doc_need(d, start_need(&L, t) > page ? page : avail + 1);
		avail = doc_body_bottom(d) - d->y;
		first = avail - caption_mm(t) - L.h[0];
		nseg = paginate(&L, first, page - L.h[0] - continued_mm(t), seg);
	}
	/* where the table and each of its rows begin, so that the last rows
	 * can go on to the next page with what must follow them */
	item = xcalloc(L.nr, sizeof *item);
	ry = xcalloc(L.nr, sizeof *ry);
	start_item = d->dl.pages[d->cur].nitems;
	/* (the top of its caption: the space above it stays where it is) */
	start_y = d->y + (t->title != NULL ? style_caption.space_before_pt * MM_PER_PT : 0);
	start_brk = !doc_keeping_headings(d);
	if (t->title != NULL)
		doc_paragraph(d, &style_caption, t->title);
	row_draw(d, &L, 0, "table-top");
	r = 1;
	first_row = 1;
	for (k = 0; k < nseg; k++) {
		if (k > 0) {
			doc_new_page(d);
			if (cont != NULL)
				doc_paragraph(d, &style_continued, cont);
			row_draw(d, &L, 0, "table-cont");
			first_row = r;
		}
		for (int i = 0; i < seg[k] && r < L.nr; i++) {
			item[r] = d->dl.pages[d->cur].nitems;
			ry[r] = d->y;
			row_draw(d, &L, r++, NULL);
		}
	}
	d->placing--;
	/* the tail: the table's start when it is on this page (a table counts
	 * as two lines of body), then a break before each row that leaves at
	 * least MIN_ROWS on this page and takes as many */
	{
		struct reopen *o = xcalloc(1, sizeof *o);
		struct tail_owner *owner = xcalloc(1, sizeof *owner);

		if (nseg <= 1)
			doc_tail_add(d, start_item, start_y, start_brk, 2, NULL);
		o->L = L;
		o->L.t = NULL;
		o->cont = cont;
		cont = NULL;
		owner->reopen_mm = continued_mm(t) + L.h[0];
		owner->reopen = reopen_table;
		owner->release = reopen_release;
		owner->arg = o;
		doc_tail_own(d, owner);
		for (int q = first_row; q < L.nr; q++)
			doc_tail_add(d, item[q], ry[q], q - first_row >= MIN_ROWS &&
			    L.nr - q >= MIN_ROWS, 1, owner);
	}
	free(item);
	free(ry);
	free(seg);
	free(cont);
	d->y += 3;
}
