/*
 * Signing (docs/authentication.md §3): a pure function from a parsed
 * descriptor to new descriptor text with its key-check, mac and signature
 * lines set. The result is parsed and verified before it is returned, so a
 * file whose authentication lines do not verify is never produced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/verifier.h"

#define KC_PREFIX "key-check: "
#define KC_LINE_LEN (sizeof KC_PREFIX - 1 + 8 + 1)

/* Offset just past the LF that ends line `line` (1-based; 0: the start). */
static size_t after_line(const char *text, size_t len, size_t line)
{
    if (line == 0)
        return 0;
    size_t seen = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n' && ++seen == line)
            return i + 1;
    return len;
}

static const dmb_entry *find_entry(const dmboot_descriptor *d, const char *key)
{
    for (size_t i = 0; i < d->entry_count; i++)
        if (strcmp(d->entries[i].key, key) == 0)
            return &d->entries[i];
    return NULL;
}

/* Where a new key-check line goes: after key-id when there is one (they
 * belong together), else after the last entry before the authentication
 * lines (comments or blank lines that follow it stay after it). */
static size_t key_check_insert_at(const dmboot_descriptor *d)
{
    const dmb_entry *e = find_entry(d, "key-id");
    if (e == NULL) {
        for (size_t i = 0; i < d->entry_count; i++) {
            const char *k = d->entries[i].key;
            if (strcmp(k, "mac") != 0 && strcmp(k, "signature") != 0)
                e = &d->entries[i];
        }
    }
    return e != NULL ? after_line(d->text, d->signed_len, e->line) : d->signed_len;
}

static void append(char *buf, size_t *n, const void *p, size_t len)
{
    memcpy(buf + *n, p, len);
    *n += len;
}

static void append_line(char *buf, size_t *n, const char *prefix, const uint8_t *bytes,
                        size_t len)
{
    append(buf, n, prefix, strlen(prefix));
    *n += dmb_base64_encode(bytes, len, false, buf + *n);
    buf[(*n)++] = '\n';
}

/* Parse the result and verify what this call made: the last line of
 * defence against writing a file that does not verify. */
static dmboot_status self_check(const char *text, size_t len, size_t body_len,
                                const uint8_t *key, size_t key_len, dmboot_key_kind kind,
                                const dmboot_signing_key *sk, dmboot_error *err)
{
    dmboot_descriptor *d = NULL;
    dmboot_verifier *v = NULL;
    dmboot_public_key *pk = NULL;
    dmboot_error e;
    dmboot_status st = dmboot_descriptor_parse(text, len, &d, &e);
    if (st != DMBOOT_OK) {
        /* the input parsed, so this is a bug in signing */
        return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "the signed descriptor does not parse (%s)",
                        e.message);
    }
    if (d->signed_len != body_len) {
        st = dmb_fail(err, DMBOOT_ERR_CRYPTO, 0,
                      "the signed descriptor covers %zu bytes, not %zu", d->signed_len,
                      body_len);
        goto out;
    }
    st = dmboot_verifier_new(&v, err);
    if (st == DMBOOT_OK && key != NULL)
        st = dmboot_verifier_set_key(v, key, key_len, kind, err);
    if (st == DMBOOT_OK && sk != NULL)
        st = dmboot_signing_key_public(sk, &pk, err);
    if (st == DMBOOT_OK && pk != NULL)
        st = dmboot_verifier_add_public_key(v, pk, err);
    if (st == DMBOOT_OK)
        st = dmboot_verifier_set_flags(
            v, DMBOOT_VERIFY_IGNORE_VALIDITY | DMBOOT_VERIFY_ALLOW_UNAUTHENTICATED, err);
    if (st != DMBOOT_OK)
        goto out;
    dmboot_verify_report r;
    st = dmboot_descriptor_verify_report(d, v, &r, &e);
    unsigned want = (key != NULL ? DMBOOT_CHECKED_MAC : 0u) |
                    (sk != NULL ? DMBOOT_CHECKED_SIGNATURE : 0u);
    if (st == DMBOOT_OK && (r.checked & want) != want)
        st = DMBOOT_ERR_CRYPTO;
    if (st != DMBOOT_OK)
        st = dmb_fail(err, DMBOOT_ERR_CRYPTO, 0,
                      "the signed descriptor does not verify (%s)", e.message);
out:
    dmboot_public_key_free(pk);
    dmboot_verifier_free(v);
    dmboot_descriptor_free(d);
    return st;
}

dmboot_status dmboot_descriptor_sign(const dmboot_descriptor *d, const uint8_t *key,
                                     size_t key_len, dmboot_key_kind kind,
                                     const dmboot_signing_key *sk, unsigned flags, char *out,
                                     size_t out_cap, size_t *out_len, dmboot_error *err)
{
    if (d == NULL || out_len == NULL || (key == NULL && key_len != 0))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if ((flags & ~DMBOOT_SIGN_KEY_CHECK) != 0)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "unknown sign flags 0x%x",
                        flags & ~DMBOOT_SIGN_KEY_CHECK);
    if (key == NULL && sk == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                        "nothing to sign with: give a key (for the mac line) and/or a "
                        "signing key (for the signature line)");
    bool set_kc = (flags & DMBOOT_SIGN_KEY_CHECK) != 0;
    if (set_kc && key == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                        "setting key-check needs the key it is computed from");

    /* The body is the signed bytes, with key-check added or updated. */
    size_t body_len = d->signed_len + (set_kc && !d->has_key_check ? KC_LINE_LEN : 0);
    bool keep_mac = key == NULL && d->has_mac, keep_sig = sk == NULL && d->has_signature;
    size_t total = body_len + (key != NULL || keep_mac ? DMB_MAC_LINE_LEN : 0) +
                   (sk != NULL || keep_sig ? DMB_SIG_LINE_LEN : 0);
    if (total > DMBOOT_DESCRIPTOR_MAX)
        return dmb_fail(err, DMBOOT_ERR_DESCRIPTOR, 0,
                        "the signed descriptor would be %zu bytes, more than %d", total,
                        DMBOOT_DESCRIPTOR_MAX);
    *out_len = total;
    if (out == NULL || out_cap < total + 1)
        return dmb_fail(err, DMBOOT_ERR_BUFFER_TOO_SMALL, 0,
                        "the signed descriptor needs %zu bytes of output", total + 1);

    char *buf = malloc(total + 1);
    dmb_stream *s = NULL;
    uint8_t mk[DMB_MAC_LEN], mac[DMB_MAC_LEN], sig[DMB_SIG_LEN];
    bool body_changed = false;
    dmboot_status st = DMBOOT_OK;
    if (buf == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    if (key != NULL && kind == DMBOOT_KEY_BATCH) {
        /* the mac line needs the master key (authentication.md §1.2) */
        st = dmb_refuse_batch_mac(d, err);
        goto out;
    }
    if (key != NULL) {
        st = dmb_key_stream(d, key, key_len, kind, &s, err);
        /* Without the flag, key-check guards the key as for any use. */
        if (st == DMBOOT_OK && !set_kc) {
            st = dmb_check_key(d, s, kind, err);
            if (st == DMBOOT_ERR_KEY_MISMATCH && err != NULL) {
                size_t l = strlen(err->message);
                snprintf(err->message + l, sizeof err->message - l,
                         "; to set key-check for this key instead, sign with key-check");
            }
        }
    }
    if (st != DMBOOT_OK)
        goto out;

    size_t n = 0;
    if (!set_kc) {
        append(buf, &n, d->text, d->signed_len);
    } else {
        char kc[9];
        st = dmb_key_check_with(d, s, kc, err);
        if (st != DMBOOT_OK)
            goto out;
        if (d->has_key_check) {
            /* update the value in place: the line is "key-check: " + 8 hex */
            const dmb_entry *e = find_entry(d, "key-check");
            size_t at = e != NULL ? after_line(d->text, d->signed_len, e->line - 1) : 0;
            if (e == NULL || memcmp(d->text + at, KC_PREFIX, sizeof KC_PREFIX - 1) != 0) {
                st = dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "key-check line not found");
                goto out;
            }
            append(buf, &n, d->text, d->signed_len);
            memcpy(buf + at + sizeof KC_PREFIX - 1, kc, 8);
            body_changed = memcmp(kc, d->key_check, 8) != 0;
        } else {
            size_t at = key_check_insert_at(d);
            append(buf, &n, d->text, at);
            append(buf, &n, KC_PREFIX, sizeof KC_PREFIX - 1);
            append(buf, &n, kc, 8);
            buf[n++] = '\n';
            append(buf, &n, d->text + at, d->signed_len - at);
            body_changed = true;
        }
    }
    if (keep_sig && body_changed) {
        st = dmb_fail(err, DMBOOT_ERR_BAD_SIGNATURE, 0,
                      "setting key-check changes the signed bytes, so the signature line of "
                      "descriptor '%s' would no longer verify: give the signing key to sign it "
                      "again (or remove the signature line first)",
                      d->id);
        goto out;
    }

    if (key != NULL) {
        st = dmb_mac_key(d, key, key_len, kind, mk, err);
        if (st == DMBOOT_OK)
            st = dmb_hmac(mk, buf, body_len, mac, err);
        OPENSSL_cleanse(mk, sizeof mk);
        if (st != DMBOOT_OK)
            goto out;
        append_line(buf, &n, "mac: hmac-sha256 ", mac, DMB_MAC_LEN);
    } else if (keep_mac) {
        /* same signed bytes (key-check needs the key), so it still holds */
        append_line(buf, &n, "mac: hmac-sha256 ", d->mac, DMB_MAC_LEN);
    }
    if (sk != NULL) {
        st = dmb_ed25519_sign(sk, buf, body_len, sig, err);
        if (st != DMBOOT_OK)
            goto out;
        append_line(buf, &n, "signature: ed25519 ", sig, DMB_SIG_LEN);
    } else if (keep_sig) {
        append_line(buf, &n, "signature: ed25519 ", d->signature, DMB_SIG_LEN);
    }
    buf[n] = '\0';
    if (n != total) {
        st = dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "signed descriptor length %zu, expected %zu",
                      n, total);
        goto out;
    }
    st = self_check(buf, n, body_len, key, key_len, kind, sk, err);
    if (st == DMBOOT_OK)
        memcpy(out, buf, n + 1);
out:
    dmb_stream_free(s);
    OPENSSL_cleanse(mac, sizeof mac);
    free(buf); /* public text: the MAC and signature are written into it anyway */
    if (st != DMBOOT_OK)
        return st;
    dmb_ok(err);
    return DMBOOT_OK;
}
