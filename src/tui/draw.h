/* Drawing helpers shared by the screens. Text is measured in terminal
 * columns, multibyte characters included. Sites control some of the text
 * shown (log lines, file names), so control characters and invalid bytes
 * are drawn as '?' and never reach the terminal. */
#ifndef CTUI_TUI_DRAW_H
#define CTUI_TUI_DRAW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/tui.h"

enum tui_align { TUI_LEFT, TUI_RIGHT };

/* Draws TEXT at Y, X in exactly WIDTH columns with ATTR: cut with an ellipsis
 * when longer, padded with spaces when shorter. */
void tui_text(struct tui *tui, int y, int x, int width, const char *text, unsigned attr,
	      enum tui_align align);

/* Like tui_text(), skipping the first SKIP columns of TEXT (horizontal
 * scrolling) and without an ellipsis. */
void tui_text_from(int y, int x, int width, const char *text, size_t skip, unsigned attr);

/* The columns TEXT takes on the terminal. */
int tui_text_width(const char *text);

void tui_fill(int y, int x, int width, unsigned attr);

/* Draws a frame with TITLE in its top border and its inside filled with ATTR. */
void tui_box(struct tui *tui, int y, int x, int height, int width, const char *title,
	     unsigned attr, unsigned title_attr);

/* Draws a sparkline: one block character per column (ASCII on terminals
 * without UTF-8), VALUES[i] scaled to MAX. A NAN value leaves a blank. */
void tui_sparkline(struct tui *tui, int y, int x, const float *values, int width, float max,
		   unsigned attr);

/* Draws a bar of WIDTH columns filled to FRACTION (0..1). */
void tui_bar(struct tui *tui, int y, int x, int width, double fraction, unsigned fill_attr,
	     unsigned empty_attr);

/* Formats BYTES as "64M", "1.5G", "512K", or "-" for 0, into OUT (16 bytes). */
char *tui_format_size(unsigned long long bytes, char *out);
/* Formats SECONDS as "3d 04:05:06", "04:05:06" or "5:06", into OUT (32 bytes). */
char *tui_format_duration(unsigned long long seconds, char *out);
char *tui_format_ipv4(uint32_t addr, char *out);

/* Draws TEXT word-wrapped into WIDTH columns from row Y, at most MAX_ROWS
 * rows; returns the rows used. */
int tui_wrap(struct tui *tui, int y, int x, int width, int max_rows, const char *text,
	     unsigned attr);

/* Draws LABEL as a button "[ LABEL ]" at Y, X; returns its width. */
int tui_button(struct tui *tui, int y, int x, const char *label, bool active);

/* Centers a dialog of HEIGHT x WIDTH, shrunk to the terminal; sets Y and X. */
void tui_center(int *height, int *width, int *y, int *x);

#endif
