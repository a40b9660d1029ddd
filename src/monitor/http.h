/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_MONITOR_HTTP_H
#define CT_MONITOR_HTTP_H

#include <stddef.h>

/*
 * The monitor's HTTP endpoint (libmicrohttpd, its own thread):
 *   GET /metrics   the exposition (OpenMetrics when the Accept header asks)
 *   POST /capture  take a flight-recorder capture by hand
 *   GET /          a line saying where the metrics are
 * The socket is bound by ct_http_listen() first, so that a port already in
 * use is a clear error before anything else is set up.
 */

struct ct_http_handlers {
	/* the body (malloc()ed; the server frees it) and its Content-Type (static); <0: 500 */
	int (*metrics)(void *ctx, int openmetrics, char **body, size_t *len, const char **type);
	/* 0: accepted (202), else the HTTP status to answer; @msg: the body's one line */
	int (*capture)(void *ctx, char *msg, size_t msglen);
	void *ctx;
};

struct ct_http;

/**
 * ct_http_listen() - bind and listen on "ADDR:PORT" ("localhost:9479", "127.0.0.1:0", "[::1]:9479")
 * @fd: receives the listening socket
 * @bound: receives "ADDR:PORT" as bound (the port chosen for port 0)
 *
 * Returns 0, -CT_E_INVAL (a bad address), -CT_E_EXISTS (in use) or -CT_E_IO.
 */
int ct_http_listen(const char *addr_port, int *fd, char *bound, size_t boundlen, char *err, size_t errlen);

/** ct_http_start() - serve on @fd (taken over) until ct_http_stop(); NULL on failure (@err) */
struct ct_http *ct_http_start(int fd, const struct ct_http_handlers *h, char *err, size_t errlen);

/** ct_http_stop() - stop serving and close the socket; accepts NULL */
void ct_http_stop(struct ct_http *http);

#endif
