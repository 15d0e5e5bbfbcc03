/* forms.c — `jingsai forms`: the fill-in workbooks sent to the counties, one
 * per kind of submission (libxlsxwriter), laid out from the same tables the
 * readers use (csv_read.h's kinds, ar_xlsx.h's annual return), with drop-down
 * lists from programme.xml, so that what a clerk fills in is read back as is. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "ar_xlsx.h"
#include "commands.h"
#include "csv_read.h"
#include "jingsai.h"
#include "programme.h"

#define FORM_ROWS 1048575   /* rows the drop-downs and checks cover */
#define LISTS "选项"          /* the hidden sheet behind the drop-downs */

/* What one form is made for. */
struct form {
	const struct programme *prog;
	const char *region;      /* code, or NULL: a form for every region */
	const char *region_name;
	int year;                /* 0: any year of the period */
	lxw_workbook *wb;
	lxw_format *header, *text, *title, *wrap, *label;
	int nregions, nawards, ntracks;
};

/* The words a drop-down offers for enumeration VALUE ("person|个人"): the
 * first Chinese synonym, else the value. */
static void
shown_value(const char *value, char *out, size_t size)
{
	const char *bar = strchr(value, '|');
	if (bar == NULL) {
		snprintf(out, size, "%s", value);
		return;
	}
	const char *end = strchr(bar + 1, '|');
	snprintf(out, size, "%.*s", (int)(end ? end - bar - 1 : (long)strlen(bar + 1)), bar + 1);
}

/* The first of the '|'-separated NAMES. */
static void
first_name(const char *names, char *out, size_t size)
{
	snprintf(out, size, "%.*s", (int)strcspn(names, "|"), names);
}

/* A drop-down list of VALUES (NULL-terminated, shown as shown_value) on
 * column COL of WS, rows 1 to FORM_ROWS. */
static void
list_values(lxw_worksheet *ws, int col, const char *const *values)
{
	char *list[32], words[32][64];
	int n = 0;

	for (; values[n] != NULL && n < 31; n++) {
		shown_value(values[n], words[n], sizeof words[n]);
		list[n] = words[n];
	}
	list[n] = NULL;
	lxw_data_validation dv = {0};
	dv.validate = LXW_VALIDATION_TYPE_LIST;
	dv.value_list = list;
	worksheet_data_validation_range(ws, 1, (lxw_col_t)col, FORM_ROWS, (lxw_col_t)col, &dv);
}

/* A drop-down list of the hidden sheet's column LCOL (N values).  The list
 * is written into the validation itself while it fits Excel's 255
 * characters (libxlsxwriter 1.1.4 does not free its copy of a list
 * formula), else it refers to the hidden sheet. */
static void
list_range(struct form *f, lxw_worksheet *ws, lxw_row_t first, int col, lxw_row_t last, char lcol, int n)
{
	const struct programme *p = f->prog;
	char *list[64];
	int k = 0;
	size_t bytes = 0;

	for (size_t i = 0; lcol == 'A' && i < p->nregions && k < 63; i++)
		if (f->region == NULL || strcmp(p->regions[i].code, f->region) == 0)
			list[k++] = p->regions[i].name;
	for (size_t i = 0; lcol == 'B' && i < p->nawards && k < 63; i++)
		list[k++] = p->awards[i].title;
	for (size_t i = 0; lcol == 'C' && i < p->ntracks && k < 63; i++)
		list[k++] = p->tracks[i].name;
	list[k] = NULL;
	for (int i = 0; i < k; i++)
		bytes += strlen(list[i]) + 1;
	if (k == n && bytes < 256) {
		lxw_data_validation dv = {0};
		dv.validate = LXW_VALIDATION_TYPE_LIST;
		dv.value_list = list;
		worksheet_data_validation_range(ws, first, (lxw_col_t)col, last, (lxw_col_t)col, &dv);
		return;
	}
	char formula[64];
	snprintf(formula, sizeof formula, "='%s'!$%c$1:$%c$%d", LISTS, lcol, lcol, n > 0 ? n : 1);
	lxw_data_validation dv = {0};
	dv.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
	dv.value_formula = formula;
	worksheet_data_validation_range(ws, first, (lxw_col_t)col, last, (lxw_col_t)col, &dv);
}

/* Whole numbers from MIN (to MAX when MAX > MIN) in column COL. */
static void
check_integer(lxw_worksheet *ws, lxw_row_t first, int col, lxw_row_t last, double min, double max)
{
	lxw_data_validation dv = {0};
	dv.validate = LXW_VALIDATION_TYPE_INTEGER;
	if (max > min) {
		dv.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
		dv.minimum_number = min;
		dv.maximum_number = max;
	} else {
		dv.criteria = LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO;
		dv.value_number = min;
	}
	worksheet_data_validation_range(ws, first, (lxw_col_t)col, last, (lxw_col_t)col, &dv);
}

/* The hidden sheet of lists: A regions, B award titles, C track names. */
static void
lists_sheet(struct form *f)
{
	lxw_worksheet *ws = workbook_add_worksheet(f->wb, LISTS);
	const struct programme *p = f->prog;

	f->nregions = 0;
	for (size_t i = 0; i < p->nregions; i++)
		if (f->region == NULL || strcmp(p->regions[i].code, f->region) == 0)
			worksheet_write_string(ws, (lxw_row_t)f->nregions++, 0, p->regions[i].name, NULL);
	for (size_t i = 0; i < p->nawards; i++)
		worksheet_write_string(ws, (lxw_row_t)i, 1, p->awards[i].title, NULL);
	for (size_t i = 0; i < p->ntracks; i++)
		worksheet_write_string(ws, (lxw_row_t)i, 2, p->tracks[i].name, NULL);
	f->nawards = (int)p->nawards;
	f->ntracks = (int)p->ntracks;
	worksheet_hide(ws);
}

/* The instruction sheet: LINES, then a table of the columns. */
static lxw_worksheet *
instructions(struct form *f, const char *what, const char *const *lines)
{
	lxw_worksheet *ws = workbook_add_worksheet(f->wb, "填表说明");
	char title[256];
	lxw_row_t row = 0;

	snprintf(title, sizeof title, "%s%s填写说明（%s）", f->region_name ? f->region_name : "",
	    what, f->prog->name);
	worksheet_set_column(ws, 0, 0, 18, f->wrap);
	worksheet_set_column(ws, 1, 1, 10, f->wrap);
	worksheet_set_column(ws, 2, 2, 70, f->wrap);
	worksheet_write_string(ws, row++, 0, title, f->title);
	for (int i = 0; lines[i] != NULL; i++)
		worksheet_merge_range(ws, row, 0, row, 2, lines[i], f->wrap), row++;
	row++;
	worksheet_write_string(ws, row, 0, "列名", f->header);
	worksheet_write_string(ws, row, 1, "是否必填", f->header);
	worksheet_write_string(ws, row, 2, "填写要求", f->header);
	return ws;
}

static const char *const general_lines[] = {
	"1. 第一行是表头，请勿修改、删除或调换列名；列的顺序可以调整。表头上方可以加标题行，表格下方可以写填表人、联系电话、审核人等，系统会跳过并注明。",
	"2. 每行填一条记录，不要合并单元格；“序号”列可留可删，合计行可留。",
	"3. 带下拉箭头的列请从下拉列表中选择；统一社会信用代码一列已设为文本格式，请直接输入18位代码（不要改成数值格式，否则后几位会丢失）。",
	"4. 人数、人次等请填整数，可以带千位分隔符（如 1,234）。",
	"5. 填好后保存为 Excel 工作簿（*.xlsx）报送，也可另存为 CSV UTF-8 文件报送。",
	NULL,
};

/* What a column wants, in words, for the instruction sheet. */
static void
column_rule(const struct form *f, const struct csv_column *c, char *out, size_t size)
{
	char v[64];
	size_t k = 0;

	out[0] = '\0';
	switch (c->type) {
	case CT_TEXT: snprintf(out, size, "文字"); break;
	case CT_LIST: snprintf(out, size, "姓名，多人之间用顿号“、”分隔"); break;
	case CT_YEAR:
		if (f->year)
			snprintf(out, size, "%d", f->year);
		else
			snprintf(out, size, "4位年份，%d—%d", f->prog->first_year, f->prog->last_year);
		break;
	case CT_COUNT: snprintf(out, size, "不小于0的整数"); break;
	case CT_RANK: snprintf(out, size, "从1起的整数"); break;
	case CT_CREDIT: snprintf(out, size, "18位统一社会信用代码（文本格式）"); break;
	case CT_ROUND: snprintf(out, size, "评选周期，如 2023-2024"); break;
	case CT_SCORE: snprintf(out, size, "0—100，最多一位小数"); break;
	case CT_ENUM:
		k = (size_t)snprintf(out, size, "从下拉列表选择：");
		for (int i = 0; c->values[i] != NULL && k < size; i++) {
			shown_value(c->values[i], v, sizeof v);
			k += (size_t)snprintf(out + k, size - k, "%s%s", i ? "、" : "", v);
		}
		break;
	}
	if (c->ref == CR_REGION)
		snprintf(out, size, "从下拉列表选择地区");
	else if (c->ref == CR_AWARD)
		snprintf(out, size, "从下拉列表选择奖项");
}

/* Writes the workbook being made to DIR/NAME.xlsx, atomically.  Returns 0
 * or -1 after a diagnostic. */
static int
form_close(struct form *f, const char *tmp, const char *path)
{
	lxw_error e = workbook_close(f->wb);
	f->wb = NULL;
	if (e != LXW_NO_ERROR) {
		diag(DIAG_XLSX_WRITE, path, 0, 0, lxw_strerror(e));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		diag(DIAG_IO_WRITE, path, 0, 0, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void
form_open(struct form *f, const char *tmp)
{
	lxw_workbook_options opt = {0};
	f->wb = workbook_new_opt(tmp, &opt);
	if (f->wb == NULL) {
		fputs("jingsai: fatal: out of memory\n", stderr);
		abort();
	}
	/* the same programme gives the same bytes (SOURCE_DATE_EPOCH) */
	lxw_doc_properties props = {0};
	props.title = (char *)f->prog->name;
	props.created = (time_t)jz_now();
	workbook_set_properties(f->wb, &props);
	f->header = workbook_add_format(f->wb);
	format_set_bold(f->header);
	format_set_bg_color(f->header, 0xDDEBF7);
	format_set_border(f->header, LXW_BORDER_THIN);
	format_set_text_wrap(f->header);
	format_set_align(f->header, LXW_ALIGN_CENTER);
	format_set_align(f->header, LXW_ALIGN_VERTICAL_CENTER);
	f->text = workbook_add_format(f->wb);
	format_set_num_format(f->text, "@");
	f->title = workbook_add_format(f->wb);
	format_set_bold(f->title);
	format_set_font_size(f->title, 14);
	f->wrap = workbook_add_format(f->wb);
	format_set_text_wrap(f->wrap);
	format_set_align(f->wrap, LXW_ALIGN_VERTICAL_TOP);
	f->label = workbook_add_format(f->wb);
	format_set_bold(f->label);
}

/* The form of CSV kind K. */
static int
csv_form(struct form *f, enum csv_kind k, const char *dir)
{
	const struct csv_kind_def *kd = csv_kind_def(k);
	char *path = xasprintf("%s/%s.xlsx", dir, kd->zh), *tmp = xasprintf("%s/.%s.xlsx.tmp", dir, kd->zh);
	char name[64], rule[512];

	form_open(f, tmp);
	lxw_worksheet *ws = workbook_add_worksheet(f->wb, kd->zh);
	lxw_worksheet *help = instructions(f, kd->zh, general_lines);
	lists_sheet(f);
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_set_row(ws, 0, 30, NULL);
	for (int i = 0; i < kd->ncols; i++) {
		const struct csv_column *c = &kd->cols[i];
		first_name(c->zh, name, sizeof name);
		worksheet_write_string(ws, 0, (lxw_col_t)i, name, f->header);
		double width = c->type == CT_CREDIT ? 22 : c->type == CT_TEXT || c->type == CT_LIST ? 30 : 14;
		worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, width, c->type == CT_CREDIT ? f->text : NULL);
		if (c->ref == CR_REGION)
			list_range(f, ws, 1, i, FORM_ROWS, 'A', f->nregions);
		else if (c->ref == CR_AWARD)
			list_range(f, ws, 1, i, FORM_ROWS, 'B', f->nawards);
		else if (c->type == CT_ENUM)
			list_values(ws, i, c->values);
		else if (c->type == CT_YEAR)
			check_integer(ws, 1, i, FORM_ROWS, f->year ? f->year : f->prog->first_year,
			    f->year ? f->year + 0.5 : f->prog->last_year);
		else if (c->type == CT_COUNT)
			check_integer(ws, 1, i, FORM_ROWS, 0, 0);
		else if (c->type == CT_RANK)
			check_integer(ws, 1, i, FORM_ROWS, 1, 0);
		else if (c->type == CT_SCORE) {
			lxw_data_validation dv = {0};
			dv.validate = LXW_VALIDATION_TYPE_DECIMAL;
			dv.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
			dv.minimum_number = 0;
			dv.maximum_number = 100;
			worksheet_data_validation_range(ws, 1, (lxw_col_t)i, FORM_ROWS, (lxw_col_t)i, &dv);
		}
		/* the instruction sheet's table: after the lines and the heading */
		lxw_row_t hr = (lxw_row_t)(sizeof general_lines / sizeof general_lines[0]) + 2 + (lxw_row_t)i;
		column_rule(f, c, rule, sizeof rule);
		worksheet_write_string(help, hr, 0, name, NULL);
		worksheet_write_string(help, hr, 1, c->need == CN_REQUIRED ? "必填" :
		    c->need == CN_PERSON ? "个人必填" : "选填", NULL);
		worksheet_write_string(help, hr, 2, rule, f->wrap);
	}
	worksheet_activate(ws);
	int rc = form_close(f, tmp, path);
	free(path);
	free(tmp);
	return rc;
}

/* The headers and drop-downs of the projects or studios sheet. */
static void
rows_sheet(struct form *f, const char *sheet, const struct ar_column *cols, int ncols)
{
	lxw_worksheet *ws = workbook_add_worksheet(f->wb, sheet);
	char name[64];

	worksheet_freeze_panes(ws, 1, 0);
	worksheet_set_row(ws, 0, 30, NULL);
	for (int i = 0; i < ncols; i++) {
		first_name(cols[i].zh, name, sizeof name);
		worksheet_write_string(ws, 0, (lxw_col_t)i, name, f->header);
		int wide = strcmp(cols[i].attribute, "name") == 0 || strcmp(cols[i].attribute, "organizer") == 0;
		worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, wide ? 36 : 18,
		    strcmp(cols[i].attribute, "id") == 0 ? f->text : NULL);
		if (strcmp(cols[i].attribute, "track") == 0)
			list_range(f, ws, 1, i, FORM_ROWS, 'C', f->ntracks);
		else if (cols[i].values != NULL)
			list_values(ws, i, cols[i].values);
		else if (strcmp(cols[i].attribute, "founded") == 0)
			check_integer(ws, 1, i, FORM_ROWS, 1949, 2100);
	}
}

static const char *const return_lines[] = {
	"1. “基本情况”表：在每个项目右边一格填写数值；地区、年度必填。“报送时间”可不填，不填时以文件的修改时间为报送时间；同一地区同一年度报送多次，以报送时间最晚的为准。",
	"2. 一组数字（群众性创新、节能减排、安全生产、班组建设）填了其中一项，该组其余各项也要填写（没有的填0）。",
	"3. “竞赛项目”“劳模创新工作室”两表每行填一项，第一行表头请勿修改；项目编号、工作室编号在全市唯一（如 2024-320682-007）。",
	"4. 带下拉箭头的单元格请从下拉列表中选择。填好后保存为 Excel 工作簿（*.xlsx）报送。",
	NULL,
};

/* The annual return form. */
static int
return_form(struct form *f, const char *dir)
{
	char *path = xasprintf("%s/年度报表.xlsx", dir), *tmp = xasprintf("%s/.年度报表.xlsx.tmp", dir);
	form_open(f, tmp);
	lxw_worksheet *ws = workbook_add_worksheet(f->wb, AR_SHEET_MAIN);
	rows_sheet(f, AR_SHEET_PROJECTS, ar_project_columns, ar_project_ncolumns);
	rows_sheet(f, AR_SHEET_STUDIOS, ar_studio_columns, ar_studio_ncolumns);
	lxw_worksheet *help = instructions(f, "年度报表", return_lines);
	worksheet_write_string(help, 7, 0, "见各表表头", NULL);
	lists_sheet(f);

	worksheet_set_column(ws, 0, 0, 40, f->label);
	worksheet_set_column(ws, 1, 1, 24, NULL);
	worksheet_set_column(ws, 2, 2, 40, f->wrap);
	worksheet_write_string(ws, 0, 0, "劳动和技能竞赛年度报表", f->title);
	worksheet_write_string(ws, 1, 0, AR_LABEL_REGION, f->label);
	if (f->region_name)
		worksheet_write_string(ws, 1, 1, f->region_name, NULL);
	list_range(f, ws, 1, 1, 1, 'A', f->nregions);
	worksheet_write_string(ws, 2, 0, AR_LABEL_YEAR, f->label);
	if (f->year)
		worksheet_write_number(ws, 2, 1, f->year, NULL);
	check_integer(ws, 2, 1, 2, f->prog->first_year, f->prog->last_year);
	worksheet_write_string(ws, 3, 0, AR_LABEL_SUBMITTED, f->label);
	worksheet_write_string(ws, 3, 2, "如 2025-01-15 10:00；可不填", f->wrap);
	static const struct { const char *element, *heading; } groups[] = {
		{"innovation", "一、群众性创新"}, {"green", "二、节能减排"},
		{"safety", "三、安全生产（“安康杯”）"}, {"teams", "四、班组建设"},
	};
	lxw_row_t row = 5;
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		worksheet_write_string(ws, row++, 0, groups[g].heading, f->title);
		for (int c = 0; c < AR__COUNTS; c++) {
			if (strcmp(ar_counts[c].element, groups[g].element) != 0)
				continue;
			worksheet_write_string(ws, row, 0, ar_counts[c].zh, NULL);
			check_integer(ws, row, 1, row, 0, 0);
			row++;
		}
	}
	worksheet_activate(ws);
	int rc = form_close(f, tmp, path);
	free(path);
	free(tmp);
	return rc;
}

int
cmd_forms(const struct jz_opts *o, const struct jz_args *a)
{
	char *prog_path = path_join(o->input_dir, "programme.xml");
	struct programme *p = programme_load(prog_path);
	struct form f = {0};
	int status = JZ_EXIT_OK;

	free(prog_path);
	if (p == NULL)
		return JZ_EXIT_FAILURE;
	f.prog = p;
	f.year = a->year;
	if (f.year && (f.year < p->first_year || f.year > p->last_year)) {
		diag(DIAG_YEAR_PERIOD, NULL, 0, 0, f.year, p->first_year, p->last_year);
		programme_free(p);
		return JZ_EXIT_USAGE;
	}
	if (a->region != NULL) {
		f.region = programme_region(p, a->region);
		if (f.region == NULL) {
			diag(DIAG_REF_REGION, NULL, 0, 0, a->region);
			programme_free(p);
			return JZ_EXIT_USAGE;
		}
		for (size_t i = 0; i < p->nregions; i++)
			if (strcmp(p->regions[i].code, f.region) == 0)
				f.region_name = p->regions[i].name;
	}
	char *forms = path_join(o->output_dir, "forms");
	char *dir = f.region ? path_join(forms, f.region) : xstrdup(forms);
	free(forms);
	if (mkdir_p(dir) != 0) {
		diag(DIAG_IO_WRITE, dir, 0, 0, strerror(errno));
		status = JZ_EXIT_FAILURE;
	}
	for (int k = 0; k < CSV__KINDS && status == JZ_EXIT_OK; k++)
		if (csv_form(&f, (enum csv_kind)k, dir) != 0)
			status = JZ_EXIT_FAILURE;
	if (status == JZ_EXIT_OK && return_form(&f, dir) != 0)
		status = JZ_EXIT_FAILURE;
	if (status == JZ_EXIT_OK && !o->quiet)
		printf(_("%d forms written to %s/\n"), CSV__KINDS + 1, dir);
	free(dir);
	programme_free(p);
	return status;
}
