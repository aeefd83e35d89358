#ifndef TOKENGATE_CNCURSES_SHIM_H
#define TOKENGATE_CNCURSES_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
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
/* stdin and stdout are mutable globals, which Swift 6 refuses to touch directly. */
static inline FILE *tg_stdin(void) { return stdin; }
static inline FILE *tg_stdout(void) { return stdout; }
/* Whether the current LC_CTYPE locale uses UTF-8 (call after setlocale). */
static inline int tg_locale_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

/*
 * Resize wake-up. ncurses' own SIGWINCH handler only sets a flag that the next get_wch turns into
 * KEY_RESIZE; a thread blocked in poll() would not notice until its next timeout. This handler chains
 * to ncurses' handler and then writes one byte to a self-pipe that the terminal thread polls, so the
 * resize is handled at once, on that thread. It only calls async-signal-safe functions (write) and
 * never endwin or refresh.
 *
 * The state lives in function-local statics (Swift emits those with the functions, not file-scope
 * statics from a header): install and remove from the same Swift file (one translation unit).
 */
static inline volatile sig_atomic_t *tg_winch_wake_fd(void) {
    static volatile sig_atomic_t fd = -1;
    return &fd;
}
static inline struct sigaction *tg_winch_previous(void) {
    static struct sigaction previous;
    return &previous;
}

static void tg_on_winch(int signal_number, siginfo_t *info, void *context) {
    int saved_errno = errno;
    struct sigaction *previous = tg_winch_previous();
    if (previous->sa_flags & SA_SIGINFO) {
        if (previous->sa_sigaction != NULL) previous->sa_sigaction(signal_number, info, context);
    } else if (previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN) {
        previous->sa_handler(signal_number);
    }
    int fd = *tg_winch_wake_fd();
    if (fd >= 0) {
        char byte = 'w';
        ssize_t ignored = write(fd, &byte, 1);
        (void)ignored;
    }
    errno = saved_errno;
}

/* Installs the chained SIGWINCH handler (after newterm, which installs ncurses' one). */
static inline int tg_install_winch_wakeup(int wake_fd) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = tg_on_winch;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    *tg_winch_wake_fd() = wake_fd;
    return sigaction(SIGWINCH, &action, tg_winch_previous());
}

/* Puts ncurses' handler back; call before endwin and before closing the pipe. */
static inline int tg_remove_winch_wakeup(void) {
    *tg_winch_wake_fd() = -1;
    return sigaction(SIGWINCH, tg_winch_previous(), NULL);
}

#endif
