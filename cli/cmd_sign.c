/* dmboot sign: add or replace a descriptor's key-check, mac and signature
 * lines, in place (atomically) or into another file. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "cli.h"

/* "added" / "replaced" / "kept" for a line, comparing before and after. */
static const char *change(bool before, bool made)
{
    if (!made)
        return before ? "kept" : NULL;
    return before ? "replaced" : "added";
}

int cmd_sign(const cli_command *cmd, int argc, char **argv)
{
    const char *descriptor = NULL, *key_path = NULL, *batch_path = NULL, *signing = NULL;
    const char *out = NULL;
    bool key_check = false, force = false;
    for (int i = 0; i < argc; i++) {
        int r;
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cli_print_usage(cmd, stdout);
            return EXIT_OK;
        }
        if ((r = cli_value(cmd, argc, argv, &i, "--descriptor", &descriptor)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--key", &key_path)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--batch-key", &batch_path)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--signing-key", &signing)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--out", &out)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            continue;
        }
        if (cli_flag(a, "--key-check", &key_check) || cli_flag(a, "--force", &force))
            continue;
        if (a[0] == '-')
            return cli_unknown_option(cmd, a);
        return cli_usage_error(cmd, "unexpected argument '%s'", a);
    }
    if (descriptor == NULL)
        return cli_usage_error(cmd, "--descriptor FILE is required");
    if (strcmp(descriptor, "-") == 0)
        return cli_usage_error(cmd, "--descriptor must be a file");
    if (key_path != NULL && batch_path != NULL)
        return cli_usage_error(cmd, "give at most one of --key FILE and --batch-key FILE");
    const char *key_file = key_path ? key_path : batch_path;
    if (key_file == NULL && signing == NULL)
        return cli_usage_error(cmd, "nothing to sign with: give --key FILE (or --batch-key "
                                    "FILE) for the mac line and/or --signing-key PEM for the "
                                    "signature line");
    if (key_check && key_file == NULL)
        return cli_usage_error(cmd, "--key-check needs --key FILE or --batch-key FILE");
    const char *inputs[] = {key_file, signing};
    int rc = cli_check_inputs(cmd, inputs, 2);
    if (rc != EXIT_OK)
        return rc;
    bool in_place = out == NULL;
    if (in_place && force)
        return cli_usage_error(cmd, "--force is for --out FILE (in place replaces the file)");

    dmboot_key_kind kind = key_path ? DMBOOT_KEY_MASTER : DMBOOT_KEY_BATCH;
    uint8_t key[DMBOOT_KEY_MAX];
    size_t key_len = 0, text_len = 0;
    char *text = NULL;
    dmboot_signing_key *sk = NULL;
    dmboot_error err;
    rc = EXIT_FAIL;
    dmboot_descriptor *d = cli_load_descriptor(descriptor);
    if (d == NULL)
        goto done;
    if (key_file != NULL && !cli_read_key(key_file, kind, key, &key_len))
        goto done;
    if (signing != NULL && (sk = cli_read_signing_key(signing)) == NULL)
        goto done;
    unsigned flags = key_check ? DMBOOT_SIGN_KEY_CHECK : 0u;
    const uint8_t *k = key_file ? key : NULL;
    /* Ask for the size, then sign into a buffer of that size. */
    dmboot_status st =
        dmboot_descriptor_sign(d, k, key_len, kind, sk, flags, NULL, 0, &text_len, &err);
    if (st == DMBOOT_ERR_BUFFER_TOO_SMALL) {
        text = malloc(text_len + 1);
        st = text == NULL ? DMBOOT_ERR_NO_MEMORY
                          : dmboot_descriptor_sign(d, k, key_len, kind, sk, flags, text,
                                                   text_len + 1, &text_len, &err);
    }
    if (st != DMBOOT_OK) {
        if (st == DMBOOT_ERR_NO_MEMORY && text == NULL)
            cli_error("out of memory");
        else
            cli_fail(descriptor, &err);
        goto done;
    }

    /* In place keeps the file's mode; a new file is world-readable (a
     * descriptor holds no secret). */
    unsigned mode = 0644;
    struct stat sb;
    if (in_place && stat(descriptor, &sb) == 0)
        mode = (unsigned)(sb.st_mode & 0777);
    const char *dest = in_place ? descriptor : out;
    if (!cli_write_file_atomic(dest, text, text_len, mode, in_place || force))
        goto done;

    /* What changed, for the person (on stderr when the text went to stdout). */
    bool to_stdout = strcmp(dest, "-") == 0;
    FILE *info = to_stdout ? stderr : stdout;
    const char *kc_before = dmboot_descriptor_get(d, "key-check");
    fprintf(info, "%s: descriptor '%s'", to_stdout ? "standard output" : dest,
            dmboot_descriptor_get(d, "id"));
    if (key_check)
        fprintf(info, ", key-check %s", kc_before == NULL ? "added" : "set");
    const char *m = change(dmboot_descriptor_get(d, "mac") != NULL, key_file != NULL);
    const char *s = change(dmboot_descriptor_get(d, "signature") != NULL, sk != NULL);
    if (m != NULL)
        fprintf(info, ", mac %s", m);
    if (s != NULL)
        fprintf(info, ", signature %s", s);
    fputc('\n', info);
    rc = EXIT_OK;
done:
    OPENSSL_cleanse(key, sizeof key);
    free(text);
    dmboot_signing_key_free(sk);
    dmboot_descriptor_free(d);
    return rc;
}
