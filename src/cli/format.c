#include "cli/format.h"

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
