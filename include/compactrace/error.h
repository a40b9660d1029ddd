/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_ERROR_H
#define COMPACTRACE_ERROR_H

/*
 * One list of error codes for the whole tool (libtraceevent's TEP_ERRORS
 * pattern): functions return 0 or -CT_E_xxx.
 */
#define CT_ERRORS                                                      \
	_CT(OK, "success")                                             \
	_CT(NOMEM, "out of memory")                                    \
	_CT(IO, "input/output error")                                  \
	_CT(OPEN, "cannot open file")                                  \
	_CT(EMPTY, "file is empty")                                    \
	_CT(FORMAT, "unknown trace format")                            \
	_CT(PARSE, "malformed input")                                  \
	_CT(TRUNCATED, "file is truncated")                            \
	_CT(INVAL, "invalid argument")                                 \
	_CT(UNSUPPORTED, "not supported")                              \
	_CT(WRITE, "write error")                                      \
	_CT(NOSPACE, "no space left on device")                        \
	_CT(PERM, "permission denied")                                 \
	_CT(NOTRACEFS, "tracefs is not available")                     \
	_CT(EXISTS, "file exists")                                     \
	_CT(NOEVENT, "no such trace event on this kernel")

#define _CT(code, str) CT_E_##code,
enum ct_error { CT_ERRORS CT_E_COUNT };
#undef _CT

/**
 * ct_strerror() - describe an error code
 * @err: 0 or a negative CT_E_* code
 *
 * Returns a static string; nobody frees it.
 */
const char *ct_strerror(int err);

#endif
