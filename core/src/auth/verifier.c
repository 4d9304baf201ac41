/* The verifier: what a descriptor is checked against (key, trusted issuer
 * keys, time, policy flags). Configured once, then reused and shared. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/verifier.h"

dmboot_status dmboot_verifier_new(dmboot_verifier **out, dmboot_error *err)
{
    if (out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    *out = OPENSSL_zalloc(sizeof **out);
    if (*out == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    dmb_ok(err);
    return DMBOOT_OK;
}

void dmboot_verifier_free(dmboot_verifier *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->issuer_count; i++)
        dmboot_public_key_free(v->issuers[i]);
    free(v->issuers);
    dmboot_keyring_free(v->keyring);
    dmboot_trust_free(v->trust);
    OPENSSL_clear_free(v, sizeof *v);
}

dmboot_status dmboot_verifier_set_key(dmboot_verifier *v, const uint8_t *key, size_t key_len,
                                      dmboot_key_kind kind, dmboot_error *err)
{
    if (v == NULL || (key == NULL && key_len != 0))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if (key != NULL) {
        if (kind == DMBOOT_KEY_BATCH && key_len != DMBOOT_BATCH_KEY_LEN)
            return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                            "a batch key has %d bytes (%d hex digits), not %zu",
                            DMBOOT_BATCH_KEY_LEN, 2 * DMBOOT_BATCH_KEY_LEN, key_len);
        if (kind == DMBOOT_KEY_MASTER && (key_len < DMBOOT_KEY_MIN || key_len > DMBOOT_KEY_MAX))
            return dmb_fail(err, DMBOOT_ERR_KEY, 0, "a master key has %d to %d bytes, not %zu",
                            DMBOOT_KEY_MIN, DMBOOT_KEY_MAX, key_len);
        if (kind != DMBOOT_KEY_BATCH && kind != DMBOOT_KEY_MASTER)
            return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "unknown key kind %d",
                            (int)kind);
    }
    OPENSSL_cleanse(v->key, sizeof v->key);
    dmboot_keyring_free(v->keyring); /* one key or a keyring, not both */
    v->keyring = NULL;
    v->has_key = key != NULL;
    v->kind = kind;
    v->key_len = key != NULL ? key_len : 0;
    if (key != NULL)
        memcpy(v->key, key, key_len);
    dmb_ok(err);
    return DMBOOT_OK;
}

dmboot_status dmboot_verifier_set_keyring(dmboot_verifier *v, const dmboot_keyring *kr,
                                          dmboot_error *err)
{
    if (v == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    dmboot_keyring *copy = NULL;
    if (kr != NULL) {
        dmboot_status st = dmb_keyring_copy(kr, &copy, err);
        if (st != DMBOOT_OK)
            return st;
    }
    OPENSSL_cleanse(v->key, sizeof v->key); /* one key or a keyring, not both */
    v->has_key = false;
    v->key_len = 0;
    v->kind = DMBOOT_KEY_MASTER; /* a keyring holds master keys */
    dmboot_keyring_free(v->keyring);
    v->keyring = copy;
    dmb_ok(err);
    return DMBOOT_OK;
}

dmboot_status dmboot_verifier_set_trust(dmboot_verifier *v, const dmboot_trust *t,
                                        dmboot_error *err)
{
    if (v == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    dmboot_trust *copy = NULL;
    if (t != NULL) {
        dmboot_status st = dmb_trust_copy(t, &copy, err);
        if (st != DMBOOT_OK)
            return st;
    }
    dmboot_trust_free(v->trust);
    v->trust = copy;
    dmb_ok(err);
    return DMBOOT_OK;
}

dmboot_status dmboot_verifier_add_public_key(dmboot_verifier *v, const dmboot_public_key *pk,
                                             dmboot_error *err)
{
    if (v == NULL || pk == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if (v->issuer_count == v->issuer_cap) {
        size_t cap = v->issuer_cap ? v->issuer_cap * 2 : 4;
        dmboot_public_key **n = realloc(v->issuers, cap * sizeof *n);
        if (n == NULL)
            return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
        v->issuers = n;
        v->issuer_cap = cap;
    }
    dmboot_status st = dmboot_public_key_copy(pk, &v->issuers[v->issuer_count], err);
    if (st != DMBOOT_OK)
        return st;
    v->issuer_count++;
    dmb_ok(err);
    return DMBOOT_OK;
}

dmboot_status dmboot_verifier_add_issuer_key(dmboot_verifier *v, const char *pem,
                                             size_t pem_len, dmboot_error *err)
{
    if (v == NULL || pem == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    dmboot_public_key *pk = NULL;
    dmboot_status st = dmboot_public_key_from_pem(pem, pem_len, &pk, err);
    if (st == DMBOOT_OK)
        st = dmboot_verifier_add_public_key(v, pk, err);
    dmboot_public_key_free(pk);
    return st;
}

size_t dmboot_verifier_issuer_key_count(const dmboot_verifier *v)
{
    return v != NULL ? v->issuer_count : 0;
}

void dmboot_verifier_set_time(dmboot_verifier *v, int64_t unix_seconds)
{
    if (v == NULL)
        return;
    v->has_time = true;
    v->time = unix_seconds;
}

void dmboot_verifier_use_clock(dmboot_verifier *v)
{
    if (v != NULL)
        v->has_time = false;
}

dmboot_status dmboot_verifier_set_flags(dmboot_verifier *v, unsigned flags, dmboot_error *err)
{
    if (v == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if ((flags & ~DMBOOT_VERIFY_ALL_FLAGS) != 0)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "unknown verify flags 0x%x",
                        flags & ~DMBOOT_VERIFY_ALL_FLAGS);
    v->flags = flags;
    dmb_ok(err);
    return DMBOOT_OK;
}

unsigned dmboot_verifier_flags(const dmboot_verifier *v)
{
    return v != NULL ? v->flags : 0;
}
