#include "cli/format.h"

#include <string.h>
#include <wchar.h>

char *cli_format_ipv4(uint32_t addr, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255,
		 addr & 255);
	return out;
}

char *cli_format_size(unsigned long long bytes, char out[16])
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
	else if (value == (double)(unsigned long long)value)
		snprintf(out, 16, "%llu%c", (unsigned long long)value, units[unit]);
	else
		snprintf(out, 16, "%.1f%c", value, units[unit]);
	return out;
}

static int display_width(const char *text)
{
	mbstate_t state = { 0 };
	size_t left = strlen(text);
	int width = 0;

	while (left > 0) {
		wchar_t wc;
		size_t len = mbrtowc(&wc, text, left, &state);
		int columns;

		if (len == (size_t)-1 || len == (size_t)-2 || len == 0)
			return width + (int)left;
		columns = wcwidth(wc);
		width += columns > 0 ? columns : 0;
		text += len;
		left -= len;
	}
	return width;
}

char *cli_pad(const char *text, int width, char *out, size_t size)
{
	size_t len;
	int pad;

	snprintf(out, size, "%s", text);
	len = strlen(out);
	for (pad = width - display_width(out); pad > 0 && len + 1 < size; pad--)
		out[len++] = ' ';
	out[len] = '\0';
	return out;
}

void cli_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}
