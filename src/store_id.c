/* store_id.c — what a database file is: a jingsai store (and of which schema
 * version), a new empty one, another program's database, or no database at
 * all; read from its header and tables without writing a byte. */
#include "store.h"

/* An integer PRAGMA's value, or -1 when the file cannot be read as a database. */
static long long
pragma_int(sqlite3 *db, const char *pragma)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(db, pragma, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
store_identify(sqlite3 *db, int *version)
{
	long long app = pragma_int(db, "PRAGMA application_id");
	long long user = pragma_int(db, "PRAGMA user_version");
	long long tables = pragma_int(db, "SELECT count(*) FROM sqlite_master");
	long long ours = pragma_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
	    "AND name IN ('programme', 'file', 'certificate', 'document')");

	*version = 0;
	if (app < 0 || user < 0 || tables < 0 || ours < 0)
		return STORE_NOT_DB;
	if (app == STORE_APPLICATION_ID) {
		*version = (int)user;
		return STORE_OURS;
	}
	if (app != 0)
		return STORE_FOREIGN;
	if (tables == 0 && user == 0)
		return STORE_EMPTY;
	if (ours == 4 && user == 0)
		return STORE_OURS;  /* 0.1.0: version 0 */
	return STORE_FOREIGN;
}
