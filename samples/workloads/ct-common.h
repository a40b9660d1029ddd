/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ct-common.h - small helpers shared by the sample workloads.
 *
 * Settings: ct_setting_set() remembers the old value of a sysctl/sysfs file
 * the first time it changes it, appends "path<TAB>old value" to a state file
 * (so `--restore` can repair the host after a SIGKILL), and writes the new
 * value.  ct_settings_restore() writes every saved value back; it is
 * registered with atexit() and is safe to call more than once.
 *
 * Signals: SIGINT, SIGTERM and SIGHUP only set ct_stop (no SA_RESTART, so
 * sleeps and long writes return early); every loop checks ct_stop and main()
 * returns normally, which runs the restore.
 */
#ifndef CT_COMMON_H
#define CT_COMMON_H

#include <signal.h>
#include <stddef.h>

extern volatile sig_atomic_t ct_stop;

/* Install the SIGINT/SIGTERM/SIGHUP handlers. */
void ct_install_signals(void);

/* Where saved settings of program @prog are kept between runs. */
void ct_state_path(const char *prog, char *buf, size_t len);

/* Remember the current value of @path (once) and write @value to it. */
int ct_setting_set(const char *prog, const char *path, const char *value);

/* Write back every value saved by ct_setting_set(); idempotent. */
void ct_settings_restore(void);

/* Restore from the state file a killed run of @prog left behind. */
int ct_restore_from_state(const char *prog);

/* Read the first line of @path into @buf (newline stripped). */
int ct_read_line(const char *path, char *buf, size_t len);

/* Write @value to @path (no newline needed). */
int ct_write_str(const char *path, const char *value);

/* Read a decimal number from @path; -1 on error. */
long long ct_read_ll(const char *path);

/* THP-style files print "always [madvise] never": copy the bracketed word. */
int ct_read_choice(const char *path, char *buf, size_t len);

/* A "Field:  N kB" value from /proc/meminfo in kB; -1 if absent. */
long long ct_meminfo_kb(const char *field);

/* A counter from /proc/vmstat; -1 if absent. */
long long ct_vmstat(const char *name);

/* Print free/managed pages per zone from /proc/zoneinfo, prefixed by @tag. */
void ct_print_zones(const char *tag);

/*
 * Sum of free memory in blocks of at least @order, in pages, over all
 * zones in /proc/buddyinfo.
 */
long long ct_free_pages_at_least(int order);

/* Parse a non-negative decimal integer; -1 on error. */
long long ct_parse_ull(const char *s);

/* Sleep @seconds (0 = until a signal), returning early on ct_stop. */
void ct_hold(long long seconds);

/*
 * Fault in [p, p+len) chunk by chunk (MADV_POPULATE_WRITE, or a write to
 * each @page-sized page on kernels without it); stops early on ct_stop.
 * Returns 0 or -errno.
 */
int ct_populate(char *p, size_t len, size_t page);

/* Monotonic time in seconds. */
double ct_now(void);

#endif
