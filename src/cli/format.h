/* Formatting shared by the verbs that print sites. */
#ifndef CTUI_CLI_FORMAT_H
#define CTUI_CLI_FORMAT_H

#include <stdint.h>
#include <stdio.h>

/* Writes ADDR as a dotted quad into OUT (16 bytes); returns OUT. */
char *cli_format_ipv4(uint32_t addr, char out[16]);

/* Writes BYTES as "64M", "1.5G", "512K" or "-" for 0 into OUT (16 bytes). */
char *cli_format_size(unsigned long long bytes, char out[16]);

/* Writes TEXT into OUT (SIZE bytes) followed by spaces up to WIDTH terminal
 * columns, counted in the current locale; returns OUT. printf's "%-16s" pads
 * by bytes, so it misaligns translated labels with accented letters. TEXT is
 * cut to fit OUT, and counts one column a byte if it is not valid there. */
char *cli_pad(const char *text, int width, char *out, size_t size);

/* Writes S as a JSON string literal, quotes included. */
void cli_json_string(FILE *out, const char *s);

#endif
