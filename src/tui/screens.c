#include "tui/screens.h"

const struct tui_screen *const tui_screens[TUI_SCREEN_COUNT] = {
	[TUI_SCREEN_MAIN] = &tui_screen_main,
	[TUI_SCREEN_DETAILS] = &tui_screen_details,
	[TUI_SCREEN_LOGS] = &tui_screen_logs,
	[TUI_SCREEN_FILES] = &tui_screen_files,
	[TUI_SCREEN_TEMPLATES] = &tui_screen_templates,
	[TUI_SCREEN_HELP] = &tui_screen_help,
	[TUI_SCREEN_CREATE] = &tui_screen_create,
	[TUI_SCREEN_CONFIRM] = &tui_screen_confirm,
	[TUI_SCREEN_PROGRESS] = &tui_screen_progress,
	[TUI_SCREEN_BACKUPS] = &tui_screen_backups,
	[TUI_SCREEN_LOGIN] = &tui_screen_login,
	[TUI_SCREEN_AUDIT] = &tui_screen_audit,
	[TUI_SCREEN_OWNER] = &tui_screen_owner,
};

int tui_list_step(size_t *selected, size_t count, int step)
{
	if (step < 0 && *selected > 0)
		(*selected)--;
	else if (step > 0 && *selected + 1 < count)
		(*selected)++;
	return TUI_REDRAW_SCREEN;
}
