#ifndef TOKENGATE_CNCURSES_SHIM_H
#define TOKENGATE_CNCURSES_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <ncursesw/curses.h>

/* Macros and variables that Swift does not import as callable symbols. */
static inline int tg_color_pair(int n) { return COLOR_PAIR(n); }
static inline int tg_lines(void) { return LINES; }
static inline int tg_cols(void) { return COLS; }
static inline int tg_colors(void) { return COLORS; }
static inline WINDOW *tg_stdscr(void) { return stdscr; }
static inline int tg_key_resize(void) { return KEY_RESIZE; }
static inline unsigned int tg_a_bold(void) { return A_BOLD; }
static inline unsigned int tg_a_reverse(void) { return A_REVERSE; }
static inline unsigned int tg_a_dim(void) { return A_DIM; }
static inline unsigned int tg_a_underline(void) { return A_UNDERLINE; }

#endif
