/* Small helpers shared by the engine, the command line and the TUI:
 * scope-exit cleanup, allocation that never returns NULL, i18n. */
#ifndef CTUI_UTIL_H
#define CTUI_UTIL_H

#include <libintl.h>
#include <stdarg.h>
#include <stddef.h>

#define _(s) gettext(s)
#define N_(s) (s)

void ctui_free_ptr(void *p);
void ctui_close_ptr(int *fd);
void ctui_fclose_ptr(void *fp);

#define cleanup_free __attribute__((cleanup(ctui_free_ptr)))
#define cleanup_close __attribute__((cleanup(ctui_close_ptr)))
#define cleanup_fclose __attribute__((cleanup(ctui_fclose_ptr)))

/* Hands ownership of *PP to the caller and leaves NULL behind, so a cleanup
 * attribute on the variable no longer frees it. */
static inline void *ctui_steal_ptr(void *pp)
{
	void **p = pp;
	void *value = *p;

	*p = NULL;
	return value;
}
#define steal_pointer(pp) ctui_steal_ptr(pp)

/* Called before abort() on out-of-memory: the TUI sets it to restore the
 * terminal. */
extern void (*ctui_oom_hook)(void);

void *xmalloc(size_t size) __attribute__((malloc, returns_nonnull));
void *xcalloc(size_t n, size_t size) __attribute__((malloc, returns_nonnull));
void *xrealloc(void *p, size_t size) __attribute__((returns_nonnull));
char *xstrdup(const char *s) __attribute__((malloc, returns_nonnull));
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2), malloc, returns_nonnull));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0), returns_nonnull));

#endif
