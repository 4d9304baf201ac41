/*
 * The overlap rule and the registry: overlaps refused naming both, ids
 * never reused, verification on add, lookup by DevID (including the
 * opaque/typed ambiguity), directories loaded all or nothing, and the
 * keyring (a master key per key-id: verification, registry, key files).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth.h"
#include "test_util.h"

static dmboot_descriptor *make(const char *id, const char *type, const char *match,
                               const char *extra)
{
    char text[2048];
    snprintf(text, sizeof text,
             "dmboot-descriptor: 1\nid: %s\nissuer: Registry Test\n%s"
             "devid-type: %s\ndevid-match: %s\nserver-id: dm.reg.example\n"
             "server-addr: https://dm.reg.example/\nclient-secret: derive bytes 16 hex\n",
             id, extra ? extra : "", type, match);
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    if (dmboot_descriptor_parse(text, strlen(text), &d, &err) != DMBOOT_OK)
        fail_msg("parse %s: %s", id, err.message);
    return d;
}

static void expect_message(const dmboot_error *err, const char *fragment)
{
    if (strstr(err->message, fragment) == NULL)
        fail_msg("message '%s' lacks '%s'", err->message, fragment);
}

static void test_overlap_rule(void **state)
{
    (void)state;
    static const struct {
        const char *ta, *ma, *tb, *mb;
        bool overlap;
    } cases[] = {
        {"imei", "IMEI:35209911*", "imei", "IMEI:3520*", true},        /* prefix of prefix */
        {"imei", "IMEI:35209911*", "imei", "IMEI:35209912*", false},   /* siblings */
        {"imei", "IMEI:352099110000003", "imei", "IMEI:35209911*", true}, /* exact in prefix */
        {"imei", "IMEI:352099110000003", "imei", "IMEI:352099111234569", false},
        {"imei", "IMEI:352099110000003", "imei", "IMEI:352099110000003", true},
        {"imei", "*", "imei", "IMEI:35*", true},                        /* everything */
        {"imei", "*", "meid", "*", false},                              /* other types */
        {"imei", "IM*", "esn", "*", false},
        {"meid", "MEID:A1*", "meid", "MEID:A2*", false},
        {"opaque", "IM*", "imei", "*", true},    /* an opaque DevID may read IMEI:... */
        {"opaque", "IMEI:35*", "imei", "IMEI:3520*", true},
        {"opaque", "dev-*", "imei", "*", false},
        {"opaque", "*", "esn", "ESN:12*", true},
        {"opaque", "a*", "opaque", "ab", true},
        {"opaque", "ab", "opaque", "abc", false},
        {"opaque", "x y*", "opaque", "z", false}, /* several patterns, none meet */
        {"opaque", "x y*", "opaque", "z yes", true},
        /* other spellings a typed normalizer reads (issue 14, item 5) */
        {"opaque", "0*", "imei", "*", true},                /* bare digits */
        {"opaque", "i*", "imei", "IMEI:35*", true},         /* "imei:35..." */
        {"opaque", "IMEI:-*", "imei", "*", true},           /* a separator first */
        {"opaque", "imei:35*", "imei", "IMEI:3520*", true},
        {"opaque", "35-2099*", "imei", "IMEI:35209911*", true},
        {"opaque", "352099110000003", "imei", "IMEI:35209911*", true},
        {"opaque", "Imei:35209911-000000-3", "imei", "IMEI:352099110000003", true},
        {"opaque", "352099110000004", "imei", "IMEI:35209911*", false}, /* bad Luhn */
        {"opaque", "9*", "imei", "IMEI:35*", false},        /* other IMEIs */
        {"opaque", "imei:9*", "imei", "IMEI:35*", false},
        {"opaque", "-3*", "imei", "*", false},              /* no IMEI starts with '-' */
        {"opaque", "3520991100000031*", "imei", "*", false}, /* 16 digits */
        {"opaque", "a0*", "meid", "MEID:A0*", true},        /* lowercase hex */
        {"opaque", "MEID:a1*", "meid", "MEID:A1*", true},
        {"opaque", "e*", "esn", "ESN:E1*", true},           /* a hex digit ... */
        {"opaque", "e*", "esn", "ESN:12*", true},           /* ... or "esn:12..." */
        {"opaque", "X*", "esn", "*", false},
        {"opaque", "dev-*", "meid", "*", false},
        {"opaque", "1234567g", "esn", "*", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dmboot_descriptor *a = make("desc-a", cases[i].ta, cases[i].ma, NULL);
        dmboot_descriptor *b = make("desc-b", cases[i].tb, cases[i].mb, NULL);
        dmboot_error err;
        for (int swap = 0; swap < 2; swap++) {
            dmboot_status st = swap ? dmboot_descriptor_check_overlap(b, a, &err)
                                    : dmboot_descriptor_check_overlap(a, b, &err);
            if ((st == DMBOOT_ERR_OVERLAP) != cases[i].overlap)
                fail_msg("case %zu (%s '%s' / %s '%s'): got %s", i, cases[i].ta, cases[i].ma,
                         cases[i].tb, cases[i].mb, dmboot_strerror(st));
            if (st == DMBOOT_ERR_OVERLAP) {
                expect_message(&err, "'desc-a'");
                expect_message(&err, "'desc-b'");
            }
        }
        dmboot_descriptor_free(a);
        dmboot_descriptor_free(b);
    }
}

static void test_add_and_lookup(void **state)
{
    (void)state;
    dmboot_registry *r = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_registry_new(&r, &err), DMBOOT_OK);
    dmboot_descriptor *a = make("acme-a", "imei", "IMEI:35209911* IMEI:490154203237518", NULL);
    dmboot_descriptor *b = make("acme-b", "imei", "IMEI:3520*", NULL);
    dmboot_descriptor *c = make("acme-c", "imei", "IMEI:35209912*", NULL);
    dmboot_descriptor *a2 = make("acme-a", "imei", "IMEI:86*", NULL);
    dmboot_descriptor *o = make("opaque-1", "opaque", "35*", NULL);
    assert_int_equal(dmboot_registry_add(r, a, NULL, &err), DMBOOT_OK);
    assert_int_equal(dmboot_registry_add(r, b, NULL, &err), DMBOOT_ERR_OVERLAP);
    expect_message(&err, "descriptor 'acme-b' overlaps descriptor 'acme-a'");
    expect_message(&err, "'IMEI:3520*' of 'acme-b' and 'IMEI:35209911*' of 'acme-a'");
    assert_int_equal(dmboot_registry_add(r, a2, NULL, &err), DMBOOT_ERR_OVERLAP);
    expect_message(&err, "descriptor id 'acme-a' is already in the registry");
    assert_int_equal(dmboot_registry_add(r, c, NULL, &err), DMBOOT_OK);
    assert_int_equal(dmboot_registry_count(r), 2);
    /* the registry keeps its own copies */
    dmboot_descriptor_free(a);
    a = NULL;
    assert_string_equal(dmboot_registry_at(r, 0)->id, "acme-a");
    assert_null(dmboot_registry_at(r, 2));
    assert_null(dmboot_registry_source(r, 0));
    assert_non_null(dmboot_registry_find(r, "acme-c"));
    assert_null(dmboot_registry_find(r, "acme-b"));

    const dmboot_descriptor *found = NULL;
    char norm[DMBOOT_DEVID_MAX + 1];
    size_t n = 0;
    assert_int_equal(dmboot_registry_lookup(r, "35-209911-000000-3", 18, &found, norm,
                                            sizeof norm, &n, &err),
                     DMBOOT_OK);
    assert_string_equal(found->id, "acme-a");
    assert_string_equal(norm, "IMEI:352099110000003");
    assert_int_equal(n, 20);
    assert_int_equal(dmboot_registry_lookup(r, "imei:490154203237518", 20, &found, NULL, 0, NULL,
                                            &err),
                     DMBOOT_OK);
    assert_string_equal(found->id, "acme-a");
    /* covered by none; not a DevID at all (the reason is given) */
    assert_int_equal(dmboot_registry_lookup(r, "860000000000009", 15, &found, norm, sizeof norm,
                                            &n, &err),
                     DMBOOT_ERR_NOT_FOUND);
    assert_null(found);
    expect_message(&err, "no descriptor covers DevID '860000000000009'");
    assert_int_equal(dmboot_registry_lookup(r, "352099110000004", 15, &found, norm, sizeof norm,
                                            &n, &err),
                     DMBOOT_ERR_NOT_FOUND);
    expect_message(&err, "check digit");
    /* bytes from the network are shown escaped */
    assert_int_equal(dmboot_registry_lookup(r, "a\n'b", 4, &found, NULL, 0, NULL, &err),
                     DMBOOT_ERR_NOT_FOUND);
    expect_message(&err, "'a\\x0a\\x27b'");
    /* too small an output buffer */
    char tiny[8];
    assert_int_equal(dmboot_registry_lookup(r, "352099110000003", 15, &found, tiny, sizeof tiny,
                                            &n, &err),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 20);

    /* an opaque descriptor would read "352099110000003" as itself, the IMEI
     * one reads it as IMEI:352099110000003: the opaque "35*" would shadow
     * the IMEI devices that send their DevID without its prefix, so it is
     * refused when added (issue 14, item 5), in either order */
    assert_int_equal(dmboot_registry_add(r, o, NULL, &err), DMBOOT_ERR_OVERLAP);
    expect_message(&err, "descriptor 'opaque-1' overlaps descriptor 'acme-a': opaque "
                         "devid-match '35*' of 'opaque-1' matches DevIDs that the imei "
                         "normalizer reads as ones 'acme-a' covers");
    dmboot_registry *first_opaque = NULL;
    assert_int_equal(dmboot_registry_new(&first_opaque, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_registry_add(first_opaque, o, NULL, &err), DMBOOT_OK);
    assert_int_equal(dmboot_registry_add(first_opaque, c, NULL, &err), DMBOOT_ERR_OVERLAP);
    expect_message(&err, "descriptor 'acme-c' overlaps descriptor 'opaque-1'");
    dmboot_registry_free(first_opaque);
    assert_int_equal(dmboot_registry_lookup(r, "352099110000003", 15, &found, NULL, 0, NULL,
                                            &err),
                     DMBOOT_OK);
    assert_string_equal(found->id, "acme-a");
    /* the IMEI: form is the IMEI's alone */
    assert_int_equal(dmboot_registry_lookup(r, "IMEI:352099110000003", 20, &found, NULL, 0,
                                            NULL, &err),
                     DMBOOT_OK);
    assert_string_equal(found->id, "acme-a");

    dmboot_registry *empty = NULL;
    assert_int_equal(dmboot_registry_new(&empty, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_registry_lookup(empty, "x", 1, &found, NULL, 0, NULL, &err),
                     DMBOOT_ERR_NOT_FOUND);
    expect_message(&err, "the registry is empty");
    dmboot_registry_free(empty);
    dmboot_registry_free(r);
    dmboot_registry_free(NULL);
    dmboot_descriptor_free(a2);
    dmboot_descriptor_free(b);
    dmboot_descriptor_free(c);
    dmboot_descriptor_free(o);
}

/* Refuses unauthenticated and expired descriptors unless told not to. */
static void test_add_verifies(void **state)
{
    (void)state;
    uint8_t key[32];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(i * 7);
    dmboot_descriptor *plain = make("v-1", "opaque", "v1-*", "not-after: 2026-12-31\n");
    char text[4096];
    size_t len = 0;
    dmboot_error err;
    assert_int_equal(dmboot_descriptor_sign(plain, key, 32, DMBOOT_KEY_MASTER, NULL, 0, text,
                                            sizeof text, &len, &err),
                     DMBOOT_OK);
    dmboot_descriptor *signed_ = NULL;
    assert_int_equal(dmboot_descriptor_parse(text, len, &signed_, &err), DMBOOT_OK);
    dmboot_verifier *v = NULL;
    assert_int_equal(dmboot_verifier_new(&v, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_verifier_set_key(v, key, 32, DMBOOT_KEY_MASTER, NULL), DMBOOT_OK);
    dmboot_verifier_set_time(v, 1798761600); /* 2027-01-01: expired */
    dmboot_registry *r = NULL;
    assert_int_equal(dmboot_registry_new(&r, NULL), DMBOOT_OK);
    /* validity is checked before the policy: both are refused as expired */
    assert_int_equal(dmboot_registry_add(r, plain, v, &err), DMBOOT_ERR_NOT_VALID_NOW);
    assert_int_equal(dmboot_registry_add(r, signed_, v, &err), DMBOOT_ERR_NOT_VALID_NOW);
    expect_message(&err, "expired");
    assert_int_equal(dmboot_registry_count(r), 0);
    dmboot_verifier_set_time(v, 1780272000); /* 2026-06-01 */
    assert_int_equal(dmboot_registry_add(r, plain, v, &err), DMBOOT_ERR_UNAUTHENTICATED);
    expect_message(&err, "descriptor 'v-1' is not authenticated");
    assert_int_equal(dmboot_registry_add(r, signed_, v, &err), DMBOOT_OK);
    assert_int_equal(dmboot_registry_count(r), 1);
    dmboot_registry_free(r);
    /* told not to */
    assert_int_equal(dmboot_registry_new(&r, NULL), DMBOOT_OK);
    dmboot_verifier_set_time(v, 1798761600);
    assert_int_equal(dmboot_verifier_set_flags(v, DMBOOT_VERIFY_ALLOW_UNAUTHENTICATED |
                                                      DMBOOT_VERIFY_IGNORE_VALIDITY,
                                               NULL),
                     DMBOOT_OK);
    assert_int_equal(dmboot_registry_add(r, plain, v, &err), DMBOOT_OK);
    dmboot_registry_free(r);
    dmboot_verifier_free(v);
    dmboot_descriptor_free(plain);
    dmboot_descriptor_free(signed_);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void remove_file(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(unlink(path), 0);
}

/* The signed (key-check + mac) text of a descriptor with this key-id. */
static dmboot_descriptor *signed_with(const char *id, const char *match, const char *key_id,
                                      const uint8_t key[32])
{
    char extra[128] = "";
    if (key_id != NULL)
        snprintf(extra, sizeof extra, "key-id: %s\n", key_id);
    dmboot_descriptor *plain = make(id, "opaque", match, extra);
    char text[4096];
    size_t len = 0;
    dmboot_error err;
    if (dmboot_descriptor_sign(plain, key, 32, DMBOOT_KEY_MASTER, NULL, DMBOOT_SIGN_KEY_CHECK,
                               text, sizeof text, &len, &err) != DMBOOT_OK)
        fail_msg("sign %s: %s", id, err.message);
    dmboot_descriptor_free(plain);
    dmboot_descriptor *d = NULL;
    assert_int_equal(dmboot_descriptor_parse(text, len, &d, &err), DMBOOT_OK);
    return d;
}

static void test_keyring_verification(void **state)
{
    (void)state;
    uint8_t acme[32], globex[32];
    for (int i = 0; i < 32; i++) {
        acme[i] = (uint8_t)(i * 3 + 1);
        globex[i] = (uint8_t)(i * 5 + 2);
    }
    dmboot_keyring *kr = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_keyring_new(&kr, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_keyring_add(kr, "acme-2026", 9, acme, 32, &err), DMBOOT_OK);
    assert_int_equal(dmboot_keyring_add(kr, "globex-2026", 11, globex, 32, &err), DMBOOT_OK);
    /* the keyring's own rules */
    assert_int_equal(dmboot_keyring_add(kr, "acme-2026", 9, globex, 32, &err), DMBOOT_ERR_KEY);
    expect_message(&err, "already in the keyring");
    assert_int_equal(dmboot_keyring_add(kr, "a/b", 3, acme, 32, &err), DMBOOT_ERR_KEY);
    assert_int_equal(dmboot_keyring_add(kr, ".hidden", 7, acme, 32, &err), DMBOOT_ERR_KEY);
    assert_int_equal(dmboot_keyring_add(kr, "short", 5, acme, 8, &err), DMBOOT_ERR_KEY);
    assert_int_equal(dmboot_keyring_count(kr), 2);
    assert_string_equal(dmboot_keyring_key_id(kr, 1), "globex-2026");
    uint8_t got[64];
    size_t got_len = 0;
    assert_int_equal(dmboot_keyring_get(kr, "globex-2026", 11, got, sizeof got, &got_len, &err),
                     DMBOOT_OK);
    assert_int_equal(got_len, 32);
    assert_memory_equal(got, globex, 32);
    assert_int_equal(dmboot_keyring_get(kr, "nope", 4, got, sizeof got, &got_len, &err),
                     DMBOOT_ERR_UNKNOWN_KEY);

    dmboot_verifier *v = NULL;
    assert_int_equal(dmboot_verifier_new(&v, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_verifier_set_keyring(v, kr, &err), DMBOOT_OK);
    dmboot_keyring_free(kr); /* the verifier keeps its own copy */
    dmboot_verifier_set_time(v, 1780272000);
    /* each manufacturer's descriptor verifies with its own key */
    dmboot_descriptor *a = signed_with("acme-1", "acme-*", "acme-2026", acme);
    dmboot_descriptor *g = signed_with("globex-1", "globex-*", "globex-2026", globex);
    dmboot_verify_report rep;
    assert_int_equal(dmboot_descriptor_verify_report(a, v, &rep, &err), DMBOOT_OK);
    assert_non_null(strstr(rep.key_check, "key-id acme-2026"));
    assert_string_equal(rep.mac, "ok");
    assert_int_equal(dmboot_descriptor_verify_report(g, v, &rep, &err), DMBOOT_OK);
    /* no key-id, an unknown key-id: DMBOOT_ERR_UNKNOWN_KEY naming it */
    dmboot_descriptor *n = signed_with("none-1", "none-*", NULL, acme);
    assert_int_equal(dmboot_descriptor_verify(n, v, NULL, &err), DMBOOT_ERR_UNKNOWN_KEY);
    expect_message(&err, "key-check check failed for descriptor 'none-1'");
    expect_message(&err, "no key-id line");
    dmboot_descriptor *u = signed_with("unknown-1", "unknown-*", "initech-2026", acme);
    assert_int_equal(dmboot_descriptor_verify_report(u, v, &rep, &err), DMBOOT_ERR_UNKNOWN_KEY);
    expect_message(&err, "its key-id 'initech-2026' is not in the keyring (keyring: acme-2026, "
                         "globex-2026)");
    assert_string_equal(rep.mac, "not checked (no key for its key-id)");
    /* ACME's descriptor claiming Globex's key-id, made with ACME's key:
     * the key-check names the mismatch */
    dmboot_descriptor *x = signed_with("acme-2", "acme2-*", "globex-2026", acme);
    assert_int_equal(dmboot_descriptor_verify(x, v, NULL, &err), DMBOOT_ERR_KEY_MISMATCH);
    expect_message(&err, "the master key of key-id 'globex-2026' gives key check");
    /* one key instead of the keyring keeps working (set_key drops it) */
    assert_int_equal(dmboot_verifier_set_key(v, acme, 32, DMBOOT_KEY_MASTER, &err), DMBOOT_OK);
    assert_int_equal(dmboot_descriptor_verify(n, v, NULL, &err), DMBOOT_OK);
    assert_int_equal(dmboot_descriptor_verify(u, v, NULL, &err), DMBOOT_OK);
    assert_int_equal(dmboot_descriptor_verify(g, v, NULL, &err), DMBOOT_ERR_KEY_MISMATCH);
    dmboot_verifier_free(v);
    dmboot_descriptor_free(a);
    dmboot_descriptor_free(g);
    dmboot_descriptor_free(n);
    dmboot_descriptor_free(u);
    dmboot_descriptor_free(x);
}

static void write_mode(const char *dir, const char *name, const char *text, mode_t mode)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

/* DIR/<key-id>.key, each a private key file; all or nothing. */
static void test_keyring_load_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/dmboot-keyring-XXXXXX";
    assert_non_null(mkdtemp(dir));
    dmboot_keyring *kr = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_keyring_new(&kr, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_keyring_load_dir(kr, dir, &err), DMBOOT_ERR_KEY);
    expect_message(&err, "holds no key file");
    static const char K1[] = "0101010101010101010101010101010101010101010101010101010101010101\n";
    static const char K2[] = "0202020202020202020202020202020202020202020202020202020202020202\n";
    write_mode(dir, "globex-2026.key", K2, 0600);
    write_mode(dir, "acme-2026.key", K1, 0600);
    write_mode(dir, "README", "not a key\n", 0644);    /* not *.key: skipped */
    write_mode(dir, ".hidden.key", "junk\n", 0644);    /* hidden: skipped */
    assert_int_equal(dmboot_keyring_load_dir(kr, dir, &err), DMBOOT_OK);
    assert_int_equal(dmboot_keyring_count(kr), 2);
    assert_string_equal(dmboot_keyring_key_id(kr, 0), "acme-2026"); /* name order */
    assert_string_equal(dmboot_keyring_key_id(kr, 1), "globex-2026");
    dmboot_keyring_free(kr);
    kr = NULL;
    /* a key file others may read: the whole load fails, naming it */
    write_mode(dir, "initech.key", K1, 0644);
    assert_int_equal(dmboot_keyring_new(&kr, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_keyring_load_dir(kr, dir, &err), DMBOOT_ERR_KEY);
    expect_message(&err, "/initech.key is accessible by group or others (mode 0644)");
    assert_int_equal(dmboot_keyring_count(kr), 0);
    remove_file(dir, "initech.key");
    /* a symbolic link */
    char target[600], link_[600];
    snprintf(target, sizeof target, "%s/acme-2026.key", dir);
    snprintf(link_, sizeof link_, "%s/alias.key", dir);
    assert_int_equal(symlink(target, link_), 0);
    assert_int_equal(dmboot_keyring_load_dir(kr, dir, &err), DMBOOT_ERR_KEY);
    expect_message(&err, "/alias.key is a symbolic link");
    assert_int_equal(dmboot_keyring_count(kr), 0);
    remove_file(dir, "alias.key");
    /* a name that is no key-id */
    write_mode(dir, "bad name.key", K1, 0600);
    assert_int_equal(dmboot_keyring_load_dir(kr, dir, &err), DMBOOT_ERR_KEY);
    expect_message(&err, "its name is not <key-id>.key");
    remove_file(dir, "bad name.key");
    /* the registry with a keyring refuses a key-id it lacks */
    assert_int_equal(dmboot_keyring_load_dir(kr, dir, &err), DMBOOT_OK);
    dmboot_registry *r = NULL;
    assert_int_equal(dmboot_registry_new(&r, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_registry_set_keyring(r, kr, &err), DMBOOT_OK);
    dmboot_descriptor *ok = make("k-1", "opaque", "k1-*", "key-id: acme-2026\n");
    dmboot_descriptor *bad = make("k-2", "opaque", "k2-*", "key-id: initech\n");
    assert_int_equal(dmboot_registry_add(r, ok, NULL, &err), DMBOOT_OK);
    assert_int_equal(dmboot_registry_add(r, bad, NULL, &err), DMBOOT_ERR_UNKNOWN_KEY);
    expect_message(&err, "descriptor 'k-2' names key-id 'initech', which is not in the keyring");
    assert_int_equal(dmboot_registry_count(r), 1);
    dmboot_registry_free(r);
    dmboot_descriptor_free(ok);
    dmboot_descriptor_free(bad);
    dmboot_keyring_free(kr);
    remove_file(dir, "acme-2026.key");
    remove_file(dir, "globex-2026.key");
    remove_file(dir, "README");
    remove_file(dir, ".hidden.key");
    assert_int_equal(rmdir(dir), 0);
}

#define DESC(id, match)                                                                      \
    "dmboot-descriptor: 1\nid: " id "\nissuer: I\ndevid-type: opaque\ndevid-match: " match \
    "\nserver-id: s\nserver-addr: https://s/\n"

static void test_load_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/dmboot-registry-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_file(dir, "b.desc", DESC("desc-b", "b-*"));
    write_file(dir, "a.desc", DESC("desc-a", "a-*"));
    write_file(dir, "notes.txt", "not a descriptor");
    write_file(dir, "c.desc.tmp-Ab12Cd", "half written");
    dmboot_registry *r = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_registry_new(&r, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_registry_load_dir(r, dir, NULL, &err), DMBOOT_OK);
    assert_int_equal(dmboot_registry_count(r), 2);
    /* name order, sources kept */
    assert_string_equal(dmboot_registry_at(r, 0)->id, "desc-a");
    char want[512];
    snprintf(want, sizeof want, "%s/a.desc", dir);
    assert_string_equal(dmboot_registry_source(r, 0), want);

    /* loading again: every id is a duplicate, nothing is added */
    assert_int_equal(dmboot_registry_load_dir(r, dir, NULL, &err), DMBOOT_ERR_OVERLAP);
    expect_message(&err, "a.desc: descriptor id 'desc-a' is already in the registry");
    assert_int_equal(dmboot_registry_count(r), 2);
    dmboot_registry_free(r);

    /* one overlapping file fails the whole load, naming it and both ids */
    write_file(dir, "c.desc", DESC("desc-c", "a-1*"));
    assert_int_equal(dmboot_registry_new(&r, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_registry_load_dir(r, dir, NULL, &err), DMBOOT_ERR_OVERLAP);
    expect_message(&err, "c.desc: descriptor 'desc-c' overlaps descriptor 'desc-a'");
    assert_int_equal(dmboot_registry_count(r), 0);
    remove_file(dir, "c.desc");

    /* one broken file likewise, with its line */
    write_file(dir, "c.desc", "dmboot-descriptor: 1\nid: desc-c\nbogus: 1\n");
    assert_int_equal(dmboot_registry_load_dir(r, dir, NULL, &err), DMBOOT_ERR_DESCRIPTOR);
    expect_message(&err, "c.desc: line 3");
    assert_int_equal(err.line, 3);
    assert_int_equal(dmboot_registry_count(r), 0);
    remove_file(dir, "c.desc");

    /* a verifier on load: unauthenticated files refused */
    dmboot_verifier *v = NULL;
    assert_int_equal(dmboot_verifier_new(&v, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_registry_load_dir(r, dir, v, &err), DMBOOT_ERR_UNAUTHENTICATED);
    expect_message(&err, "a.desc: descriptor 'desc-a' is not authenticated");
    assert_int_equal(dmboot_registry_count(r), 0);
    dmboot_verifier_free(v);

    /* a missing directory */
    assert_int_equal(dmboot_registry_load_dir(r, "/nonexistent/dmboot", NULL, &err),
                     DMBOOT_ERR_IO);
    expect_message(&err, "/nonexistent/dmboot");
    dmboot_registry_free(r);

    remove_file(dir, "a.desc");
    remove_file(dir, "b.desc");
    remove_file(dir, "notes.txt");
    remove_file(dir, "c.desc.tmp-Ab12Cd");
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overlap_rule),
        cmocka_unit_test(test_add_and_lookup),
        cmocka_unit_test(test_add_verifies),
        cmocka_unit_test(test_load_dir),
        cmocka_unit_test(test_keyring_verification),
        cmocka_unit_test(test_keyring_load_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
