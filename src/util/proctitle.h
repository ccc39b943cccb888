/* The process title that ps shows. ctui writes it over the bytes of its own
 * argument strings and environment, which it copies elsewhere first. A
 * title longer than both together is cut. */
#ifndef CTUI_UTIL_PROCTITLE_H
#define CTUI_UTIL_PROCTITLE_H

/* Records where argv's strings lie. Call once from main(). */
void ctui_proctitle_init(int argc, char **argv);

/* Replaces the title with TITLE and the thread name (comm) with NAME, at
 * most 15 bytes. It neither allocates nor takes locks, so a process forked
 * from a threaded one may call it. */
void ctui_proctitle_set(const char *title, const char *name);

#endif
