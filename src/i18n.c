/* i18n.c — messages in the user's language (GNU gettext), and the Chinese of documents. */
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jingsai.h"

#ifndef JZ_LOCALEDIR
#define JZ_LOCALEDIR "/usr/local/share/locale"
#endif

/*
 * Two languages, chosen two ways.
 *
 * Messages to the person at the terminal (diagnostics, summaries, --help)
 * follow the locale, as every Unix program does: LC_ALL, LC_MESSAGES or
 * LANG = zh_CN.UTF-8 gives Chinese, the C locale English (the msgids).
 *
 * Text that goes into a document (the rejected-files appendix, receipts) is
 * Chinese whatever the locale: jz_doc_text looks it up with the calling
 * thread switched to zh_CN.UTF-8 for the time of the lookup (glibc's
 * gettext honours uselocale), so the same catalogue serves both.
 *
 * LANGUAGE would override the thread's locale too, so it is read once here
 * and cleared, its meaning kept: outside the C locale it decides alone, and
 * since the only catalogue is Chinese, messages are Chinese when it names
 * Chinese at all (zh, zh_CN, …) and English when it does not.
 */

static locale_t zh_locale;  /* zh_CN.UTF-8 for documents; 0 when not installed */
static pthread_once_t zh_once = PTHREAD_ONCE_INIT;

static void
zh_open(void)
{
	zh_locale = newlocale(LC_MESSAGES_MASK | LC_CTYPE_MASK, "zh_CN.UTF-8", (locale_t)0);
}

/* 1 when a catalogue for zh_CN lies under DIR. */
static int
has_catalogue(const char *dir)
{
	char mo[4200];
	struct stat sb;

	snprintf(mo, sizeof mo, "%s/zh_CN/LC_MESSAGES/%s.mo", dir, JZ_TEXTDOMAIN);
	return stat(mo, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Where the catalogue is: beside the program in its build tree
 * (./jingsai → build/locale, build/jingsai-asan → build/locale), relative to
 * an installed program (bin/../share/locale), else the configured folder.
 * Returns a static string.  (No util.c here: diag.c calls into this file,
 * and util.c reports through diag.c.) */
static const char *
catalogue_dir(void)
{
	static char dir[4100];
	char exe[4000];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	static const char *const beside[] = {"build/locale", "locale", "../share/locale"};

	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			for (size_t i = 0; i < sizeof beside / sizeof *beside; i++) {
				snprintf(dir, sizeof dir, "%s/%s", exe, beside[i]);
				if (has_catalogue(dir))
					return dir;
			}
		}
	}
	return JZ_LOCALEDIR;
}

/* 1 when the colon-separated LANGUAGE list names Chinese (zh, zh_CN, …)
 * before giving up: only a Chinese catalogue exists, so any other entry
 * before it would just be skipped by gettext. */
static int
language_wants_chinese(const char *list)
{
	for (const char *p = list; *p != '\0';) {
		size_t n = strcspn(p, ":");
		if (n >= 2 && strncmp(p, "zh", 2) == 0 && (n == 2 || p[2] == '_' || p[2] == '.'))
			return 1;
		p += n;
		if (*p == ':')
			p++;
	}
	return 0;
}

void
jz_i18n_init(void)
{
	const char *language = getenv("LANGUAGE");
	const char *messages;

	setlocale(LC_ALL, "");
	messages = setlocale(LC_MESSAGES, NULL);
	if (language != NULL && *language != '\0') {
		int c_locale = messages == NULL || strcmp(messages, "C") == 0 ||
		    strcmp(messages, "POSIX") == 0;
		int chinese = !c_locale && language_wants_chinese(language);
		unsetenv("LANGUAGE");
		if (chinese && strncmp(messages, "zh", 2) != 0)
			setlocale(LC_MESSAGES, "zh_CN.UTF-8");
		else if (!chinese && !c_locale && strncmp(messages, "zh", 2) == 0)
			setlocale(LC_MESSAGES, "C.UTF-8");  /* LANGUAGE=en under LANG=zh_CN */
	}
	bindtextdomain(JZ_TEXTDOMAIN, catalogue_dir());
	textdomain(JZ_TEXTDOMAIN);
}

const char *
jz_doc_text(const char *msgid)
{
	pthread_once(&zh_once, zh_open);
	if (zh_locale == (locale_t)0)
		return msgid;
	locale_t old = uselocale(zh_locale);
	const char *s = dgettext(JZ_TEXTDOMAIN, msgid);
	uselocale(old);
	return s;
}

const char *
jz_doc_strerror(int err)
{
	pthread_once(&zh_once, zh_open);
	return zh_locale == (locale_t)0 ? strerror(err) : strerror_l(err, zh_locale);
}

int
jz_doc_available(void)
{
	/* TRANSLATORS: the language of this catalogue, in itself; jingsai
	 * looks it up to know that documents will be Chinese. */
	static const char probe[] = N_("English");

	pthread_once(&zh_once, zh_open);
	if (zh_locale == (locale_t)0)
		return -1;
	return strcmp(jz_doc_text(probe), probe) != 0 ? 0 : -2;
}
