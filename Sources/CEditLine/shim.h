#ifndef INCIDENT_REPL_CEDITLINE_SHIM_H
#define INCIDENT_REPL_CEDITLINE_SHIM_H

#include <stdio.h>
#include <editline/readline.h>

/* libedit's readline compatibility layer. `readline` returns malloc'd memory that
   the caller frees; it blocks the calling thread, so it is only ever called from
   the line editor's own thread. */

typedef char *_Nullable (*ceditline_generator)(const char *_Nonnull text, int state);

static inline void ceditline_set_completion_generator(ceditline_generator _Nullable generator) {
    rl_completion_entry_function = (rl_compentry_func_t *)generator;
}

static inline void ceditline_set_completion_append_character(int c) {
    rl_completion_append_character = c;
}

static inline int ceditline_history_length(void) {
    return history_length;
}

#endif
