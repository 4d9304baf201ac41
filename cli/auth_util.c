/* Shared by the authentication commands: PEM key files, verification
 * options and the verifier they make. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"

static const char *shown(const char *path)
{
    return strcmp(path, "-") == 0 ? "standard input" : path;
}

bool cli_read_file(const char *path, size_t max, char **out, size_t *out_len)
{
    bool in = strcmp(path, "-") == 0;
    int fd = in ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        cli_error("cannot open %s: %s", path, strerror(errno));
        return false;
    }
    size_t cap = max + 1, len = 0;
    char *buf = malloc(cap + 1);
    bool ok = buf != NULL;
    if (!ok)
        cli_error("out of memory");
    while (ok && len < cap) {
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            cli_error("cannot read %s: %s", shown(path), strerror(errno));
            ok = false;
        } else if (n == 0) {
            break;
        } else {
            len += (size_t)n;
        }
    }
    if (ok && len > max) {
        cli_error("%s is larger than %zu bytes", shown(path), max);
        ok = false;
    }
    if (!in)
        close(fd);
    if (!ok) {
        if (buf != NULL)
            OPENSSL_clear_free(buf, cap + 1);
        return false;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return true;
}

void cli_free_file(char *buf, size_t len)
{
    if (buf != NULL)
        OPENSSL_clear_free(buf, len + 1);
}

#define PEM_FILE_MAX 16384

dmboot_signing_key *cli_read_signing_key(const char *path)
{
    if (strcmp(path, "-") != 0) {
        /* a file: the library's checks (no symlink, mode & 077 == 0) */
        dmboot_signing_key *k = NULL;
        dmboot_error err;
        if (dmboot_signing_key_load(path, &k, &err) != DMBOOT_OK)
            cli_fail(NULL, &err);
        return k;
    }
    char *pem = NULL;
    size_t len = 0;
    if (!cli_read_file(path, PEM_FILE_MAX, &pem, &len))
        return NULL;
    dmboot_signing_key *k = NULL;
    dmboot_error err;
    if (dmboot_signing_key_from_pem(pem, len, &k, &err) != DMBOOT_OK)
        cli_fail(shown(path), &err);
    cli_free_file(pem, len);
    return k;
}

bool cli_verify_option(const cli_command *cmd, int argc, char **argv, int *i,
                       cli_verify_opts *o, int *result)
{
    const char *a = argv[*i], *value = NULL;
    int r;
    *result = 0;
    if ((r = cli_value(cmd, argc, argv, i, "--key", &o->key)) != 0 ||
        (r = cli_value(cmd, argc, argv, i, "--batch-key", &o->batch_key)) != 0 ||
        (r = cli_value(cmd, argc, argv, i, "--keyring", &o->keyring)) != 0 ||
        (r = cli_value(cmd, argc, argv, i, "--trust", &o->trust)) != 0 ||
        (r = cli_value(cmd, argc, argv, i, "--at", &o->at)) != 0) {
        *result = r < 0 ? EXIT_USAGE : 0;
        return true;
    }
    if ((r = cli_value(cmd, argc, argv, i, "--issuer-key", &value)) != 0) {
        if (r < 0) {
            *result = EXIT_USAGE;
        } else if (o->issuer_count == CLI_MAX_ISSUER_KEYS) {
            *result = cli_usage_error(cmd, "at most %d --issuer-key options",
                                      CLI_MAX_ISSUER_KEYS);
        } else {
            o->issuer_keys[o->issuer_count++] = value;
        }
        return true;
    }
    return cli_flag(a, "--allow-unauthenticated", &o->allow_unauthenticated) ||
           cli_flag(a, "--ignore-validity", &o->ignore_validity) ||
           cli_flag(a, "--require-signature", &o->require_signature) ||
           cli_flag(a, "--require-mac", &o->require_mac);
}

int cli_check_inputs(const cli_command *cmd, const char *const *paths, size_t count)
{
    size_t stdin_uses = 0;
    for (size_t i = 0; i < count; i++)
        if (paths[i] != NULL && strcmp(paths[i], "-") == 0)
            stdin_uses++;
    if (stdin_uses > 1)
        return cli_usage_error(cmd, "only one input can be standard input (-)");
    return EXIT_OK;
}

int cli_verify_opts_check(const cli_command *cmd, const cli_verify_opts *o,
                          const char *descriptor)
{
    if ((o->key != NULL) + (o->batch_key != NULL) + (o->keyring != NULL) > 1)
        return cli_usage_error(cmd, "give at most one of --key FILE, --batch-key FILE and "
                                    "--keyring DIR");
    const char *paths[CLI_MAX_ISSUER_KEYS + 3];
    size_t n = 0;
    paths[n++] = o->key;
    paths[n++] = o->batch_key;
    paths[n++] = descriptor;
    for (size_t i = 0; i < o->issuer_count; i++)
        paths[n++] = o->issuer_keys[i];
    return cli_check_inputs(cmd, paths, n);
}

dmboot_keyring *cli_load_keyring(const char *dir)
{
    dmboot_keyring *kr = NULL;
    dmboot_error err;
    if (dmboot_keyring_new(&kr, &err) != DMBOOT_OK ||
        dmboot_keyring_load_dir(kr, dir, &err) != DMBOOT_OK) {
        cli_fail("keyring", &err);
        dmboot_keyring_free(kr);
        return NULL;
    }
    return kr;
}

dmboot_verifier *cli_make_verifier(const cli_verify_opts *o)
{
    dmboot_verifier *v = NULL;
    dmboot_error err;
    if (dmboot_verifier_new(&v, &err) != DMBOOT_OK) {
        cli_fail(NULL, &err);
        return NULL;
    }
    unsigned flags = (o->allow_unauthenticated ? DMBOOT_VERIFY_ALLOW_UNAUTHENTICATED : 0u) |
                     (o->ignore_validity ? DMBOOT_VERIFY_IGNORE_VALIDITY : 0u) |
                     (o->require_signature ? DMBOOT_VERIFY_REQUIRE_SIGNATURE : 0u) |
                     (o->require_mac ? DMBOOT_VERIFY_REQUIRE_MAC : 0u);
    if (dmboot_verifier_set_flags(v, flags, &err) != DMBOOT_OK)
        goto fail_err;
    if (o->at != NULL) {
        int64_t t;
        if (dmboot_time_parse(o->at, strlen(o->at), &t, &err) != DMBOOT_OK) {
            cli_fail("--at", &err);
            goto fail;
        }
        dmboot_verifier_set_time(v, t);
    }
    if (o->trust != NULL) {
        dmboot_trust *t = NULL;
        if (dmboot_trust_load(o->trust, &t, &err) != DMBOOT_OK)
            goto fail_err;
        dmboot_status st = dmboot_verifier_set_trust(v, t, &err);
        dmboot_trust_free(t);
        if (st != DMBOOT_OK)
            goto fail_err;
    }
    if (o->keyring != NULL) {
        dmboot_keyring *kr = cli_load_keyring(o->keyring);
        if (kr == NULL)
            goto fail;
        dmboot_status st = dmboot_verifier_set_keyring(v, kr, &err);
        dmboot_keyring_free(kr);
        if (st != DMBOOT_OK)
            goto fail_err;
    }
    const char *key_path = o->key ? o->key : o->batch_key;
    if (key_path != NULL) {
        dmboot_key_kind kind = o->key ? DMBOOT_KEY_MASTER : DMBOOT_KEY_BATCH;
        uint8_t key[DMBOOT_KEY_MAX];
        size_t key_len = 0;
        if (!cli_read_key(key_path, kind, key, &key_len))
            goto fail;
        dmboot_status st = dmboot_verifier_set_key(v, key, key_len, kind, &err);
        OPENSSL_cleanse(key, sizeof key);
        if (st != DMBOOT_OK) {
            cli_fail(shown(key_path), &err);
            goto fail;
        }
    }
    for (size_t i = 0; i < o->issuer_count; i++) {
        char *pem = NULL;
        size_t len = 0;
        if (!cli_read_file(o->issuer_keys[i], PEM_FILE_MAX, &pem, &len))
            goto fail;
        dmboot_status st = dmboot_verifier_add_issuer_key(v, pem, len, &err);
        cli_free_file(pem, len);
        if (st != DMBOOT_OK) {
            cli_fail(shown(o->issuer_keys[i]), &err);
            goto fail;
        }
    }
    return v;
fail_err:
    cli_fail(NULL, &err);
fail:
    dmboot_verifier_free(v);
    return NULL;
}

void cli_print_report(const dmboot_verify_report *r, const cli_verify_opts *o)
{
    for (int c = 0; c < DMBOOT_CHECK_COUNT; c++) {
        dmboot_check check = (dmboot_check)c;
        if (check == DMBOOT_CHECK_SCOPE && o->trust == NULL)
            continue; /* scopes come with a trust file */
        if (check == DMBOOT_CHECK_SIGNATURE && r->issuer_key > 0 &&
            r->issuer_key <= o->issuer_count) {
            printf("signature: ok (issuer key %zu: %s)\n", r->issuer_key,
                   shown(o->issuer_keys[r->issuer_key - 1]));
            continue;
        }
        printf("%s: %s\n", dmboot_check_name(check), dmboot_verify_report_note(r, check));
    }
}
