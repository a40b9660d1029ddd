// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the text parsers must survive: streaming from stdin (events arrive
 * before the writer is done), over-long lines (64 KiB accepted, longer is a
 * parse error, memory stays bounded), garbage and binary bytes inside a text
 * trace, line numbers across buffer refills, empty/garbage/binary files, a
 * wrong forced format, and a read error in the middle of a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "ct_test.h"
#include "registry.h"

#define SLEEP_LINE_FMT "      kcompactd0-35      [000] .....   %u.%06u: mm_compaction_kcompactd_sleep: nid=%u\n"

static size_t count_type(const struct ct_test_events *e, enum ct_event_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < e->n; i++)
		n += e->v[i].ev.type == type;
	return n;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* @n lines of kcompactd_sleep with nid = line index % 7, the last with nid 9 */
static char *sleep_lines(unsigned n, size_t *len)
{
	size_t cap = (size_t)n * 100 + 1, off = 0;
	char *s = malloc(cap);

	if (!s)
		abort();
	for (unsigned i = 0; i < n; i++)
		off += (size_t)snprintf(s + off, cap - off, SLEEP_LINE_FMT, 100 + i / 1000000,
					i % 1000000, i + 1 == n ? 9 : i % 7);
	*len = off;
	return s;
}

/*
 * The writer sends a first part, waits until the reader has seen the last
 * event of that part, then sends the rest: a parser that needed the whole
 * input before returning events would hang (and alarm() fails the test).
 */
static void test_stdin_streaming(struct ct_test *t)
{
	size_t len1, len2;
	char *part1 = sleep_lines(1000, &len1);	/* ~80 KiB, more than the detection prefix */
	char *part2 = sleep_lines(5000, &len2);
	int data[2], ctl[2], saved_stdin, status, ret;
	struct ct_source *src = NULL;
	unsigned events = 0, lost_sync = 0;
	struct ct_event ev;
	char err[512];
	pid_t child;

	t->what = "stdin streaming";
	if (pipe(data) || pipe(ctl)) {
		CHECK(t, !"pipe");
		return;
	}
	child = fork();
	if (child == 0) {
		char c;

		close(data[0]);
		close(ctl[1]);
		/* odd-sized pieces so lines straddle reads */
		for (size_t off = 0; off < len1; off += 4093)
			if (write_all(data[1], part1 + off, len1 - off < 4093 ? len1 - off : 4093))
				_exit(2);
		if (read(ctl[0], &c, 1) != 1)
			_exit(3);
		for (size_t off = 0; off < len2; off += 777)
			if (write_all(data[1], part2 + off, len2 - off < 777 ? len2 - off : 777))
				_exit(4);
		_exit(0);
	}
	close(data[1]);
	close(ctl[0]);
	saved_stdin = dup(STDIN_FILENO);
	dup2(data[0], STDIN_FILENO);
	close(data[0]);
	alarm(20);

	ret = ct_source_open("-", NULL, &src, err, sizeof(err));
	CHECK_I64(t, ret, 0);
	if (ret == 0) {
		CHECK_STR(t, ct_source_format(src), CT_FORMAT_FTRACE_TEXT);
		while ((ret = ct_source_next(src, &ev)) == 1) {
			events++;
			if (ev.type != CT_EV_KCOMPACTD_SLEEP) {
				lost_sync++;
				continue;
			}
			if (events == 1000) {
				CHECK_I64(t, ev.u.kc.nid, 9);	/* end of part 1 reached first */
				if (write(ctl[1], "g", 1) != 1)
					CHECK(t, !"ctl write");
			}
		}
		CHECK_I64(t, ret, 0);
		CHECK_U64(t, events, 6000);
		CHECK_U64(t, lost_sync, 0);
		CHECK_I64(t, ev.u.kc.nid, 9);
		CHECK_U64(t, ev.ts_ns, 100004999000ULL);
	}
	alarm(0);
	ct_source_free(src);
	close(ctl[1]);
	dup2(saved_stdin, STDIN_FILENO);
	close(saved_stdin);
	waitpid(child, &status, 0);
	CHECK(t, WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(part1);
	free(part2);
}

/* One line of exactly @total bytes (without '\n'), padded with an unknown field. */
static size_t padded_line(char *buf, size_t total)
{
	static const char head[] =
		"            bash-2463    [000] .....   220.742210: mm_compaction_migratepages: nr_migrated=5 nr_failed=1 pad=";
	size_t h = sizeof(head) - 1;

	memcpy(buf, head, h);
	memset(buf + h, 'x', total - h);
	buf[total] = '\n';
	return total + 1;
}

static void test_long_lines(struct ct_test *t)
{
	size_t cap = 12 * 1024 * 1024, off = 0;
	char *text = malloc(cap);
	struct ct_test_events e;
	char *path;

	if (!text)
		abort();
	t->what = "long lines";
	off += (size_t)snprintf(text + off, cap - off, "# tracer: nop\n");			/* 1 */
	off += padded_line(text + off, 64 * 1024);						/* 2: accepted */
	off += padded_line(text + off, 64 * 1024 + 1);						/* 3: too long */
	off += (size_t)snprintf(text + off, cap - off, SLEEP_LINE_FMT, 1u, 0u, 4u);		/* 4 */
	off += padded_line(text + off, 10 * 1024 * 1024);					/* 5: 10 MiB */
	off += (size_t)snprintf(text + off, cap - off, SLEEP_LINE_FMT, 1u, 1u, 6u);		/* 6 */
	memset(text + off, 'y', 200000);							/* 7: unterminated */
	off += 200000;
	path = ct_test_tmpfile(text, off);
	CHECK(t, path != NULL);
	if (path) {
		CHECK(t, ct_test_read_path(path, NULL, &e) == 0);
		unlink(path);
		free(path);
		CHECK_STR(t, e.format, CT_FORMAT_FTRACE_TEXT);
		CHECK_U64(t, e.n, 6);
		if (e.n == 6) {
			CHECK_U64(t, e.v[0].ev.type, CT_EV_MIGRATEPAGES);
			CHECK_U64(t, e.v[0].ev.u.mig.nr_migrated, 5);
			CHECK_U64(t, e.v[1].ev.type, CT_EV_PARSE_ERROR);
			CHECK_U64(t, e.v[1].ev.u.perr.where, 3);
			CHECK_U64(t, e.v[2].ev.type, CT_EV_KCOMPACTD_SLEEP);
			CHECK_I64(t, e.v[2].ev.u.kc.nid, 4);
			CHECK_U64(t, e.v[3].ev.type, CT_EV_PARSE_ERROR);
			CHECK_U64(t, e.v[3].ev.u.perr.where, 5);
			CHECK_U64(t, e.v[4].ev.type, CT_EV_KCOMPACTD_SLEEP);
			CHECK_I64(t, e.v[4].ev.u.kc.nid, 6);
			CHECK_U64(t, e.v[5].ev.type, CT_EV_PARSE_ERROR);
			CHECK_U64(t, e.v[5].ev.u.perr.where, 7);
		}
		ct_test_events_free(&e);
	}
	free(text);
}

/* Garbage (including NUL and high bytes) inside a trace, and line numbers across 1 MiB refills. */
static void test_garbage_lines(struct ct_test *t)
{
	static const char junk[] = "\x01\x02 junk \xff\xfe [000] 12.5: \x00 oops: x=1\n";
	size_t cap = 8 * 1024 * 1024, off = 0, errors = 0, sleeps = 0;
	char *text = malloc(cap);
	unsigned line = 0, bad_where = 0;
	struct ct_test_events e;
	char *path;

	if (!text)
		abort();
	t->what = "garbage lines";
	off += (size_t)snprintf(text + off, cap - off, "# tracer: nop\n");
	line++;
	for (unsigned i = 0; i < 60000; i++) {
		if (i % 1000 == 999) {
			memcpy(text + off, junk, sizeof(junk) - 1);
			off += sizeof(junk) - 1;
		} else {
			off += (size_t)snprintf(text + off, cap - off, SLEEP_LINE_FMT, 7u, i, 1u);
		}
		line++;
	}
	path = ct_test_tmpfile(text, off);
	CHECK(t, path != NULL);
	if (path) {
		CHECK(t, ct_test_read_path(path, NULL, &e) == 0);
		unlink(path);
		free(path);
		CHECK_STR(t, e.format, CT_FORMAT_FTRACE_TEXT);
		for (size_t i = 0; i < e.n; i++) {
			if (e.v[i].ev.type == CT_EV_PARSE_ERROR) {
				/* junk is on file lines 1001, 2001, ... (line 1 is the header) */
				if (e.v[i].ev.u.perr.where != (errors + 1) * 1000 + 1)
					bad_where++;
				errors++;
			} else {
				sleeps += e.v[i].ev.type == CT_EV_KCOMPACTD_SLEEP;
			}
		}
		CHECK_U64(t, errors, 60);
		CHECK_U64(t, sleeps, 59940);
		CHECK_U64(t, bad_where, 0);
		CHECK_U64(t, e.n, 60000);
		ct_test_events_free(&e);
	}
	CHECK_U64(t, line, 60001);
	free(text);
}

static void test_bad_files(struct ct_test *t)
{
	struct ct_test_events e;
	unsigned char bin[4096];
	char *path;
	int ret;

	t->what = "empty file";
	CHECK_I64(t, ct_test_read_text("", NULL, &e), -CT_E_EMPTY);
	CHECK(t, strstr(e.error, "empty") != NULL);

	t->what = "garbage text file";
	ret = ct_test_read_text("hello world\nthis is not a trace\n12 34 56\n", NULL, &e);
	CHECK_I64(t, ret, -CT_E_FORMAT);
	CHECK(t, strstr(e.error, "/tmp/ct-parsers-test-") != NULL);	/* names the file */

	t->what = "binary file";
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 2654435761u >> 13);
	path = ct_test_tmpfile(bin, sizeof(bin));
	CHECK(t, path != NULL);
	if (path) {
		CHECK_I64(t, ct_test_read_path(path, NULL, &e), -CT_E_FORMAT);
		CHECK(t, strstr(e.error, "binary") != NULL);
		/* forced onto a text parser, binary gives parse errors, not a crash */
		CHECK_I64(t, ct_test_read_path(path, CT_FORMAT_PERF_SCRIPT, &e), 0);
		CHECK_I64(t, e.ret, 0);
		CHECK(t, e.n > 0 && count_type(&e, CT_EV_PARSE_ERROR) == e.n);
		ct_test_events_free(&e);
		unlink(path);
		free(path);
	}

	t->what = "wrong forced format";
	CHECK_I64(t, ct_test_read_text(SLEEP_LINE_FMT, CT_FORMAT_PERF_SCRIPT, &e), 0);
	CHECK_U64(t, e.n, 1);
	CHECK(t, e.n == 1 && e.v[0].ev.type == CT_EV_PARSE_ERROR && e.v[0].ev.u.perr.where == 1);
	ct_test_events_free(&e);
}

/* A read error after some events: negative CT_E_IO and "PATH: read error at byte N: ...". */
static void test_read_error(struct ct_test *t)
{
	static const char start[] =
		"      kcompactd0-35      [000] .....   1.000001: mm_compaction_kcompactd_sleep: nid=0\n"
		"      kcompactd0-35      [000] .....   1.0000";
	struct ct_input in = { 0 };
	struct ct_event ev;
	char err[256] = "", want[256];
	void *state = NULL;
	int dirfd;

	t->what = "read error";
	dirfd = open("/", O_RDONLY | O_DIRECTORY);	/* read() on it fails with EISDIR */
	CHECK(t, dirfd >= 0);
	in.fd = dirfd;
	in.path = "trace.txt";
	in.cap = 4096;
	in.buf = malloc(in.cap);
	if (!in.buf)
		abort();
	memcpy(in.buf, start, sizeof(start) - 1);
	in.len = sizeof(start) - 1;
	in.consumed = 1000;	/* as if this were not the start of the file */
	CHECK_I64(t, ct_ftrace_text_ops.open(&in, &state, err, sizeof(err)), 0);
	CHECK_I64(t, ct_ftrace_text_ops.next(state, &ev, err, sizeof(err)), 1);
	CHECK_U64(t, ev.type, CT_EV_KCOMPACTD_SLEEP);
	CHECK_I64(t, ct_ftrace_text_ops.next(state, &ev, err, sizeof(err)), -CT_E_IO);
	snprintf(want, sizeof(want), "trace.txt: read error at byte %zu: %s",
		 1000 + sizeof(start) - 1, strerror(EISDIR));
	CHECK_STR(t, err, want);
	ct_ftrace_text_ops.free(state);
	free(in.buf);
	close(dirfd);
}

int main(int argc, char **argv)
{
	struct ct_test t = { .data_dir = argc > 1 ? argv[1] : "." };

	test_stdin_streaming(&t);
	test_long_lines(&t);
	test_garbage_lines(&t);
	test_bad_files(&t);
	test_read_error(&t);
	return ct_test_finish(&t, "test_text_robust");
}
