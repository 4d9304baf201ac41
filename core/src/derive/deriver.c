/* Descriptor + key + DevID -> account (spec §3, §5). */
#include <string.h>

#include <openssl/crypto.h>

#include "derive/account.h"

/* Stream labels, indexed like dmboot_field (DEVID has none). */
static const char *const FIELD_LABEL[DMBOOT_FIELD_COUNT] = {
    NULL, "name", "client-secret", "server-secret", "client-nonce", "server-nonce"};

struct dmboot_deriver {
    dmboot_descriptor *d; /* a private copy: the caller may free theirs */
    dmb_stream *stream;
    uint8_t buf[DMBOOT_STREAM_MAX];
    size_t buf_used; /* how much of buf to wipe */
    char devid[DMBOOT_DEVID_MAX + 1];
};

dmboot_status dmb_batch_key_for(const dmboot_descriptor *d, const uint8_t *key,
                                size_t key_len, dmboot_key_kind kind,
                                uint8_t bk[DMBOOT_BATCH_KEY_LEN], dmboot_error *err)
{
    if (key == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL key");
    if (kind == DMBOOT_KEY_BATCH) {
        if (key_len != DMBOOT_BATCH_KEY_LEN)
            return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                            "a batch key has %d bytes (%d hex digits), not %zu",
                            DMBOOT_BATCH_KEY_LEN, 2 * DMBOOT_BATCH_KEY_LEN, key_len);
        memcpy(bk, key, DMBOOT_BATCH_KEY_LEN);
        return DMBOOT_OK;
    }
    if (kind != DMBOOT_KEY_MASTER)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "unknown key kind");
    return dmboot_kdf_batch_key(d->kdf, key, key_len, d->id, strlen(d->id), bk, err);
}

dmboot_status dmb_key_stream(const dmboot_descriptor *d, const uint8_t *key, size_t key_len,
                             dmboot_key_kind kind, dmb_stream **out, dmboot_error *err)
{
    uint8_t bk[DMBOOT_BATCH_KEY_LEN];
    dmboot_status st = dmb_batch_key_for(d, key, key_len, kind, bk, err);
    if (st == DMBOOT_OK)
        st = dmb_stream_new(d->kdf, bk, out, err);
    OPENSSL_cleanse(bk, sizeof bk);
    return st;
}

dmboot_status dmboot_descriptor_batch_key(const dmboot_descriptor *d, const uint8_t *key,
                                          size_t key_len,
                                          uint8_t batch_key[DMBOOT_BATCH_KEY_LEN],
                                          dmboot_error *err)
{
    if (d == NULL || batch_key == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    dmboot_status st = dmb_batch_key_for(d, key, key_len, DMBOOT_KEY_MASTER, batch_key, err);
    if (st == DMBOOT_OK && d->has_key_check) {
        /* Never hand a factory a batch key that fails key-check. */
        dmb_stream *s = NULL;
        st = dmb_stream_new(d->kdf, batch_key, &s, err);
        if (st == DMBOOT_OK)
            st = dmb_check_key(d, s, DMBOOT_KEY_MASTER, err);
        dmb_stream_free(s);
        if (st != DMBOOT_OK)
            OPENSSL_cleanse(batch_key, DMBOOT_BATCH_KEY_LEN);
    }
    if (st == DMBOOT_OK)
        dmb_ok(err);
    return st;
}

dmboot_status dmb_key_check_with(const dmboot_descriptor *d, dmb_stream *s, char out[9],
                                 dmboot_error *err)
{
    uint8_t kc[4];
    dmboot_status st = dmb_stream_read(s, "key-check", 9, d->server_id, strlen(d->server_id),
                                       "", 0, kc, sizeof kc, err);
    if (st == DMBOOT_OK)
        dmb_hex_encode(kc, sizeof kc, out);
    return st;
}

dmboot_status dmb_check_key(const dmboot_descriptor *d, dmb_stream *s, dmboot_key_kind kind,
                            dmboot_error *err)
{
    if (!d->has_key_check)
        return DMBOOT_OK;
    char kc[9];
    dmboot_status st = dmb_key_check_with(d, s, kc, err);
    if (st == DMBOOT_OK && !dmb_equal(kc, d->key_check, 8))
        st = dmb_fail(err, DMBOOT_ERR_KEY_MISMATCH, 0,
                      "the %s key does not match key-check %s of descriptor '%s'%s",
                      kind == DMBOOT_KEY_BATCH ? "batch" : "master", d->key_check, d->id,
                      kind == DMBOOT_KEY_BATCH
                          ? " (wrong key, or a batch key of another descriptor?)"
                          : " (wrong key, or a batch key?)");
    OPENSSL_cleanse(kc, sizeof kc);
    return st;
}

dmboot_status dmboot_descriptor_key_check(const dmboot_descriptor *d, const uint8_t *key,
                                          size_t key_len, dmboot_key_kind kind, char out[9],
                                          dmboot_error *err)
{
    if (d == NULL || out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    dmb_stream *s = NULL;
    dmboot_status st = dmb_key_stream(d, key, key_len, kind, &s, err);
    if (st == DMBOOT_OK)
        st = dmb_key_check_with(d, s, out, err);
    dmb_stream_free(s);
    if (st == DMBOOT_OK)
        dmb_ok(err);
    return st;
}

void dmboot_deriver_free(dmboot_deriver *dv)
{
    if (dv == NULL)
        return;
    dmb_stream_free(dv->stream);
    dmboot_descriptor_free(dv->d);
    OPENSSL_clear_free(dv, sizeof *dv);
}

dmboot_status dmboot_deriver_new(const dmboot_descriptor *d, const uint8_t *key,
                                 size_t key_len, dmboot_key_kind kind, dmboot_deriver **out,
                                 dmboot_error *err)
{
    if (d == NULL || key == NULL || out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    *out = NULL;
    dmboot_deriver *dv = OPENSSL_zalloc(sizeof *dv);
    if (dv == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    dmboot_status st = dmboot_descriptor_parse(d->text, d->text_len, &dv->d, err);
    if (st == DMBOOT_OK)
        st = dmb_key_stream(d, key, key_len, kind, &dv->stream, err);
    if (st == DMBOOT_OK)
        st = dmb_check_key(d, dv->stream, kind, err);
    if (st != DMBOOT_OK) {
        dmboot_deriver_free(dv);
        return st;
    }
    *out = dv;
    dmb_ok(err);
    return DMBOOT_OK;
}

/* "template T": {devid} and {devid-value}, checked by the parser. */
static size_t render_template(const char *t, const char *devid, size_t devid_len,
                              size_t prefix_len, uint8_t *out)
{
    size_t o = 0;
    while (*t != '\0') {
        if (strncmp(t, "{devid}", 7) == 0) {
            memcpy(out + o, devid, devid_len);
            o += devid_len;
            t += 7;
        } else if (strncmp(t, "{devid-value}", 13) == 0) {
            memcpy(out + o, devid + prefix_len, devid_len - prefix_len);
            o += devid_len - prefix_len;
            t += 13;
        } else {
            out[o++] = (uint8_t)*t++;
        }
    }
    out[o] = 0;
    return o;
}

static dmboot_status derive_field(dmboot_deriver *dv, dmboot_field f, const char *devid,
                                  size_t devid_len, dmboot_account *acc, dmboot_error *err)
{
    const dmb_rule *rule = &dv->d->rules[f - 1];
    uint8_t *out = acc->value[f];
    switch (rule->kind) {
    case DMB_RULE_ABSENT:
        return DMBOOT_OK;
    case DMB_RULE_DEVID:
        memcpy(out, devid, devid_len + 1);
        acc->len[f] = devid_len;
        break;
    case DMB_RULE_TEMPLATE:
        acc->len[f] = render_template(rule->template_, devid, devid_len,
                                      dmb_devid_prefix_len(dv->d->devid_type), out);
        break;
    case DMB_RULE_BYTES:
    case DMB_RULE_CHARS: {
        /* Chars reject some bytes: read the expected need plus a margin,
         * in whole 32-byte blocks; in the rare case that is short, read a
         * longer prefix of the same stream. */
        size_t want = rule->count;
        if (rule->kind == DMB_RULE_CHARS) {
            size_t limit = 256 - 256 % rule->alphabet_len;
            want = (rule->count * 256 / limit) * 9 / 8 + 4;
            want = (want + 31) / 32 * 32;
        }
        const char *label = FIELD_LABEL[f];
        for (;;) {
            if (want > DMBOOT_STREAM_MAX)
                want = DMBOOT_STREAM_MAX;
            if (want > dv->buf_used)
                dv->buf_used = want;
            dmboot_status st =
                dmb_stream_read(dv->stream, label, strlen(label), dv->d->server_id,
                                strlen(dv->d->server_id), devid, devid_len, dv->buf, want, err);
            if (st != DMBOOT_OK)
                return st;
            size_t used = 0;
            st = dmb_encode_field(rule, dv->buf, want, out, DMBOOT_VALUE_MAX + 1, &acc->len[f],
                                  &used);
            if (st == DMBOOT_OK)
                break;
            if (st != DMBOOT_ERR_BUFFER_TOO_SMALL || want == DMBOOT_STREAM_MAX)
                return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0,
                                "the %s stream ran out", label);
            want *= 2;
        }
        break;
    }
    }
    acc->present[f] = true;
    return DMBOOT_OK;
}

dmboot_status dmboot_derive(dmboot_deriver *dv, const char *devid, size_t devid_len,
                            dmboot_account *acc, dmboot_error *err)
{
    if (dv == NULL || acc == NULL || (devid == NULL && devid_len != 0))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    /* Values are overwritten below; the whole account is wiped on error. */
    memset(acc->present, 0, sizeof acc->present);
    size_t n = 0;
    dmboot_status st = dmb_devid_normalize(dv->d->devid_type, devid, devid_len, dv->devid, &n,
                                           err);
    if (st != DMBOOT_OK)
        return st;
    if (!dmb_descriptor_covers(dv->d, dv->devid, n))
        return dmb_fail(err, DMBOOT_ERR_NOT_COVERED, 0,
                        "DevID %s is not covered by devid-match of descriptor '%s'", dv->devid,
                        dv->d->id);
    memcpy(acc->value[DMBOOT_FIELD_DEVID], dv->devid, n + 1);
    acc->len[DMBOOT_FIELD_DEVID] = n;
    acc->present[DMBOOT_FIELD_DEVID] = true;
    for (int f = DMBOOT_FIELD_NAME; f < DMBOOT_FIELD_COUNT; f++) {
        st = derive_field(dv, (dmboot_field)f, dv->devid, n, acc, err);
        if (st != DMBOOT_OK) {
            dmboot_account_clear(acc);
            break;
        }
    }
    OPENSSL_cleanse(dv->buf, dv->buf_used);
    dv->buf_used = 0;
    if (st != DMBOOT_OK)
        return st;
    dmb_ok(err);
    return DMBOOT_OK;
}
