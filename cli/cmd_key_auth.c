/* dmboot key pair | key batch | key check: the keys of authentication. */
#include <string.h>

#include <openssl/crypto.h>

#include <openssl/evp.h>

#include "cli.h"

/* Parse "--name VALUE" options into the given slots; flags likewise.
 * Returns -1 to go on, else an exit code (help, usage error). */
typedef struct opt {
    const char *name;
    const char **value;
} opt;
typedef struct flag {
    const char *name;
    bool *value;
} flag;

static int parse_opts(const cli_command *cmd, int argc, char **argv, const opt *opts,
                      const flag *flags)
{
    for (int i = 0; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cli_print_usage(cmd, stdout);
            return EXIT_OK;
        }
        bool matched = false;
        for (const opt *o = opts; o && o->name && !matched; o++) {
            int r = cli_value(cmd, argc, argv, &i, o->name, o->value);
            if (r < 0)
                return EXIT_USAGE;
            matched = r > 0;
        }
        for (const flag *f = flags; f && f->name && !matched; f++)
            matched = cli_flag(argv[i], f->name, f->value);
        if (matched)
            continue;
        if (argv[i][0] == '-')
            return cli_unknown_option(cmd, argv[i]);
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
    }
    return -1;
}

int cmd_key_pair(const cli_command *cmd, int argc, char **argv)
{
    const char *priv = NULL, *pub = NULL;
    bool force = false;
    const opt opts[] = {{"--out-private", &priv}, {"--out-public", &pub}, {NULL, NULL}};
    const flag flags[] = {{"--force", &force}, {NULL, NULL}};
    int rc = parse_opts(cmd, argc, argv, opts, flags);
    if (rc >= 0)
        return rc;
    if (priv == NULL || pub == NULL)
        return cli_usage_error(cmd, "--out-private FILE and --out-public FILE are required");
    if (strcmp(priv, "-") == 0 || strcmp(pub, "-") == 0)
        return cli_usage_error(cmd, "the keys are written to files, not standard output");
    if (strcmp(priv, pub) == 0)
        return cli_usage_error(cmd, "--out-private and --out-public must be different files");

    dmboot_signing_key *k = NULL;
    dmboot_error err;
    char priv_pem[DMBOOT_PEM_MAX], pub_pem[DMBOOT_PEM_MAX];
    size_t priv_len = 0, pub_len = 0;
    cli_output po = {0}, so = {0};
    rc = EXIT_FAIL;
    if (dmboot_signing_key_generate(&k, &err) != DMBOOT_OK ||
        dmboot_signing_key_private_pem(k, priv_pem, sizeof priv_pem, &priv_len, &err) !=
            DMBOOT_OK ||
        dmboot_signing_key_public_pem(k, pub_pem, sizeof pub_pem, &pub_len, &err) !=
            DMBOOT_OK) {
        cli_fail(NULL, &err);
        goto done;
    }
    /* Both files are prepared before either appears. */
    if (!cli_output_open(&po, priv, 0600, force))
        goto done;
    if (!cli_output_open(&so, pub, 0644, force)) {
        cli_output_abort(&po);
        goto done;
    }
    if (!cli_output_write(&po, priv_pem, priv_len) || !cli_output_write(&so, pub_pem, pub_len)) {
        cli_output_abort(&po);
        cli_output_abort(&so);
        goto done;
    }
    if (!cli_output_commit(&po)) {
        cli_output_abort(&so);
        goto done;
    }
    if (!cli_output_commit(&so)) {
        /* Without its public half the new private key is of no use. */
        if (remove(priv) != 0)
            cli_error("also remove %s: its public key could not be written", priv);
        goto done;
    }
    printf("private key: %s (Ed25519, PKCS#8 PEM, mode 0600: keep it secret)\n", priv);
    printf("public key:  %s (give it to whoever verifies your descriptors)\n", pub);
    {
        /* the line an operator's trust file holds for this key (§6) */
        dmboot_public_key *pk = NULL;
        uint8_t raw[DMBOOT_ED25519_PUBLIC_LEN];
        unsigned char b64[64];
        if (dmboot_signing_key_public(k, &pk, &err) == DMBOOT_OK &&
            dmboot_public_key_raw(pk, raw, &err) == DMBOOT_OK &&
            EVP_EncodeBlock(b64, raw, (int)sizeof raw) > 0)
            printf("trust file: public-key: ed25519 %s\n", b64);
        dmboot_public_key_free(pk);
    }
    rc = EXIT_OK;
done:
    OPENSSL_cleanse(priv_pem, sizeof priv_pem);
    dmboot_signing_key_free(k);
    return rc;
}

int cmd_key_batch(const cli_command *cmd, int argc, char **argv)
{
    const char *descriptor = NULL, *key_path = NULL, *out = NULL;
    bool force = false;
    const opt opts[] = {
        {"--descriptor", &descriptor}, {"--key", &key_path}, {"--out", &out}, {NULL, NULL}};
    const flag flags[] = {{"--force", &force}, {NULL, NULL}};
    int rc = parse_opts(cmd, argc, argv, opts, flags);
    if (rc >= 0)
        return rc;
    if (descriptor == NULL || key_path == NULL)
        return cli_usage_error(cmd, "--descriptor FILE and --key FILE are required");
    const char *inputs[] = {descriptor, key_path};
    if ((rc = cli_check_inputs(cmd, inputs, 2)) != EXIT_OK)
        return rc;

    uint8_t key[DMBOOT_KEY_MAX], bk[DMBOOT_BATCH_KEY_LEN];
    size_t key_len = 0;
    char hex[2 * DMBOOT_BATCH_KEY_LEN + 2];
    dmboot_error err;
    rc = EXIT_FAIL;
    dmboot_descriptor *d = cli_load_descriptor(descriptor);
    if (d == NULL || !cli_read_key(key_path, DMBOOT_KEY_MASTER, key, &key_len))
        goto done;
    /* checks key-check first when the descriptor has one */
    if (dmboot_descriptor_batch_key(d, key, key_len, bk, &err) != DMBOOT_OK) {
        cli_fail(strcmp(key_path, "-") == 0 ? "standard input" : key_path, &err);
        goto done;
    }
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof bk; i++) {
        hex[2 * i] = digits[bk[i] >> 4];
        hex[2 * i + 1] = digits[bk[i] & 15];
    }
    hex[2 * sizeof bk] = '\n';
    hex[2 * sizeof bk + 1] = '\0';
    if (cli_write_file_atomic(out, hex, 2 * sizeof bk + 1, 0600, force)) {
        if (out != NULL && strcmp(out, "-") != 0)
            fprintf(stderr, "dmboot: batch key of descriptor '%s' written to %s (mode 0600)\n",
                    dmboot_descriptor_get(d, "id"), out);
        rc = EXIT_OK;
    }
done:
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(bk, sizeof bk);
    OPENSSL_cleanse(hex, sizeof hex);
    dmboot_descriptor_free(d);
    return rc;
}

int cmd_key_check(const cli_command *cmd, int argc, char **argv)
{
    const char *descriptor = NULL, *key_path = NULL, *batch_path = NULL;
    const opt opts[] = {{"--descriptor", &descriptor},
                        {"--key", &key_path},
                        {"--batch-key", &batch_path},
                        {NULL, NULL}};
    int rc = parse_opts(cmd, argc, argv, opts, NULL);
    if (rc >= 0)
        return rc;
    if (descriptor == NULL)
        return cli_usage_error(cmd, "--descriptor FILE is required");
    if ((key_path == NULL) == (batch_path == NULL))
        return cli_usage_error(cmd, "give exactly one of --key FILE and --batch-key FILE");
    const char *inputs[] = {descriptor, key_path, batch_path};
    if ((rc = cli_check_inputs(cmd, inputs, 3)) != EXIT_OK)
        return rc;

    const char *key_file = key_path ? key_path : batch_path;
    dmboot_key_kind kind = key_path ? DMBOOT_KEY_MASTER : DMBOOT_KEY_BATCH;
    uint8_t key[DMBOOT_KEY_MAX];
    size_t key_len = 0;
    char kc[9];
    dmboot_error err;
    rc = EXIT_FAIL;
    dmboot_descriptor *d = cli_load_descriptor(descriptor);
    if (d == NULL || !cli_read_key(key_file, kind, key, &key_len))
        goto done;
    dmboot_status st = dmboot_descriptor_key_check(d, key, key_len, kind, kc, &err);
    OPENSSL_cleanse(key, sizeof key);
    if (st != DMBOOT_OK) {
        cli_fail(NULL, &err);
        goto done;
    }
    printf("key check: %s\n", kc);
    const char *want = dmboot_descriptor_get(d, "key-check");
    if (want == NULL) {
        printf("descriptor: no key-check line (add it with: dmboot sign --descriptor %s "
               "--key FILE --key-check)\n",
               descriptor);
        rc = EXIT_OK;
    } else if (strlen(want) == 8 && CRYPTO_memcmp(want, kc, 8) == 0) {
        printf("descriptor: key-check %s matches\n", want);
        rc = EXIT_OK;
    } else {
        printf("descriptor: key-check %s does NOT match\n", want);
        cli_error("%s: the %s key does not match key-check %s of descriptor '%s' (wrong key%s)",
                  descriptor, kind == DMBOOT_KEY_BATCH ? "batch" : "master", want,
                  dmboot_descriptor_get(d, "id"),
                  kind == DMBOOT_KEY_BATCH ? ", or the batch key of another descriptor?"
                                           : ", or a batch key? then use --batch-key");
    }
done:
    OPENSSL_cleanse(key, sizeof key);
    dmboot_descriptor_free(d);
    return rc;
}
