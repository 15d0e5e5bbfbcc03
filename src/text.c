/* text.c — number and date formatting for documents. */
#include <stdio.h>
#include <string.h>

#include "jingsai.h"
#include "layout.h"

char *
fmt_thousands(long long value, char *out)
{
	char digits[32];
	unsigned long long v;
	int n, i, o = 0;

	v = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
	n = snprintf(digits, sizeof digits, "%llu", v);
	if (value < 0)
		out[o++] = '-';
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return out;
}

static const char *const han_digit[] = {
	"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"
};

/* 1..31 as read aloud: 十, 十一, 二十, 二十八, 三十一. */
static void
han_number(struct buf *b, int n)
{
	if (n >= 10) {
		if (n / 10 > 1)
			buf_puts(b, han_digit[n / 10]);
		buf_puts(b, "十");
		if (n % 10 != 0)
			buf_puts(b, han_digit[n % 10]);
	} else
		buf_puts(b, han_digit[n]);
}

char *
fmt_date_chinese(int year, int month, int day)
{
	struct buf b = {0};
	char y[16];
	int i;

	snprintf(y, sizeof y, "%d", year);
	for (i = 0; y[i] != '\0'; i++)
		if (y[i] >= '0' && y[i] <= '9')
			buf_puts(&b, han_digit[y[i] - '0']);
	buf_puts(&b, "年");
	han_number(&b, month);
	buf_puts(&b, "月");
	han_number(&b, day);
	buf_puts(&b, "日");
	return b.data;
}

char *
fmt_date_arabic(int year, int month, int day)
{
	return xasprintf("%d年%d月%d日", year, month, day);
}
