#include "tui/draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "util/util.h"

/* Decodes TEXT into wide characters that are safe to print, one per
 * character of TEXT; returns how many. WIDTHS gets each one's columns. */
static size_t decode(const char *text, wchar_t *out, int *widths, size_t max)
{
	mbstate_t state;
	size_t n = 0, len = strlen(text);

	memset(&state, 0, sizeof state);
	while (len && n < max) {
		wchar_t wc;
		size_t used = mbrtowc(&wc, text, len, &state);
		int width;

		if (used == (size_t)-1 || used == (size_t)-2 || used == 0) {
			memset(&state, 0, sizeof state);
			wc = L'?';
			used = 1;
		}
		width = wcwidth(wc);
		if (width < 0 || wc < 0x20 || (wc >= 0x7f && wc < 0xa0)) {
			wc = L'?';
			width = 1;
		}
		out[n] = wc;
		widths[n] = width;
		n++;
		text += used;
		len -= used;
	}
	return n;
}

#define LINE_MAX_CHARS 1024

int tui_text_width(const char *text)
{
	wchar_t wide[LINE_MAX_CHARS];
	int widths[LINE_MAX_CHARS], total = 0;
	size_t n = decode(text, wide, widths, LINE_MAX_CHARS);

	for (size_t i = 0; i < n; i++)
		total += widths[i];
	return total;
}

void tui_fill(int y, int x, int width, unsigned attr)
{
	if (width <= 0)
		return;
	attrset(attr);
	mvhline(y, x, ' ', width);
}

void tui_text(struct tui *tui, int y, int x, int width, const char *text, unsigned attr,
	      enum tui_align align)
{
	wchar_t wide[LINE_MAX_CHARS];
	int widths[LINE_MAX_CHARS], used = 0;
	size_t n = decode(text, wide, widths, LINE_MAX_CHARS), shown = 0;
	int total = 0;

	if (width <= 0)
		return;
	for (size_t i = 0; i < n; i++)
		total += widths[i];

	if (total > width) {
		/* Keep room for the ellipsis. */
		while (shown < n && used + widths[shown] <= width - 1)
			used += widths[shown++];
		wide[shown++] = tui->utf8 ? L'\u2026' : L'~';
		used++;
	} else {
		shown = n;
		used = total;
	}

	tui_fill(y, x, width, attr);
	attrset(attr);
	mvaddnwstr(y, align == TUI_RIGHT ? x + width - used : x, wide, (int)shown);
}

void tui_text_from(int y, int x, int width, const char *text, size_t skip, unsigned attr)
{
	wchar_t wide[LINE_MAX_CHARS];
	int widths[LINE_MAX_CHARS], used = 0, skipped = 0;
	size_t n = decode(text, wide, widths, LINE_MAX_CHARS), first = 0, last;

	tui_fill(y, x, width, attr);
	while (first < n && skipped + widths[first] <= (int)skip)
		skipped += widths[first++];
	for (last = first; last < n && used + widths[last] <= width; last++)
		used += widths[last];
	if (last > first) {
		attrset(attr);
		mvaddnwstr(y, x, wide + first, (int)(last - first));
	}
}

void tui_box(struct tui *tui, int y, int x, int height, int width, const char *title,
	     unsigned attr, unsigned title_attr)
{
	char label[256];

	for (int row = 0; row < height; row++)
		tui_fill(y + row, x, width, attr);
	attrset(attr);
	mvaddch(y, x, ACS_ULCORNER);
	mvhline(y, x + 1, ACS_HLINE, width - 2);
	mvaddch(y, x + width - 1, ACS_URCORNER);
	mvvline(y + 1, x, ACS_VLINE, height - 2);
	mvvline(y + 1, x + width - 1, ACS_VLINE, height - 2);
	mvaddch(y + height - 1, x, ACS_LLCORNER);
	mvhline(y + height - 1, x + 1, ACS_HLINE, width - 2);
	mvaddch(y + height - 1, x + width - 1, ACS_LRCORNER);

	if (title && *title) {
		int len;

		snprintf(label, sizeof label, " %s ", title);
		len = tui_text_width(label);
		if (len > width - 4)
			len = width - 4;
		tui_text(tui, y, x + 2, len, label, title_attr, TUI_LEFT);
	}
}

void tui_sparkline(struct tui *tui, int y, int x, const float *values, int width, float max,
		   unsigned attr)
{
	static const wchar_t blocks[] = L"\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588";
	static const wchar_t ascii[] = L"._-:=+*#";
	const wchar_t *levels = tui->utf8 ? blocks : ascii;

	attrset(attr);
	for (int i = 0; i < width; i++) {
		wchar_t cell[2] = { L' ', 0 };

		/* NAN, the only value unequal to itself, marks a missing sample. */
		if (values[i] == values[i]) {
			float ratio = max > 0 ? values[i] / max : 0;
			int level = (int)(ratio * 7 + 0.5f);

			if (level < 0)
				level = 0;
			if (level > 7)
				level = 7;
			cell[0] = levels[level];
		}
		mvaddnwstr(y, x + i, cell, 1);
	}
}

void tui_bar(struct tui *tui, int y, int x, int width, double fraction, unsigned fill_attr,
	     unsigned empty_attr)
{
	int filled = (int)(fraction * width + 0.5);
	const wchar_t full[2] = { tui->utf8 ? L'\u2588' : L'#', 0 };
	const wchar_t empty[2] = { tui->utf8 ? L'\u2591' : L'-', 0 };

	if (filled > width)
		filled = width;
	for (int i = 0; i < width; i++) {
		attrset(i < filled ? fill_attr : empty_attr);
		mvaddnwstr(y, x + i, i < filled ? full : empty, 1);
	}
}

char *tui_format_size(unsigned long long bytes, char *out)
{
	static const char units[] = "KMGT";
	double value = (double)bytes;
	int unit = -1;

	if (bytes == 0) {
		snprintf(out, 16, "-");
		return out;
	}
	while (value >= 1024 && unit < 3) {
		value /= 1024;
		unit++;
	}
	if (unit < 0)
		snprintf(out, 16, "%lluB", bytes);
	else if (value < 10 && value != (double)(unsigned long long)value)
		snprintf(out, 16, "%.1f%c", value, units[unit]);
	else
		snprintf(out, 16, "%.0f%c", value, units[unit]);
	return out;
}

char *tui_format_duration(unsigned long long seconds, char *out)
{
	unsigned long long days = seconds / 86400, hours = seconds / 3600 % 24;
	unsigned long long minutes = seconds / 60 % 60;

	if (days)
		snprintf(out, 32, "%llud %02llu:%02llu:%02llu", days, hours, minutes, seconds % 60);
	else if (hours)
		snprintf(out, 32, "%02llu:%02llu:%02llu", hours, minutes, seconds % 60);
	else
		snprintf(out, 32, "%llu:%02llu", minutes, seconds % 60);
	return out;
}

char *tui_format_ipv4(uint32_t addr, char *out)
{
	snprintf(out, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255,
		 addr & 255);
	return out;
}

/* Finds the end of the longest run of whole words from LINE that fits in
 * WIDTH columns, stopping at a line break. A first word wider than the line
 * is taken whole, and tui_text() cuts it when drawing. */
static char *fitting_end(char *line, int width)
{
	char *end = line;

	for (;;) {
		char *word_end = end;
		char saved;
		bool fits;

		while (*word_end == ' ')
			word_end++;
		if (!*word_end || *word_end == '\n')
			return end;
		while (*word_end && *word_end != ' ' && *word_end != '\n')
			word_end++;

		saved = *word_end;
		*word_end = '\0';
		fits = tui_text_width(line) <= width;
		*word_end = saved;
		if (!fits && end != line)
			return end;
		end = word_end;
		if (!fits)
			return end;
	}
}

int tui_wrap(struct tui *tui, int y, int x, int width, int max_rows, const char *text,
	     unsigned attr)
{
	cleanup_free char *copy = xstrdup(text);
	char *line = copy;
	int rows = 0;

	while (*line && rows < max_rows) {
		char *end = fitting_end(line, width);
		char saved = *end;

		*end = '\0';
		tui_text(tui, y + rows, x, width, line, attr, TUI_LEFT);
		*end = saved;
		rows++;

		line = end;
		while (*line == ' ')
			line++;
		if (*line == '\n')
			line++;
	}
	return rows;
}

int tui_button(struct tui *tui, int y, int x, const char *label, bool active)
{
	char text[128];
	int width;

	snprintf(text, sizeof text, "[ %s ]", label);
	width = tui_text_width(text);
	tui_text(tui, y, x, width, text, tui->theme.attr[active ? TUI_BUTTON_ACTIVE : TUI_BUTTON],
		 TUI_LEFT);
	return width;
}

void tui_center(int *height, int *width, int *y, int *x)
{
	if (*height > LINES)
		*height = LINES;
	if (*width > COLS)
		*width = COLS;
	*y = (LINES - *height) / 2;
	*x = (COLS - *width) / 2;
}
