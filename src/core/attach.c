// SPDX-License-Identifier: GPL-2.0-or-later
/* The attachment container at the end of a trace file (see attach.h). */
#include <stdlib.h>
#include <string.h>

#include "compactrace/attach.h"
#include "compactrace/error.h"

#define MAX_ATTACHMENTS 4096

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const unsigned char *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le64(unsigned char *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

static int valid_name(const char *name, size_t len)
{
	if (len == 0 || len > CT_ATTACH_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~')
			return 0;
	return 1;
}

/* one entry at area[*pos]; advances *pos. 0 or -CT_E_PARSE */
static int next_entry(const unsigned char *area, uint64_t area_len, uint64_t *pos,
		      const char **name, size_t *name_len,
		      const unsigned char **data, uint64_t *data_len)
{
	uint64_t left = area_len - *pos;
	uint32_t nlen;
	uint64_t dlen;

	if (left < 4)
		return -CT_E_PARSE;
	nlen = get_le32(area + *pos);
	if (nlen == 0 || nlen > CT_ATTACH_NAME_MAX || left - 4 < (uint64_t)nlen + 8)
		return -CT_E_PARSE;
	dlen = get_le64(area + *pos + 4 + nlen);
	if (dlen > left - 4 - nlen - 8)
		return -CT_E_PARSE;
	if (!valid_name((const char *)area + *pos + 4, nlen))
		return -CT_E_PARSE;
	*name = (const char *)area + *pos + 4;
	*name_len = nlen;
	*data = area + *pos + 4 + nlen + 8;
	*data_len = dlen;
	*pos += 4 + (uint64_t)nlen + 8 + dlen;
	return 0;
}

/* the footer's area; 0 none, 1 found (area set), -CT_E_PARSE damaged */
static int footer(const unsigned char *file, uint64_t len, const unsigned char **area,
		  uint64_t *area_off, uint64_t *area_len, uint32_t *count)
{
	const unsigned char *f;

	if (!file || len < CT_ATTACH_FOOTER_LEN)
		return 0;
	f = file + len - CT_ATTACH_FOOTER_LEN;
	if (memcmp(f + 24, CT_ATTACH_MAGIC, 8) != 0)
		return 0;
	*area_off = get_le64(f);
	*area_len = get_le64(f + 8);
	*count = get_le32(f + 16);
	if (get_le32(f + 20) != CT_ATTACH_VERSION || *count > MAX_ATTACHMENTS)
		return -CT_E_PARSE;
	if (*area_off > len - CT_ATTACH_FOOTER_LEN ||
	    *area_len != len - CT_ATTACH_FOOTER_LEN - *area_off)
		return -CT_E_PARSE;
	*area = file + *area_off;
	return 1;
}

int ct_attach_scan(const unsigned char *file, uint64_t len, uint64_t *area_offset)
{
	const unsigned char *area, *data;
	const char *name;
	uint64_t off, alen, pos = 0, dlen;
	uint32_t count;
	size_t nlen;
	int ret;

	if (area_offset)
		*area_offset = len;
	ret = footer(file, len, &area, &off, &alen, &count);
	if (ret <= 0)
		return ret;
	for (uint32_t i = 0; i < count; i++)
		if (next_entry(area, alen, &pos, &name, &nlen, &data, &dlen) < 0)
			return -CT_E_PARSE;
	if (pos != alen)
		return -CT_E_PARSE;
	if (area_offset)
		*area_offset = off;
	return (int)count;
}

int ct_attach_get(const unsigned char *file, uint64_t len, uint32_t index,
		  const char **name, size_t *name_len,
		  const unsigned char **data, uint64_t *data_len)
{
	const unsigned char *area;
	uint64_t off, alen, pos = 0;
	uint32_t count;

	if (ct_attach_scan(file, len, NULL) <= 0 ||
	    footer(file, len, &area, &off, &alen, &count) <= 0 || index >= count)
		return -CT_E_INVAL;
	for (uint32_t i = 0; i <= index; i++)
		if (next_entry(area, alen, &pos, name, name_len, data, data_len) < 0)
			return -CT_E_INVAL;
	return 0;
}

const void *ct_attach_find(const unsigned char *file, uint64_t len, const char *name,
			   size_t *data_len)
{
	const unsigned char *area, *data;
	const char *n;
	uint64_t off, alen, pos = 0, dlen;
	uint32_t count;
	size_t nlen, want = strlen(name);

	*data_len = 0;
	if (ct_attach_scan(file, len, NULL) <= 0 ||
	    footer(file, len, &area, &off, &alen, &count) <= 0)
		return NULL;
	for (uint32_t i = 0; i < count; i++) {
		if (next_entry(area, alen, &pos, &n, &nlen, &data, &dlen) < 0)
			return NULL;
		if (nlen == want && memcmp(n, name, nlen) == 0 && dlen <= SIZE_MAX) {
			*data_len = (size_t)dlen;
			return data;
		}
	}
	return NULL;
}

/* ---- builder ---- */

struct ct_attach_blob {
	char *name;
	unsigned char *data;
	size_t len;
};

struct ct_attach_set {
	struct ct_attach_blob *blobs;
	uint32_t n, cap;
};

struct ct_attach_set *ct_attach_set_new(void)
{
	return calloc(1, sizeof(struct ct_attach_set));
}

void ct_attach_set_free(struct ct_attach_set *set)
{
	if (!set)
		return;
	for (uint32_t i = 0; i < set->n; i++) {
		free(set->blobs[i].name);
		free(set->blobs[i].data);
	}
	free(set->blobs);
	free(set);
}

int ct_attach_set_add(struct ct_attach_set *set, const char *name, const void *data, size_t len)
{
	struct ct_attach_blob *b = NULL;
	unsigned char *copy;

	if (!valid_name(name, strlen(name)) || (len && !data))
		return -CT_E_INVAL;
	copy = malloc(len ? len : 1);
	if (!copy)
		return -CT_E_NOMEM;
	if (len)
		memcpy(copy, data, len);
	for (uint32_t i = 0; i < set->n; i++)
		if (strcmp(set->blobs[i].name, name) == 0)
			b = &set->blobs[i];
	if (b) {
		free(b->data);
		b->data = copy;
		b->len = len;
		return 0;
	}
	if (set->n >= MAX_ATTACHMENTS) {
		free(copy);
		return -CT_E_INVAL;
	}
	if (set->n == set->cap) {
		uint32_t ncap = set->cap ? set->cap * 2 : 16;
		struct ct_attach_blob *nb = realloc(set->blobs, ncap * sizeof(*nb));

		if (!nb) {
			free(copy);
			return -CT_E_NOMEM;
		}
		set->blobs = nb;
		set->cap = ncap;
	}
	b = &set->blobs[set->n];
	b->name = strdup(name);
	if (!b->name) {
		free(copy);
		return -CT_E_NOMEM;
	}
	b->data = copy;
	b->len = len;
	set->n++;
	return 0;
}

const void *ct_attach_set_find(const struct ct_attach_set *set, const char *name, size_t *len)
{
	*len = 0;
	for (uint32_t i = 0; set && i < set->n; i++)
		if (strcmp(set->blobs[i].name, name) == 0) {
			*len = set->blobs[i].len;
			return set->blobs[i].data;
		}
	return NULL;
}

uint32_t ct_attach_set_count(const struct ct_attach_set *set)
{
	return set ? set->n : 0;
}

int ct_attach_set_encode(const struct ct_attach_set *set, uint64_t area_offset,
			 unsigned char **out, size_t *out_len)
{
	size_t total = CT_ATTACH_FOOTER_LEN, pos = 0;
	unsigned char *buf;

	*out = NULL;
	*out_len = 0;
	for (uint32_t i = 0; i < set->n; i++)
		total += 4 + strlen(set->blobs[i].name) + 8 + set->blobs[i].len;
	buf = malloc(total);
	if (!buf)
		return -CT_E_NOMEM;
	for (uint32_t i = 0; i < set->n; i++) {
		const struct ct_attach_blob *b = &set->blobs[i];
		size_t nlen = strlen(b->name);

		put_le32(buf + pos, (uint32_t)nlen);
		memcpy(buf + pos + 4, b->name, nlen);
		put_le64(buf + pos + 4 + nlen, b->len);
		if (b->len)
			memcpy(buf + pos + 4 + nlen + 8, b->data, b->len);
		pos += 4 + nlen + 8 + b->len;
	}
	put_le64(buf + pos, area_offset);
	put_le64(buf + pos + 8, pos);
	put_le32(buf + pos + 16, set->n);
	put_le32(buf + pos + 20, CT_ATTACH_VERSION);
	memcpy(buf + pos + 24, CT_ATTACH_MAGIC, 8);
	*out = buf;
	*out_len = total;
	return 0;
}
