#include "derivation_vectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmboot.h"

static int unhex(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > cap)
        return 0;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return 0;
        out[i] = (uint8_t)v;
    }
    *len = n / 2;
    return 1;
}

static void hex(const uint8_t *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
    out[2 * n] = '\0';
}

static dmboot_kdf kdf_of(const char *name)
{
    return strcmp(name, "kbkdf-hmac-sha256") == 0 ? DMBOOT_KDF_KBKDF_HMAC_SHA256
                                                  : DMBOOT_KDF_HKDF_SHA256;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *i = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(i) ? i->valuestring : NULL;
}

static void put(cJSON *o, const char *k, const char *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, k);
    cJSON_AddStringToObject(o, k, v);
}

/* The first n bytes of a stream, as hex. */
static int stream_hex(dmboot_kdf kdf, const uint8_t bk[32], const char *label, const char *sid,
                      const char *dev, size_t n, char *out)
{
    static uint8_t buf[DMBOOT_STREAM_MAX];
    dmboot_error err;
    if (dmboot_kdf_stream(kdf, bk, label, strlen(label), sid, strlen(sid), dev, strlen(dev),
                          buf, n, &err) != DMBOOT_OK) {
        fprintf(stderr, "stream: %s\n", err.message);
        return 0;
    }
    hex(buf, n, out);
    return 1;
}

static int fill_kdf_case(cJSON *c)
{
    static char text[2 * DMBOOT_STREAM_MAX + 1];
    uint8_t key[64], bk[32];
    size_t key_len;
    dmboot_error err;
    dmboot_kdf kdf = kdf_of(str(c, "kdf"));
    const char *id = str(c, "id");
    if (!unhex(str(c, "key"), key, sizeof key, &key_len) ||
        dmboot_kdf_batch_key(kdf, key, key_len, id, strlen(id), bk, &err) != DMBOOT_OK) {
        fprintf(stderr, "%s: bad key or batch key\n", str(c, "name"));
        return 0;
    }
    hex(bk, 32, text);
    put(c, "batch_key", text);
    cJSON *kc = cJSON_GetObjectItemCaseSensitive(c, "key_check");
    cJSON *mk = cJSON_GetObjectItemCaseSensitive(c, "mac_key");
    if (!stream_hex(kdf, bk, "key-check", str(kc, "server_id"), "", 4, text))
        return 0;
    put(kc, "value", text);
    uint8_t mac_key[DMBOOT_MAC_KEY_LEN];
    if (dmboot_kdf_mac_key(kdf, key, key_len, id, strlen(id), mac_key, &err) != DMBOOT_OK) {
        fprintf(stderr, "%s: %s\n", str(c, "name"), err.message);
        return 0;
    }
    hex(mac_key, sizeof mac_key, text);
    put(mk, "value", text);
    cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(c, "streams"))
    {
        size_t n = (size_t)cJSON_GetObjectItemCaseSensitive(s, "length")->valueint;
        if (!stream_hex(kdf, bk, str(s, "label"), str(s, "server_id"), str(s, "devid"), n, text))
            return 0;
        put(s, "stream", text);
    }
    return 1;
}

static void put_field(cJSON *dev, const dmboot_account *acc, dmboot_field f)
{
    const uint8_t *v;
    size_t n;
    const char *name = dmboot_field_name(f);
    cJSON_DeleteItemFromObjectCaseSensitive(dev, name);
    if (!dmboot_account_get(acc, f, &v, &n))
        return;
    if (f == DMBOOT_FIELD_CLIENT_NONCE || f == DMBOOT_FIELD_SERVER_NONCE) {
        /* base64 through the JSON row serializer's rules: encode here */
        static const char a[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        char b64[400];
        size_t o = 0;
        for (size_t i = 0; i < n; i += 3) {
            uint32_t w = (uint32_t)v[i] << 16 | (i + 1 < n ? (uint32_t)v[i + 1] << 8 : 0) |
                         (i + 2 < n ? v[i + 2] : 0);
            b64[o++] = a[w >> 18];
            b64[o++] = a[(w >> 12) & 63];
            b64[o++] = i + 1 < n ? a[(w >> 6) & 63] : '=';
            b64[o++] = i + 2 < n ? a[w & 63] : '=';
        }
        b64[o] = '\0';
        cJSON_AddStringToObject(dev, name, b64);
    } else {
        cJSON_AddStringToObject(dev, name, (const char *)v);
    }
}

static int fill_account_case(cJSON *c)
{
    uint8_t key[64], bk[32];
    size_t key_len;
    char text[65], kc[9];
    dmboot_error err;
    dmboot_descriptor *d = NULL;
    dmboot_deriver *dv = NULL;
    dmboot_account *acc = NULL;
    const char *desc = str(c, "descriptor");
    int ok = 0;
    if (!unhex(str(c, "key"), key, sizeof key, &key_len) ||
        dmboot_descriptor_parse(desc, strlen(desc), &d, &err) != DMBOOT_OK ||
        dmboot_descriptor_batch_key(d, key, key_len, bk, &err) != DMBOOT_OK ||
        dmboot_descriptor_key_check(d, key, key_len, DMBOOT_KEY_MASTER, kc, &err) != DMBOOT_OK ||
        dmboot_deriver_new(d, key, key_len, DMBOOT_KEY_MASTER, &dv, &err) != DMBOOT_OK ||
        dmboot_account_new(&acc, &err) != DMBOOT_OK) {
        fprintf(stderr, "%s: %s\n", str(c, "name"), err.message);
        goto done;
    }
    hex(bk, 32, text);
    put(c, "batch_key", text);
    put(c, "key_check", kc);
    cJSON *dev;
    cJSON_ArrayForEach(dev, cJSON_GetObjectItemCaseSensitive(c, "devices"))
    {
        const char *in = str(dev, "input");
        if (dmboot_derive(dv, in, strlen(in), acc, &err) != DMBOOT_OK) {
            fprintf(stderr, "%s: %s: %s\n", str(c, "name"), in, err.message);
            goto done;
        }
        for (int f = 0; f < DMBOOT_FIELD_COUNT; f++)
            put_field(dev, acc, (dmboot_field)f);
    }
    ok = 1;
done:
    dmboot_account_free(acc);
    dmboot_deriver_free(dv);
    dmboot_descriptor_free(d);
    return ok;
}

cJSON *derivation_outputs(const cJSON *inputs)
{
    cJSON *doc = cJSON_Duplicate(inputs, 1);
    cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(doc, "kdf"))
    {
        if (!fill_kdf_case(c))
            goto fail;
    }
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(doc, "accounts"))
    {
        if (!fill_account_case(c))
            goto fail;
    }
    return doc;
fail:
    cJSON_Delete(doc);
    return NULL;
}
