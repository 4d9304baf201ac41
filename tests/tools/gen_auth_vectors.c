/*
 * Writes tests/vectors/authentication.json from the C library: batch key,
 * key check, MAC key and MAC of a few descriptors (both KDFs, every key
 * length class, with and without authentication lines, one tampered), and
 * a fixed-key Ed25519 signature. tests/tools/check_vectors.py recomputes
 * them independently (dmboot_ref.py).
 *
 *   gen_auth_vectors > tests/vectors/authentication.json
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"

_Noreturn static void die(const char *what, const dmboot_error *err)
{
    fprintf(stderr, "gen_auth_vectors: %s: %s\n", what, err ? err->message : "failed");
    exit(1);
}

static void json_string(const char *s, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c == '\n')
            printf("\\n");
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c); /* UTF-8 passes through */
    }
    putchar('"');
}

static void hex_key(size_t len, uint8_t seed, uint8_t *key)
{
    for (size_t i = 0; i < len; i++)
        key[i] = (uint8_t)(seed + 37 * i);
}

typedef struct vcase {
    const char *name;
    const char *text;
    size_t key_len;
    uint8_t seed;
    const char *sign; /* NULL: as is; "mac" or "kc+mac": signed first */
    const char *tamper_from, *tamper_to; /* after signing: valid false */
    int batch_mac; /* after signing: the mac line made the old way, from the
                      batch key's descriptor-mac stream (valid false) */
} vcase;

static const vcase CASES[] = {
    {"hkdf, imei, 32-byte key, no authentication lines",
     "# vector: hkdf imei\n"
     "dmboot-descriptor: 1\n"
     "id: vec-hkdf-imei\n"
     "issuer: Vector Devices\n"
     "devid-type: imei\n"
     "devid-match: IMEI:86012345*\n"
     "server-id: dm.vectors.example\n"
     "server-addr: https://dm.vectors.example/dm\n"
     "client-secret: derive bytes 16 base64url\n",
     32, 0x11, NULL, NULL, NULL, 0},
    {"kbkdf, meid, 16-byte key, no authentication lines",
     "dmboot-descriptor: 1\n"
     "id: vec.kbkdf_meid-2\n"
     "issuer: Vector Devices\n"
     "devid-type: meid\n"
     "devid-match: MEID:A0000012*\n"
     "kdf: kbkdf-hmac-sha256\n"
     "server-id: dm-kbkdf\n"
     "server-addr: http://10.0.0.1:8080/dm\n"
     "server-secret: derive chars 20 digits\n",
     16, 0x42, NULL, NULL, NULL, 0},
    {"hkdf, opaque, 64-byte key, key-check and mac lines, UTF-8 issuer",
     "dmboot-descriptor: 1\n"
     "id: vec-opaque-64\n"
     "issuer: Vektor Geräte GmbH — Köln\n"
     "not-before: 2026-03-01\n"
     "not-after: 2030-02-28\n"
     "devid-type: opaque\n"
     "devid-match: sn-7* sn-80000\n"
     "key-id: vec-key-64\n"
     "server-id: dm.opaque.example\n"
     "server-name: Opérateur DM\n"
     "server-addr: https://dm.opaque.example/\n"
     "name: template dev-{devid-value}\n"
     "client-secret: derive chars 12 alnum\n"
     "x-batch: 7\n",
     64, 0x07, "kc+mac", NULL, NULL, 0},
    {"kbkdf, esn, 48-byte key, comments and blank lines, mac line",
     "# vector: kbkdf esn\n"
     "\n"
     "dmboot-descriptor: 1\n"
     "# the id\n"
     "id: vec-kbkdf-esn\n"
     "issuer: Vector Devices\n"
     "devid-type: esn\n"
     "devid-match: ESN:8F*\n"
     "kdf: kbkdf-hmac-sha256\n"
     "server-id: dm.esn.example\n"
     "server-addr: https://dm.esn.example/dm\n"
     "client-secret: derive bytes 12 hex\n"
     "\n"
     "# end of entries\n",
     48, 0xc3, "mac", NULL, NULL, 0},
    {"tampered after signing: server-addr changed, the mac line no longer verifies",
     "dmboot-descriptor: 1\n"
     "id: vec-tampered\n"
     "issuer: Vector Devices\n"
     "devid-type: imei\n"
     "devid-match: IMEI:35*\n"
     "server-id: dm.tamper.example\n"
     "server-addr: https://dm.tamper.example/dm\n"
     "client-secret: derive bytes 16 base64\n",
     32, 0x99, "mac", "https://dm.tamper.example/dm", "https://dm.tamper.example/dn", 0},
    {"mac line made from the batch key (the descriptor-mac stream of BK, what a factory "
     "could compute): it does not verify, the MAC key comes from the master key",
     "dmboot-descriptor: 1\n"
     "id: vec-batch-mac\n"
     "issuer: Vector Devices\n"
     "devid-type: imei\n"
     "devid-match: IMEI:4901*\n"
     "key-id: vec-key-32\n"
     "server-id: dm.batch.example\n"
     "server-addr: http://evil.example:8080/dm\n"
     "client-auth-type: BASIC\n"
     "client-secret: derive bytes 16 base64\n",
     32, 0x5a, "kc+mac", NULL, NULL, 1},
};

/* RFC 8032 §7.1 TEST 1 key. */
static const char SK_PEM[] = "-----BEGIN PRIVATE KEY-----\n"
                             "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
                             "-----END PRIVATE KEY-----\n";

static const char SIG_BODY[] = "# vector: Ed25519 signature by RFC 8032 TEST 1's key\n"
                               "dmboot-descriptor: 1\n"
                               "id: vec-signed\n"
                               "issuer: Vector Issuer\n"
                               "devid-type: opaque\n"
                               "devid-match: sig-*\n"
                               "server-id: dm.sig.example\n"
                               "server-addr: https://dm.sig.example/\n"
                               "client-secret: derive bytes 16 hex\n";

static char *sign_with(const char *text, const uint8_t *key, size_t key_len,
                       const dmboot_signing_key *sk, unsigned flags, size_t *len)
{
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    if (dmboot_descriptor_parse(text, strlen(text), &d, &err) != DMBOOT_OK)
        die("parse", &err);
    char *out = malloc(DMBOOT_DESCRIPTOR_MAX + 1);
    if (dmboot_descriptor_sign(d, key, key_len, DMBOOT_KEY_MASTER, sk, flags, out,
                               DMBOOT_DESCRIPTOR_MAX + 1, len, &err) != DMBOOT_OK)
        die("sign", &err);
    dmboot_descriptor_free(d);
    return out;
}

int main(void)
{
    printf("{\n  \"description\": \"Descriptor authentication (docs/authentication.md): for "
           "each case the batch key, key check, descriptor MAC key (hex) and MAC (base64) of "
           "the descriptor under the master key 'key' (hex); 'valid': false marks a "
           "descriptor changed after its mac line was made. 'signature': an Ed25519 "
           "signature (base64) of a descriptor's signed bytes by a fixed key (RFC 8032 "
           "TEST 1). Generated by tests/tools/gen_auth_vectors.c.\",\n  \"cases\": [\n");
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const vcase *c = &CASES[i];
        uint8_t key[64], bk[32], mk[32], mac[32];
        hex_key(c->key_len, c->seed, key);
        size_t len = strlen(c->text);
        char *text = NULL;
        if (c->sign != NULL)
            text = sign_with(c->text, key, c->key_len, NULL,
                             strcmp(c->sign, "kc+mac") == 0 ? DMBOOT_SIGN_KEY_CHECK : 0u,
                             &len);
        else
            text = strdup(c->text);
        if (c->tamper_from != NULL) {
            char *p = strstr(text, c->tamper_from);
            if (p == NULL || strlen(c->tamper_from) != strlen(c->tamper_to))
                die("tamper", NULL);
            memcpy(p, c->tamper_to, strlen(c->tamper_to));
        }
        if (c->batch_mac) {
            dmboot_descriptor *p = NULL;
            dmboot_error e;
            uint8_t b[32], m[32], old[32];
            char *line = strstr(text, "\nmac: hmac-sha256 ");
            if (line == NULL || dmboot_descriptor_parse(text, len, &p, &e) != DMBOOT_OK ||
                dmboot_descriptor_batch_key(p, key, c->key_len, b, &e) != DMBOOT_OK ||
                dmboot_kdf_stream(p->kdf, b, "descriptor-mac", 14, p->server_id,
                                  strlen(p->server_id), "", 0, m, 32, &e) != DMBOOT_OK ||
                dmb_hmac(m, text, p->signed_len, old, &e) != DMBOOT_OK)
                die("batch mac", NULL);
            char b64[64];
            dmb_base64_encode(old, 32, false, b64);
            memcpy(line + 18, b64, 44);
            dmboot_descriptor_free(p);
        }
        dmboot_descriptor *d = NULL;
        dmboot_error err;
        char kc[9], hex[129], b64[64];
        if (dmboot_descriptor_parse(text, len, &d, &err) != DMBOOT_OK)
            die("parse", &err);
        if (dmboot_descriptor_batch_key(d, key, c->key_len, bk, &err) != DMBOOT_OK ||
            dmboot_descriptor_key_check(d, key, c->key_len, DMBOOT_KEY_MASTER, kc, &err) !=
                DMBOOT_OK ||
            dmboot_descriptor_mac_key(d, key, c->key_len, DMBOOT_KEY_MASTER, mk, &err) !=
                DMBOOT_OK ||
            dmboot_descriptor_mac(d, key, c->key_len, DMBOOT_KEY_MASTER, mac, &err) != DMBOOT_OK)
            die(c->name, &err);
        printf("    {\n      \"name\": ");
        json_string(c->name, strlen(c->name));
        printf(",\n      \"descriptor\": ");
        json_string(text, len);
        dmb_hex_encode(key, c->key_len, hex);
        printf(",\n      \"key\": \"%s\",\n      \"kdf\": \"%s\",\n", hex,
               d->kdf == DMBOOT_KDF_HKDF_SHA256 ? "hkdf-sha256" : "kbkdf-hmac-sha256");
        dmb_hex_encode(bk, 32, hex);
        printf("      \"batch_key\": \"%s\",\n      \"key_check\": \"%s\",\n", hex, kc);
        dmb_hex_encode(mk, 32, hex);
        dmb_base64_encode(mac, 32, false, b64);
        printf("      \"mac_key\": \"%s\",\n      \"mac\": \"%s\"", hex, b64);
        if (c->tamper_from != NULL || c->batch_mac)
            printf(",\n      \"valid\": false");
        printf("\n    }%s\n", i + 1 < sizeof CASES / sizeof CASES[0] ? "," : "");
        dmboot_descriptor_free(d);
        free(text);
    }
    printf("  ],\n  \"signature\": [\n");
    dmboot_signing_key *sk = NULL;
    dmboot_error err;
    char pub[DMBOOT_PEM_MAX];
    size_t pub_len, len;
    if (dmboot_signing_key_from_pem(SK_PEM, strlen(SK_PEM), &sk, &err) != DMBOOT_OK ||
        dmboot_signing_key_public_pem(sk, pub, sizeof pub, &pub_len, &err) != DMBOOT_OK)
        die("signing key", &err);
    char *text = sign_with(SIG_BODY, NULL, 0, sk, 0, &len);
    const char *line = strstr(text, "\nsignature: ed25519 ");
    if (line == NULL)
        die("signature line", NULL);
    char sig[89];
    memcpy(sig, line + 20, 88);
    sig[88] = '\0';
    printf("    {\n      \"name\": \"Ed25519, RFC 8032 TEST 1 key, signature line present\",\n"
           "      \"descriptor\": ");
    json_string(text, len);
    printf(",\n      \"private_key_pem\": ");
    json_string(SK_PEM, strlen(SK_PEM));
    printf(",\n      \"public_key_pem\": ");
    json_string(pub, pub_len);
    printf(",\n      \"signature\": \"%s\"\n    }\n  ]\n}\n", sig);
    free(text);
    dmboot_signing_key_free(sk);
    return 0;
}
