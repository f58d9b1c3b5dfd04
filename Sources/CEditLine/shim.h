#ifndef INCIDENT_REPL_CEDITLINE_SHIM_H
#define INCIDENT_REPL_CEDITLINE_SHIM_H

#include <stdio.h>
#include <editline/readline.h>

/* libedit's readline compatibility layer. `readline` returns malloc'd memory that
   the caller frees; it blocks the calling thread, so it is only ever called from
   the line editor's own thread. libedit's globals are reached through these
   functions so that Swift never touches shared C state directly. */

typedef char *_Nullable (*ceditline_generator)(const char *_Nonnull text, int state);
typedef int (*ceditline_command)(int count, int key);

static inline void ceditline_set_completion_generator(ceditline_generator _Nullable generator) {
    rl_completion_entry_function = (rl_compentry_func_t *)generator;
}

/* Binds `key` to a function of ours (e.g. Ctrl-C, once the terminal delivers it as a character). */
static inline int ceditline_bind_function(const char *_Nonnull name, ceditline_command _Nonnull function, int key) {
    return rl_add_defun(name, (rl_command_func_t *)function, key);
}

/* Ends the current readline() call; it then returns NULL. */
static inline void ceditline_set_done(int done) {
    rl_done = done;
}

/* The line being edited, for context-sensitive completion. */
static inline const char *_Nullable ceditline_line_buffer(void) {
    return rl_line_buffer;
}

typedef int (*ceditline_getc)(FILE *_Nullable stream);

/* Replaces how libedit reads a character; must be set before the first rl_initialize(). */
static inline void ceditline_set_getc(ceditline_getc _Nullable function) {
    rl_getc_function = function;
}

/* Whether libedit installs its own signal handlers while it reads; must be set before rl_initialize(). */
static inline void ceditline_set_catch_signals(int catch_signals) {
    rl_catch_signals = catch_signals;
    rl_catch_sigwinch = catch_signals;
}

static inline void ceditline_set_readline_name(const char *_Nonnull name) {
    rl_readline_name = name;
}

#endif
