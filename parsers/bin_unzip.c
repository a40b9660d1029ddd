// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Decompression for trace.dat v7 sections and chunks (zstd or zlib, as
 * trace-cmd 3.x writes them) and perf's PERF_RECORD_COMPRESSED (zstd).
 * Each library is optional at build time; a file that needs a missing one
 * gets a clear "not supported" error rather than garbage.
 */
#include <stdio.h>
#include <string.h>

#include "bin.h"
#include "compactrace/error.h"

#ifdef CT_HAVE_ZSTD
#include <zstd.h>
#endif
#ifdef CT_HAVE_ZLIB
#include <zlib.h>
#endif

int ct_bin_unzip_init(struct ct_bin_unzip *z, const char *name, char *err, size_t errlen)
{
	memset(z, 0, sizeof(*z));
	if (!name || !*name || strcmp(name, "none") == 0) {
		z->alg = CT_BIN_Z_NONE;
		return 0;
	}
	if (strcmp(name, "zstd") == 0) {
#ifdef CT_HAVE_ZSTD
		z->alg = CT_BIN_Z_ZSTD;
		z->zstd = ZSTD_createDCtx();
		return z->zstd ? 0 : -CT_E_NOMEM;
#endif
	} else if (strcmp(name, "zlib") == 0) {
#ifdef CT_HAVE_ZLIB
		z->alg = CT_BIN_Z_ZLIB;
		return 0;
#endif
	}
	snprintf(err, errlen, "compression \"%.32s\" is not supported by this build", name);
	return -CT_E_UNSUPPORTED;
}

int ct_bin_unzip(struct ct_bin_unzip *z, const void *src, size_t srclen, void *dst, size_t dstlen)
{
	switch (z->alg) {
	case CT_BIN_Z_NONE:
		if (srclen != dstlen)
			return -CT_E_PARSE;
		memcpy(dst, src, dstlen);
		return 0;
#ifdef CT_HAVE_ZSTD
	case CT_BIN_Z_ZSTD: {
		size_t r = ZSTD_decompressDCtx(z->zstd, dst, dstlen, src, srclen);

		return ZSTD_isError(r) || r != dstlen ? -CT_E_PARSE : 0;
	}
#endif
#ifdef CT_HAVE_ZLIB
	case CT_BIN_Z_ZLIB: {
		uLongf out = (uLongf)dstlen;

		if (srclen > (uLong)-1 || dstlen > (uLongf)-1)
			return -CT_E_PARSE;
		if (uncompress(dst, &out, src, (uLong)srclen) != Z_OK || out != dstlen)
			return -CT_E_PARSE;
		return 0;
	}
#endif
	default:
		return -CT_E_UNSUPPORTED;
	}
}

int ct_bin_unzip_stream(struct ct_bin_unzip *z, const void *src, size_t srclen, size_t *used,
			void *dst, size_t dstcap, size_t *made)
{
#ifdef CT_HAVE_ZSTD
	ZSTD_inBuffer in = { src, srclen, 0 };
	ZSTD_outBuffer out = { dst, dstcap, 0 };
	size_t r;

	if (!z->zstream) {
		z->zstream = ZSTD_createDStream();
		if (!z->zstream)
			return -CT_E_NOMEM;
		ZSTD_initDStream(z->zstream);
	}
	r = ZSTD_decompressStream(z->zstream, &out, &in);
	*used = in.pos;
	*made = out.pos;
	return ZSTD_isError(r) ? -CT_E_PARSE : 0;
#else
	(void)z;
	(void)src;
	(void)srclen;
	(void)dst;
	(void)dstcap;
	*used = *made = 0;
	return -CT_E_UNSUPPORTED;
#endif
}

void ct_bin_unzip_free(struct ct_bin_unzip *z)
{
#ifdef CT_HAVE_ZSTD
	if (z->zstd)
		ZSTD_freeDCtx(z->zstd);
	if (z->zstream)
		ZSTD_freeDStream(z->zstream);
#endif
	memset(z, 0, sizeof(*z));
}
