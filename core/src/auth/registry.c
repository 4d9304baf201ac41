/*
 * The registry (docs/authentication.md §5): a set of verified descriptors
 * that do not overlap, answering "which descriptor covers this DevID".
 * Read-only calls may run in several threads at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth/auth.h"

struct dmboot_registry {
    dmboot_descriptor **items; /* private copies */
    char **sources;            /* the file each came from, or NULL */
    size_t count, cap;
    dmboot_keyring *keyring;   /* master keys by key-id (own copy), or NULL */
};

static const char DESC_SUFFIX[] = ".desc";

dmboot_status dmboot_registry_new(dmboot_registry **out, dmboot_error *err)
{
    if (out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    *out = calloc(1, sizeof **out);
    if (*out == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    dmb_ok(err);
    return DMBOOT_OK;
}

/* Drop the items from `keep` on (undoing a partial load). */
static void truncate_to(dmboot_registry *r, size_t keep)
{
    while (r->count > keep) {
        r->count--;
        dmboot_descriptor_free(r->items[r->count]);
        free(r->sources[r->count]);
    }
}

void dmboot_registry_free(dmboot_registry *r)
{
    if (r == NULL)
        return;
    truncate_to(r, 0);
    free(r->items);
    free(r->sources);
    dmboot_keyring_free(r->keyring);
    free(r);
}

dmboot_status dmboot_registry_set_keyring(dmboot_registry *r, const dmboot_keyring *kr,
                                          dmboot_error *err)
{
    if (r == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    dmboot_keyring *copy = NULL;
    if (kr != NULL) {
        dmboot_status st = dmb_keyring_copy(kr, &copy, err);
        if (st != DMBOOT_OK)
            return st;
    }
    dmboot_keyring_free(r->keyring);
    r->keyring = copy;
    dmb_ok(err);
    return DMBOOT_OK;
}

const dmboot_keyring *dmb_registry_keyring(const dmboot_registry *r)
{
    return r != NULL ? r->keyring : NULL;
}

dmboot_status dmb_keyring_key_for(const dmboot_keyring *kr, const dmboot_descriptor *d,
                                  const uint8_t **key, size_t *key_len, dmboot_error *err)
{
    const char *key_id = dmboot_descriptor_get(d, "key-id");
    *key = key_id != NULL ? dmb_keyring_lookup(kr, key_id, strlen(key_id), key_len) : NULL;
    if (*key != NULL)
        return DMBOOT_OK;
    char ids[160];
    dmb_keyring_list(kr, ids, sizeof ids);
    if (key_id == NULL)
        return dmb_fail(err, DMBOOT_ERR_UNKNOWN_KEY, 0,
                        "descriptor '%s' has no key-id line, so no key of the keyring is its "
                        "key (keyring: %s)",
                        d->id, ids);
    return dmb_fail(err, DMBOOT_ERR_UNKNOWN_KEY, 0,
                    "descriptor '%s' names key-id '%.64s', which is not in the keyring "
                    "(keyring: %s)",
                    d->id, key_id, ids);
}

size_t dmboot_registry_count(const dmboot_registry *r)
{
    return r != NULL ? r->count : 0;
}

const dmboot_descriptor *dmboot_registry_at(const dmboot_registry *r, size_t i)
{
    return r != NULL && i < r->count ? r->items[i] : NULL;
}

const char *dmboot_registry_source(const dmboot_registry *r, size_t i)
{
    return r != NULL && i < r->count ? r->sources[i] : NULL;
}

const dmboot_descriptor *dmboot_registry_find(const dmboot_registry *r, const char *id)
{
    if (r == NULL || id == NULL)
        return NULL;
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->items[i]->id, id) == 0)
            return r->items[i];
    return NULL;
}

static dmboot_status add_copy(dmboot_registry *r, const dmboot_descriptor *d,
                              const dmboot_verifier *v, const char *source, dmboot_error *err)
{
    if (v != NULL) {
        dmboot_status st = dmboot_descriptor_verify(d, v, NULL, err);
        if (st != DMBOOT_OK)
            return st;
    }
    if (r->keyring != NULL) {
        /* the registry serves only descriptors it holds a key for */
        const uint8_t *key = NULL;
        size_t key_len = 0;
        dmboot_status st = dmb_keyring_key_for(r->keyring, d, &key, &key_len, err);
        if (st != DMBOOT_OK)
            return st;
    }
    for (size_t i = 0; i < r->count; i++) {
        const dmboot_descriptor *o = r->items[i];
        if (strcmp(o->id, d->id) == 0)
            return dmb_fail(err, DMBOOT_ERR_OVERLAP, 0,
                            "descriptor id '%s' is already in the registry%s%s%s (an issuer "
                            "never reuses an id)",
                            d->id, r->sources[i] ? " (" : "",
                            r->sources[i] ? r->sources[i] : "", r->sources[i] ? ")" : "");
        dmboot_status st = dmboot_descriptor_check_overlap(d, o, err);
        if (st != DMBOOT_OK)
            return st;
    }
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        dmboot_descriptor **items = realloc(r->items, cap * sizeof *items);
        if (items == NULL)
            return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
        r->items = items;
        char **sources = realloc(r->sources, cap * sizeof *sources);
        if (sources == NULL)
            return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
        r->sources = sources;
        r->cap = cap;
    }
    char *src = NULL;
    if (source != NULL && (src = strdup(source)) == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    dmboot_descriptor *copy = NULL;
    dmboot_status st = dmboot_descriptor_parse(d->text, d->text_len, &copy, err);
    if (st != DMBOOT_OK) {
        free(src);
        return st;
    }
    r->items[r->count] = copy;
    r->sources[r->count] = src;
    r->count++;
    return DMBOOT_OK;
}

dmboot_status dmboot_registry_add(dmboot_registry *r, const dmboot_descriptor *d,
                                  const dmboot_verifier *v, dmboot_error *err)
{
    if (r == NULL || d == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    dmboot_status st = add_copy(r, d, v, NULL, err);
    if (st == DMBOOT_OK)
        dmb_ok(err);
    return st;
}

/* "FILE: message" (a descriptor error keeps its line number). */
static dmboot_status prefix_error(dmboot_error *err, dmboot_status st, const char *path)
{
    if (err == NULL)
        return st;
    char msg[DMBOOT_ERROR_MESSAGE_MAX];
    memcpy(msg, err->message, sizeof msg);
    size_t line = err->line;
    /* the message already holds "line N: " when line != 0 */
    dmb_fail(err, st, 0, "%s: %s", path, msg);
    err->line = line;
    return st;
}

dmboot_status dmboot_registry_load_dir(dmboot_registry *r, const char *dir,
                                       const dmboot_verifier *v, dmboot_error *err)
{
    if (r == NULL || dir == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    char **names = NULL;
    size_t count = 0, keep = r->count;
    dmboot_status st = dmb_dir_list(dir, "directory", DESC_SUFFIX, false, &names, &count, err);
    if (st != DMBOOT_OK)
        return st;
    for (size_t i = 0; i < count && st == DMBOOT_OK; i++) {
        char *path = dmb_path_join(dir, names[i]);
        if (path == NULL) {
            st = dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
            break;
        }
        struct stat sb;
        dmboot_descriptor *d = NULL;
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            st = dmb_fail(err, DMBOOT_ERR_IO, 0, "%s is not a regular file", path);
        } else {
            st = dmboot_descriptor_load(path, &d, err);
            if (st == DMBOOT_ERR_DESCRIPTOR)
                prefix_error(err, st, path); /* read errors already name the file */
            if (st == DMBOOT_OK && (st = add_copy(r, d, v, path, err)) != DMBOOT_OK)
                prefix_error(err, st, path);
        }
        dmboot_descriptor_free(d);
        free(path);
    }
    dmb_names_free(names, count);
    if (st != DMBOOT_OK) {
        truncate_to(r, keep); /* all or nothing */
        return st;
    }
    dmb_ok(err);
    return DMBOOT_OK;
}

/* A DevID from the network, safe to put in a message: printable ASCII
 * kept, anything else as \xNN, at most 64 input bytes. */
static void printable(const char *s, size_t n, char out[64 * 4 + 4])
{
    size_t o = 0;
    for (size_t i = 0; i < n && i < 64; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
            out[o++] = (char)c;
        } else {
            snprintf(out + o, 5, "\\x%02x", c);
            o += 4;
        }
    }
    if (n > 64) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

dmboot_status dmboot_registry_lookup(const dmboot_registry *r, const char *devid,
                                     size_t devid_len, const dmboot_descriptor **found,
                                     char *out, size_t out_cap, size_t *out_len,
                                     dmboot_error *err)
{
    if (r == NULL || found == NULL || (devid == NULL && devid_len != 0) ||
        (out != NULL && out_len == NULL))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    *found = NULL;
    /* Normalize once per devid-type present. */
    enum { TYPES = 4 };
    char norm[TYPES][DMBOOT_DEVID_MAX + 1];
    size_t norm_len[TYPES] = {0};
    int state[TYPES] = {0}; /* 0 not tried, 1 normalized, -1 malformed */
    dmboot_error first_bad;
    bool have_bad = false;
    const dmboot_descriptor *hit = NULL;
    size_t hit_type = 0;
    for (size_t i = 0; i < r->count; i++) {
        const dmboot_descriptor *d = r->items[i];
        size_t t = (size_t)d->devid_type;
        if (t >= TYPES)
            continue;
        if (state[t] == 0) {
            dmboot_error e;
            state[t] = dmb_devid_normalize(d->devid_type, devid, devid_len, norm[t],
                                           &norm_len[t], &e) == DMBOOT_OK
                           ? 1
                           : -1;
            if (state[t] < 0 && !have_bad) {
                first_bad = e;
                have_bad = true;
            }
        }
        if (state[t] < 0 || !dmb_descriptor_covers(d, norm[t], norm_len[t]))
            continue;
        if (hit != NULL) {
            /* Only an opaque and a typed descriptor can both cover one
             * input (each reads it differently); never guess. */
            char shown[64 * 4 + 4];
            printable(devid, devid_len, shown);
            return dmb_fail(err, DMBOOT_ERR_OVERLAP, 0,
                            "DevID '%s' is covered by both descriptor '%s' (%s) and "
                            "descriptor '%s' (%s)",
                            shown, hit->id, dmb_devid_type_name(hit->devid_type), d->id,
                            dmb_devid_type_name(d->devid_type));
        }
        hit = d;
        hit_type = t;
    }
    if (hit == NULL) {
        char shown[64 * 4 + 4];
        printable(devid, devid_len, shown);
        bool none_ok = have_bad && state[0] <= 0 && state[1] <= 0 && state[2] <= 0 &&
                       state[3] <= 0;
        if (none_ok)
            return dmb_fail(err, DMBOOT_ERR_NOT_FOUND, 0,
                            "no descriptor covers DevID '%s': %s", shown, first_bad.message);
        return dmb_fail(err, DMBOOT_ERR_NOT_FOUND, 0, "no descriptor covers DevID '%s'%s",
                        shown, r->count == 0 ? " (the registry is empty)" : "");
    }
    if (out != NULL) {
        *out_len = norm_len[hit_type];
        if (out_cap < norm_len[hit_type] + 1)
            return dmb_fail(err, DMBOOT_ERR_BUFFER_TOO_SMALL, 0,
                            "the normalized DevID needs %zu bytes", norm_len[hit_type] + 1);
        memcpy(out, norm[hit_type], norm_len[hit_type] + 1);
    }
    *found = hit;
    dmb_ok(err);
    return DMBOOT_OK;
}
