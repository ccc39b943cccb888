/* The entry point of the interactive interface, for main.c. */
#ifndef CTUI_TUI_MAIN_H
#define CTUI_TUI_MAIN_H

/* Runs the interface until the user quits. CONFIG_PATH (NULL: the default)
 * and ACTOR open the engine; THEME is a theme name or file (NULL: the
 * default). Errors before curses starts (a bad theme file, an unreadable
 * configuration) are printed on stderr; later ones go to the status line
 * and the log. Returns the process exit status. */
int tui_main(const char *config_path, const char *actor, const char *theme);

#endif
