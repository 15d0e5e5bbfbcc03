/* store.c — the SQLite store: the schema, documented here and nowhere else. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

/*
 * The schema.  Reference data (region, track, target, award, programme) is
 * reloaded from input/programme.xml by every ingest whose programme.xml
 * differs from the one stored (programme.sha256).  Submitted data keeps its
 * provenance: file_id (a row of `file`: path, sha256, ingest time) and the
 * line it came from.  Views named cur_* are what aggregation, the bulletin
 * and the certificates read.
 *
 * How submissions change the store (ingest.c):
 *  - Each file is one transaction.  A file with any error leaves nothing but
 *    its `file` row (status rejected) and its `rejection` rows.
 *  - The same path with the same bytes is recognised and skipped.  New bytes
 *    at a known path replace what the earlier content contributed: its rows
 *    are deleted, its `file` row becomes 'replaced' (so does the row of an
 *    earlier rejected content of the path: only the latest rejection of a
 *    path stays 'rejected', for the data-quality appendix).  `jingsai forget PATH`
 *    deletes a file's rows and marks it 'forgotten'.  A file that disappears
 *    from input/ keeps its rows ('accepted').
 *  - CSV rows: one per key (the tables' primary keys, SPEC 3.2); a key seen
 *    again replaces the row, so file_id/line say which file it now comes from.
 *    Within one file a repeated key is an error, and the store is what finds
 *    it: ingest's UPSERT names these primary keys in ON CONFLICT, so they must
 *    stay the keys of csv_validate.c (else its statement does not prepare).
 *  - Annual returns: every version is kept (history); cur_return picks per
 *    region and year the latest `submitted`, whatever the order of arrival.
 *  - Every file an ingest reads (not a check) gets a receipt_file row: its
 *    region, years, outcome and what it replaced, for the region's receipt
 *    of the day, which the next `jingsai run` writes (receipt.c); rows of a
 *    run that changed nothing of their region are dropped at its end.
 */
const char store_schema[] =
"PRAGMA foreign_keys = ON;\n"

/* -- Reference data from programme.xml ---------------------------------- */
"CREATE TABLE IF NOT EXISTS programme (\n"
"  key   TEXT PRIMARY KEY,  -- name, city, basis, first_year, last_year, issuer, doc_prefix,\n"
"                           -- verify_url ({payload} replaced), slogan, time_zone (of every\n"
"                           -- document date; absent: Asia/Shanghai), sha256 (of programme.xml),\n"
"                           -- tables (which tables programme_store fills: 2 with short names and rules),\n"
"                           -- copy_to, printer (the bulletin's 版记, when given)\n"
"  value TEXT NOT NULL\n"
");\n"
"CREATE TABLE IF NOT EXISTS region (\n"
"  code TEXT PRIMARY KEY,   -- 320602, KFQ, SZ ...\n"
"  name TEXT NOT NULL,\n"
"  kind TEXT NOT NULL CHECK (kind IN ('county','park','city')),\n"
"  ord  INTEGER NOT NULL    -- report order = order in programme.xml\n"
");\n"
"CREATE TABLE IF NOT EXISTS region_alias (\n"
"  alias TEXT PRIMARY KEY,  -- a former name or code: 海门市, 港闸区 ...\n"
"  code  TEXT NOT NULL REFERENCES region(code)\n"
");\n"
"CREATE TABLE IF NOT EXISTS track (\n"
"  code TEXT PRIMARY KEY,   -- T1 .. T6\n"
"  name TEXT NOT NULL,\n"
"  ord  INTEGER NOT NULL\n"
");\n"
"CREATE TABLE IF NOT EXISTS target (\n"
"  metric     TEXT PRIMARY KEY, -- supervisors, tech_innovations, ...\n"
"  label      TEXT NOT NULL,    -- 职工节能减排义务监督员总数 ...\n"
"  comparator TEXT NOT NULL,    -- '>=', '>', '=', 'rising', 'falling'\n"
"  value      REAL,             -- NULL for rising / falling\n"
"  kind       TEXT NOT NULL,    -- stock | cumulative | latest | trend\n"
"  unit       TEXT,             -- 个, 家, 人次, %\n"
"  ord        INTEGER NOT NULL\n"
");\n"
"CREATE TABLE IF NOT EXISTS award (\n"
"  code           TEXT PRIMARY KEY, -- MEDAL, CERT, PIONEER, TECH, INNOV, WOMEN\n"
"  title          TEXT NOT NULL,\n"
"  recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('person','unit','team')),\n"
"  template       TEXT NOT NULL,    -- file under templates/; '' = the default template\n"
"  women_only     INTEGER NOT NULL DEFAULT 0,\n"
"  ord            INTEGER NOT NULL\n"
");\n"
/* Short names (programme.xml's `short`; the name when it gives none) for chart
 * labels and table headers, and the award each rule of SPEC §4 gives. */
"CREATE TABLE IF NOT EXISTS region_short (\n"
"  code  TEXT PRIMARY KEY,  -- region code\n"
"  short TEXT NOT NULL      -- 开发区 for a park named XX经济技术开发区\n"
");\n"
"CREATE TABLE IF NOT EXISTS track_short (\n"
"  code  TEXT PRIMARY KEY,  -- track code\n"
"  short TEXT NOT NULL      -- 引领性 for a track named 引领性劳动竞赛\n"
");\n"
"CREATE TABLE IF NOT EXISTS award_rule (\n"
"  rule  TEXT PRIMARY KEY,  -- top-ten | skills\n"
"  award TEXT NOT NULL      -- award code\n"
");\n"

/* -- Provenance ------------------------------------------------------------ */
"CREATE TABLE IF NOT EXISTS file (\n"
"  id          INTEGER PRIMARY KEY,\n"
"  path        TEXT NOT NULL,      -- relative to the input folder; absolute when outside it\n"
"  sha256      TEXT NOT NULL,\n"
"  size        INTEGER NOT NULL,\n"
"  kind        TEXT,               -- annual-return, enterprises, participation, ...\n"
"  encoding    TEXT,               -- UTF-8, UTF-8 with BOM, GB18030 (accepted files)\n"
"  ingested_at TEXT NOT NULL,      -- ISO-8601 UTC (SOURCE_DATE_EPOCH honoured)\n"
"  status      TEXT NOT NULL CHECK (status IN ('accepted','rejected','replaced','forgotten')),\n"
"  rows        INTEGER NOT NULL DEFAULT 0, -- rows stored (annual return: 1 + projects + studios)\n"
"  UNIQUE (path, sha256)\n"
");\n"
"CREATE TABLE IF NOT EXISTS rejection (  -- why a file was rejected (data-quality appendix, receipts)\n"
"  file_id INTEGER NOT NULL REFERENCES file(id) ON DELETE CASCADE,\n"
"  line    INTEGER,                  -- NULL: about the whole file\n"
"  col     INTEGER,\n"
"  message TEXT NOT NULL             -- the diagnostic's text in Chinese, whatever the locale\n"
");\n"
"CREATE TABLE IF NOT EXISTS receipt_file (  -- what a run did with each file it read (receipts)\n"
"  run      INTEGER NOT NULL,        -- the run: one more than the last one recorded\n"
"  run_at   TEXT NOT NULL,           -- its time: the ingested_at of its files\n"
"  day      TEXT NOT NULL,           -- its date in the programme's time zone, YYYY-MM-DD\n"
"  region   TEXT NOT NULL,           -- region code; '' when none can be told (未归属)\n"
"  path     TEXT NOT NULL,           -- as file.path\n"
"  file_id  INTEGER NOT NULL REFERENCES file(id) ON DELETE CASCADE,\n"
"  kind     TEXT,                    -- as file.kind; NULL: not recognised\n"
"  years    TEXT,                    -- the years (or rounds) of its rows: 2024, 2023、2024\n"
"  status   TEXT NOT NULL CHECK (status IN ('accepted','rejected')),\n"
"  rows     INTEGER NOT NULL DEFAULT 0,\n"
"  replaced TEXT,                    -- what it replaced, in words (Chinese); NULL: nothing\n"
"  changed  INTEGER NOT NULL,        -- 1: new content, or a new outcome for it\n"
"  receipted INTEGER NOT NULL DEFAULT 0, -- 1: its region's receipt of the day was written since\n"
"  PRIMARY KEY (run, path)\n"
");\n"
"CREATE INDEX IF NOT EXISTS receipt_file_day ON receipt_file(day, region);\n"
"CREATE VIEW IF NOT EXISTS receipt_day AS  -- the latest outcome of each file on each day\n"
"  SELECT * FROM receipt_file r WHERE run = (SELECT max(run) FROM receipt_file l\n"
"    WHERE l.day = r.day AND l.region = r.region AND l.path = r.path);\n"

/* -- Annual returns (XML): every version kept; the current one per region
 *    and year is the latest `submitted` (ties: latest ingested). ---------- */
"CREATE TABLE IF NOT EXISTS annual_return (\n"
"  id        INTEGER PRIMARY KEY,\n"
"  file_id   INTEGER NOT NULL REFERENCES file(id),\n"
"  region    TEXT NOT NULL REFERENCES region(code),\n"
"  year      INTEGER NOT NULL,\n"
"  submitted TEXT NOT NULL,          -- ISO-8601 in UTC, YYYY-MM-DDTHH:MM:SSZ (no zone given: +08:00)\n"
"  tech_innovations INTEGER, operating_methods INTEGER, proposals_submitted INTEGER,\n"
"  proposals_adopted INTEGER, five_small INTEGER,\n"
"  supervisors INTEGER, key_enterprise_workers INTEGER, key_enterprise_participants INTEGER,\n"
"  above_scale_enterprises INTEGER, ankang_enterprises INTEGER,\n"
"  deaths INTEGER, serious_injuries INTEGER, occupational_incidents INTEGER,\n"
"  pioneer_teams INTEGER, six_type_teams INTEGER, qc_groups INTEGER\n"
");\n"
"CREATE INDEX IF NOT EXISTS annual_return_ry ON annual_return(region, year);\n"
"CREATE TABLE IF NOT EXISTS project (\n"
"  return_id INTEGER NOT NULL REFERENCES annual_return(id) ON DELETE CASCADE,\n"
"  id        TEXT NOT NULL,   -- 2024-320682-007\n"
"  track     TEXT NOT NULL REFERENCES track(code),\n"
"  level     TEXT NOT NULL,   -- city | county | enterprise\n"
"  status    TEXT NOT NULL,   -- 申报 | 推进 | 评估 | 总结\n"
"  name      TEXT NOT NULL,\n"
"  organizer TEXT,\n"
"  line      INTEGER NOT NULL,\n"
"  PRIMARY KEY (return_id, id)\n"
");\n"
"CREATE INDEX IF NOT EXISTS project_id ON project(id);\n"
"CREATE TABLE IF NOT EXISTS studio (\n"
"  return_id INTEGER NOT NULL REFERENCES annual_return(id) ON DELETE CASCADE,\n"
"  id        TEXT NOT NULL,\n"
"  name      TEXT NOT NULL,\n"
"  leader    TEXT,\n"
"  level     TEXT NOT NULL,   -- city-demo | city | county | enterprise\n"
"  founded   INTEGER,\n"
"  line      INTEGER NOT NULL,\n"
"  PRIMARY KEY (return_id, id)\n"
");\n"

/* -- CSV data: one row per key; a key seen again replaces the row (latest
 *    file wins).  file_id/line say where the row now comes from. ------------ */
"CREATE TABLE IF NOT EXISTS enterprise (\n"
"  credit_code TEXT PRIMARY KEY,\n"
"  name        TEXT NOT NULL,\n"
"  region      TEXT NOT NULL REFERENCES region(code),\n"
"  ownership   TEXT NOT NULL,          -- 国有 集体 民营 外资 港澳台 其他\n"
"  nonpublic   INTEGER NOT NULL,       -- 1 unless 国有 or 集体\n"
"  above_scale INTEGER NOT NULL,       -- 是 = 1\n"
"  industry    TEXT,\n"
"  employees   INTEGER,\n"
"  file_id INTEGER NOT NULL, line INTEGER NOT NULL\n"
");\n"
"CREATE TABLE IF NOT EXISTS participation (\n"
"  year         INTEGER NOT NULL,\n"
"  project_id   TEXT NOT NULL,\n"
"  credit_code  TEXT NOT NULL,\n"
"  participants INTEGER NOT NULL,\n"
"  file_id INTEGER NOT NULL, line INTEGER NOT NULL,\n"
"  PRIMARY KEY (year, project_id, credit_code)\n"
") WITHOUT ROWID;\n"
"CREATE TABLE IF NOT EXISTS achievement (\n"
"  round           TEXT NOT NULL,      -- 2023-2024\n"
"  entry_id        TEXT NOT NULL,\n"
"  category        TEXT NOT NULL,      -- 科技创新成果 | 先进操作法\n"
"  title           TEXT NOT NULL,\n"
"  first_completer TEXT NOT NULL,\n"
"  gender          TEXT,\n"
"  credit_code     TEXT NOT NULL,      -- the completer's unit\n"
"  completers      TEXT,               -- others, separated by 、\n"
"  file_id INTEGER NOT NULL, line INTEGER NOT NULL,\n"
"  PRIMARY KEY (round, entry_id)\n"
");\n"
"CREATE TABLE IF NOT EXISTS score (\n"
"  round    TEXT NOT NULL,\n"
"  entry_id TEXT NOT NULL,\n"
"  judge    TEXT NOT NULL,\n"
"  score    REAL NOT NULL,             -- 0-100, one decimal at most\n"
"  file_id INTEGER NOT NULL, line INTEGER NOT NULL,\n"
"  PRIMARY KEY (round, entry_id, judge)\n"
");\n"
"CREATE TABLE IF NOT EXISTS skill (\n"
"  year         INTEGER NOT NULL,\n"
"  competition  TEXT NOT NULL,\n"
"  city_contest INTEGER NOT NULL,      -- 是 = 1\n"
"  rank         INTEGER NOT NULL,\n"
"  name         TEXT NOT NULL,\n"
"  gender       TEXT,\n"
"  credit_code  TEXT NOT NULL,\n"
"  score        REAL,\n"
"  file_id INTEGER NOT NULL, line INTEGER NOT NULL,\n"
"  PRIMARY KEY (year, competition, rank, name)\n"
");\n"
"CREATE TABLE IF NOT EXISTS award_row (  -- the awards CSV\n"
"  year           INTEGER NOT NULL,\n"
"  award          TEXT NOT NULL REFERENCES award(code),\n"
"  recipient      TEXT NOT NULL,\n"
"  recipient_kind TEXT NOT NULL,\n"
"  gender         TEXT,\n"
"  credit_code    TEXT NOT NULL,\n"
"  reason         TEXT,\n"
"  file_id INTEGER NOT NULL, line INTEGER NOT NULL,\n"
"  PRIMARY KEY (year, award, recipient, credit_code)\n"
");\n"

/* -- Earlier rows: a row that another file's row replaced (SPEC 3.2) is kept
 *    in TABLE_earlier, so that it comes back when that later file is
 *    forgotten or no longer has the key (ingest_forget.c, ingest_remove_contribution).
 *    Not a row of the file in `replacing`, the earlier content of the path
 *    being ingested: that content is going.  Every key kept there is also in
 *    TABLE; of the rows kept for a key, the latest has the highest rowid. - */
"CREATE TABLE IF NOT EXISTS replacing (id INTEGER);  -- no row, or one\n"
"CREATE TABLE IF NOT EXISTS enterprise_earlier AS SELECT * FROM enterprise WHERE 0;\n"
"CREATE INDEX IF NOT EXISTS enterprise_earlier_key ON enterprise_earlier(credit_code);\n"
"CREATE INDEX IF NOT EXISTS enterprise_earlier_file ON enterprise_earlier(file_id);\n"
"CREATE TRIGGER IF NOT EXISTS enterprise_keep_earlier AFTER UPDATE ON enterprise\n"
"  WHEN old.file_id <> new.file_id AND old.file_id IS NOT (SELECT id FROM replacing)\n"
"  BEGIN INSERT INTO enterprise_earlier VALUES (old.credit_code, old.name, old.region,\n"
"    old.ownership, old.nonpublic, old.above_scale, old.industry, old.employees,\n"
"    old.file_id, old.line); END;\n"
"CREATE TABLE IF NOT EXISTS participation_earlier AS SELECT * FROM participation WHERE 0;\n"
"CREATE INDEX IF NOT EXISTS participation_earlier_key\n"
"  ON participation_earlier(year, project_id, credit_code);\n"
"CREATE INDEX IF NOT EXISTS participation_earlier_file ON participation_earlier(file_id);\n"
"CREATE TRIGGER IF NOT EXISTS participation_keep_earlier AFTER UPDATE ON participation\n"
"  WHEN old.file_id <> new.file_id AND old.file_id IS NOT (SELECT id FROM replacing)\n"
"  BEGIN INSERT INTO participation_earlier VALUES (old.year, old.project_id,\n"
"    old.credit_code, old.participants, old.file_id, old.line); END;\n"
"CREATE TABLE IF NOT EXISTS achievement_earlier AS SELECT * FROM achievement WHERE 0;\n"
"CREATE INDEX IF NOT EXISTS achievement_earlier_key ON achievement_earlier(round, entry_id);\n"
"CREATE INDEX IF NOT EXISTS achievement_earlier_file ON achievement_earlier(file_id);\n"
"CREATE TRIGGER IF NOT EXISTS achievement_keep_earlier AFTER UPDATE ON achievement\n"
"  WHEN old.file_id <> new.file_id AND old.file_id IS NOT (SELECT id FROM replacing)\n"
"  BEGIN INSERT INTO achievement_earlier VALUES (old.round, old.entry_id,\n"
"    old.category, old.title, old.first_completer, old.gender, old.credit_code,\n"
"    old.completers, old.file_id, old.line); END;\n"
"CREATE TABLE IF NOT EXISTS score_earlier AS SELECT * FROM score WHERE 0;\n"
"CREATE INDEX IF NOT EXISTS score_earlier_key ON score_earlier(round, entry_id, judge);\n"
"CREATE INDEX IF NOT EXISTS score_earlier_file ON score_earlier(file_id);\n"
"CREATE TRIGGER IF NOT EXISTS score_keep_earlier AFTER UPDATE ON score\n"
"  WHEN old.file_id <> new.file_id AND old.file_id IS NOT (SELECT id FROM replacing)\n"
"  BEGIN INSERT INTO score_earlier VALUES (old.round, old.entry_id, old.judge,\n"
"    old.score, old.file_id, old.line); END;\n"
"CREATE TABLE IF NOT EXISTS skill_earlier AS SELECT * FROM skill WHERE 0;\n"
"CREATE INDEX IF NOT EXISTS skill_earlier_key ON skill_earlier(year, competition, rank, name);\n"
"CREATE INDEX IF NOT EXISTS skill_earlier_file ON skill_earlier(file_id);\n"
"CREATE TRIGGER IF NOT EXISTS skill_keep_earlier AFTER UPDATE ON skill\n"
"  WHEN old.file_id <> new.file_id AND old.file_id IS NOT (SELECT id FROM replacing)\n"
"  BEGIN INSERT INTO skill_earlier VALUES (old.year, old.competition,\n"
"    old.city_contest, old.rank, old.name, old.gender, old.credit_code, old.score,\n"
"    old.file_id, old.line); END;\n"
"CREATE TABLE IF NOT EXISTS award_row_earlier AS SELECT * FROM award_row WHERE 0;\n"
"CREATE INDEX IF NOT EXISTS award_row_earlier_key\n"
"  ON award_row_earlier(year, award, recipient, credit_code);\n"
"CREATE INDEX IF NOT EXISTS award_row_earlier_file ON award_row_earlier(file_id);\n"
"CREATE TRIGGER IF NOT EXISTS award_row_keep_earlier AFTER UPDATE ON award_row\n"
"  WHEN old.file_id <> new.file_id AND old.file_id IS NOT (SELECT id FROM replacing)\n"
"  BEGIN INSERT INTO award_row_earlier VALUES (old.year, old.award, old.recipient,\n"
"    old.recipient_kind, old.gender, old.credit_code, old.reason, old.file_id,\n"
"    old.line); END;\n"

/* -- Certificates: serials are assigned once and never reused. ------------ */
"CREATE TABLE IF NOT EXISTS certificate (\n"
"  serial         TEXT PRIMARY KEY,   -- YYYY-AWARD-NNNN\n"
"  year           INTEGER NOT NULL,\n"
"  award          TEXT NOT NULL,\n"
"  seq            INTEGER NOT NULL,   -- NNNN\n"
"  recipient      TEXT NOT NULL,\n"
"  credit_code    TEXT NOT NULL,\n"
"  recipient_kind TEXT NOT NULL,\n"
"  gender         TEXT,\n"
"  unit           TEXT,               -- enterprise name at the time of printing\n"
"  region         TEXT,\n"
"  source         TEXT NOT NULL,      -- awards CSV, top-ten, skills\n"
"  status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','withdrawn')),\n"
"  fields         TEXT,               -- the printed fields, as signed\n"
"  UNIQUE (year, award, recipient, credit_code),\n"
"  UNIQUE (year, award, seq)\n"
");\n"
/* Which key signed the QR codes printed on the certificates of an award and
 * year, so that a run without that key (a cron job without the variable)
 * or with another one does not print them again with no code or with codes
 * that no longer verify, unless told to (--re-sign). */
"CREATE TABLE IF NOT EXISTS cert_signing (\n"
"  year   INTEGER NOT NULL,\n"
"  award  TEXT NOT NULL,\n"
"  key_id TEXT NOT NULL,              -- cert_key_id of the key; '' = printed without codes\n"
"  PRIMARY KEY (year, award)\n"
");\n"

/* The fields a certificate was signed with before it was printed again with
 * others (its unit renamed in the enterprise register, its award's title or
 * ceremony date changed), with the key that signed them: the copy handed out
 * still carries their code, and the site keeps a page there saying that the
 * certificate was printed again, rather than none (which says forged). */
"CREATE TABLE IF NOT EXISTS cert_superseded (\n"
"  serial TEXT NOT NULL,              -- certificate.serial\n"
"  fields TEXT NOT NULL,              -- the printed fields, as signed then\n"
"  key_id TEXT NOT NULL,              -- cert_key_id of the key that signed them\n"
"  PRIMARY KEY (serial, fields)\n"
");\n"

/* -- Documents built, with the fingerprint of their inputs (nightly run). -- */
"CREATE TABLE IF NOT EXISTS document (\n"
"  path        TEXT PRIMARY KEY,      -- under output/\n"
"  fingerprint TEXT NOT NULL,         -- sha256 over data and template\n"
"  sha256      TEXT NOT NULL,         -- of the file written\n"
"  built_at    TEXT NOT NULL\n"
");\n"

/* -- How often the certificates have changed (any row inserted, updated or
 *    deleted), counted by the triggers below: the nightly run's fingerprint
 *    of the state reads the count, not the register of a province
 *    (130 000 rows).  A count only grows, so a change is never missed. ----- */
"CREATE TABLE IF NOT EXISTS table_changes (\n"
"  name    TEXT PRIMARY KEY,          -- 'certificate'\n"
"  changes INTEGER NOT NULL\n"
") WITHOUT ROWID;\n"
"CREATE TRIGGER IF NOT EXISTS certificate_inserted AFTER INSERT ON certificate BEGIN\n"
"  INSERT INTO table_changes VALUES ('certificate', 1)\n"
"  ON CONFLICT (name) DO UPDATE SET changes = changes + 1; END;\n"
"CREATE TRIGGER IF NOT EXISTS certificate_updated AFTER UPDATE ON certificate BEGIN\n"
"  INSERT INTO table_changes VALUES ('certificate', 1)\n"
"  ON CONFLICT (name) DO UPDATE SET changes = changes + 1; END;\n"
"CREATE TRIGGER IF NOT EXISTS certificate_deleted AFTER DELETE ON certificate BEGIN\n"
"  INSERT INTO table_changes VALUES ('certificate', 1)\n"
"  ON CONFLICT (name) DO UPDATE SET changes = changes + 1; END;\n"

/* -- What files looked like when their bytes were last read or written
 *    (filestat.c): a file whose size, times and inode are still these holds
 *    the bytes of sha256, without being read (as git's index).  Only times
 *    the clock had passed when recorded are kept, so no later change can
 *    leave them as they are. ------------------------------------------------ */
"CREATE TABLE IF NOT EXISTS file_stat (\n"
"  tree     TEXT NOT NULL,         -- 'input' (path as in file.path) | 'output' (as in document.path)\n"
"  path     TEXT NOT NULL,\n"
"  size     INTEGER NOT NULL,\n"
"  mtime_ns INTEGER NOT NULL,      -- nanoseconds since the epoch\n"
"  ctime_ns INTEGER NOT NULL,\n"
"  inode    INTEGER NOT NULL,\n"
"  sha256   TEXT NOT NULL,         -- of the bytes the file held with these\n"
"  PRIMARY KEY (tree, path)\n"
") WITHOUT ROWID;\n"

/* -- Builder calls of the nightly run that completed, with the state of the
 *    store, templates and fonts they saw: one that finds the same state and
 *    its documents intact is skipped whole (run.c). -------------------------- */
"CREATE TABLE IF NOT EXISTS run_group (\n"
"  name        TEXT PRIMARY KEY,      -- 'annual 2025', 'bulletin 2023-2024', 'certificates 2025'\n"
"  fingerprint TEXT NOT NULL,         -- sha256 over the inputs' state and the name\n"
"  documents   INTEGER NOT NULL       -- documents recorded under its folder then\n"
");\n"

/* -- Current views ------------------------------------------------------------ */
"CREATE VIEW IF NOT EXISTS cur_return AS\n"
"  SELECT r.* FROM annual_return r\n"
"  WHERE r.id = (SELECT r2.id FROM annual_return r2\n"
"                WHERE r2.region = r.region AND r2.year = r.year\n"
"                ORDER BY r2.submitted DESC, r2.id DESC LIMIT 1);\n"
"CREATE VIEW IF NOT EXISTS cur_project AS\n"
"  SELECT p.id, p.track, p.level, p.status, p.name, p.organizer, r.region, r.year, p.line, r.file_id\n"
"  FROM project p JOIN cur_return r ON r.id = p.return_id;\n"
"CREATE VIEW IF NOT EXISTS cur_studio AS\n"
"  SELECT s.id, s.name, s.leader, s.level, s.founded, r.region, r.year\n"
"  FROM studio s JOIN cur_return r ON r.id = s.return_id;\n"
;

/*
 * Identity and version.  The store says it is ours in its header
 * (PRAGMA application_id = STORE_APPLICATION_ID) and which schema it holds
 * (PRAGMA user_version).  Before 0.2 stores carried neither: a file with
 * both zero is a store of that time when it has our tables, a new store when
 * it has no table at all, and anything else is another program's database,
 * which is refused before anything is written to it (not even the journal
 * mode).  A store of a later schema is refused too: this program does not
 * know what the newer one keeps.
 *
 * To change the schema: add the step to `migrations` (one row, the version
 * it leads to and its SQL), and raise STORE_SCHEMA_VERSION.  New tables and
 * indexes can also go into store_schema with IF NOT EXISTS, which runs on
 * every open.  A store is migrated in one transaction, after a backup.
 */
static const struct migration {
	int to;            /* the schema version after this step */
	const char *sql;   /* run in the migration's transaction */
} migrations[] = {
	/* 1: the store of 0.1.0 gets its identity; file paths that are not
	 * printable UTF-8 are kept escaped (jz_escape_name), as ingest now
	 * stores them, so that the same file is still the same file. */
	{1, "UPDATE file SET path = jingsai_escape_name(path) "
	    "WHERE path <> jingsai_escape_name(path);"},
};

/* jingsai_escape_name(TEXT): jz_escape_name as an SQL function, for migrations. */
static void
sql_escape_name(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const unsigned char *s = sqlite3_value_text(argv[0]);

	if (s == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	char *e = jz_escape_name((const char *)s);
	sqlite3_result_text(ctx, e, -1, free);
}

/* Says why the store at PATH (identified as KIND, schema VERSION) cannot be
 * used by this program; returns -1.  Nothing was written to it. */
static int
refuse(const char *path, int kind, int version, sqlite3 *db)
{
	if (kind == STORE_NOT_DB)
		diag(DIAG_STORE_NOT_DB, path, 0, 0, sqlite3_errmsg(db));
	else if (kind == STORE_FOREIGN)
		diag(DIAG_STORE_FOREIGN, path, 0, 0);
	else
		diag(DIAG_STORE_NEWER, path, 0, 0, version, STORE_SCHEMA_VERSION);
	return -1;
}

/* Brings the store to STORE_SCHEMA_VERSION in one transaction (a new
 * store: its schema and identity); BACKUP names the copy made before, for
 * the message.  Returns 0 or -1 after a diagnostic. */
static int
migrate(sqlite3 *db, const char *path, const char *backup)
{
	int version, from, kind;

	if (store_begin(db) != 0)
		return -1;
	/* Another process may have migrated it while we waited for the lock. */
	kind = store_identify(db, &version);
	if (kind == STORE_OURS && version >= STORE_SCHEMA_VERSION) {
		store_commit(db);
		return version > STORE_SCHEMA_VERSION ? refuse(path, kind, version, db) : 0;
	}
	if (kind != STORE_OURS && kind != STORE_EMPTY) {
		store_rollback(db);
		return refuse(path, kind, version, db);
	}
	from = kind == STORE_EMPTY ? STORE_SCHEMA_VERSION : version;
	for (size_t i = 0; i < sizeof migrations / sizeof *migrations; i++)
		if (migrations[i].to > from && store_exec(db, migrations[i].sql) != 0) {
			store_rollback(db);
			return -1;
		}
	char *sql = xasprintf("PRAGMA application_id = %d; PRAGMA user_version = %d;",
	    STORE_APPLICATION_ID, STORE_SCHEMA_VERSION);
	int rc = store_exec(db, store_schema) == 0 && store_exec(db, sql) == 0 ? 0 : -1;
	free(sql);
	if (rc != 0 || store_commit(db) != 0) {
		store_rollback(db);
		return -1;
	}
	if (kind == STORE_OURS)
		diag(DIAG_STORE_MIGRATED, path, 0, 0, from, STORE_SCHEMA_VERSION,
		    backup != NULL ? backup : _("none"));
	return 0;
}

sqlite3 *
store_open(const char *path, int readonly)
{
	sqlite3 *db = NULL;
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int kind, version;

	if (!readonly) {
		char *copy = xstrdup(path);
		mkdir_p(dirname(copy));
		free(copy);
	}
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		diag(DIAG_STORE_OPEN, NULL, 0, 0, path, db ? sqlite3_errmsg(db) : sqlite3_errstr(SQLITE_NOMEM));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, STORE_BUSY_MS);
	sqlite3_extended_result_codes(db, 1);
	sqlite3_create_function(db, "jingsai_escape_name", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
	    NULL, sql_escape_name, NULL, NULL);
	/* Only reads until it is known to be ours. */
	kind = store_identify(db, &version);
	if (kind == STORE_NOT_DB || kind == STORE_FOREIGN ||
	    (kind == STORE_OURS && version > STORE_SCHEMA_VERSION) ||
	    (readonly && kind == STORE_EMPTY && strcmp(path, ":memory:") != 0)) {
		if (kind == STORE_EMPTY)
			diag(DIAG_STORE_NOT_DB, path, 0, 0, _("no jingsai store there"));
		else
			refuse(path, kind, version, db);
		sqlite3_close(db);
		return NULL;
	}
	if (readonly)
		return db;
	if (kind == STORE_EMPTY || version < STORE_SCHEMA_VERSION) {
		char *backup = NULL;
		/* An older store is copied first: the migration cannot be undone. */
		if (kind == STORE_OURS && strcmp(path, ":memory:") != 0 &&
		    store_backup(db, path, "before-migration", &backup) != 0) {
			sqlite3_close(db);
			return NULL;
		}
		int rc = store_exec(db, "PRAGMA journal_mode = WAL") != 0 ||
		    migrate(db, path, backup) != 0;
		free(backup);
		if (rc) {
			sqlite3_close(db);
			return NULL;
		}
	}
	if (store_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;") != 0 ||
	    store_exec(db, store_schema) != 0) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* Statements store_cached keeps, with their connection and text. */
#define CACHED_MAX 16
static struct {
	sqlite3 *db;
	const char *sql;
	sqlite3_stmt *st;
} cached[CACHED_MAX];

sqlite3_stmt *
store_cached(sqlite3 *db, const char *sql)
{
	int free_slot = -1;

	for (int i = 0; i < CACHED_MAX; i++) {
		if (cached[i].db == db && strcmp(cached[i].sql, sql) == 0)
			return cached[i].st;
		if (cached[i].db == NULL && free_slot < 0)
			free_slot = i;
	}
	sqlite3_stmt *st = store_prepare(db, sql);
	if (st != NULL && free_slot >= 0) {
		cached[free_slot].db = db;
		cached[free_slot].sql = sql;
		cached[free_slot].st = st;
	} else if (st != NULL) {
		/* more texts than slots: a programming error, caught by the tests */
		sqlite3_finalize(st);
		diag(DIAG_STORE, NULL, 0, 0, _("too many cached statements"));
		st = NULL;
	}
	return st;
}

sqlite3 *
store_open_existing(const char *path, int readonly, enum diag_code missing)
{
	if (access(path, F_OK) != 0) {
		diag(missing, path, 0, 0, strerror(errno));
		return NULL;
	}
	return store_open(path, readonly);
}

void
store_close(sqlite3 *db)
{
	if (db == NULL)
		return;
	for (int i = 0; i < CACHED_MAX; i++)
		if (cached[i].db == db) {
			sqlite3_finalize(cached[i].st);
			memset(&cached[i], 0, sizeof cached[i]);
		}
	sqlite3_close(db);
}

int
store_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK)
		return 0;
	diag(DIAG_STORE, NULL, 0, 0, err ? err : sqlite3_errmsg(db));
	sqlite3_free(err);
	return -1;
}

sqlite3_stmt *
store_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		diag(DIAG_STORE_SQL, NULL, 0, 0, sqlite3_errmsg(db), sql);
		return NULL;
	}
	return st;
}

int
store_begin(sqlite3 *db)
{
	return store_exec(db, "BEGIN IMMEDIATE");
}

int
store_savepoint(sqlite3 *db, const char *name, int *outer)
{
	char *sql = xasprintf("SAVEPOINT \"%s\"", name);
	int rc;

	*outer = sqlite3_get_autocommit(db);
	if (*outer && store_begin(db) != 0) {
		free(sql);
		return -1;
	}
	rc = store_exec(db, sql);
	free(sql);
	if (rc != 0 && *outer)
		store_rollback(db);
	return rc;
}

int
store_release(sqlite3 *db, const char *name, int outer, int ok)
{
	char *sql = ok ? xasprintf("RELEASE \"%s\"", name) :
	    xasprintf("ROLLBACK TO \"%s\"; RELEASE \"%s\"", name, name);
	int rc = ok ? store_exec(db, sql) : (sqlite3_exec(db, sql, NULL, NULL, NULL), 0);

	free(sql);
	if (outer) {
		if (ok && rc == 0)
			rc = store_commit(db);
		if (!ok || rc != 0)
			store_rollback(db);
	} else if (rc != 0) {
		sql = xasprintf("ROLLBACK TO \"%s\"; RELEASE \"%s\"", name, name);
		sqlite3_exec(db, sql, NULL, NULL, NULL);
		free(sql);
	}
	return rc;
}

int
store_commit(sqlite3 *db)
{
	return store_exec(db, "COMMIT");
}

void
store_rollback(sqlite3 *db)
{
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}
