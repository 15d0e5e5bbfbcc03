/* gen.c — deterministic generator of realistic synthetic submissions (annual
 * returns, enterprises, participation, achievements, scores, skills, awards)
 * for the sample in input/, for tests and for benchmarks.
 *
 * Same --seed and --scale give byte-identical files: the generator has its
 * own PRNG (splitmix64), reads no clock and no locale, and prints numbers
 * with integer formats only.  The data follow SPEC §3 to the letter and match
 * the default programme of SPEC §2 (11 regions, tracks T1–T6, awards).
 *
 * Scales (SPEC §8): sample (small enough to commit), city (≈ 12 000
 * enterprises, ≈ 400 projects, ≈ 150 000 participation rows and ≈ 2 000
 * awards a year) and province (13 × city: the same 11 regions carry 13 times
 * the volume, credit codes distinct, project ids unique).
 *
 * Deliberate quirks, at every scale (doc/submissions.md, "Sample data and the
 * generator"): 如东县 (320623) resubmits its return for the fourth year with a
 * later `submitted` and changed figures; 通州湾示范区 (TZW) sends no return for
 * the first year; 海门区 (320614) names itself by its alias 海门市 in its
 * first-year return; some CSV files are GB18030 with CRLF, some UTF-8 with a
 * BOM; names with 𠮷 (outside the BMP) appear only in UTF-8 files. */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jingsai.h"
#include "programme.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- Random numbers: splitmix64, one independent stream per purpose. ---- */

struct rng {
	uint64_t state;
};

static uint64_t
rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A stream for PURPOSE derived from the seed, so that changing how much of
 * one thing is drawn does not shift everything else. */
static void
rng_init(struct rng *r, uint64_t seed, const char *purpose)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const unsigned char *p = (const unsigned char *)purpose; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	r->state = seed ^ h;
	rng_next(r);
}

/* Uniform in [0, n); 0 when n is 0. */
static uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

/* Uniform in [lo, hi]. */
static int
rng_range(struct rng *r, int lo, int hi)
{
	return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

/* 1 with probability PERMILLE / 1000. */
static int
rng_chance(struct rng *r, int permille)
{
	return (int)rng_below(r, 1000) < permille;
}

static const char *
rng_pick(struct rng *r, const char *const *list, int n)
{
	return list[rng_below(r, (uint32_t)n)];
}
#define PICK(r, list) rng_pick((r), (list), NELEM(list))

/* Index drawn with integer WEIGHTS. */
static int
rng_weighted(struct rng *r, const int *weights, int n)
{
	int total = 0, x;

	for (int i = 0; i < n; i++)
		total += weights[i];
	x = (int)rng_below(r, (uint32_t)total);
	for (int i = 0; i < n; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n - 1;
}

/* Scales VALUE by a factor drawn uniformly from [1 - PERMILLE/1000, 1 + PERMILLE/1000]. */
static long
jitter(struct rng *r, long value, int permille)
{
	long f = 1000 + rng_range(r, -permille, permille);

	return (value * f + 500) / 1000;
}

/* ---- A set of strings (open addressing over 64-bit hashes). ---- */

struct strset {
	uint64_t *slots; /* 0 = empty */
	size_t cap, len;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h ? h : 1;
}

/* Adds S; returns 1 when it was new, 0 when already there.  Two different
 * strings with one 64-bit hash count as equal: harmless here (a name is
 * redrawn). */
static int
strset_add(struct strset *set, const char *s)
{
	uint64_t h = hash_str(s);
	size_t i;

	if (2 * (set->len + 1) > set->cap) {
		struct strset bigger = { NULL, set->cap ? 2 * set->cap : 1024, 0 };

		bigger.slots = xcalloc(bigger.cap, sizeof(uint64_t));
		for (size_t k = 0; k < set->cap; k++) {
			if (set->slots[k] == 0)
				continue;
			for (i = set->slots[k] & (bigger.cap - 1); bigger.slots[i]; i = (i + 1) & (bigger.cap - 1))
				;
			bigger.slots[i] = set->slots[k];
			bigger.len++;
		}
		free(set->slots);
		*set = bigger;
	}
	for (i = h & (set->cap - 1); set->slots[i]; i = (i + 1) & (set->cap - 1))
		if (set->slots[i] == h)
			return 0;
	set->slots[i] = h;
	set->len++;
	return 1;
}

static void
strset_free(struct strset *set)
{
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

/* ---- Reference data: the programme's regions, tracks and awards. ---- */

/* A region as the generator needs it: programme.xml says code, name and kind;
 * the rest is known for the regions of the sample city and made up for others. */
struct region {
	const char *code;   /* region code in programme.xml */
	const char *name;   /* current name */
	const char *kind;   /* county | park | city */
	const char *prefix; /* place name opening local enterprise names */
	const char *div;    /* administrative division in credit codes */
	const char *old_div; /* division before a merger or renaming, or NULL */
	int weight;         /* share of enterprises and projects, in ‰ */
	const char *first_name; /* the name its first-year return still uses, or NULL */
	int no_first_return; /* sends no return for the first year */
	const char *works[5]; /* big projects of the period (the first track) */
};

/* The sample city (the default programme of input/programme.xml), whose
 * regions the generator knows in detail; with --programme, a region with
 * one of these codes and names is taken from here. */
static const char sample_city[] = "南通市";
static const struct region sample_regions[] = {
	{ "320602", "崇川区", "county", "南通", "320602", "320611", 150, NULL, 0,
	  { "南通轨道交通1号线", "南通轨道交通2号线", "五山地区滨江片区", "南通中央创新区", "狼山港区改造" } },
	{ "320612", "通州区", "county", "南通", "320612", NULL, 130, NULL, 0,
	  { "北沿江高铁南通段", "南通新机场", "通州湾疏港航道", "锡通高速", "南通国际家纺产业园" } },
	{ "320614", "海门区", "county", "海门", "320614", "320684", 115, "海门市", 0, /* the name before 2020 */
	  { "海太长江隧道", "海门港新区码头", "沪通铁路二期", "叠石桥家纺城", "海门经济技术开发区标准厂房" } },
	{ "320623", "如东县", "county", "如东", "320623", NULL, 90, NULL, 0,
	  { "如东洋口港LNG接收站扩建", "如东海上风电", "如东燃气发电项目", "洋口港区疏港公路", "如东沿海经济开发区" } },
	{ "320681", "启东市", "county", "启东", "320681", NULL, 90, NULL, 0,
	  { "启东海上风电", "吕四港区", "启东生命健康科技城", "崇启大桥养护", "启东海工船舶工业园" } },
	{ "320682", "如皋市", "county", "如皋", "320682", NULL, 110, NULL, 0,
	  { "张皋过江通道", "如皋港区码头", "如皋高新区智能制造产业园", "宁通高速扩建", "如皋港化工新材料产业园" } },
	{ "320685", "海安市", "county", "海安", "320685", "320621", 95, NULL, 0,
	  { "海安商贸物流园", "海安高新区新材料产业园", "新长铁路海安段", "海安经济技术开发区", "连申线航道整治" } },
	{ "KFQ", "南通经济技术开发区", "park", "南通", "320691", NULL, 90, NULL, 0,
	  { "南通综合保税区", "经开区先进制造业集群", "集成电路先进封装产业园", "南通能达商务区", "经开区港口物流园" } },
	{ "SXT", "苏锡通科技产业园区", "park", "南通", "320600", NULL, 35, NULL, 0,
	  { "苏锡通科创载体", "苏锡通智能装备产业园", "苏通大桥北接线", "苏锡通高端纺织产业园", "苏锡通电子信息产业园" } },
	{ "TZW", "通州湾示范区", "park", "南通", "320612", NULL, 30, NULL, 1,
	  { "通州湾新出海口吕四起步港区", "通州湾港区", "通州湾绿色精品钢", "通州湾集装箱码头", "通州湾化工新材料基地" } },
	{ "SZ", "市直", "city", "南通", "320600", NULL, 65, NULL, 0,
	  { "南通市城市更新", "南通市区供水管网改造", "南通市老旧小区改造", "南通市智慧交通", "南通市中心城区快速路" } },
};

/* The regions of the programme being generated for, in its order, and the
 * ones the deliberate quirks fall on (doc/submissions.md, "Sample data and
 * the generator"). */
static const struct region *regions;
static int nregions;
static int region_city = -1;     /* the city-level units (市直): -1 when none */
static int region_no_first = -1; /* sends no return for the first year */
static int region_resubmits;     /* resubmits its return for the fourth year */
static int region_renamed = -1;  /* names itself by its former name in its first-year return */
static const char *renamed_as;
static const char *city;         /* 南通市 */
static char city_short[64];      /* 南通: the city without 市 */

/* A track: the style of the project names (the index of one of the sample's
 * six tracks, or -1: named after the track) and the weight of its projects. */
struct track {
	const char *code;
	const char *name;
	int style;
	int weight;
};
static const struct track sample_tracks[] = {
	{ "T1", "引领性劳动竞赛", 0, 15 }, { "T2", "群众性创新竞赛", 1, 25 },
	{ "T3", "绿色低碳发展竞赛", 2, 12 }, { "T4", "技能素质提升竞赛", 3, 20 },
	{ "T5", "“安康杯”竞赛", 4, 15 }, { "T6", "班组创先争优竞赛", 5, 13 },
};
static const struct track *tracks;
static int ntracks;

/* An award: who receives it, and how often. */
struct award {
	const char *code;
	int kind;           /* 0 person, 1 unit, 2 team */
	int women_only;
	int weight;         /* share of the awards rows */
};
static const struct award sample_awards[] = {
	{ "MEDAL", 0, 0, 35 }, { "CERT", 1, 0, 10 }, { "PIONEER", 2, 0, 15 },
	{ "TECH", 0, 0, 20 }, { "INNOV", 0, 0, 10 }, { "WOMEN", 0, 1, 10 },
};
static const struct award *awards;
static int nawards;
static const char *award_top_ten;  /* the award the top ten's first completers receive, or NULL */
static const char *award_skills;   /* the award of the city contests' winners, or NULL */
static const char *award_other;    /* another award for a person, or NULL */

static const char *const trades[] = {
	"数控车工", "焊工", "电工", "钳工", "维修电工", "船舶电焊工", "砌筑工", "钢筋工",
	"汽车维修工", "养老护理员", "网络安全管理员", "工业机器人系统运维员", "电子商务师",
	"中式烹调师", "叉车司机", "起重装卸机械操作工", "化工总控工", "家用纺织品设计师",
	"缝纫工", "无人机驾驶员", "物流服务师", "仪器仪表维修工", "快递员", "铣工", "装配钳工",
	"电力电缆安装运维工", "育婴员", "茶艺师",
};

/* Industry as written in the registry, and the word it gives company names. */
struct industry {
	const char *name;
	const char *word;
	int weight;
	const char *trades; /* trades its own contests are about, separated by | */
};
static const struct industry industries[] = {
	{ "纺织业", "纺织", 70, "挡车工|纺织设备维修工|电工" },
	{ "家用纺织制成品制造", "家纺", 60, "缝纫工|家用纺织品设计师|电子商务师" },
	{ "纺织服装、服饰业", "服饰", 40, "缝纫工|服装制版师" },
	{ "通用设备制造业", "机械", 90, "数控车工|钳工|铣工|焊工" },
	{ "专用设备制造业", "重工机械", 50, "装配钳工|焊工|数控车工" },
	{ "船舶及相关装置制造", "船舶", 35, "船舶电焊工|船舶管系工|起重装卸机械操作工" },
	{ "海洋工程装备制造", "海洋工程", 20, "船舶电焊工|焊工|涂装工" },
	{ "电气机械和器材制造业", "电气", 60, "维修电工|电工|装配钳工" },
	{ "计算机、通信和其他电子设备制造业", "电子", 50, "电子装接工|工业机器人系统运维员|网络安全管理员" },
	{ "化学原料和化学制品制造业", "化工", 45, "化工总控工|仪器仪表维修工" },
	{ "医药制造业", "药业", 20, "药物制剂工|化学检验员" },
	{ "金属制品业", "金属制品", 40, "焊工|钳工" },
	{ "汽车制造业", "汽车零部件", 30, "汽车维修工|数控车工|工业机器人系统运维员" },
	{ "橡胶和塑料制品业", "塑业", 25, "注塑工|模具工" },
	{ "非金属矿物制品业", "建材", 25, "电工|叉车司机" },
	{ "仪器仪表制造业", "仪表", 15, "仪器仪表维修工|装配钳工" },
	{ "农副食品加工业", "食品", 25, "食品检验员|中式面点师" },
	{ "房屋建筑业", "建设工程", 70, "砌筑工|钢筋工|建筑信息模型技术员" },
	{ "土木工程建筑业", "路桥工程", 25, "测量放线工|钢筋工|挖掘机司机" },
	{ "建筑装饰、装修和其他建筑业", "装饰工程", 30, "镶贴工|木工|油漆工" },
	{ "软件和信息技术服务业", "信息技术", 35, "网络安全管理员|人工智能训练师" },
	{ "道路运输业", "物流", 30, "物流服务师|叉车司机|快递员" },
	{ "水上运输业", "航运", 12, "船舶驾驶员|起重装卸机械操作工" },
	{ "电力、热力生产和供应业", "能源", 12, "电力电缆安装运维工|变电设备检修工" },
	{ "批发业", "贸易", 30, "电子商务师|物流服务师" },
	{ "零售业", "商贸", 20, "电子商务师|收银员" },
	{ "住宿和餐饮业", "酒店管理", 12, "中式烹调师|茶艺师|客房服务员" },
};

/* A trade of industry IND, written into OUT. */
static void
industry_trade(struct rng *r, int ind, char *out, size_t size)
{
	const char *list = industries[ind].trades, *p;
	int n = 1, k;

	for (p = list; *p; p++)
		n += *p == '|';
	k = (int)rng_below(r, (uint32_t)n);
	for (p = list; k > 0; p++)
		k -= *p == '|';
	snprintf(out, size, "%.*s", (int)strcspn(p, "|"), p);
}

static const char *const ownerships[] = { "国有", "集体", "民营", "外资", "港澳台", "其他" };
static const int ownership_weights[] = { 70, 25, 730, 90, 50, 35 };

static const char *const shop_chars[] = {
	"华", "泰", "鑫", "达", "宏", "远", "恒", "通", "盛", "源", "金", "利", "丰", "瑞",
	"祥", "嘉", "德", "安", "永", "兴", "海", "天", "中", "力", "昌", "隆", "信", "诚",
	"博", "创", "新", "宇", "辰", "凯", "鼎", "铭", "锦", "腾", "越", "峰", "晟", "润",
	"弘", "洋", "星", "联", "荣", "亚", "顺", "科", "汇", "龙", "佳", "江", "舜", "骏",
};
static const char *const foreign_brands[] = { /* invented, as transliterated names read */
	"欧姆森", "德瑞森", "凯普乐", "瑞能达", "泰科迈", "美德龙", "安普朗", "皓森特", "豪斯曼",
	"伊顿威", "卡洛斯", "维斯塔", "诺尔康", "阿尔伯", "柏林格", "克莱恩", "沃尔克", "兰斯顿",
	"雅克森", "奥德曼", "亚太华", "台丰", "港丰", "宝岛精工",
};

/* ---- Person names ---- */

static const char *const surnames[] = {
	"陈", "张", "王", "朱", "徐", "顾", "陆", "施", "季", "曹", "李", "刘", "杨", "黄",
	"周", "吴", "沈", "范", "缪", "孙", "丁", "蔡", "葛", "严", "钱", "姜", "袁", "冯",
	"许", "邱", "马", "赵", "胡", "郭", "何", "高", "宋", "唐", "韩", "凌", "瞿", "茅",
	"仇", "秦", "倪", "汤", "储", "薛", "卢", "邵", "花", "石", "郁", "管", "宗", "冒",
};
static const char *const compound_surnames[] = { "欧阳", "司马", "诸葛", "上官" };
static const char *const male_chars[] = {
	"建", "国", "华", "军", "明", "伟", "强", "勇", "峰", "磊", "涛", "斌", "杰", "鹏",
	"俊", "辉", "刚", "健", "志", "忠", "宏", "新", "海", "春", "林", "平", "东", "文",
	"兵", "亮", "浩", "宇", "晨", "凯", "飞", "超", "波", "荣", "昊", "锋", "卫", "正",
	"德", "晓", "永", "振", "金", "云", "嘉", "宁",
};
static const char *const female_chars[] = {
	"芳", "丽", "敏", "静", "燕", "艳", "娟", "霞", "玲", "红", "梅", "琴", "萍", "婷",
	"雪", "颖", "慧", "洁", "倩", "莉", "雯", "琳", "佳", "瑶", "晶", "欣", "月", "蓉",
	"英", "兰", "秀", "晓", "春", "小", "丹", "露", "爱", "美", "凤", "媛",
};
/* Outside GB2312 (喆 堃 镕 in GBK; 旻 昇 too), common in real names. */
static const char *const rare_chars[] = { "喆", "堃", "昇", "镕", "旻" };

struct person {
	char name[40];
	int female;
};

/* Draws a person: ~45 % women, ~10 % two-character names, ~4 % with a
 * character outside GB2312. */
static void
person_draw(struct rng *r, struct person *p)
{
	const char *sur = rng_chance(r, 4) ? PICK(r, compound_surnames) : PICK(r, surnames);
	int given = rng_chance(r, 100) ? 1 : 2;
	const char *const *chars;
	int nchars;

	p->female = rng_chance(r, 450);
	chars = p->female ? female_chars : male_chars;
	nchars = p->female ? NELEM(female_chars) : NELEM(male_chars);
	strcpy(p->name, sur);
	for (int i = 0; i < given; i++) {
		const char *c = chars[rng_below(r, (uint32_t)nchars)];

		if (rng_chance(r, 22))
			c = PICK(r, rare_chars);
		strcat(p->name, c);
	}
}

/* ---- Credit codes (GB 32100-2015, with the organisation code of GB 11714). ---- */

static const char credit_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int
credit_value(char c)
{
	const char *p = strchr(credit_chars, c);

	return p != NULL && c != '\0' ? (int)(p - credit_chars) : -1;
}

/* Fills CODE (19 bytes) from a division and an 8-digit organisation number. */
static void
credit_make(char code[19], const char *div, uint32_t org)
{
	static const int org_w[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
	static const int w[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
	char body[9];
	int sum = 0, c;

	snprintf(body, sizeof(body), "%08u", (unsigned)(org % 100000000u));
	for (int i = 0; i < 8; i++)
		sum += (body[i] - '0') * org_w[i];
	c = 11 - sum % 11;
	memcpy(code, "91", 2);
	memcpy(code + 2, div, 6);
	memcpy(code + 8, body, 8);
	code[16] = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
	sum = 0;
	for (int i = 0; i < 17; i++)
		sum += credit_value(code[i]) * w[i];
	code[17] = credit_chars[(31 - sum % 31) % 31];
	code[18] = '\0';
}

/* ---- The generated world ---- */

enum scale { SCALE_SAMPLE, SCALE_CITY, SCALE_PROVINCE };

struct params {
	int enterprises;    /* in all */
	int projects;       /* a year, city-wide */
	int participation;  /* rows a year */
	long participants;  /* 人次 a year, city-wide (middle of the period) */
	int awards;         /* rows a year */
	int entries;        /* achievements per category in the round */
	int city_contests;  /* skills competitions a year, city level */
	int local_contests; /* county and enterprise level */
	int mult;           /* volume multiplier for return figures and studios */
};

static const struct params scale_params[] = {
	[SCALE_SAMPLE] = { 1500, 60, 8000, 640000, 200, 40, 6, 6, 1 },
	[SCALE_CITY] = { 12000, 400, 150000, 640000, 2000, 150, 20, 24, 1 },
	[SCALE_PROVINCE] = { 156000, 5200, 1950000, 8320000, 26000, 1950, 28, 280, 13 },
};

struct enterprise {
	char code[19];  /* 统一社会信用代码 */
	char *name;     /* owned */
	int region;     /* index in regions[] */
	int ownership;  /* index in ownerships[] */
	int industry;   /* index in industries[] */
	int employees;  /* true head count, also when the register leaves it empty */
	int above_scale;
	int show_industry, show_employees; /* 0: the register leaves the cell empty */
	int active;     /* takes part in projects at all */
};

struct project {
	char id[24];            /* YYYY-REGION-NNN */
	char *name, *organizer; /* owned */
	int region, track;      /* indexes (track 0 is T1) */
	int level, status;      /* indexes in levels[], statuses[] */
	int enterprise;         /* organising enterprise for level enterprise, else -1 */
};

struct studio {
	char id[24];                 /* GZS-REGION-NNN, the same every year */
	char *name;                  /* owned */
	char leader[40];
	int region, founded, closed; /* closed: first year absent, or 0 */
	int level, upgraded;         /* upgraded: year level became city-demo, or 0 */
};

/* Everything generated, kept until the end of the run (main frees it). */
struct gen {
	enum scale scale;
	struct params p;
	uint64_t seed;
	const char *out; /* output folder */
	int y0, y1;      /* first and last year (at most 60 years) */

	struct enterprise *ent; /* the register, NENT of them */
	int nent;
	int **by_region;  /* indexes of active enterprises per region */
	int *n_by_region;
	int *active; /* indexes of all active enterprises (they take part) */
	int nactive;

	struct project *proj[64]; /* projects per year (index: year - y0) */
	int nproj[64];

	struct studio *studios; /* every studio of the period */
	int nstudios;

	iconv_t to_gb;    /* UTF-8 to GB18030 */
	long files, bytes; /* written so far */
};

static const char *const levels[] = { "city", "county", "enterprise" };
static const char *const statuses[] = { "申报", "推进", "评估", "总结" };
static const char *const studio_levels[] = { "city-demo", "city", "county", "enterprise" };

/* ---- Output files ---- */

enum encoding { ENC_UTF8, ENC_UTF8_BOM, ENC_GB18030 };

/* Writes CONTENT (UTF-8, LF) to OUT/RELPATH in encoding ENC with CRLF line
 * ends when CRLF is set; creates folders.  Exits with status 3 on failure. */
static void
emit(struct gen *g, const char *relpath, struct buf *content, enum encoding enc, int crlf)
{
	char *path = path_join(g->out, relpath), *slash;
	struct buf tmp = { 0 }, conv = { 0 };
	const char *data = content->data ? content->data : "";
	size_t len = content->len;
	FILE *fp;

	if (crlf) {
		size_t lines = 0;
		const char *p = data, *end = data + len, *nl;

		for (nl = memchr(p, '\n', len); nl != NULL; nl = memchr(nl + 1, '\n', (size_t)(end - nl - 1)))
			lines++;
		tmp.cap = len + lines + 1;
		tmp.data = xmalloc(tmp.cap);
		while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			memcpy(tmp.data + tmp.len, p, (size_t)(nl - p));
			tmp.len += (size_t)(nl - p);
			tmp.data[tmp.len++] = '\r';
			tmp.data[tmp.len++] = '\n';
			p = nl + 1;
		}
		memcpy(tmp.data + tmp.len, p, (size_t)(end - p));
		tmp.len += (size_t)(end - p);
		data = tmp.data;
		len = tmp.len;
	}
	if (enc == ENC_GB18030) {
		char *in = (char *)data, *outp;
		size_t inleft = len, outleft;

		iconv(g->to_gb, NULL, NULL, NULL, NULL);
		conv.cap = len * 2 + 16;
		conv.data = xmalloc(conv.cap);
		outp = conv.data;
		outleft = conv.cap;
		if (iconv(g->to_gb, &in, &inleft, &outp, &outleft) == (size_t)-1) {
			fprintf(stderr, "gen: %s: cannot convert to GB18030: %s\n", relpath, strerror(errno));
			exit(3);
		}
		conv.len = conv.cap - outleft;
		data = conv.data;
		len = conv.len;
	}
	slash = strrchr(path, '/');
	if (slash != NULL) {
		*slash = '\0';
		if (mkdir_p(path) != 0) {
			fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
			exit(3);
		}
		*slash = '/';
	}
	fp = fopen(path, "wb");
	if (fp == NULL) {
		fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
		exit(3);
	}
	if (enc == ENC_UTF8_BOM)
		fwrite("\xEF\xBB\xBF", 1, 3, fp);
	if (fwrite(data, 1, len, fp) != len || fclose(fp) != 0) {
		fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
		exit(3);
	}
	g->files++;
	g->bytes += (long)len + (enc == ENC_UTF8_BOM ? 3 : 0);
	buf_free(&tmp);
	free(conv.data);
	free(path);
	buf_reset(content);
}

/* Appends one CSV field, quoted when it holds a comma, quote or line end. */
static void
csv_field(struct buf *b, const char *s, int last)
{
	buf_csv_field(b, s);
	buf_putc(b, last ? '\n' : ',');
}

/* Appends the row FIELDS (N of them) in the column order ORDER. */
static void
csv_row(struct buf *b, const char *const *fields, const int *order, int n)
{
	for (int i = 0; i < n; i++)
		csv_field(b, fields[order[i]], i == n - 1);
}

/* Appends S escaped for an XML attribute. */
static void
xml_attr(struct buf *b, const char *name, const char *s)
{
	buf_printf(b, " %s=\"", name);
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		default: buf_putc(b, *s);
		}
	}
	buf_putc(b, '"');
}

static void
xml_attr_long(struct buf *b, const char *name, long v)
{
	buf_printf(b, " %s=\"%ld\"", name, v);
}

/* ---- Enterprises ---- */

static void
gen_enterprises(struct gen *g)
{
	struct rng r;
	struct strset names = { 0 };
	int *weights = xcalloc((size_t)nregions, sizeof *weights), iw[NELEM(industries)];
	uint32_t org = 0;

	rng_init(&r, g->seed, "enterprises");
	for (int i = 0; i < nregions; i++)
		weights[i] = regions[i].weight;
	for (int i = 0; i < NELEM(industries); i++)
		iw[i] = industries[i].weight;
	g->nent = g->p.enterprises;
	g->ent = xcalloc((size_t)g->nent, sizeof(*g->ent));
	/* Organisation numbers: a random start and an odd stride not divisible
	 * by 5 walk 10^8 without repeating, so every code is distinct. */
	org = (uint32_t)rng_below(&r, 100000000u);
	for (int i = 0; i < g->nent; i++) {
		struct enterprise *e = &g->ent[i];
		const struct region *rg;
		char name[240], brand[32];
		int tries = 0;

		/* Every region has enterprises from the first rows on. */
		e->region = i < nregions ? i : rng_weighted(&r, weights, nregions);
		rg = &regions[e->region];
		e->ownership = rng_weighted(&r, ownership_weights, NELEM(ownerships));
		if (e->region == region_city && rng_chance(&r, 500))
			e->ownership = 0; /* 市直: many state-owned units */
		e->industry = rng_weighted(&r, iw, NELEM(industries));
		org = (org + 7919u * 4099u) % 100000000u;
		credit_make(e->code, rg->old_div != NULL && rng_chance(&r, 300) ? rg->old_div : rg->div, org);
		/* Employees: many small firms, a few large ones. */
		switch (rng_weighted(&r, (const int[]){ 45, 30, 17, 6, 2 }, 5)) {
		case 0: e->employees = rng_range(&r, 8, 49); break;
		case 1: e->employees = rng_range(&r, 50, 199); break;
		case 2: e->employees = rng_range(&r, 200, 999); break;
		case 3: e->employees = rng_range(&r, 1000, 4999); break;
		default: e->employees = rng_range(&r, 5000, 20000); break;
		}
		e->above_scale = e->employees >= 200 ? rng_chance(&r, 900) : e->employees >= 50 ? rng_chance(&r, 450)
		    : rng_chance(&r, 60);
		e->show_industry = !rng_chance(&r, 25);
		e->show_employees = !rng_chance(&r, 40);
		e->active = !rng_chance(&r, 110);
		do {
			const char *word = industries[e->industry].word;
			const char *suffix = rng_chance(&r, 80) ? "股份有限公司" : "有限公司";

			int c1 = (int)rng_below(&r, NELEM(shop_chars)), c2 = (int)rng_below(&r, NELEM(shop_chars) - 1);

			snprintf(brand, sizeof(brand), "%s%s", shop_chars[c1], shop_chars[c2 + (c2 >= c1)]);
			if (e->ownership == 3 || e->ownership == 4) {
				snprintf(brand, sizeof(brand), "%s", PICK(&r, foreign_brands));
				snprintf(name, sizeof(name), "%s%s（%s）有限公司", brand, word, city_short);
			} else if (e->ownership == 0) {
				snprintf(name, sizeof(name), "%s%s%s集团有限公司", rg->prefix, brand, word);
			} else if (e->ownership == 1) { /* collective: a county works */
				snprintf(name, sizeof(name), "%s%s%s厂", strcmp(rg->kind, "county") != 0 ? rg->prefix
				    : rg->name, brand, word);
			} else if (rng_chance(&r, 70)) {
				snprintf(name, sizeof(name), "江苏%s%s%s", brand, word, suffix);
			} else {
				snprintf(name, sizeof(name), "%s%s%s%s", rg->prefix, brand, word, suffix);
			}
			if (++tries > 20) {
				size_t used = strlen(name);

				snprintf(name + used, sizeof(name) - used, "（%s分公司）", rg->name);
			}
		} while (!strset_add(&names, name) && tries < 25);
		e->name = xstrdup(name);
	}
	strset_free(&names);
	free(weights);
	g->active = xmalloc((size_t)g->nent * sizeof(int));
	g->by_region = xcalloc((size_t)nregions, sizeof *g->by_region);
	g->n_by_region = xcalloc((size_t)nregions, sizeof *g->n_by_region);
	for (int i = 0; i < nregions; i++)
		g->by_region[i] = xmalloc((size_t)g->nent * sizeof(int));
	for (int i = 0; i < g->nent; i++) {
		if (!g->ent[i].active)
			continue;
		g->active[g->nactive++] = i;
		g->by_region[g->ent[i].region][g->n_by_region[g->ent[i].region]++] = i;
	}
}

/* Enterprises CSV: one file per region, as each county keeps its register. */
static void
write_enterprises(struct gen *g)
{
	static const char *const cols[] = { "credit_code", "name", "region", "ownership", "above_scale",
		"industry", "employees" };
	static const int orders[3][7] = {
		{ 0, 1, 2, 3, 4, 5, 6 },
		{ 1, 0, 2, 5, 3, 4, 6 },
		{ 2, 0, 1, 6, 5, 4, 3 },
	};
	struct buf b = { 0 };

	for (int rg = 0; rg < nregions; rg++) {
		const int *order = orders[rg % 3];
		enum encoding enc = ENC_UTF8;
		int crlf = 0;
		char path[200];

		if (rg == 5 || rg == 6) { /* 如皋, 海安: Excel on Chinese Windows */
			enc = ENC_GB18030;
			crlf = 1;
		} else if (rg == 2) { /* 海门: Excel "CSV UTF-8" */
			enc = ENC_UTF8_BOM;
			crlf = 1;
		} else if (rg == region_city) {
			enc = ENC_UTF8_BOM;
		}
		csv_row(&b, cols, order, 7);
		for (int i = 0; i < g->nent; i++) {
			const struct enterprise *e = &g->ent[i];
			char employees[16];
			const char *f[7];

			if (e->region != rg)
				continue;
			snprintf(employees, sizeof(employees), "%d", e->employees);
			f[0] = e->code;
			f[1] = e->name;
			f[2] = regions[rg].code;
			f[3] = ownerships[e->ownership];
			f[4] = e->above_scale ? "是" : "否";
			f[5] = e->show_industry ? industries[e->industry].name : "";
			f[6] = e->show_employees ? employees : "";
			csv_row(&b, f, order, 7);
		}
		snprintf(path, sizeof(path), "企业名录/%s-%s.csv", regions[rg].code, regions[rg].name);
		emit(g, path, &b, enc, crlf);
	}
	buf_free(&b);
}

/* ---- Projects ---- */

/* The city departments that organise city-level projects, by track style
 * (the last row: a track of another name); the city's name comes first. */
static const char *const city_organizers[7][3] = {
	{ "住房和城乡建设局", "交通运输局", "发展和改革委员会" },
	{ "总工会", "科学技术局", "工业和信息化局" },
	{ "生态环境局", "发展和改革委员会", "总工会" },
	{ "人力资源和社会保障局", "总工会", "人力资源和社会保障局" },
	{ "应急管理局", "总工会", "卫生健康委员会" },
	{ "总工会", "国有资产监督管理委员会", "总工会" },
	{ "总工会", "人力资源和社会保障局", "总工会" },
};

/* Writes a project name for TRACK into OUT. */
static void
project_name(struct rng *r, char *out, size_t size, int track, int region, const char *who, int year,
    int industry)
{
	char trade[64];

	if (industry >= 0)
		industry_trade(r, industry, trade, sizeof(trade));
	else
		snprintf(trade, sizeof(trade), "%s", PICK(r, trades));
	const char *word = industries[rng_below(r, NELEM(industries))].word;
	char green[160];

	snprintf(green, sizeof(green), "“工会在身边·美丽%s我先行”节能减排竞赛", city_short);
	switch (tracks[track].style) {
	case 0: {
		static const char *const tail[] = { "建设劳动竞赛", "立功竞赛", "“建功十四五”劳动竞赛",
			"建设“五比五赛”劳动竞赛", "建设“当好主力军”劳动竞赛" };
		snprintf(out, size, "%s%s", regions[region].works[rng_below(r, 5)], PICK(r, tail));
		break;
	}
	case 1: {
		static const char *const tail[] = { "职工技术创新竞赛", "“五小”创新竞赛", "合理化建议竞赛",
			"职工创新成果评比", "技术攻关竞赛" };
		if (industry >= 0)
			snprintf(out, size, "%d年%s%s", year, who, PICK(r, tail));
		else
			snprintf(out, size, "%d年%s%s行业%s", year, who, word, PICK(r, tail));
		break;
	}
	case 2: {
		const char *const tail[] = { "节能降碳竞赛", "“节能降碳随手拍”竞赛", "降耗增效竞赛",
			green, "绿色低碳发展竞赛" };
		snprintf(out, size, "%d年%s%s", year, who, PICK(r, tail));
		break;
	}
	case 3: {
		static const char *const head[] = { "职工职业技能竞赛", "岗位练兵技术比武", "青年职工技能比武" };
		snprintf(out, size, "%d年%s%s（%s）", year, who, PICK(r, head), trade);
		break;
	}
	case 4: {
		static const char *const tail[] = { "“安康杯”竞赛", "“安康杯”安全知识竞赛", "职业健康知识普及竞赛",
			"安全生产“安康杯”竞赛" };
		snprintf(out, size, "%d年%s%s", year, who, PICK(r, tail));
		break;
	}
	case 5: {
		static const char *const tail[] = { "班组创先争优竞赛", "“六型班组”创建竞赛", "QC小组活动竞赛",
			"工人先锋号创建竞赛" };
		snprintf(out, size, "%d年%s%s", year, who, PICK(r, tail));
		break;
	}
	default: /* a track the sample does not have: named after it */
		snprintf(out, size, "%d年%s%s", year, who, tracks[track].name);
		break;
	}
}

/* Is E a construction firm (one that builds the big works of the first track)? */
static int
is_builder(const struct enterprise *e)
{
	return strstr(industries[e->industry].name, "建筑") != NULL;
}

/* Does REGION send a return for YEAR?  TZW sends none for the first year. */
static int
return_missing(const struct gen *g, int region, int year)
{
	return region == region_no_first && year == g->y0;
}

static void
gen_projects(struct gen *g)
{
	int *track_w = xcalloc((size_t)ntracks, sizeof *track_w);
	struct rng r;

	for (int t = 0; t < ntracks; t++)
		track_w[t] = tracks[t].weight;
	rng_init(&r, g->seed, "projects");
	for (int y = g->y0; y <= g->y1; y++) {
		int yi = y - g->y0, cap = g->p.projects * 2 + (6 + ntracks) * nregions;
		struct strset names = { 0 };

		g->proj[yi] = xcalloc((size_t)cap, sizeof(struct project));
		for (int rg = 0; rg < nregions; rg++) {
			/* Every region runs every track (at least one project each). */
			int n = (int)jitter(&r, (long)g->p.projects * regions[rg].weight / 1000, 150);

			if (n < ntracks)
				n = ntracks;
			if (return_missing(g, rg, y))
				continue;
			for (int k = 0; k < n; k++) {
				struct project *p = &g->proj[yi][g->nproj[yi]++];
				char name[300], who[200];
				int tries = 0;

				snprintf(p->id, sizeof(p->id), "%d-%s-%03d", y, regions[rg].code, k + 1);
				p->region = rg;
				p->track = k < ntracks ? (k + rg + y) % ntracks : rng_weighted(&r, track_w, ntracks);
				p->level = rng_weighted(&r, rg == region_city ? (const int[]){ 60, 0, 40 }
				    : (const int[]){ 10, 45, 45 }, 3);
				p->enterprise = -1;
				if (p->level == 2 && g->n_by_region[rg] > 0) {
					/* A big works project (T1) run by a firm is run by a
					 * builder; without one it is the county's. */
					for (int tries = 0; tries < 60; tries++) {
						int e = g->by_region[rg][rng_below(&r, (uint32_t)g->n_by_region[rg])];

						if (tracks[p->track].style != 0 || is_builder(&g->ent[e])) {
							p->enterprise = e;
							break;
						}
					}
					if (p->enterprise >= 0)
						p->organizer = xstrdup(g->ent[p->enterprise].name);
					else
						p->level = rg == region_city ? 0 : 1;
				}
				if (p->organizer != NULL) {
					/* organised by an enterprise */
				} else if (p->level == 0 || p->level == 2) {
					int style = tracks[p->track].style;

					p->level = 0;
					p->organizer = xasprintf("%s%s", city,
					    city_organizers[style >= 0 ? style : 6][rng_below(&r, 3)]);
				} else {
					char org[100];

					snprintf(org, sizeof(org), "%s总工会", regions[rg].name);
					p->organizer = xstrdup(org);
				}
				/* Earlier years are closed (总结); the last is under way. */
				if (y < g->y1 - 1)
					p->status = rng_chance(&r, 930) ? 3 : 2;
				else if (y < g->y1)
					p->status = rng_weighted(&r, (const int[]){ 0, 5, 25, 70 }, 4);
				else
					p->status = rng_weighted(&r, (const int[]){ 12, 58, 22, 8 }, 4);
				do {
					const char *whoname = p->level == 0 ? (rng_chance(&r, 500) ? city : "全市")
					    : p->level == 1 ? regions[rg].name : g->ent[p->enterprise].name;

					snprintf(who, sizeof(who), "%s", whoname);
					project_name(&r, name, sizeof(name), p->track, rg, who, y,
					    p->enterprise >= 0 ? g->ent[p->enterprise].industry : -1);
					if (++tries > 8) {
						size_t used = strlen(name);

						snprintf(name + used, sizeof(name) - used, "（第%d期）", tries - 7);
					}
				} while (!strset_add(&names, name));
				p->name = xstrdup(name);
			}
		}
		strset_free(&names);
	}
	free(track_w);
}

/* ---- Studios (persistent ids across years) ---- */

static void
gen_studios(struct gen *g)
{
	static const char *const kinds[] = { "劳模创新工作室", "劳模创新工作室", "劳模创新工作室",
		"技能大师工作室", "职工创新工作室", "工匠创新工作室" };
	struct rng r;
	int *per_region = xcalloc((size_t)nregions, sizeof *per_region);
	int *weights = xcalloc((size_t)nregions, sizeof *weights);

	rng_init(&r, g->seed, "studios");
	/* About 410 in the latest year city-wide, ~100 of them city-demo. */
	g->nstudios = 440 * g->p.mult;
	g->studios = xcalloc((size_t)g->nstudios, sizeof(*g->studios));
	for (int i = 0; i < g->nstudios; i++) {
		struct studio *s = &g->studios[i];
		struct person leader;
		char name[200];

		for (int k = 0; k < nregions; k++)
			weights[k] = regions[k].weight;
		s->region = i < nregions ? i : rng_weighted(&r, weights, nregions);
		snprintf(s->id, sizeof(s->id), "GZS-%s-%03d", regions[s->region].code, ++per_region[s->region]);
		person_draw(&r, &leader);
		snprintf(s->leader, sizeof(s->leader), "%s", leader.name);
		snprintf(name, sizeof(name), "%s%s", leader.name, PICK(&r, kinds));
		s->name = xstrdup(name);
		/* Founded from 2008 on; a third during the period. */
		s->founded = rng_chance(&r, 640) ? rng_range(&r, 2008, g->y0 - 1) : rng_range(&r, g->y0, g->y1);
		s->level = rng_weighted(&r, (const int[]){ 22, 30, 31, 17 }, 4);
		if (s->level == 1 && rng_chance(&r, 150))
			s->upgraded = rng_range(&r, g->y0 + 1, g->y1 > g->y0 ? g->y1 : g->y0 + 1);
		if (rng_chance(&r, 30))
			s->closed = rng_range(&r, g->y0 + 1, g->y1 + 1);
	}
	free(per_region);
	free(weights);
}

/* ---- Annual returns ---- */

/* City-wide figure for YEAR: BASE in the first year, growing by GROWTH ‰ a year. */
static long
trend(long base, int growth_permille, int yi)
{
	long v = base;

	for (int i = 0; i < yi; i++)
		v = v * (1000 + growth_permille) / 1000;
	return v;
}

struct figures {
	long tech, methods, prop_sub, prop_adopt, five_small;
	long supervisors, key_workers, key_participants;
	long above, ankang, deaths, injuries, incidents;
	long pioneer, sixtype, qc;
};

static void
gen_figures(struct gen *g, struct rng *r, int rg, int yi, struct figures *f)
{
	long m = g->p.mult, w = regions[rg].weight;
	int years = g->y1 - g->y0 + 1;
	long rate;

	/* Tech innovations ≈ 3 950 a year: 98 % of the 20 000 target over five years. */
	f->tech = jitter(r, trend(3650 * m, 40, yi) * w / 1000, 120);
	f->methods = jitter(r, trend(980 * m, 35, yi) * w / 1000, 120);
	f->prop_adopt = jitter(r, trend(38000 * m, 50, yi) * w / 1000, 100);
	f->prop_sub = jitter(r, f->prop_adopt * rng_range(r, 150, 175) / 100, 20);
	f->five_small = jitter(r, trend(5600 * m, 45, yi) * w / 1000, 150);
	/* Supervisors: a stock growing to ≈ 10 200 in the last year. */
	f->supervisors = jitter(r, trend(7300 * m, 85, yi) * w / 1000, 60);
	f->key_workers = jitter(r, trend(330000L * m, 15, yi) * w / 1000, 80);
	/* Participation rate of key enterprises rises to 100 %. */
	rate = years > 1 ? 820 + 180 * yi / (years - 1) : 1000;
	if (yi == years - 1 && rng_chance(r, 250))
		rate = 985;
	else if (rate < 1000)
		rate = rate + rng_range(r, -20, 20) > 1000 ? 1000 : rate + rng_range(r, -20, 20);
	f->key_participants = f->key_workers * rate / 1000;
	f->above = jitter(r, trend(5600 * m, 25, yi) * w / 1000, 30);
	/* 安康杯 coverage of above-scale enterprises rises from ≈ 78 % to ≈ 94 %. */
	f->ankang = f->above * (775 + 42 * yi + rng_range(r, 0, 15)) / 1000;
	if (f->ankang > f->above)
		f->ankang = f->above;
	/* Deaths, serious injuries and occupational incidents mostly fall. */
	f->deaths = jitter(r, trend(34 * m, -110, yi) * w / 1000 * 10, 300);
	f->deaths = (f->deaths + 5) / 10;
	f->injuries = jitter(r, trend(52 * m, -90, yi) * w / 1000 * 10, 250);
	f->injuries = (f->injuries + 5) / 10;
	f->incidents = jitter(r, trend(14 * m, -120, yi) * w / 1000 * 10, 400);
	f->incidents = (f->incidents + 5) / 10;
	f->pioneer = jitter(r, trend(260 * m, 30, yi) * w / 1000, 150);
	f->sixtype = jitter(r, trend(2400 * m, 40, yi) * w / 1000, 100);
	f->qc = jitter(r, trend(3600 * m, 35, yi) * w / 1000, 100);
}

static void
write_return(struct gen *g, int rg, int y, const struct figures *f, const char *region_attr,
    const char *submitted, int revised, const char *relpath)
{
	struct buf b = { 0 };
	int yi = y - g->y0, has_studios = 0;

	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<annual-return xmlns=\"urn:jingsai:annual-return:1\"");
	xml_attr(&b, "region", region_attr);
	xml_attr_long(&b, "year", y);
	xml_attr(&b, "submitted", submitted);
	buf_puts(&b, ">\n  <projects>\n");
	for (int k = 0; k < g->nproj[yi]; k++) {
		const struct project *p = &g->proj[yi][k];
		int status = p->status;

		if (p->region != rg)
			continue;
		/* The corrected return moves its first project still under way on
		 * by one stage (REVISED then counts as used). */
		if (revised == 1 && status < 3) {
			status++;
			revised = 2;
		}
		buf_puts(&b, "    <project");
		xml_attr(&b, "id", p->id);
		xml_attr(&b, "track", tracks[p->track].code);
		xml_attr(&b, "level", levels[p->level]);
		xml_attr(&b, "status", statuses[status]);
		xml_attr(&b, "name", p->name);
		xml_attr(&b, "organizer", p->organizer);
		buf_puts(&b, "/>\n");
	}
	buf_puts(&b, "  </projects>\n  <innovation");
	xml_attr_long(&b, "tech-innovations", f->tech);
	xml_attr_long(&b, "operating-methods", f->methods);
	xml_attr_long(&b, "proposals-submitted", f->prop_sub);
	xml_attr_long(&b, "proposals-adopted", f->prop_adopt);
	xml_attr_long(&b, "five-small", f->five_small);
	buf_puts(&b, "/>\n");
	for (int i = 0; i < g->nstudios; i++) {
		const struct studio *s = &g->studios[i];
		int level = s->level;

		if (s->region != rg || s->founded > y || (s->closed && s->closed <= y))
			continue;
		if (s->upgraded && s->upgraded <= y)
			level = 0;
		if (!has_studios++)
			buf_puts(&b, "  <studios>\n");
		buf_puts(&b, "    <studio");
		xml_attr(&b, "id", s->id);
		xml_attr(&b, "name", s->name);
		xml_attr(&b, "leader", s->leader);
		xml_attr(&b, "level", studio_levels[level]);
		xml_attr_long(&b, "founded", s->founded);
		buf_puts(&b, "/>\n");
	}
	if (has_studios)
		buf_puts(&b, "  </studios>\n");
	buf_puts(&b, "  <green");
	xml_attr_long(&b, "supervisors", f->supervisors);
	xml_attr_long(&b, "key-enterprise-workers", f->key_workers);
	xml_attr_long(&b, "key-enterprise-participants", f->key_participants);
	buf_puts(&b, "/>\n  <safety");
	xml_attr_long(&b, "above-scale-enterprises", f->above);
	xml_attr_long(&b, "ankang-enterprises", f->ankang);
	xml_attr_long(&b, "deaths", f->deaths);
	xml_attr_long(&b, "serious-injuries", f->injuries);
	xml_attr_long(&b, "occupational-incidents", f->incidents);
	buf_puts(&b, "/>\n  <teams");
	xml_attr_long(&b, "pioneer-teams", f->pioneer);
	xml_attr_long(&b, "six-type-teams", f->sixtype);
	xml_attr_long(&b, "qc-groups", f->qc);
	buf_puts(&b, "/>\n</annual-return>\n");
	emit(g, relpath, &b, ENC_UTF8, 0);
	buf_free(&b);
}

static void
write_returns(struct gen *g)
{
	struct rng r;

	rng_init(&r, g->seed, "returns");
	for (int y = g->y0; y <= g->y1; y++) {
		int yi = y - g->y0;

		for (int rg = 0; rg < nregions; rg++) {
			struct figures f;
			char path[300], submitted[40];
			const char *region_attr = regions[rg].code;
			int revise = rg == region_resubmits && yi == 3;

			gen_figures(g, &r, rg, yi, &f);
			if (return_missing(g, rg, y))
				continue;
			snprintf(submitted, sizeof(submitted), "%d-%02d-%02dT%02d:%02d:00+08:00", y + 1,
			    rng_range(&r, 1, 2), rng_range(&r, 5, 28), rng_range(&r, 8, 17), rng_range(&r, 0, 59));
			/* File names vary as people name them; content decides. */
			switch ((rg + yi) % 3) {
			case 0: snprintf(path, sizeof(path), "%d/%s/annual-return.xml", y, regions[rg].code); break;
			case 1: snprintf(path, sizeof(path), "%d/%s/%s%d年度报表.xml", y, regions[rg].code,
			    regions[rg].name, y); break;
			default: snprintf(path, sizeof(path), "%d/%s/nb%d_%s.xml", y, regions[rg].code, y,
			    regions[rg].code); break;
			}
			if (rg == region_renamed && yi == 0)
				region_attr = renamed_as; /* the former name, still in use */
			write_return(g, rg, y, &f, region_attr, submitted, 0, path);
			if (revise) {
				/* A corrected return a month later: figures changed. */
				f.tech += 37;
				f.methods -= 4;
				f.deaths += 1;
				f.ankang = f.ankang + 12 > f.above ? f.above : f.ankang + 12;
				f.supervisors += 20;
				snprintf(submitted, sizeof(submitted), "%d-03-%02dT10:%02d:00+08:00", y + 1,
				    rng_range(&r, 2, 20), rng_range(&r, 0, 59));
				snprintf(path, sizeof(path), "%d/%s/%s%d年度报表（更正）.xml", y, regions[rg].code,
				    regions[rg].name, y);
				write_return(g, rg, y, &f, region_attr, submitted, 1, path);
			}
		}
	}
}

/* ---- Participation ---- */

struct prow {
	int project, enterprise;
	long participants;
};

/* Encoding of the I-th file of a yearly series. */
static enum encoding
series_encoding(int i, int *crlf)
{
	static const enum encoding enc[5] = { ENC_UTF8, ENC_GB18030, ENC_UTF8_BOM, ENC_UTF8, ENC_GB18030 };

	*crlf = enc[i % 5] == ENC_GB18030 || i % 5 == 2;
	return enc[i % 5];
}

/* How many enterprises project P can draw: its region's (enterprise level: a
 * handful), plus others for county and city projects. */
static long
project_capacity(const struct gen *g, const struct project *p)
{
	long local = g->n_by_region[p->region];

	if (p->level == 2)
		return local < 25 ? local : 25;
	if (p->level == 1)
		return local + local / 5;
	return g->nactive;
}

static void
write_participation(struct gen *g)
{
	static const char *const cols[] = { "year", "project_id", "credit_code", "participants" };
	static const int order_a[4] = { 0, 1, 2, 3 }, order_b[4] = { 2, 0, 1, 3 };
	struct rng r;
	struct buf b = { 0 };
	int **perm_region = xcalloc((size_t)nregions, sizeof *perm_region), *perm_all;

	rng_init(&r, g->seed, "participation");
	/* Persistent permutations: a partial Fisher–Yates shuffle from the front
	 * of any permutation draws a uniform subset without repeats. */
	for (int rg = 0; rg < nregions; rg++) {
		perm_region[rg] = xmalloc((size_t)(g->n_by_region[rg] + 1) * sizeof(int));
		memcpy(perm_region[rg], g->by_region[rg], (size_t)g->n_by_region[rg] * sizeof(int));
	}
	perm_all = xmalloc((size_t)g->nactive * sizeof(int));
	memcpy(perm_all, g->active, (size_t)g->nactive * sizeof(int));

	for (int y = g->y0; y <= g->y1; y++) {
		int yi = y - g->y0, np = g->nproj[yi], years = g->y1 - g->y0 + 1;
		long want = (long)g->p.participation * (900 + (years > 1 ? 200 * yi / (years - 1) : 100)) / 1000;
		long nrows = 0, empsum = 0, target, *kp;
		long *weight = xmalloc((size_t)(np + 1) * sizeof(long));
		struct prow *rows = xmalloc((size_t)(want + 2 * np + 16) * sizeof(struct prow) * 2);
		int crlf;
		enum encoding enc = series_encoding(yi, &crlf);

		/* Enterprises per project: city-level projects draw many (from every
		 * region), county ones fewer, enterprise ones a handful.  Shares
		 * follow the weights, filled up to each project's capacity. */
		kp = xcalloc((size_t)(np + 1), sizeof(long));
		for (int k = 0; k < np; k++) {
			static const int lw[3] = { 30, 8, 1 };

			weight[k] = lw[g->proj[yi][k].level] * (long)rng_range(&r, 50, 150);
		}
		for (int pass = 0; pass < 12; pass++) {
			long left = want, wsum = 0;

			for (int k = 0; k < np; k++)
				left -= kp[k];
			for (int k = 0; k < np; k++)
				if (kp[k] < project_capacity(g, &g->proj[yi][k]))
					wsum += weight[k];
			if (left <= np / 4 || wsum == 0)
				break;
			for (int k = 0; k < np; k++) {
				long cap = project_capacity(g, &g->proj[yi][k]);

				if (kp[k] >= cap)
					continue;
				kp[k] += (left * weight[k] + wsum - 1) / wsum;
				if (kp[k] > cap)
					kp[k] = cap;
			}
		}
		for (int k = 0; k < np; k++) {
			const struct project *p = &g->proj[yi][k];
			int rg = p->region, n_local = g->n_by_region[rg];
			long local, cross = 0, got = 0;
			int *perm = perm_region[rg];

			if (kp[k] < 1)
				kp[k] = 1;
			if (p->level != 2)
				cross = kp[k] / (p->level == 0 ? 3 : 10); /* enterprises of other regions */
			local = kp[k] - cross;
			if (p->level == 0 && local > n_local * 4 / 5) {
				cross += local - n_local * 4 / 5;
				local = n_local * 4 / 5;
			} else if (local > n_local) {
				cross += local - n_local;
				local = n_local;
			}
			if (p->enterprise >= 0) {
				rows[nrows++] = (struct prow){ k, p->enterprise, 0 };
				local--;
			}
			for (long i = 0; i < local; i++) {
				int j = (int)i + (int)rng_below(&r, (uint32_t)(n_local - i)), t = perm[i];

				perm[i] = perm[j];
				perm[j] = t;
				if (perm[i] == p->enterprise)
					continue;
				rows[nrows++] = (struct prow){ k, perm[i], 0 };
			}
			for (long i = 0; got < cross && i < g->nactive; i++) {
				int j = (int)i + (int)rng_below(&r, (uint32_t)(g->nactive - i)), t = perm_all[i];

				perm_all[i] = perm_all[j];
				perm_all[j] = t;
				if (g->ent[perm_all[i]].region == rg)
					continue;
				rows[nrows++] = (struct prow){ k, perm_all[i], 0 };
				got++;
			}
		}
		/* Participants follow the size of the enterprise and add up to the
		 * year's total of 人次 (rising through the period). */
		target = g->p.participants * (880 + (years > 1 ? 240 * yi / (years - 1) : 120)) / 1000;
		for (long i = 0; i < nrows; i++)
			empsum += g->ent[rows[i].enterprise].employees;
		for (long i = 0; i < nrows; i++) {
			long emp = g->ent[rows[i].enterprise].employees;
			long v = (long)((__int128)emp * target * rng_range(&r, 400, 1600) / ((__int128)empsum * 1000));

			if (v > emp)
				v = emp;
			rows[i].participants = v < 1 ? 1 : v;
		}
		/* One file a year; at province scale one a year per region (of the
		 * enterprise). */
		for (int part = 0; part < (g->scale == SCALE_PROVINCE ? nregions : 1); part++) {
			const int *order = yi % 2 ? order_b : order_a;
			char path[200];

			csv_row(&b, cols, order, 4);
			for (long i = 0; i < nrows; i++) {
				char year[8], participants[24];
				const char *f[4];

				if (g->scale == SCALE_PROVINCE && g->ent[rows[i].enterprise].region != part)
					continue;
				snprintf(year, sizeof(year), "%d", y);
				snprintf(participants, sizeof(participants), "%ld", rows[i].participants);
				f[0] = year;
				f[1] = g->proj[yi][rows[i].project].id;
				f[2] = g->ent[rows[i].enterprise].code;
				f[3] = participants;
				csv_row(&b, f, order, 4);
			}
			if (g->scale == SCALE_PROVINCE)
				snprintf(path, sizeof(path), "%d/%s/participation-%d-%s.csv", y, regions[part].code, y,
				    regions[part].code);
			else
				snprintf(path, sizeof(path), "%d/竞赛参与-%d.csv", y, y);
			emit(g, path, &b, enc, crlf);
		}
		free(weight);
		free(kp);
		free(rows);
	}
	for (int rg = 0; rg < nregions; rg++)
		free(perm_region[rg]);
	free(perm_region);
	free(perm_all);
	buf_free(&b);
}

/* ---- The programme ---- */

/* Chooses the regions the quirks fall on: those the sample city marks, else
 * alike ones of the programme (the last park, the first former name). */
static void
choose_quirks(void)
{
	region_resubmits = nregions > 3 ? 3 : 0;
	for (int i = 0; i < nregions; i++) {
		if (region_city < 0 && strcmp(regions[i].kind, "city") == 0)
			region_city = i;
		if (region_no_first < 0 && regions[i].no_first_return)
			region_no_first = i;
		if (region_renamed < 0 && regions[i].first_name != NULL) {
			region_renamed = i;
			renamed_as = regions[i].first_name;
		}
	}
	for (int i = 0; region_no_first < 0 && i < nregions; i++)
		if (strcmp(regions[nregions - 1 - i].kind, "park") == 0)
			region_no_first = nregions - 1 - i;
	snprintf(city_short, sizeof(city_short), "%s", city);
	if (strlen(city_short) > 3 && strcmp(city_short + strlen(city_short) - 3, "市") == 0)
		city_short[strlen(city_short) - 3] = '\0';
}

static int
all_digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Takes the regions, tracks and awards of the programme at PATH (and its
 * period, unless YEARS_GIVEN).  What the programme does not say is the
 * sample city's for its regions, tracks and awards, and made up for others.
 * Exits with status 3 when the file is not a good programme. */
static void
programme_take(const char *path, struct gen *g, int years_given)
{
	struct programme *p = programme_load(path);
	struct region *rg;
	struct track *tk;
	struct award *aw;
	char city_div[8] = "320000";

	if (p == NULL)
		exit(3);
	city = xstrdup(p->city);
	snprintf(city_short, sizeof(city_short), "%s", city);
	if (strlen(city_short) > 3 && strcmp(city_short + strlen(city_short) - 3, "市") == 0)
		city_short[strlen(city_short) - 3] = '\0'; /* for prefixes, before choose_quirks */
	for (size_t i = 0; i < p->nregions; i++)
		if (all_digits(p->regions[i].code, 6)) {
			snprintf(city_div, sizeof(city_div), "%.4s00", p->regions[i].code);
			break;
		}
	rg = xcalloc(p->nregions, sizeof *rg);
	for (size_t i = 0; i < p->nregions; i++) {
		const struct prog_region *pr = &p->regions[i];
		struct region *r = &rg[i];
		size_t k;

		for (k = 0; k < NELEM(sample_regions); k++)
			if (strcmp(sample_regions[k].code, pr->code) == 0 && strcmp(sample_regions[k].name, pr->name) == 0)
				break;
		if (k < NELEM(sample_regions)) {
			*r = sample_regions[k];
			continue;
		}
		r->code = xstrdup(pr->code);
		r->name = xstrdup(pr->name);
		r->kind = xstrdup(pr->kind);
		/* 广陵区 → 广陵; parks and the city's units → the city */
		if (strcmp(pr->kind, "county") == 0 && strlen(pr->name) >= 9)
			r->prefix = xstrndup(pr->name, strlen(pr->name) - 3);
		else
			r->prefix = xstrdup(city_short);
		r->div = all_digits(pr->code, 6) ? xstrdup(pr->code) : xstrdup(city_div);
		for (size_t a = 0; a < p->naliases; a++) {
			if (p->aliases[a].region != i)
				continue;
			if (r->old_div == NULL && all_digits(p->aliases[a].alias, 6))
				r->old_div = xstrdup(p->aliases[a].alias);
			else if (r->first_name == NULL && !all_digits(p->aliases[a].alias, strlen(p->aliases[a].alias)))
				r->first_name = xstrdup(p->aliases[a].alias);
		}
		r->weight = strcmp(pr->kind, "county") == 0 ? 100 : strcmp(pr->kind, "park") == 0 ? 45 : 65;
		r->works[0] = xasprintf("%s重点工程", pr->short_name);
		r->works[1] = xasprintf("%s城市更新工程", pr->short_name);
		r->works[2] = xasprintf("%s高新技术产业园", pr->short_name);
		r->works[3] = xasprintf("%s综合交通枢纽", pr->short_name);
		r->works[4] = xasprintf("%s生态环境治理工程", pr->short_name);
	}
	regions = rg;
	nregions = (int)p->nregions;

	tk = xcalloc(p->ntracks, sizeof *tk);
	for (size_t i = 0; i < p->ntracks; i++) {
		tk[i].code = xstrdup(p->tracks[i].code);
		tk[i].name = xstrdup(p->tracks[i].name);
		tk[i].style = -1;
		tk[i].weight = 15;
		for (size_t k = 0; k < NELEM(sample_tracks); k++)
			if (strcmp(sample_tracks[k].name, p->tracks[i].name) == 0) {
				tk[i].style = sample_tracks[k].style;
				tk[i].weight = sample_tracks[k].weight;
			}
	}
	tracks = tk;
	ntracks = (int)p->ntracks;

	aw = xcalloc(p->nawards, sizeof *aw);
	for (size_t i = 0; i < p->nawards; i++) {
		const struct prog_award *pa = &p->awards[i];

		aw[i].code = xstrdup(pa->code);
		aw[i].kind = strcmp(pa->recipient_kind, "unit") == 0 ? 1 : strcmp(pa->recipient_kind, "team") == 0 ? 2 : 0;
		aw[i].women_only = pa->women_only;
		aw[i].weight = 10;
		for (size_t k = 0; k < NELEM(sample_awards); k++)
			if (strcmp(sample_awards[k].code, pa->code) == 0)
				aw[i].weight = sample_awards[k].weight;
		/* the rules name persons: an award for others cannot take them */
		if ((pa->rules & PROG_RULE_TOP_TEN) && aw[i].kind == 0)
			award_top_ten = aw[i].code;
		if ((pa->rules & PROG_RULE_SKILLS) && aw[i].kind == 0 && !pa->women_only)
			award_skills = aw[i].code;
	}
	for (size_t i = 0; i < p->nawards && award_other == NULL; i++)
		if (aw[i].kind == 0 && !aw[i].women_only && p->awards[i].rules == 0)
			award_other = aw[i].code;
	awards = aw;
	nawards = (int)p->nawards;
	if (!years_given) {
		g->y0 = p->first_year;
		g->y1 = p->last_year;
	}
	programme_free(p);
}

/* ---- Main ---- */

static void
usage(FILE *fp)
{
	fputs("usage: gen --scale sample|city|province --seed N --out DIR [--years FIRST-LAST]\n"
	      "           [--programme FILE]\n"
	      "\n"
	      "Writes deterministic synthetic submissions (annual returns, enterprises,\n"
	      "participation, achievements and scores of one biennial round, skills results,\n"
	      "awards) below DIR.  Same seed and scale give byte-identical files.\n"
	      "\n"
	      "  --programme FILE  for the regions, tracks, awards and period of this\n"
	      "                    programme.xml (default: the sample city of input/)\n"
	      "  --scale sample    about 1 500 enterprises, 60 projects and 8 000 participation\n"
	      "                    rows a year: small enough to commit (input/)\n"
	      "  --scale city      about 12 000 enterprises, 400 projects, 150 000 participation\n"
	      "                    rows and 2 000 awards a year\n"
	      "  --scale province  13 times the city (the same regions, 13 times the volume)\n"
	      "  --seed N          seed of the pseudo-random numbers (default 1)\n"
	      "  --out DIR         where to write (created; existing files are overwritten)\n"
	      "  --years A-B       years of the period (default: the programme's, 2021-2025)\n", fp);
}

static void gen_biennial(struct gen *g);
static void gen_skills_awards(struct gen *g);

int
main(int argc, char **argv)
{
	struct gen g = { 0 };
	const char *scale = NULL, *programme = NULL;
	int years_given = 0;

	g.seed = 1;
	g.y0 = 2021;
	g.y1 = 2025;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--scale") == 0 && v != NULL) {
			scale = v;
			i++;
		} else if (strcmp(a, "--seed") == 0 && v != NULL) {
			char *end;

			errno = 0;
			g.seed = strtoull(v, &end, 10);
			if (errno || *end || end == v) {
				fprintf(stderr, "gen: bad seed '%s'\n", v);
				return 2;
			}
			i++;
		} else if (strcmp(a, "--out") == 0 && v != NULL) {
			g.out = v;
			i++;
		} else if (strcmp(a, "--years") == 0 && v != NULL) {
			if (sscanf(v, "%d-%d", &g.y0, &g.y1) != 2 || g.y0 < 2000 || g.y1 < g.y0 || g.y1 > 2099
			    || g.y1 - g.y0 >= 60) {
				fprintf(stderr, "gen: bad years '%s' (want e.g. 2021-2025)\n", v);
				return 2;
			}
			years_given = 1;
			i++;
		} else if (strcmp(a, "--programme") == 0 && v != NULL) {
			programme = v;
			i++;
		} else {
			fprintf(stderr, "gen: unknown or incomplete option '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (scale == NULL || g.out == NULL) {
		usage(stderr);
		return 2;
	}
	if (strcmp(scale, "sample") == 0)
		g.scale = SCALE_SAMPLE;
	else if (strcmp(scale, "city") == 0)
		g.scale = SCALE_CITY;
	else if (strcmp(scale, "province") == 0)
		g.scale = SCALE_PROVINCE;
	else {
		fprintf(stderr, "gen: unknown scale '%s' (sample, city or province)\n", scale);
		return 2;
	}
	g.p = scale_params[g.scale];
	if (programme != NULL)
		programme_take(programme, &g, years_given);
	else {
		city = sample_city;
		regions = sample_regions;
		nregions = NELEM(sample_regions);
		tracks = sample_tracks;
		ntracks = NELEM(sample_tracks);
		awards = sample_awards;
		nawards = NELEM(sample_awards);
		award_top_ten = award_skills = "MEDAL";
		award_other = "TECH";
	}
	if (g.y1 - g.y0 >= 60 || g.y0 < 2000 || g.y1 > 2099) {
		fprintf(stderr, "gen: the period %d-%d is too long for the generator (60 years at most)\n", g.y0, g.y1);
		return 2;
	}
	choose_quirks();
	g.to_gb = iconv_open("GB18030", "UTF-8");
	if (g.to_gb == (iconv_t)-1) {
		fprintf(stderr, "gen: iconv cannot convert to GB18030\n");
		return 3;
	}
	gen_enterprises(&g);
	gen_projects(&g);
	gen_studios(&g);
	write_enterprises(&g);
	write_returns(&g);
	write_participation(&g);
	gen_biennial(&g);
	gen_skills_awards(&g);
	iconv_close(g.to_gb);
	printf("gen: %s scale, seed %llu, %d-%d: %ld files, %ld bytes in %s\n", scale,
	    (unsigned long long)g.seed, g.y0, g.y1, g.files, g.bytes, g.out);

	for (int i = 0; i < g.nent; i++) {
		free(g.ent[i].name);
	}
	free(g.ent);
	for (int rg = 0; rg < nregions; rg++)
		free(g.by_region[rg]);
	free(g.by_region);
	free(g.n_by_region);
	free(g.active);
	for (int yi = 0; yi <= g.y1 - g.y0; yi++) {
		for (int k = 0; k < g.nproj[yi]; k++) {
			free(g.proj[yi][k].name);
			free(g.proj[yi][k].organizer);
		}
		free(g.proj[yi]);
	}
	for (int i = 0; i < g.nstudios; i++)
		free(g.studios[i].name);
	free(g.studios);
	return 0;
}

/* ---- People with their units, shared by achievements, skills and awards ---- */

/* A person of an enterprise; WANT_FEMALE: -1 any, 0 man, 1 woman. */
static void
worker_draw(struct gen *g, struct rng *r, struct person *p, int *enterprise, int region, int want_female)
{
	do
		person_draw(r, p);
	while (want_female >= 0 && p->female != want_female);
	if (region >= 0 && g->n_by_region[region] > 0)
		*enterprise = g->by_region[region][rng_below(r, (uint32_t)g->n_by_region[region])];
	else
		*enterprise = g->active[rng_below(r, (uint32_t)g->nactive)];
}

/* Gives P the surname 𠮷 (U+20BB7, outside the BMP): only for UTF-8 files. */
static void
person_nonbmp(struct person *p, const char *given)
{
	snprintf(p->name, sizeof(p->name), "\xF0\xA0\xAE\xB7%s", given);
}

/* Awards the skills and achievements imply, repeated on purpose in the awards
 * files (the same person must still get one certificate). */
struct extra_award {
	int year;
	const char *award;
	struct person who;
	int enterprise;
	char reason[320];
};
static struct extra_award extras[16];
static int nextras;

/* ---- Biennial round: achievements and scores ---- */

struct entry {
	char id[16];
	int category;
	int nscores;
	int judges[12];
	int tenths[12]; /* scores × 10 */
	long tsum;      /* trimmed sum of tenths */
	int tn;         /* scores counted */
	int locked;     /* part of a deliberate tie */
	struct person first;
	int enterprise;
};

static void
entry_mean(struct entry *e)
{
	int lo = 0, hi = 0;
	long sum = 0;

	for (int i = 0; i < e->nscores; i++) {
		sum += e->tenths[i];
		if (e->tenths[i] < e->tenths[lo])
			lo = i;
		if (e->tenths[i] > e->tenths[hi])
			hi = i;
	}
	if (e->nscores >= 5) {
		sum -= e->tenths[lo] + e->tenths[hi];
		e->tn = e->nscores - 2;
	} else {
		e->tn = e->nscores;
	}
	e->tsum = sum;
}

/* Compares exact means, higher first; ties by id for a stable order. */
static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = *(const struct entry *const *)a, *y = *(const struct entry *const *)b;
	__int128 l = (__int128)x->tsum * y->tn, rr = (__int128)y->tsum * x->tn;

	if (l != rr)
		return l > rr ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int
entry_equal(const struct entry *x, const struct entry *y)
{
	return (__int128)x->tsum * y->tn == (__int128)y->tsum * x->tn;
}

/* Sorts the N entries of one category into ORDER, removing every exact tie
 * by nudging one score of the lower entry; returns nothing. */
static void
rank_untied(struct rng *r, struct entry **order, int n)
{
	for (int guard = 0; guard < 1000; guard++) {
		int tied = 0;

		for (int i = 0; i < n; i++)
			entry_mean(order[i]);
		qsort(order, (size_t)n, sizeof(*order), entry_cmp);
		for (int i = 1; i < n; i++) {
			struct entry *e = order[i];
			int k;

			if (!entry_equal(order[i - 1], e))
				continue;
			tied++;
			k = (int)rng_below(r, (uint32_t)e->nscores);
			e->tenths[k] += e->tenths[k] > 600 ? -1 : 1;
			entry_mean(e);
		}
		if (!tied)
			return;
	}
	fputs("gen: cannot untie the scores\n", stderr);
	exit(3);
}

static void
gen_biennial(struct gen *g)
{
	static const char *const cats[2] = { "科技创新成果", "先进操作法" };
	static const char *const objects[] = { "大型LNG船殷瓦钢", "海上风电单桩基础", "高铁箱梁", "家纺面料",
		"锂电池极片", "半导体封装引线框架", "化纤纺丝组件", "数控机床主轴", "特高压变压器", "船用曲轴",
		"智能配电终端", "污水处理曝气系统", "港口门座起重机", "盾构机刀盘", "钢结构桥梁", "光伏组件层压",
		"医用注射器", "汽车线束", "高速经编机", "锅炉余热", "海工平台桩腿", "精密齿轮箱" };
	static const char *const techs[] = { "焊接自动化", "在线检测", "智能控制", "节能改造", "精密加工",
		"快速换型", "故障诊断", "数字化装配", "工艺优化", "防腐涂装", "降噪减振", "能耗监测" };
	static const char *const tails[] = { "技术研究与应用", "装置的研制", "系统的开发", "关键技术攻关",
		"技术创新", "工艺改进" };
	static const char *const ops[] = { "薄壁件数控车削", "大型构件焊接变形控制", "高压开关柜快速检修",
		"纺纱断头快速接续", "钢筋笼精准绑扎", "船体分段精度控制", "变频器故障快速排查", "化工装置安全开停车",
		"盾构管片拼装", "电缆终端头制作", "精密模具抛光", "叉车高效装卸", "配电线路带电作业", "高铁轨道精调",
		"锅炉燃烧优化调整", "注塑件缺陷快速消除", "家纺绗缝快速换线", "船舶管系预制" };
	struct rng r;
	struct buf b = { 0 }, sb = { 0 };
	int ra, n = g->p.entries;
	struct entry *entries;
	struct entry **order[2];
	char round[16], path[200];

	if (g->y1 - g->y0 < 1)
		return;
	ra = g->y0 + ((g->y1 - 1 - g->y0) / 2) * 2;
	snprintf(round, sizeof(round), "%d-%d", ra, ra + 1);
	rng_init(&r, g->seed, "biennial");
	entries = xcalloc((size_t)(2 * n), sizeof(*entries));
	for (int c = 0; c < 2; c++) {
		order[c] = xmalloc((size_t)n * sizeof(struct entry *));
		for (int i = 0; i < n; i++) {
			struct entry *e = &entries[c * n + i];
			int quality = rng_range(&r, 760, 930), nj;
			int panel[15];

			order[c][i] = e;
			e->category = c;
			snprintf(e->id, sizeof(e->id), "%s-%03d", c == 0 ? "KJ" : "CZ", i + 1);
			/* 5–9 judges mostly, a few entries with 4. */
			nj = i % 17 == 5 ? 4 : rng_weighted(&r, (const int[]){ 0, 22, 14, 34, 10, 20 }, 6) + 4;
			for (int k = 0; k < 15; k++)
				panel[k] = k + 1;
			for (int k = 0; k < nj; k++) {
				int j = k + (int)rng_below(&r, (uint32_t)(15 - k)), t = panel[k];
				int s = quality + rng_range(&r, -45, 45);

				panel[k] = panel[j];
				panel[j] = t;
				e->judges[k] = panel[k];
				e->tenths[k] = s > 999 ? 999 : s < 600 ? 600 : s;
			}
			e->nscores = nj;
			worker_draw(g, &r, &e->first, &e->enterprise, -1, -1);
		}
		rank_untied(&r, order[c], n);
	}
	/* Deliberate exact ties: at tenth place in the first category (so its
	 * top ten lists eleven entries) and at third place in the second.  The
	 * lower entry takes the upper one's judges and scores. */
	for (int c = 0; c < 2; c++) {
		int at = c == 0 ? 9 : 2;

		if (n > at + 2) {
			struct entry *hi = order[c][at], *lo = order[c][at + 1];

			lo->nscores = hi->nscores;
			memcpy(lo->judges, hi->judges, sizeof(lo->judges));
			memcpy(lo->tenths, hi->tenths, sizeof(lo->tenths));
			entry_mean(lo);
			hi->locked = lo->locked = 1;
		}
	}

	/* achievements.csv: UTF-8 (may carry 𠮷). */
	{
		static const char *const cols[] = { "round", "entry_id", "category", "title", "first_completer",
			"gender", "credit_code", "completers" };
		static const int ord[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

		csv_row(&b, cols, ord, 8);
		for (int i = 0; i < 2 * n; i++) {
			struct entry *e = &entries[i];
			char title[300], completers[400] = "";
			const char *f[8];
			int nc = rng_weighted(&r, (const int[]){ 15, 10, 20, 25, 15, 10, 5 }, 7);

			if (e->category == 0)
				snprintf(title, sizeof(title), "%s%s%s", PICK(&r, objects), PICK(&r, techs), PICK(&r, tails));
			else if (rng_chance(&r, 600))
				snprintf(title, sizeof(title), "%s%s操作法", e->first.name, PICK(&r, ops));
			else
				snprintf(title, sizeof(title), "%s操作法", PICK(&r, ops));
			for (int k = 0; k < nc; k++) {
				struct person p;

				person_draw(&r, &p);
				if (i == 7 && k == 0)
					person_nonbmp(&p, "晓东");
				if (k)
					strcat(completers, "、");
				strcat(completers, p.name);
			}
			f[0] = round;
			f[1] = e->id;
			f[2] = cats[e->category];
			f[3] = title;
			f[4] = e->first.name;
			f[5] = e->first.female ? "女" : "男";
			f[6] = g->ent[e->enterprise].code;
			f[7] = completers;
			csv_row(&b, f, ord, 8);
		}
		snprintf(path, sizeof(path), "biennial/%s/achievements-%s.csv", round, round);
		emit(g, path, &b, ENC_UTF8, 0);
	}
	/* Scores: one file per category, as two panels send them. */
	for (int c = 0; c < 2; c++) {
		static const char *const cols[] = { "round", "entry_id", "judge", "score" };
		static const int ord_a[4] = { 0, 1, 2, 3 }, ord_b[4] = { 1, 2, 3, 0 };

		csv_row(&sb, cols, c ? ord_b : ord_a, 4);
		for (int i = 0; i < n; i++) {
			struct entry *e = &entries[c * n + i];

			for (int k = 0; k < e->nscores; k++) {
				char judge[8], score[16];
				const char *f[4] = { round, e->id, judge, score };

				snprintf(judge, sizeof(judge), "J%02d", e->judges[k]);
				snprintf(score, sizeof(score), "%d.%d", e->tenths[k] / 10, e->tenths[k] % 10);
				csv_row(&sb, f, c ? ord_b : ord_a, 4);
			}
		}
		snprintf(path, sizeof(path), "biennial/%s/评分-%s.csv", round, cats[c]);
		emit(g, path, &sb, c ? ENC_UTF8_BOM : ENC_GB18030, 1);
	}
	/* The winner of the first category also appears in the awards file of
	 * the round's second year with the award the top ten give (derived too:
	 * one certificate). */
	if (nextras < NELEM(extras) && award_top_ten != NULL) {
		struct entry *top = order[0][0];

		extras[nextras++] = (struct extra_award){ ra + 1, award_top_ten, top->first, top->enterprise,
			"荣获全市职工十大科技创新成果" };
	}
	buf_free(&b);
	buf_free(&sb);
	free(order[0]);
	free(order[1]);
	free(entries);
}

/* ---- Skills results and awards ---- */

static const char *const depts[] = { "焊装车间", "数控车间", "总装车间", "涂装车间", "机加工车间", "质检部",
	"研发中心", "项目部", "调度中心", "织造车间", "印染车间", "电气车间", "检修车间", "仓储物流部",
	"工程部", "热处理车间" };
static const char *const teams[] = { "数控班组", "焊接一班", "焊接二班", "精加工班组", "QC小组", "装配班",
	"运维班组", "检测班", "女子班组", "青年突击队", "技术攻关组", "电工班" };

/* Writes why an award for recipients of kind A (0 person, 1 unit, 2 team)
 * went to someone of enterprise ENT in year YI: mostly a project of the
 * enterprise's region that year; sometimes empty. */
static void
award_reason(struct gen *g, struct rng *r, int a, int ent, int yi, char *out, size_t size)
{
	const struct project *p = NULL;
	int region = g->ent[ent].region;

	int n = 0, k;

	for (int i = 0; i < g->nproj[yi]; i++)
		n += g->proj[yi][i].region == region;
	k = n > 0 ? (int)rng_below(r, (uint32_t)n) : -1;
	for (int i = 0; i < g->nproj[yi] && k >= 0; i++)
		if (g->proj[yi][i].region == region && k-- == 0)
			p = &g->proj[yi][i];
	switch (rng_range(r, 0, 11)) {
	case 0:
		out[0] = '\0';
		return;
	case 1: /* typed with an ASCII comma: a quoted CSV field */
		snprintf(out, size, "完成技术革新%d项,创造经济效益%d万元", rng_range(r, 2, 12), rng_range(r, 30, 900));
		return;
	case 2: /* with ASCII quotes */
		snprintf(out, size, "连续%d年获评\"安康杯\"竞赛优胜%s", rng_range(r, 2, 5), a == 1 ? "单位" : "");
		return;
	case 3:
		if (a == 1 || a == 2) {
			snprintf(out, size, "连续%d年安全生产零事故，班组管理创新成效显著", rng_range(r, 3, 10));
			return;
		}
		snprintf(out, size, "扎根%s一线%d年，攻克技术难题%d项", industries[g->ent[ent].industry].name,
		    rng_range(r, 8, 30), rng_range(r, 2, 15));
		return;
	default:
		if (p != NULL)
			snprintf(out, size, "%s%s", a == 1 ? "组织开展" : "在", p->name);
		else
			snprintf(out, size, "在%s岗位", industries[g->ent[ent].industry].name);
		strncat(out, a == 1 ? "成效显著" : "中成绩突出", size - strlen(out) - 1);
		return;
	}
}

static void
gen_skills_awards(struct gen *g)
{
	static const char *const acols[] = { "year", "award", "recipient", "recipient_kind", "gender",
		"credit_code", "reason" };
	static const char *const scols[] = { "year", "competition", "city_contest", "rank", "name", "gender",
		"credit_code", "score" };
	static const int aord[2][7] = { { 0, 1, 2, 3, 4, 5, 6 }, { 1, 0, 5, 2, 3, 4, 6 } };
	static const int sord[2][8] = { { 0, 1, 2, 3, 4, 5, 6, 7 }, { 1, 0, 3, 4, 5, 6, 7, 2 } };
	int *award_w = xcalloc((size_t)nawards, sizeof *award_w);
	struct rng r;
	struct buf b = { 0 };

	for (int i = 0; i < nawards; i++)
		award_w[i] = awards[i].weight;

	rng_init(&r, g->seed, "skills-awards");
	for (int y = g->y0; y <= g->y1; y++) {
		int yi = y - g->y0, crlf, ncity = g->p.city_contests, nlocal = g->p.local_contests;
		int ranks = g->scale == SCALE_PROVINCE ? 60 : 15;
		enum encoding enc = series_encoding(yi + 1, &crlf);
		struct strset keys = { 0 };
		int tradeperm[NELEM(trades)];
		char path[200], year[8];
		int winners = 0;

		snprintf(year, sizeof(year), "%d", y);
		/* Skills: city contests on distinct trades, then county and
		 * enterprise contests. */
		for (int k = 0; k < NELEM(trades); k++)
			tradeperm[k] = k;
		for (int k = 0; k < NELEM(trades); k++) {
			int j = k + (int)rng_below(&r, (uint32_t)(NELEM(trades) - k)), t = tradeperm[k];

			tradeperm[k] = tradeperm[j];
			tradeperm[j] = t;
		}
		if (ncity > NELEM(trades))
			ncity = NELEM(trades);
		csv_row(&b, scols, sord[yi % 2], 8);
		for (int c = 0; c < ncity + nlocal; c++) {
			char comp[300];
			int region = -1, score = rng_range(&r, 930, 985), nranks = rng_range(&r, ranks * 2 / 3, ranks);

			if (c < ncity) {
				snprintf(comp, sizeof(comp), "%s职工职业技能大赛（%s）", city, trades[tradeperm[c]]);
			} else if (rng_chance(&r, 600)) {
				/* a county or a park (the city-level units hold none) */
				region = rng_below(&r, (uint32_t)(region_city == nregions - 1 ? nregions - 1 : nregions));
				snprintf(comp, sizeof(comp), "%d年%s职工职业技能竞赛（%s）", y, regions[region].name,
				    PICK(&r, trades));
			} else {
				int e = g->active[rng_below(&r, (uint32_t)g->nactive)];
				char trade[64];

				region = g->ent[e].region;
				industry_trade(&r, g->ent[e].industry, trade, sizeof(trade));
				snprintf(comp, sizeof(comp), "%s岗位练兵技术比武（%s）", g->ent[e].name, trade);
			}
			if (!strset_add(&keys, comp))
				continue; /* the same contest drawn twice */
			for (int rank = 1; rank <= nranks; rank++) {
				struct person p;
				int ent;
				char rk[16], sc[16];
				const char *f[8];

				worker_draw(g, &r, &p, &ent, region, -1);
				if (enc == ENC_UTF8 && c == 1 && rank == 3)
					person_nonbmp(&p, "志远");
				snprintf(rk, sizeof(rk), "%d", rank);
				snprintf(sc, sizeof(sc), "%d.%d", score / 10, score % 10);
				f[0] = year;
				f[1] = comp;
				f[2] = c < ncity ? "是" : "否";
				f[3] = rk;
				f[4] = p.name;
				f[5] = p.female ? "女" : "男";
				f[6] = g->ent[ent].code;
				f[7] = sc;
				csv_row(&b, f, sord[yi % 2], 8);
				score -= rng_range(&r, 1, 25);
				if (score < 450)
					score = 450;
				/* City champions: one repeated with the award the city
				 * contests give (derived too), one with another award. */
				if (rank == 1 && c < ncity && winners < 2 && nextras < NELEM(extras)) {
					const char *code = winners ? award_other : award_skills;

					if (code != NULL) {
						struct extra_award *x = &extras[nextras++];

						*x = (struct extra_award){ y, code, p, ent, "" };
						snprintf(x->reason, sizeof(x->reason), "在%s中获第一名", comp);
					}
					winners++;
				}
			}
		}
		strset_free(&keys);
		snprintf(path, sizeof(path), "%d/技能竞赛/%d年技能竞赛结果.csv", y, y);
		emit(g, path, &b, enc, crlf);

		/* Awards. */
		enc = series_encoding(yi == 0 || yi == g->y1 - g->y0 ? 0 : yi % 2 ? 1 : 2, &crlf);
		csv_row(&b, acols, aord[yi % 2], 7);
		for (int i = 0; i < nextras; i++) {
			const struct extra_award *x = &extras[i];
			const char *f[7] = { year, x->award, x->who.name, "person", x->who.female ? "女" : "男",
				g->ent[x->enterprise].code, x->reason };
			char key[300];

			if (x->year != y)
				continue;
			snprintf(key, sizeof(key), "%s|%s|%s", x->award, x->who.name, f[5]);
			strset_add(&keys, key);
			csv_row(&b, f, aord[yi % 2], 7);
		}
		for (int i = 0; i < g->p.awards; i++) {
			int a = rng_weighted(&r, award_w, nawards), ent;
			char recipient[300], reason[300], key[400];
			const char *kind = "person", *gender = "";
			const char *f[7];
			struct person p;
			if (awards[a].kind == 1) { /* a unit, preferably above scale */
				do
					ent = g->active[rng_below(&r, (uint32_t)g->nactive)];
				while (!g->ent[ent].above_scale && rng_chance(&r, 700));
				snprintf(recipient, sizeof(recipient), "%s", g->ent[ent].name);
				kind = "unit";
			} else if (awards[a].kind == 2) { /* a team */
				ent = g->active[rng_below(&r, (uint32_t)g->nactive)];
				snprintf(recipient, sizeof(recipient), "%s%s", PICK(&r, depts), PICK(&r, teams));
				kind = "team";
			} else {
				worker_draw(g, &r, &p, &ent, -1, awards[a].women_only ? 1 : -1);
				if (enc == ENC_UTF8 && i == 3)
					person_nonbmp(&p, "建华");
				snprintf(recipient, sizeof(recipient), "%s", p.name);
				gender = p.female ? "女" : "男";
			}
			award_reason(g, &r, awards[a].kind, ent, yi, reason, sizeof(reason));
			snprintf(key, sizeof(key), "%s|%s|%s", awards[a].code, recipient, g->ent[ent].code);
			if (!strset_add(&keys, key))
				continue;
			f[0] = year;
			f[1] = awards[a].code;
			f[2] = recipient;
			f[3] = kind;
			f[4] = gender;
			f[5] = g->ent[ent].code;
			f[6] = reason;
			csv_row(&b, f, aord[yi % 2], 7);
		}
		strset_free(&keys);
		snprintf(path, sizeof(path), "%d/表彰/%d年度表彰名单.csv", y, y);
		emit(g, path, &b, enc, crlf);
	}
	buf_free(&b);
	free(award_w);
}
