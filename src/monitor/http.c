// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The monitor's HTTP endpoint on libmicrohttpd (http.h).
 *
 * The library is loaded when the endpoint starts, not linked: it and the
 * TLS libraries it brings (gnutls, nettle, gmp, p11-kit...) took 4.4 ms to
 * map and relocate at every start of every command on this project's VM,
 * where `report` on a 1.36 M-event trace.dat runs in 70 ms.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "compactrace/error.h"
#include "compactrace/openmetrics.h"
#include "monitor/http.h"

struct ct_http {
	struct MHD_Daemon *d;
	struct ct_http_handlers h;
	int fd;
};

/* the library's functions this file calls, with the header's own types */
static struct {
	__typeof__(&MHD_start_daemon) start_daemon;
	__typeof__(&MHD_stop_daemon) stop_daemon;
	__typeof__(&MHD_create_response_from_buffer) create_response_from_buffer;
	__typeof__(&MHD_add_response_header) add_response_header;
	__typeof__(&MHD_queue_response) queue_response;
	__typeof__(&MHD_destroy_response) destroy_response;
	__typeof__(&MHD_lookup_connection_value) lookup_connection_value;
} mhd;

/* load libmicrohttpd once (kept loaded); 0, or -1 with @err set */
static int load_mhd(char *err, size_t errlen)
{
	static const char *const names[] = { "libmicrohttpd.so.12", "libmicrohttpd.so" };
	static void *lib;
	const char *why = NULL;

	if (lib)
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !lib; i++)
		if (!(lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL)))
			why = dlerror();
	if (!lib) {
		snprintf(err, errlen, "cannot load libmicrohttpd for the HTTP endpoint (%s): install it "
			 "(Debian: libmicrohttpd12)", why ? why : "not found");
		return -1;
	}
#define MHD_SYM(field, name)								\
	do {										\
		*(void **)&mhd.field = dlsym(lib, name);				\
		if (!mhd.field) {							\
			snprintf(err, errlen, "libmicrohttpd has no %s: too old?", name);	\
			dlclose(lib);							\
			lib = NULL;							\
			return -1;							\
		}									\
	} while (0)
	MHD_SYM(start_daemon, "MHD_start_daemon");
	MHD_SYM(stop_daemon, "MHD_stop_daemon");
	MHD_SYM(create_response_from_buffer, "MHD_create_response_from_buffer");
	MHD_SYM(add_response_header, "MHD_add_response_header");
	MHD_SYM(queue_response, "MHD_queue_response");
	MHD_SYM(destroy_response, "MHD_destroy_response");
	MHD_SYM(lookup_connection_value, "MHD_lookup_connection_value");
#undef MHD_SYM
	return 0;
}

int ct_http_listen(const char *addr_port, int *fd, char *bound, size_t boundlen, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL, *ai;
	char host[256], port[16], nhost[NI_MAXHOST], nport[NI_MAXSERV];
	const char *colon = strrchr(addr_port, ':');
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int s = -1, one = 1, ret, saved = 0;
	size_t hl;

	*fd = -1;
	if (!colon || !colon[1] || strlen(colon + 1) >= sizeof(port)) {
		snprintf(err, errlen, "--listen %s: expected ADDR:PORT (e.g. localhost:9479)", addr_port);
		return -CT_E_INVAL;
	}
	hl = (size_t)(colon - addr_port);
	if (hl >= 2 && addr_port[0] == '[' && addr_port[hl - 1] == ']') {
		addr_port++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host)) {
		snprintf(err, errlen, "--listen %s: expected ADDR:PORT (e.g. localhost:9479)", addr_port);
		return -CT_E_INVAL;
	}
	memcpy(host, addr_port, hl);
	host[hl] = '\0';
	snprintf(port, sizeof(port), "%s", colon + 1);
	ret = getaddrinfo(host, port, &hints, &res);
	if (ret != 0) {
		snprintf(err, errlen, "--listen %s:%s: %s", host, port, gai_strerror(ret));
		return -CT_E_INVAL;
	}
	/* IPv4 first: "localhost" is 127.0.0.1 where Prometheus' default targets look */
	for (int pass = 0; pass < 2 && s < 0; pass++)
		for (ai = res; ai && s < 0; ai = ai->ai_next) {
			if ((ai->ai_family == AF_INET) != (pass == 0))
				continue;
			s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
			if (s < 0)
				continue;
			setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (bind(s, ai->ai_addr, ai->ai_addrlen) == 0 && listen(s, 64) == 0)
				break;
			saved = errno;
			close(s);
			s = -1;
		}
	freeaddrinfo(res);
	if (s < 0) {
		if (saved == EADDRINUSE) {
			snprintf(err, errlen, "%s:%s is already in use (another compactrace monitor? "
				 "choose another with --listen ADDR:PORT)", host, port);
			return -CT_E_EXISTS;
		}
		snprintf(err, errlen, "cannot listen on %s:%s: %s", host, port, strerror(saved ? saved : EINVAL));
		return -CT_E_IO;
	}
	if (getsockname(s, (struct sockaddr *)&ss, &sl) == 0 &&
	    getnameinfo((struct sockaddr *)&ss, sl, nhost, sizeof(nhost), nport, sizeof(nport),
			NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		snprintf(bound, boundlen, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", nhost, nport);
	else
		snprintf(bound, boundlen, "%s:%s", host, port);
	*fd = s;
	return 0;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type, char *body,
			     size_t len, int owned)
{
	struct MHD_Response *r = mhd.create_response_from_buffer(len, body,
								 owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	mhd.add_response_header(r, "Content-Type", type);
	ret = mhd.queue_response(c, status, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return reply(c, status, "text/plain; charset=utf-8", (char *)msg, strlen(msg), 0);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	static int marker;
	struct ct_http *http = cls;
	char msg[512];

	(void)version;
	(void)upload;
	if (!*con_cls) {
		/* the first call only announces the request; a body (POST) comes in later calls */
		*con_cls = &marker;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;	/* POST /capture takes no body; ignore one */
		return MHD_YES;
	}
	if (strcmp(url, "/metrics") == 0) {
		const char *accept, *type;
		char *body = NULL;
		size_t len = 0;

		if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
			return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /metrics\n");
		accept = mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
		if (http->h.metrics(http->h.ctx, ct_om_wants_openmetrics(accept),
				    &body, &len, &type) < 0)
			return text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot render the metrics (out of memory)\n");
		return reply(c, MHD_HTTP_OK, type, body, len, 1);
	}
	if (strcmp(url, "/capture") == 0) {
		int st;

		if (strcmp(method, "POST") != 0)
			return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "POST /capture takes a flight-recorder capture\n");
		msg[0] = '\0';
		st = http->h.capture ? http->h.capture(http->h.ctx, msg, sizeof(msg)) : MHD_HTTP_NOT_FOUND;
		if (!http->h.capture)
			snprintf(msg, sizeof(msg), "no flight recorder: start the monitor with --capture-dir DIR\n");
		return reply(c, st == 0 ? MHD_HTTP_ACCEPTED : (unsigned)st, "text/plain; charset=utf-8", msg,
			     strlen(msg), 0);
	}
	if (strcmp(url, "/") == 0)
		return text(c, MHD_HTTP_OK, "compactrace monitor: metrics at /metrics\n");
	return text(c, MHD_HTTP_NOT_FOUND, "not found: metrics are at /metrics\n");
}

struct ct_http *ct_http_start(int fd, const struct ct_http_handlers *h, char *err, size_t errlen)
{
	struct ct_http *http;

	if (load_mhd(err, errlen) < 0) {
		close(fd);
		return NULL;
	}
	http = calloc(1, sizeof(*http));
	if (!http) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	http->h = *h;
	http->fd = fd;
	/* one internal thread polls every connection: a scrape a second needs no more */
	http->d = mhd.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
				   handle, http, MHD_OPTION_LISTEN_SOCKET, fd,
				   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				   MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_END);
	if (!http->d) {
		snprintf(err, errlen, "cannot start the HTTP server (libmicrohttpd)");
		close(fd);
		free(http);
		return NULL;
	}
	return http;
}

void ct_http_stop(struct ct_http *http)
{
	if (!http)
		return;
	mhd.stop_daemon(http->d);	/* closes the listening socket it was given */
	free(http);
}
