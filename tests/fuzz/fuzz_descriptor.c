/* Descriptor parsing and DevID normalization on arbitrary bytes. The first
 * byte picks the DevID type for a second use of the input as a DevID; a
 * parsed descriptor is then asked to match and derive with a fixed key.
 * Beyond "no crash", what the parser promises is checked (abort() on a
 * broken promise):
 *   - an error is DMBOOT_ERR_DESCRIPTOR, its message printable ASCII and
 *     starting "line N: " with N = err.line (0 only for the size limit);
 *   - a parsed descriptor parses again from its own text (the deriver and
 *     the registry copy it so), with the same entries and signed length;
 *   - its server-addr is one the documents can take a port from;
 *   - each exact devid-match pattern is a normalized DevID that it covers,
 *     and derivation for it succeeds (every value fits its buffers);
 *   - a normalized DevID normalizes to itself. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omadm/document.h"
#include "derive/derive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond);  \
            abort();                                                                    \
        }                                                                               \
    } while (0)

static void check_message(const dmboot_error *err)
{
    for (const char *c = err->message; *c != '\0'; c++)
        CHECK((unsigned char)*c >= 0x20 && (unsigned char)*c <= 0x7e);
    if (err->status == DMBOOT_ERR_DESCRIPTOR && err->line != 0) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "line %zu: ", err->line);
        CHECK(strncmp(err->message, prefix, strlen(prefix)) == 0);
    }
}

static void check_devid(const uint8_t *data, size_t size)
{
    static const char *const types[] = {"imei", "meid", "esn", "opaque"};
    char out[DMBOOT_DEVID_MAX + 1], again[DMBOOT_DEVID_MAX + 1];
    size_t n = 0, m = 0;
    dmboot_error err;
    const char *type = types[data[0] % 4];
    dmboot_status st = dmboot_devid_normalize(type, (const char *)data + 1, size - 1, out,
                                              sizeof out, &n, &err);
    if (st != DMBOOT_OK) {
        CHECK(st == DMBOOT_ERR_DEVID);
        check_message(&err);
        return;
    }
    CHECK(n >= 1 && n <= DMBOOT_DEVID_MAX && strlen(out) == n);
    CHECK(dmboot_devid_normalize(type, out, n, again, sizeof again, &m, &err) == DMBOOT_OK);
    CHECK(m == n && memcmp(out, again, n) == 0);
}

static void check_copy(const dmboot_descriptor *d)
{
    dmboot_descriptor *copy = NULL;
    CHECK(dmboot_descriptor_parse(d->text, d->text_len, &copy, NULL) == DMBOOT_OK);
    CHECK(copy->entry_count == d->entry_count && copy->signed_len == d->signed_len);
    CHECK(copy->pattern_count == d->pattern_count && copy->devid_type == d->devid_type);
    dmboot_descriptor_free(copy);
}

static void check_patterns(const dmboot_descriptor *d, dmboot_deriver *dv, dmboot_account *acc)
{
    for (size_t i = 0; i < d->pattern_count; i++) {
        const dmb_pattern *p = &d->patterns[i];
        if (p->prefix)
            continue;
        char out[DMBOOT_DEVID_MAX + 1];
        size_t n = 0;
        CHECK(dmb_devid_normalize(d->devid_type, p->text, p->len, out, &n, NULL) == DMBOOT_OK);
        CHECK(n == p->len && memcmp(out, p->text, n) == 0);
        CHECK(dmb_descriptor_covers(d, out, n));
        if (dv != NULL) {
            dmboot_error err;
            dmboot_status st = dmboot_derive(dv, p->text, p->len, acc, &err);
            if (st != DMBOOT_OK)
                fprintf(stderr, "derive: %s\n", err.message);
            CHECK(st == DMBOOT_OK);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0)
        check_devid(data, size);

    dmboot_descriptor *d = NULL;
    dmboot_error err;
    dmboot_status st = dmboot_descriptor_parse((const char *)data, size, &d, &err);
    if (st != DMBOOT_OK) {
        CHECK(st == DMBOOT_ERR_DESCRIPTOR && d == NULL);
        CHECK(err.line != 0 || size > DMBOOT_DESCRIPTOR_MAX);
        check_message(&err);
        return 0;
    }
    check_copy(d);
    unsigned port = 0;
    CHECK(dmb_url_port(dmboot_descriptor_get(d, "server-addr"), &port, NULL) == DMBOOT_OK);
    CHECK(port >= 1 && port <= 65535);

    static const uint8_t key[32] = {1, 2, 3};
    dmboot_deriver *dv = NULL;
    dmboot_account *acc = NULL;
    size_t n = 0;
    /* a wrong key-check stops the deriver: then only the patterns are checked */
    if (dmboot_account_new(&acc, &err) == DMBOOT_OK &&
        dmboot_deriver_new(d, key, sizeof key, DMBOOT_KEY_MASTER, &dv, &err) == DMBOOT_OK) {
        /* a DevID of each shape, and a pattern's fixed part */
        static const char *const devids[] = {"490154203237518", "A0000012345678", "12ABCDEF",
                                             "urn:dev:1"};
        for (size_t i = 0; i < 4; i++)
            dmboot_derive(dv, devids[i], strlen(devids[i]), acc, &err);
        const char *match = dmboot_descriptor_get(d, "devid-match");
        dmboot_derive(dv, match, strcspn(match, " *"), acc, &err);
        char row[DMBOOT_ROW_MAX];
        dmboot_account_format(acc, DMBOOT_FORMAT_CSV, row, sizeof row, &n, &err);
    }
    check_patterns(d, dv, acc);
    dmboot_account_free(acc);
    dmboot_deriver_free(dv);
    dmboot_descriptor_free(d);
    return 0;
}
