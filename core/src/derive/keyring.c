/*
 * The keyring (docs/authentication.md §4.2): an operator's master keys, one
 * per key-id, so that each manufacturer gets a key of its own and a
 * descriptor selects its key by its `key-id` line. A directory holds one
 * key file per key-id, DIR/<key-id>.key, each read with the key file
 * checks (no symbolic link, mode & 077 == 0).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "derive/derive.h"

typedef struct ring_key {
    char id[DMBOOT_KEY_ID_MAX + 1];
    uint8_t key[DMBOOT_KEY_MAX];
    size_t key_len;
} ring_key;

struct dmboot_keyring {
    ring_key *keys; /* wiped on free */
    size_t count, cap;
};

static const char KEY_SUFFIX[] = ".key";

dmboot_status dmboot_keyring_new(dmboot_keyring **out, dmboot_error *err)
{
    if (out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    *out = OPENSSL_zalloc(sizeof **out);
    if (*out == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    dmb_ok(err);
    return DMBOOT_OK;
}

void dmboot_keyring_free(dmboot_keyring *kr)
{
    if (kr == NULL)
        return;
    OPENSSL_clear_free(kr->keys, kr->cap * sizeof *kr->keys);
    OPENSSL_free(kr);
}

bool dmb_key_id_ok(const char *id, size_t len)
{
    if (len == 0 || len > DMBOOT_KEY_ID_MAX || id[0] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

dmboot_status dmboot_keyring_add(dmboot_keyring *kr, const char *key_id, size_t key_id_len,
                                 const uint8_t *key, size_t key_len, dmboot_error *err)
{
    if (kr == NULL || key_id == NULL || key == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if (!dmb_key_id_ok(key_id, key_id_len))
        return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                        "key-id '%.*s' is not 1 to %d of [A-Za-z0-9._-] (not starting "
                        "with '.')",
                        (int)(key_id_len > 64 ? 64 : key_id_len), key_id, DMBOOT_KEY_ID_MAX);
    if (key_len < DMBOOT_KEY_MIN || key_len > DMBOOT_KEY_MAX)
        return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                        "the key of key-id '%.*s' has %zu bytes; a master key has %d to %d",
                        (int)key_id_len, key_id, key_len, DMBOOT_KEY_MIN, DMBOOT_KEY_MAX);
    if (dmb_keyring_lookup(kr, key_id, key_id_len, NULL) != NULL)
        return dmb_fail(err, DMBOOT_ERR_KEY, 0, "key-id '%.*s' is already in the keyring",
                        (int)key_id_len, key_id);
    if (kr->count == kr->cap) {
        size_t cap = kr->cap ? kr->cap * 2 : 4;
        ring_key *n = OPENSSL_zalloc(cap * sizeof *n);
        if (n == NULL)
            return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
        if (kr->count > 0)
            memcpy(n, kr->keys, kr->count * sizeof *n);
        OPENSSL_clear_free(kr->keys, kr->cap * sizeof *kr->keys);
        kr->keys = n;
        kr->cap = cap;
    }
    ring_key *k = &kr->keys[kr->count++];
    memcpy(k->id, key_id, key_id_len);
    k->id[key_id_len] = '\0';
    memcpy(k->key, key, key_len);
    k->key_len = key_len;
    dmb_ok(err);
    return DMBOOT_OK;
}

size_t dmboot_keyring_count(const dmboot_keyring *kr)
{
    return kr != NULL ? kr->count : 0;
}

const char *dmboot_keyring_key_id(const dmboot_keyring *kr, size_t i)
{
    return kr != NULL && i < kr->count ? kr->keys[i].id : NULL;
}

const uint8_t *dmb_keyring_lookup(const dmboot_keyring *kr, const char *key_id,
                                  size_t key_id_len, size_t *key_len)
{
    if (kr == NULL || key_id == NULL)
        return NULL;
    for (size_t i = 0; i < kr->count; i++) {
        const ring_key *k = &kr->keys[i];
        if (strlen(k->id) == key_id_len && memcmp(k->id, key_id, key_id_len) == 0) {
            if (key_len != NULL)
                *key_len = k->key_len;
            return k->key;
        }
    }
    return NULL;
}

dmboot_status dmboot_keyring_get(const dmboot_keyring *kr, const char *key_id,
                                 size_t key_id_len, uint8_t *key, size_t key_cap,
                                 size_t *key_len, dmboot_error *err)
{
    if (kr == NULL || key_id == NULL || key == NULL || key_len == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    size_t n = 0;
    const uint8_t *k = dmb_keyring_lookup(kr, key_id, key_id_len, &n);
    if (k == NULL) {
        char ids[160];
        dmb_keyring_list(kr, ids, sizeof ids);
        return dmb_fail(err, DMBOOT_ERR_UNKNOWN_KEY, 0,
                        "key-id '%.*s' is not in the keyring (keyring: %s)",
                        (int)(key_id_len > 64 ? 64 : key_id_len), key_id, ids);
    }
    *key_len = n;
    if (key_cap < n)
        return dmb_fail(err, DMBOOT_ERR_BUFFER_TOO_SMALL, 0, "the key needs %zu bytes", n);
    memcpy(key, k, n);
    dmb_ok(err);
    return DMBOOT_OK;
}

dmboot_status dmb_keyring_copy(const dmboot_keyring *kr, dmboot_keyring **out,
                               dmboot_error *err)
{
    dmboot_keyring *c = NULL;
    dmboot_status st = dmboot_keyring_new(&c, err);
    for (size_t i = 0; st == DMBOOT_OK && kr != NULL && i < kr->count; i++)
        st = dmboot_keyring_add(c, kr->keys[i].id, strlen(kr->keys[i].id), kr->keys[i].key,
                                kr->keys[i].key_len, err);
    if (st != DMBOOT_OK) {
        dmboot_keyring_free(c);
        return st;
    }
    *out = c;
    return DMBOOT_OK;
}

void dmb_keyring_list(const dmboot_keyring *kr, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    if (kr == NULL || kr->count == 0) {
        snprintf(out, cap, "(none)");
        return;
    }
    for (size_t i = 0; i < kr->count && n + 1 < cap; i++) {
        int w = snprintf(out + n, cap - n, "%s%s", i ? ", " : "", kr->keys[i].id);
        if (w < 0 || (size_t)w >= cap - n) {
            if (cap > 4)
                memcpy(out + cap - 4, "...", 4);
            return;
        }
        n += (size_t)w;
    }
}

dmboot_status dmboot_keyring_load_dir(dmboot_keyring *kr, const char *dir, dmboot_error *err)
{
    if (kr == NULL || dir == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    char **names = NULL;
    size_t count = 0, keep = kr->count;
    dmboot_status st = dmb_dir_list(dir, "keyring directory", KEY_SUFFIX, true, &names, &count,
                                    err);
    if (st != DMBOOT_OK)
        return st;
    if (count == 0)
        st = dmb_fail(err, DMBOOT_ERR_KEY, 0,
                      "keyring directory %s holds no key file (<key-id>.key)", dir);
    for (size_t i = 0; i < count && st == DMBOOT_OK; i++) {
        size_t id_len = strlen(names[i]) - (sizeof KEY_SUFFIX - 1);
        char *path = dmb_path_join(dir, names[i]);
        if (path == NULL) {
            st = dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
            break;
        }
        if (!dmb_key_id_ok(names[i], id_len)) {
            st = dmb_fail(err, DMBOOT_ERR_KEY, 0,
                          "keyring file %s: its name is not <key-id>.key with a key-id of "
                          "1 to %d of [A-Za-z0-9._-]",
                          path, DMBOOT_KEY_ID_MAX);
        } else {
            uint8_t key[DMBOOT_KEY_MAX];
            size_t key_len = 0;
            st = dmboot_key_load(path, key, sizeof key, &key_len, err);
            if (st == DMBOOT_OK)
                st = dmboot_keyring_add(kr, names[i], id_len, key, key_len, err);
            OPENSSL_cleanse(key, sizeof key);
        }
        free(path);
    }
    dmb_names_free(names, count);
    if (st != DMBOOT_OK) {
        /* all or nothing */
        if (kr->count > keep)
            OPENSSL_cleanse(kr->keys + keep, (kr->count - keep) * sizeof *kr->keys);
        kr->count = keep;
        return st;
    }
    dmb_ok(err);
    return DMBOOT_OK;
}
