/* fonts.c — font roles with fallback chains, per-character coverage, and
 * HarfBuzz subsetting of the faces a document uses.
 *
 * fonts/roles.conf (or the built-in table below when the fonts folder has
 * none) names, for each role, font files in order of preference.  A file is
 * looked for in the fonts folder first (full relative path, then its base
 * name), then under the system font folders, so a licensed font dropped into
 * fonts/ wins.  Missing files are skipped; each face is parsed once, lazily,
 * when the first character asks for it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <strings.h>
#include <sys/stat.h>

#include <hb.h>
#include <hb-subset.h>

#include "jingsai.h"
#include "layout.h"
#include "face.h"

/* The default roles, the same as the shipped fonts/roles.conf. */
static const char default_roles[] =
    "title:   方正小标宋简体.ttf, FZXBSJW.TTF, FZXiaoBiaoSong-B05S.ttf, truetype/arphic-gbsn00lp/gbsn00lp.ttf, truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf, truetype/droid/DroidSansFallbackFull.ttf, truetype/hanazono/HanaMinA.ttf, truetype/hanazono/HanaMinB.ttf\n"
    "body:    仿宋_GB2312.ttf, FangSong_GB2312.ttf, simfang.ttf, truetype/arphic-gbsn00lp/gbsn00lp.ttf, truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf, truetype/droid/DroidSansFallbackFull.ttf, truetype/hanazono/HanaMinA.ttf, truetype/hanazono/HanaMinB.ttf\n"
    "heading: 黑体.ttf, simhei.ttf, truetype/wqy/wqy-microhei.ttc@0, truetype/droid/DroidSansFallbackFull.ttf, truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf, truetype/hanazono/HanaMinA.ttf, truetype/hanazono/HanaMinB.ttf\n"
    "kai:     楷体_GB2312.ttf, simkai.ttf, truetype/arphic-gkai00mp/gkai00mp.ttf, truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf, truetype/droid/DroidSansFallbackFull.ttf, truetype/hanazono/HanaMinA.ttf, truetype/hanazono/HanaMinB.ttf\n"
    "wenkai:  truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf, truetype/droid/DroidSansFallbackFull.ttf, truetype/hanazono/HanaMinA.ttf, truetype/hanazono/HanaMinB.ttf\n"
    "number:  simsun.ttc, simsun.ttf, truetype/arphic-gbsn00lp/gbsn00lp.ttf, truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf, truetype/hanazono/HanaMinA.ttf\n"
    "table:   仿宋_GB2312.ttf, FangSong_GB2312.ttf, simfang.ttf, truetype/arphic-gbsn00lp/gbsn00lp.ttf, truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf, truetype/droid/DroidSansFallbackFull.ttf, truetype/hanazono/HanaMinA.ttf, truetype/hanazono/HanaMinB.ttf\n"
    "sans:    黑体.ttf, simhei.ttf, truetype/wqy/wqy-microhei.ttc@0, truetype/droid/DroidSansFallbackFull.ttf, truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf, truetype/hanazono/HanaMinA.ttf, truetype/hanazono/HanaMinB.ttf\n"
    "song:    simsun.ttc, simsun.ttf, truetype/arphic-gbsn00lp/gbsn00lp.ttf, truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf, truetype/droid/DroidSansFallbackFull.ttf, truetype/hanazono/HanaMinA.ttf, truetype/hanazono/HanaMinB.ttf\n";

static const char *const system_dirs[] = {
	"/usr/share/fonts", "/usr/local/share/fonts", NULL
};

struct jz_face {
	int id;                  /* index in the fontset */
	char *path;
	unsigned index;          /* face in a collection (.ttc) */
	int state;               /* 0 not loaded, 1 loaded, -1 unusable */
	hb_blob_t *blob;
	hb_face_t *face;
	hb_font_t *font;
	hb_face_t *pre;          /* hb_subset_preprocess()ed face, made on the second subset */
	int nsubsets;
	hb_face_t *narrow;       /* the face cut down by fontset_narrow_end, preprocessed */
	hb_font_t *narrow_font;  /* its glyph ids */
	hb_set_t *narrow_cps;    /* the characters it has */
	unsigned upem;
	char *name;              /* PostScript name (or file name) */
	uint16_t *adv;           /* advance in 1/1000 em per glyph, lazily */
	unsigned nglyphs;
};

struct role {
	char *name;
	long line;               /* of roles.conf where it is named first (0: built in) */
	int nchain;
	struct jz_face **chain;
	uint8_t *bmp;            /* per BMP code point: 0 unknown, k+1 chain[k], 255 none */
};

struct fontset {
	char *dir;
	int nfaces;
	struct jz_face **faces;
	int nroles;
	struct role *roles;
	int warned_role;
};

static int
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Finds the file of ENTRY (see the top of the file); returns a new string or NULL. */
static char *
resolve(const char *dir, const char *entry)
{
	const char *base;
	char *p;
	DIR *dp;
	int i;

	if (entry[0] == '/')
		return is_file(entry) ? xstrdup(entry) : NULL;
	p = path_join(dir, entry);
	if (is_file(p))
		return p;
	free(p);
	base = strrchr(entry, '/');
	base = base != NULL ? base + 1 : entry;
	p = path_join(dir, base);
	if (is_file(p))
		return p;
	free(p);
	/* Windows font files come as SIMFANG.TTF as often as simfang.ttf */
	if ((dp = opendir(dir)) != NULL) {
		struct dirent *de;

		p = NULL;
		while ((de = readdir(dp)) != NULL)
			if (strcasecmp(de->d_name, base) == 0) {
				p = path_join(dir, de->d_name);
				if (is_file(p))
					break;
				free(p);
				p = NULL;
			}
		closedir(dp);
		if (p != NULL)
			return p;
	}
	for (i = 0; system_dirs[i] != NULL; i++) {
		p = path_join(system_dirs[i], entry);
		if (is_file(p))
			return p;
		free(p);
	}
	return NULL;
}

static struct jz_face *
face_intern(struct fontset *fs, const char *path, unsigned index)
{
	struct jz_face *f;
	int i;

	for (i = 0; i < fs->nfaces; i++)
		if (strcmp(fs->faces[i]->path, path) == 0 && fs->faces[i]->index == index)
			return fs->faces[i];
	f = xcalloc(1, sizeof *f);
	f->id = fs->nfaces;
	f->path = xstrdup(path);
	f->index = index;
	fs->faces = xrealloc(fs->faces, (fs->nfaces + 1) * sizeof *fs->faces);
	fs->faces[fs->nfaces++] = f;
	return f;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* Parses the roles text; returns the number of errors. */
static int
parse_roles(struct fontset *fs, const char *text, const char *file)
{
	char *copy, *line, *next, *colon, *entry, *save;
	long lineno = 0;
	int errors = 0;

	copy = xstrdup(text);
	for (line = copy; line != NULL; line = next) {
		struct role *r = NULL;
		char *name;
		int i;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		if ((colon = strchr(line, '#')) != NULL && (colon == line || colon[-1] == ' ' || colon[-1] == '\t'))
			*colon = '\0';
		line = trim(line);
		if (*line == '\0')
			continue;
		colon = strchr(line, ':');
		if (colon == NULL) {
			diag(DIAG_LAYOUT_ROLES_SYNTAX, file, lineno, 1);
			errors++;
			continue;
		}
		*colon = '\0';
		name = trim(line);
		for (i = 0; i < fs->nroles; i++)
			if (strcmp(fs->roles[i].name, name) == 0)
				r = &fs->roles[i];
		if (r == NULL) {
			fs->roles = xrealloc(fs->roles, (fs->nroles + 1) * sizeof *fs->roles);
			r = &fs->roles[fs->nroles++];
			memset(r, 0, sizeof *r);
			r->name = xstrdup(name);
			r->line = lineno;
		}
		for (entry = strtok_r(colon + 1, ",", &save); entry != NULL;
		    entry = strtok_r(NULL, ",", &save)) {
			char *at, *path;
			unsigned index = 0;

			entry = trim(entry);
			if (*entry == '\0')
				continue;
			if ((at = strrchr(entry, '@')) != NULL) {
				*at = '\0';
				index = (unsigned)strtoul(at + 1, NULL, 10);
			}
			path = resolve(fs->dir, entry);
			if (path == NULL) {
				diag(DIAG_LAYOUT_FONT_ABSENT, file, lineno, 1, name, entry);
				continue;
			}
			r->chain = xrealloc(r->chain, (r->nchain + 1) * sizeof *r->chain);
			r->chain[r->nchain++] = face_intern(fs, path, index);
			free(path);
		}
	}
	free(copy);
	return errors;
}

struct fontset *
fontset_open(const char *fonts_dir)
{
	struct fontset *fs;
	struct buf text = {0};
	char *conf;
	const char *file = "(built-in roles)";
	int errors, i;

	fs = xcalloc(1, sizeof *fs);
	fs->dir = xstrdup(fonts_dir != NULL ? fonts_dir : "fonts");
	conf = path_join(fs->dir, "roles.conf");
	if (file_read_all(conf, &text) == 0) {
		file = conf;
		errors = parse_roles(fs, text.data != NULL ? text.data : "", conf);
	} else if (errno == ENOENT) {
		errors = parse_roles(fs, default_roles, file);
	} else {
		diag(DIAG_IO_READ, conf, 0, 0, strerror(errno));
		errors = 1;
	}
	buf_free(&text);
	/* Each document opens the fonts: a role without a font is said once
	 * in a run, not once for each year's reports and certificates. */
	static int said_empty;
	for (i = 0; i < fs->nroles && errors == 0; i++)
		if (fs->roles[i].nchain == 0) {
			if (!said_empty)
				diag(DIAG_LAYOUT_ROLE_EMPTY, file, fs->roles[i].line, 1, fs->roles[i].name);
			errors++;
		}
	if (errors == 0 && fs->nroles == 0) {
		if (!said_empty)
			diag(DIAG_LAYOUT_ROLE_EMPTY, file, 0, 0, "body");
		errors++;
	}
	if (errors)
		said_empty = 1;
	free(conf);
	if (errors) {
		fontset_free(fs);
		return NULL;
	}
	return fs;
}

static void
narrow_drop(struct jz_face *f)
{
	if (f->narrow_font != NULL)
		hb_font_destroy(f->narrow_font);
	if (f->narrow != NULL)
		hb_face_destroy(f->narrow);
	if (f->narrow_cps != NULL)
		hb_set_destroy(f->narrow_cps);
	f->narrow_font = NULL;
	f->narrow = NULL;
	f->narrow_cps = NULL;
}

static void
face_unload(struct jz_face *f)
{
	if (f->font != NULL)
		hb_font_destroy(f->font);
	if (f->pre != NULL)
		hb_face_destroy(f->pre);
	narrow_drop(f);
	if (f->face != NULL)
		hb_face_destroy(f->face);
	if (f->blob != NULL)
		hb_blob_destroy(f->blob);
	free(f->adv);
	free(f->name);
	free(f->path);
	free(f);
}

void
fontset_free(struct fontset *fs)
{
	int i;

	if (fs == NULL)
		return;
	for (i = 0; i < fs->nfaces; i++)
		face_unload(fs->faces[i]);
	free(fs->faces);
	for (i = 0; i < fs->nroles; i++) {
		free(fs->roles[i].name);
		free(fs->roles[i].chain);
		free(fs->roles[i].bmp);
	}
	free(fs->roles);
	free(fs->dir);
	free(fs);
}

/* Whether FACE's table directory lists TAG (whether or not the file holds
 * all of the table: HarfBuzz gives an empty table when it does not). */
static int
table_listed(hb_face_t *face, hb_tag_t tag)
{
	hb_tag_t tags[64];
	unsigned start = 0, n;

	do {
		n = sizeof tags / sizeof *tags;
		hb_face_get_table_tags(face, start, &n, tags);
		for (unsigned i = 0; i < n; i++)
			if (tags[i] == tag)
				return 1;
		start += n;
	} while (n == sizeof tags / sizeof *tags);
	return 0;
}

/* Parses the face on first use; returns 0 or -1 (unusable, said once). */
static int
face_load(struct jz_face *f)
{
	char name[128];
	unsigned len = sizeof name, glyf_len;

	if (f->state != 0)
		return f->state > 0 ? 0 : -1;
	f->state = -1;
	f->blob = hb_blob_create_from_file_or_fail(f->path);
	if (f->blob == NULL) {
		diag(DIAG_LAYOUT_FONT_UNREADABLE, f->path, 0, 0);
		return -1;
	}
	f->face = hb_face_create(f->blob, f->index);
	if (hb_face_get_glyph_count(f->face) == 0) {
		diag(DIAG_LAYOUT_FONT_NOT_FONT, f->path, 0, 0);
		return -1;
	}
	{
		hb_blob_t *glyf = hb_face_reference_table(f->face, HB_TAG('g', 'l', 'y', 'f'));

		glyf_len = hb_blob_get_length(glyf);
		hb_blob_destroy(glyf);
	}
	if (glyf_len == 0) {
		/* a glyf table the directory lists but the file does not hold
		 * whole is a damaged (most often truncated) copy, not CFF */
		diag(table_listed(f->face, HB_TAG('g', 'l', 'y', 'f')) ? DIAG_LAYOUT_FONT_DAMAGED :
		    DIAG_LAYOUT_FONT_CFF, f->path, 0, 0);
		return -1;
	}
	f->font = hb_font_create(f->face);
	f->upem = hb_face_get_upem(f->face);
	f->nglyphs = hb_face_get_glyph_count(f->face);
	if (hb_ot_name_get_utf8(f->face, HB_OT_NAME_ID_POSTSCRIPT_NAME, HB_LANGUAGE_INVALID,
	    &len, name) > 0)
		f->name = xstrdup(name);
	else {
		const char *b = strrchr(f->path, '/');
		f->name = xstrdup(b != NULL ? b + 1 : f->path);
	}
	f->state = 1;
	return 0;
}

static struct role *
find_role(struct fontset *fs, const char *name)
{
	int i;

	for (i = 0; i < fs->nroles; i++)
		if (strcmp(fs->roles[i].name, name) == 0)
			return &fs->roles[i];
	return NULL;
}

int
fontset_lookup(struct fontset *fs, const char *role, long cp, struct jz_face **face,
    unsigned *gid)
{
	struct role *r;
	hb_codepoint_t g;
	int k;

	r = find_role(fs, role != NULL ? role : "body");
	if (r == NULL) {
		if (!fs->warned_role) {
			diag(DIAG_LAYOUT_ROLE_UNKNOWN, NULL, 0, 0, role);
			fs->warned_role = 1;
		}
		r = find_role(fs, "body");
		if (r == NULL)
			r = &fs->roles[0];
	}
	if (cp < 0x10000) {
		if (r->bmp == NULL)
			r->bmp = xcalloc(0x10000, 1);
		k = r->bmp[cp];
		if (k == 255)
			return -1;
		if (k > 0) {
			*face = r->chain[k - 1];
			hb_font_get_nominal_glyph((*face)->font, (hb_codepoint_t)cp, &g);
			*gid = g;
			return 0;
		}
	}
	for (k = 0; k < r->nchain && k < 250; k++) {
		struct jz_face *f = r->chain[k];

		if (face_load(f) != 0)
			continue;
		if (hb_font_get_nominal_glyph(f->font, (hb_codepoint_t)cp, &g) && g != 0) {
			if (cp < 0x10000)
				r->bmp[cp] = (uint8_t)(k + 1);
			*face = f;
			*gid = g;
			return 0;
		}
	}
	if (cp < 0x10000)
		r->bmp[cp] = 255;
	return -1;
}

double
face_advance_em(struct jz_face *f, unsigned gid)
{
	if (gid >= f->nglyphs)
		return 0;
	if (f->adv == NULL) {
		f->adv = xmalloc(f->nglyphs * sizeof *f->adv);
		memset(f->adv, 0xff, f->nglyphs * sizeof *f->adv);
	}
	if (f->adv[gid] == 0xffff) {
		long a = hb_font_get_glyph_h_advance(f->font, gid);
		/* hb_font's scale is the upem; truncate as libharu's /W does. */
		f->adv[gid] = (uint16_t)(a * 1000 / (long)f->upem);
	}
	return f->adv[gid] / 1000.0;
}

void
face_blanks_em(struct jz_face *f, unsigned gid, double *left, double *right)
{
	hb_glyph_extents_t e;
	double adv = face_advance_em(f, gid);

	*left = *right = 0;
	if (gid >= f->nglyphs || !hb_font_get_glyph_extents(f->font, gid, &e) || e.width <= 0)
		return;
	*left = (double)e.x_bearing / f->upem;
	*right = adv - (double)(e.x_bearing + e.width) / f->upem;
	if (*left < 0)
		*left = 0;
	if (*right < 0)
		*right = 0;
}

const char *
face_name(const struct jz_face *f)
{
	return f->name != NULL ? f->name : f->path;
}

int
face_id(const struct jz_face *f)
{
	return f->id;
}

/* ---- Subsetting ---------------------------------------------------------- */

static void
put16(struct buf *b, unsigned v)
{
	buf_putc(b, (v >> 8) & 0xff);
	buf_putc(b, v & 0xff);
}

static void
put32(struct buf *b, unsigned long v)
{
	put16(b, (v >> 16) & 0xffff);
	put16(b, v & 0xffff);
}

struct cmap_pair {
	uint16_t code, gid;
};

static int
pair_gid_cmp(const void *a, const void *b)
{
	const struct cmap_pair *x = a, *y = b;

	if (x->gid != y->gid)
		return (int)x->gid - (int)y->gid;
	return (int)x->code - (int)y->code;
}

static int
pair_code_cmp(const void *a, const void *b)
{
	const struct cmap_pair *x = a, *y = b;

	return (int)x->code - (int)y->code;
}

/* A cmap table with one (3,1) format 4 subtable of the N sorted pairs:
 * one segment per run of consecutive codes (idDelta), plus the 0xFFFF end. */
static void
build_cmap(const struct cmap_pair *p, int n, struct buf *out)
{
	int nseg = 0, i, j, seg_x2, search, sel;
	int *starts = xmalloc((n + 1) * sizeof *starts), *ends = xmalloc((n + 1) * sizeof *ends);
	struct buf sub = {0};

	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && p[j].code == p[j - 1].code + 1 &&
		    p[j].gid == p[j - 1].gid + 1; j++)
			;
		starts[nseg] = i;
		ends[nseg] = j - 1;
		nseg++;
	}
	seg_x2 = (nseg + 1) * 2;
	for (search = 2, sel = 0; search * 2 <= seg_x2; search *= 2, sel++)
		;
	put16(&sub, 4);
	put16(&sub, 16 + 4 * seg_x2);            /* length */
	put16(&sub, 0);                          /* language */
	put16(&sub, seg_x2);
	put16(&sub, search);
	put16(&sub, sel);
	put16(&sub, seg_x2 - search);
	for (i = 0; i < nseg; i++)
		put16(&sub, p[ends[i]].code);
	put16(&sub, 0xffff);
	put16(&sub, 0);                          /* reservedPad */
	for (i = 0; i < nseg; i++)
		put16(&sub, p[starts[i]].code);
	put16(&sub, 0xffff);
	for (i = 0; i < nseg; i++)
		put16(&sub, (uint16_t)(p[starts[i]].gid - p[starts[i]].code));
	put16(&sub, 1);
	for (i = 0; i <= nseg; i++)
		put16(&sub, 0);                  /* idRangeOffset */
	put16(out, 0);                           /* cmap version */
	put16(out, 1);                           /* one subtable */
	put16(out, 3);
	put16(out, 1);
	put32(out, 12);
	buf_add(out, sub.data, sub.len);
	buf_free(&sub);
	free(starts);
	free(ends);
}

int
face_subset(struct jz_face *f, const uint32_t *cps, int n, uint16_t *codes, uint16_t *gids,
    struct buf *out)
{
	static const hb_tag_t drop[] = {
		HB_TAG('G', 'S', 'U', 'B'), HB_TAG('G', 'P', 'O', 'S'), HB_TAG('G', 'D', 'E', 'F'),
		HB_TAG('B', 'A', 'S', 'E'), HB_TAG('J', 'S', 'T', 'F'), HB_TAG('M', 'A', 'T', 'H'),
		HB_TAG('v', 'h', 'e', 'a'), HB_TAG('v', 'm', 't', 'x'), HB_TAG('V', 'O', 'R', 'G'),
		HB_TAG('D', 'S', 'I', 'G'), HB_TAG('k', 'e', 'r', 'n'), HB_TAG('m', 'o', 'r', 't'),
		HB_TAG('m', 'o', 'r', 'x'), HB_TAG('g', 'a', 's', 'p'), HB_TAG('h', 'd', 'm', 'x'),
		HB_TAG('L', 'T', 'S', 'H'), HB_TAG('V', 'D', 'M', 'X'), HB_TAG('F', 'F', 'T', 'M'),
		HB_TAG('p', 'r', 'o', 'p'), HB_TAG('c', 'm', 'a', 'p'), HB_TAG('f', 'e', 'a', 't'),
	};
	hb_subset_input_t *in = NULL;
	hb_subset_plan_t *plan = NULL;
	hb_face_t *sub = NULL, *builder = NULL, *src;
	hb_font_t *font;
	hb_blob_t *blob = NULL;
	const hb_map_t *old2new;
	hb_set_t *glyphs, *names;
	struct cmap_pair *pairs = NULL;
	struct buf cmap = {0};
	hb_tag_t tags[64];
	unsigned ntags = 64, t, len;
	int i, identity, rc = -1;
	const char *data;

	if (face_load(f) != 0)
		return -1;
	/* from the narrowed face when it has every character asked for */
	src = f->narrow;
	font = f->narrow_font;
	for (i = 0; i < n && src != NULL; i++)
		if (!hb_set_has(f->narrow_cps, cps[i]))
			src = NULL;
	if (src == NULL)
		font = f->font;
	in = hb_subset_input_create_or_fail();
	if (in == NULL)
		goto out;
	glyphs = hb_subset_input_glyph_set(in);
	for (i = 0; i < n; i++) {
		hb_codepoint_t g = 0;

		hb_font_get_nominal_glyph(font, cps[i], &g);
		hb_set_add(glyphs, g);
	}
	for (i = 0; i < (int)(sizeof drop / sizeof drop[0]); i++)
		hb_set_add(hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG), drop[i]);
	hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
	/* the style and PostScript names, all libharu reads (it makes the
	 * BaseFont of them): no family or full names, no licence text */
	names = hb_subset_input_set(in, HB_SUBSET_SETS_NAME_ID);
	hb_set_clear(names);
	hb_set_add(names, 2);
	hb_set_add(names, 6);
	if (2 * n > 0xD7FF - 0x20) {
		diag(DIAG_LAYOUT_FONT_TOO_MANY, f->path, 0, 0);
		goto out;
	}
	/* preprocessing once per font set makes every later subset of the face
	 * cheap (the certificates subset the same face a thousand times); a
	 * single document does not pay for it */
	if (src == NULL && f->pre == NULL && ++f->nsubsets >= 2)
		f->pre = hb_subset_preprocess(f->face);
	if (src == NULL)
		src = f->pre != NULL ? f->pre : f->face;
	plan = hb_subset_plan_create_or_fail(src, in);
	if (plan == NULL)
		goto out;
	sub = hb_subset_plan_execute_or_fail(plan);
	if (sub == NULL)
		goto out;
	old2new = hb_subset_plan_old_to_new_glyph_mapping(plan);

	/* Each character's code is its new glyph id when no two share a glyph
	 * (the PDF then needs no CIDToGIDMap: /Identity), else 0x20 + its glyph
	 * id, or past them all for a second code of the same glyph.  Either way
	 * the codes are small and BMP, and characters outside the BMP need
	 * nothing special. */
	pairs = xmalloc((n > 0 ? n : 1) * sizeof *pairs);
	for (i = 0; i < n; i++) {
		hb_codepoint_t g = 0;

		hb_font_get_nominal_glyph(font, cps[i], &g);
		pairs[i].gid = (uint16_t)hb_map_get(old2new, g);
		pairs[i].code = (uint16_t)i;         /* index into cps, for now */
	}
	qsort(pairs, n, sizeof *pairs, pair_gid_cmp);
	identity = n == 0 || pairs[n - 1].gid < 0xD800;
	for (i = 0; i < n && identity; i++)
		if (pairs[i].gid == 0 || (i > 0 && pairs[i].gid == pairs[i - 1].gid))
			identity = 0;
	{
		/* with several codes for a glyph (a character drawn at another
		 * advance, see dlist.h), the first is 0x20 + its glyph id and the
		 * others follow them all: the cmap is one long segment and a few
		 * short ones, and a reader that looks codes up segment by segment
		 * (libharu does, for every character it measures) finds most at
		 * once */
		uint16_t next = (uint16_t)(0x20 + (n > 0 ? pairs[n - 1].gid : 0) + 1);

		for (i = 0; i < n; i++) {
			uint16_t code = identity ? pairs[i].gid :
			    i == 0 || pairs[i].gid != pairs[i - 1].gid ? (uint16_t)(0x20 + pairs[i].gid) : next++;

			codes[pairs[i].code] = code;
			gids[pairs[i].code] = pairs[i].gid;
			pairs[i].code = code;
		}
		qsort(pairs, n, sizeof *pairs, pair_code_cmp);
	}
	build_cmap(pairs, n, &cmap);

	/* a subset face is a builder: serialise it to read its table list */
	{
		hb_blob_t *sb = hb_face_reference_blob(sub);

		hb_face_destroy(sub);
		sub = hb_face_create(sb, 0);
		hb_blob_destroy(sb);
	}
	builder = hb_face_builder_create();
	hb_face_get_table_tags(sub, 0, &ntags, tags);
	for (t = 0; t < ntags; t++) {
		hb_blob_t *tb;

		if (tags[t] == HB_TAG('c', 'm', 'a', 'p'))
			continue;
		tb = hb_face_reference_table(sub, tags[t]);
		hb_face_builder_add_table(builder, tags[t], tb);
		hb_blob_destroy(tb);
	}
	{
		hb_blob_t *cb = hb_blob_create(cmap.data, (unsigned)cmap.len, HB_MEMORY_MODE_READONLY,
		    NULL, NULL);
		hb_face_builder_add_table(builder, HB_TAG('c', 'm', 'a', 'p'), cb);
		hb_blob_destroy(cb);
	}
	/* libharu 2.3.0 sums each table by seeking to it in a stream of 4096-byte
	 * blocks; 'prep' is the last of its tables, and an empty one (dropped
	 * with the hinting) sits at the very end: when the font comes to a
	 * multiple of 4096 bytes that seek fails (HPDF_INVALID_OBJECT, about 3
	 * documents in 1 000).  A no-op prep (PUSHB[0] 0, POP) keeps it inside. */
	for (t = 0; t < ntags && tags[t] != HB_TAG('p', 'r', 'e', 'p'); t++)
		;
	if (t == ntags) {
		static const char noop_prep[] = {(char)0xB0, 0x00, 0x21};
		hb_blob_t *pb = hb_blob_create(noop_prep, sizeof noop_prep, HB_MEMORY_MODE_READONLY,
		    NULL, NULL);
		hb_face_builder_add_table(builder, HB_TAG('p', 'r', 'e', 'p'), pb);
		hb_blob_destroy(pb);
	}
	blob = hb_face_reference_blob(builder);
	data = hb_blob_get_data(blob, &len);
	if (data == NULL || len == 0) {
		diag(DIAG_LAYOUT_FONT_SUBSET, f->path, 0, 0);
		goto out;
	}
	buf_add(out, data, len);
	rc = 0;
out:
	if (rc != 0 && blob == NULL && sub == NULL)
		diag(DIAG_LAYOUT_FONT_SUBSET, f->path, 0, 0);
	if (blob != NULL)
		hb_blob_destroy(blob);
	if (builder != NULL)
		hb_face_destroy(builder);
	if (sub != NULL)
		hb_face_destroy(sub);
	if (plan != NULL)
		hb_subset_plan_destroy(plan);
	if (in != NULL)
		hb_subset_input_destroy(in);
	buf_free(&cmap);
	free(pairs);
	return rc;
}

/* The characters each face will set, by face id. */
struct fontset_narrow {
	struct fontset *fs;
	hb_set_t **cps;
};

struct fontset_narrow *
fontset_narrow_begin(struct fontset *fs)
{
	struct fontset_narrow *nw = xcalloc(1, sizeof *nw);

	nw->fs = fs;
	nw->cps = xcalloc((size_t)fs->nfaces + 1, sizeof *nw->cps);
	return nw;
}

void
fontset_narrow_add(struct fontset_narrow *nw, const char *role, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t len = strlen(text);

	while (len > 0) {
		int adv;
		long cp = utf8_decode(p, len, &adv);
		struct jz_face *f;
		unsigned gid;

		p += adv;
		len -= (size_t)adv;
		if (cp < 0 || face_ignorable((uint32_t)cp) || fontset_lookup(nw->fs, role, cp, &f, &gid) != 0)
			continue;
		if (nw->cps[f->id] == NULL)
			nw->cps[f->id] = hb_set_create();
		hb_set_add(nw->cps[f->id], (hb_codepoint_t)cp);
	}
}

/* F cut down to the characters CPS (and their glyphs), or NULL. */
static hb_face_t *
narrowed(struct jz_face *f, hb_set_t *cps)
{
	hb_subset_input_t *in = hb_subset_input_create_or_fail();
	hb_codepoint_t cp = HB_SET_VALUE_INVALID;
	hb_face_t *sub, *face;
	hb_blob_t *blob;

	if (in == NULL)
		return NULL;
	hb_set_union(hb_subset_input_unicode_set(in), cps);
	while (hb_set_next(cps, &cp)) {
		hb_codepoint_t g = 0;

		hb_font_get_nominal_glyph(f->font, cp, &g);
		hb_set_add(hb_subset_input_glyph_set(in), g);
	}
	hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
	sub = hb_subset_or_fail(f->face, in);
	hb_subset_input_destroy(in);
	if (sub == NULL)
		return NULL;
	/* a subset face is a builder: serialised, it reads like a font file */
	blob = hb_face_reference_blob(sub);
	hb_face_destroy(sub);
	face = hb_face_create(blob, 0);
	hb_blob_destroy(blob);
	return face;
}

void
fontset_narrow_end(struct fontset_narrow *nw)
{
	for (int i = 0; i < nw->fs->nfaces; i++) {
		struct jz_face *f = nw->fs->faces[i];
		hb_face_t *face;

		if (nw->cps[i] == NULL)
			continue;
		narrow_drop(f);
		if ((face = narrowed(f, nw->cps[i])) != NULL) {
			f->narrow_font = hb_font_create(face);
			f->narrow = hb_subset_preprocess(face);
			f->narrow_cps = nw->cps[i];
			nw->cps[i] = NULL;
			hb_face_destroy(face);
		}
		if (nw->cps[i] != NULL)
			hb_set_destroy(nw->cps[i]);
	}
	free(nw->cps);
	free(nw);
}
