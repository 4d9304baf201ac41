/* dmboot auth basic|md5|hmac: compute an OMA DM credential (debugging);
 * dmboot auth check: a server's first-contact check of a captured message. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"

#define MESSAGE_MAX (16u << 20) /* a captured package or body */
#define SMALL_MAX 65536u        /* a name, secret or nonce file */

/* A nonce from --nonce B64 or --nonce-file FILE (raw bytes). */
static bool read_nonce(const char *opt, const char *b64, const char *file, uint8_t **nonce,
                       size_t *len)
{
    if (file != NULL) {
        char *buf = NULL;
        if (!cli_read_file(file, SMALL_MAX, &buf, len))
            return false;
        *nonce = (uint8_t *)buf;
        return true;
    }
    size_t cap = strlen(b64) / 4 * 3 + 1;
    *nonce = malloc(cap);
    if (*nonce == NULL) {
        cli_error("out of memory");
        return false;
    }
    if (!cli_base64_decode(b64, *nonce, cap, len)) {
        cli_error("%s '%s' is not base64 (RFC 4648, padded)", opt, b64);
        free(*nonce);
        *nonce = NULL;
        return false;
    }
    return true;
}

int cmd_auth_compute(const cli_command *cmd, int argc, char **argv)
{
    dmboot_cred_type type = strcmp(cmd->sub, "basic") == 0 ? DMBOOT_CRED_BASIC
                            : strcmp(cmd->sub, "md5") == 0 ? DMBOOT_CRED_MD5
                                                           : DMBOOT_CRED_HMAC;
    const char *name = NULL, *name_file = NULL, *secret_file = NULL, *nonce_b64 = NULL,
               *nonce_file = NULL, *body_file = NULL;
    bool mac_only = false;
    for (int i = 0; i < argc; i++) {
        int r = 0;
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cli_print_usage(cmd, stdout);
            return EXIT_OK;
        }
        if ((r = cli_value(cmd, argc, argv, &i, "--name", &name)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--name-file", &name_file)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--secret-file", &secret_file)) != 0 ||
            (type != DMBOOT_CRED_BASIC &&
             ((r = cli_value(cmd, argc, argv, &i, "--nonce", &nonce_b64)) != 0 ||
              (r = cli_value(cmd, argc, argv, &i, "--nonce-file", &nonce_file)) != 0)) ||
            (type == DMBOOT_CRED_HMAC &&
             (r = cli_value(cmd, argc, argv, &i, "--body", &body_file)) != 0)) {
            if (r < 0)
                return EXIT_USAGE;
            continue;
        }
        if (type == DMBOOT_CRED_HMAC && cli_flag(a, "--mac-only", &mac_only))
            continue;
        if (a[0] == '-')
            return cli_unknown_option(cmd, a);
        return cli_usage_error(cmd, "unexpected argument '%s' (the secret is read from a file: "
                                    "--secret-file FILE)",
                               a);
    }
    if ((name == NULL) == (name_file == NULL))
        return cli_usage_error(cmd, "give exactly one of --name NAME and --name-file FILE");
    if (secret_file == NULL)
        return cli_usage_error(cmd, "--secret-file FILE is required (- for standard input)");
    if (type != DMBOOT_CRED_BASIC && (nonce_b64 == NULL) == (nonce_file == NULL))
        return cli_usage_error(cmd, "give exactly one of --nonce BASE64 and --nonce-file FILE "
                                    "(--nonce '' for an empty nonce)");
    if (type == DMBOOT_CRED_HMAC && body_file == NULL)
        return cli_usage_error(cmd, "--body FILE is required (the message body the MAC covers)");
    const char *inputs[] = {secret_file, name_file, nonce_file, body_file};
    if (cli_check_inputs(cmd, inputs, 4) != EXIT_OK)
        return EXIT_USAGE;

    int rc = EXIT_FAIL;
    char *name_buf = NULL, *secret = NULL, *body = NULL;
    size_t name_len = 0, secret_len = 0, body_len = 0, nonce_len = 0;
    uint8_t *nonce = NULL;
    char cred[DMBOOT_CRED_MAX + 1];
    char header[DMBOOT_HMAC_HEADER_MAX + 1];
    size_t n = 0;
    dmboot_error err;
    if (name_file != NULL) {
        if (!cli_read_file(name_file, SMALL_MAX, &name_buf, &name_len))
            goto done;
        name_len = cli_strip_newline(name_buf, name_len);
        name = name_buf;
    } else {
        name_len = strlen(name);
    }
    if (!cli_read_file(secret_file, SMALL_MAX, &secret, &secret_len))
        goto done;
    size_t secret_used = cli_strip_newline(secret, secret_len);
    if (type != DMBOOT_CRED_BASIC && !read_nonce("--nonce", nonce_b64, nonce_file, &nonce, &nonce_len))
        goto done;
    if (body_file != NULL && !cli_read_file(body_file, MESSAGE_MAX, &body, &body_len))
        goto done;
    if (dmboot_auth_compute(type, name, name_len, secret, secret_used, nonce, nonce_len,
                            (const uint8_t *)body, body_len, cred, sizeof cred, &n,
                            &err) != DMBOOT_OK) {
        cli_fail(NULL, &err);
        goto done;
    }
    if (type == DMBOOT_CRED_HMAC && !mac_only) {
        if (dmboot_hmac_header_format(name, name_len, cred, n, header, sizeof header, &n,
                                      &err) != DMBOOT_OK) {
            cli_fail(NULL, &err);
            goto done;
        }
        printf("%s\n", header);
    } else {
        printf("%s\n", cred);
    }
    rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
done:
    OPENSSL_cleanse(cred, sizeof cred);
    cli_free_file(name_buf, name_len);
    cli_free_file(secret, secret_len);
    cli_free_file(body, body_len);
    if (nonce != NULL)
        OPENSSL_clear_free(nonce, nonce_len + 1);
    return rc;
}

/* ---- dmboot auth check -------------------------------------------------- */

/* The server credential, made with the nonce the device gave the server
 * (--server-nonce; default: the derived server-nonce). */
static bool print_server_answer(const dmboot_check_result *r, const uint8_t *server_nonce,
                                size_t server_nonce_len, const char *response_file)
{
    const char *type = dmboot_check_result_server_cred_type(r);
    if (type == NULL) {
        printf("server-cred-type: none (the descriptor derives no server-secret or "
               "server-nonce)\n");
        return true;
    }
    printf("server-cred-type: %s\n", type);
    dmboot_error err;
    size_t n = 0;
    if (strcmp(type, "syncml:auth-MAC") != 0) {
        char cred[DMBOOT_CRED_MAX + 1];
        if (dmboot_check_result_server_cred(r, server_nonce, server_nonce_len, cred, sizeof cred,
                                            &n, &err) != DMBOOT_OK) {
            cli_fail(NULL, &err);
            return false;
        }
        printf("server-cred: %s\n", cred);
        OPENSSL_cleanse(cred, sizeof cred);
        return true;
    }
    /* HMAC covers the response: computed when one is given. */
    if (response_file == NULL) {
        printf("server-cred: (an x-syncml-hmac header over the response body: give "
               "--response FILE)\n");
        return true;
    }
    char *body = NULL;
    size_t body_len = 0;
    char header[DMBOOT_HMAC_HEADER_MAX + 1];
    if (!cli_read_file(response_file, MESSAGE_MAX, &body, &body_len))
        return false;
    bool ok = dmboot_check_result_server_hmac(r, server_nonce, server_nonce_len,
                                              (const uint8_t *)body, body_len, header,
                                              sizeof header, &n, &err) == DMBOOT_OK;
    if (ok)
        printf("x-syncml-hmac: %s\n", header);
    else
        cli_fail(NULL, &err);
    cli_free_file(body, body_len);
    return ok;
}

int cmd_auth_check(const cli_command *cmd, int argc, char **argv)
{
    const char *registry = NULL;
    const char *descriptor = NULL, *key_path = NULL, *batch_path = NULL, *keyring = NULL,
               *message = NULL,
               *hmac_header = NULL, *devid = NULL, *cred_type = NULL, *cred_data = NULL,
               *cred_data_file = NULL, *loc_name = NULL, *body_file = NULL, *nonce_b64 = NULL,
               *response = NULL, *server_nonce_b64 = NULL;
    for (int i = 0; i < argc; i++) {
        int r = 0;
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cli_print_usage(cmd, stdout);
            return EXIT_OK;
        }
        if ((r = cli_value(cmd, argc, argv, &i, "--descriptor", &descriptor)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--registry", &registry)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--key", &key_path)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--batch-key", &batch_path)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--keyring", &keyring)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--message", &message)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--hmac-header", &hmac_header)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--devid", &devid)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--cred-type", &cred_type)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--cred-data-file", &cred_data_file)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--cred-data", &cred_data)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--loc-name", &loc_name)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--body", &body_file)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--nonce", &nonce_b64)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--server-nonce", &server_nonce_b64)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--response", &response)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            continue;
        }
        if (a[0] == '-')
            return cli_unknown_option(cmd, a);
        return cli_usage_error(cmd, "unexpected argument '%s'", a);
    }
    if ((descriptor == NULL) == (registry == NULL))
        return cli_usage_error(cmd, "give exactly one of --descriptor FILE and --registry DIR");
    if ((key_path != NULL) + (batch_path != NULL) + (keyring != NULL) != 1)
        return cli_usage_error(cmd, "give exactly one of --key FILE, --batch-key FILE and "
                                    "--keyring DIR");
    if (registry != NULL && batch_path != NULL)
        return cli_usage_error(cmd, "a registry holds many descriptors: give the master key "
                                    "(--key FILE), not a batch key");
    if ((message == NULL) == (devid == NULL))
        return cli_usage_error(cmd, "give either --message FILE or --devid DEVID");
    bool cred_given = cred_type || cred_data || cred_data_file || loc_name;
    if (message != NULL && (cred_given || body_file))
        return cli_usage_error(cmd, "with --message, the DevID and credential come from the "
                                    "message (only --hmac-header may be added)");
    if (devid != NULL) {
        if (hmac_header != NULL && (cred_given || body_file == NULL))
            return cli_usage_error(cmd, "with --hmac-header, give --body FILE and no --cred-*");
        if (hmac_header == NULL &&
            (cred_type == NULL || (cred_data == NULL) == (cred_data_file == NULL)))
            return cli_usage_error(cmd, "give --cred-type TYPE and one of --cred-data DATA and "
                                        "--cred-data-file FILE (or --hmac-header and --body)");
        /* the type as the check reads it (any case), not a substring */
        dmboot_cred_type ct;
        if (cred_data != NULL && cred_type != NULL &&
            dmboot_cred_type_parse(cred_type, strlen(cred_type), &ct, NULL) == DMBOOT_OK &&
            ct == DMBOOT_CRED_BASIC)
            return cli_usage_error(cmd, "a syncml:auth-basic credential holds the secret: give "
                                        "it with --cred-data-file FILE, not on the command line");
    }
    const char *key_file = key_path ? key_path : batch_path;
    const char *inputs[] = {key_file, message, body_file, cred_data_file, response};
    if (cli_check_inputs(cmd, inputs, 5) != EXIT_OK)
        return EXIT_USAGE;

    int rc = EXIT_FAIL;
    uint8_t key[DMBOOT_KEY_MAX];
    size_t key_len = 0, msg_len = 0, data_len = 0, data_alloc = 0, nonce_len = 0,
           server_nonce_len = 0;
    char *msg = NULL, *data = NULL;
    uint8_t *nonce = NULL, *server_nonce = NULL;
    dmboot_check_result *result = NULL;
    dmboot_error err;
    dmboot_status st;
    dmboot_key_kind kind = batch_path ? DMBOOT_KEY_BATCH : DMBOOT_KEY_MASTER;
    dmboot_descriptor *d = NULL;
    dmboot_registry *reg = NULL;
    if (registry != NULL ? (reg = cli_load_registry(registry)) == NULL
                         : (d = cli_load_descriptor(descriptor)) == NULL)
        goto done;
    if (keyring != NULL) {
        /* the descriptor's key-id selects the master key */
        dmboot_keyring *kr = cli_load_keyring(keyring);
        if (kr == NULL)
            goto done;
        if (reg != NULL) {
            st = dmboot_registry_set_keyring(reg, kr, &err);
        } else {
            const char *kid = dmboot_descriptor_get(d, "key-id");
            st = kid != NULL
                     ? dmboot_keyring_get(kr, kid, strlen(kid), key, sizeof key, &key_len, &err)
                     : DMBOOT_ERR_UNKNOWN_KEY;
            if (kid == NULL)
                snprintf(err.message, sizeof err.message,
                         "descriptor '%s' has no key-id line: the keyring selects the master "
                         "key by key-id",
                         dmboot_descriptor_get(d, "id"));
        }
        dmboot_keyring_free(kr);
        if (st != DMBOOT_OK) {
            if (st != DMBOOT_ERR_UNKNOWN_KEY)
                cli_fail("keyring", &err);
            else /* the verdict a server gives */
                cli_error("not authenticated (unknown-key): unknown key: %s", err.message);
            goto done;
        }
    } else if (!cli_read_key(key_file, kind, key, &key_len)) {
        goto done;
    }
    /* with a registry and a keyring, the registry picks the key */
    const uint8_t *rkey = reg != NULL && keyring != NULL ? NULL : key;
    size_t rkey_len = rkey != NULL ? key_len : 0;
    if (nonce_b64 != NULL && !read_nonce("--nonce", nonce_b64, NULL, &nonce, &nonce_len))
        goto done;
    if (server_nonce_b64 != NULL &&
        !read_nonce("--server-nonce", server_nonce_b64, NULL, &server_nonce, &server_nonce_len))
        goto done;
    if (dmboot_check_result_new(&result, &err) != DMBOOT_OK) {
        cli_fail(NULL, &err);
        goto done;
    }
    const uint8_t *nonce_arg = nonce; /* NULL: the derived client nonce */
    if (message != NULL) {
        if (!cli_read_file(message, MESSAGE_MAX, &msg, &msg_len))
            goto done;
        size_t hl = hmac_header ? strlen(hmac_header) : 0;
        st = reg ? dmboot_registry_check_message(reg, rkey, rkey_len, msg, msg_len, hmac_header, hl,
                                                 nonce_arg, nonce_len, result, &err)
                 : dmboot_server_check_message(d, key, key_len, kind, msg, msg_len, hmac_header,
                                               hl, nonce_arg, nonce_len, result, &err);
    } else if (hmac_header != NULL) {
        if (!cli_read_file(body_file, MESSAGE_MAX, &msg, &msg_len))
            goto done;
        st = reg ? dmboot_registry_check_hmac(reg, rkey, rkey_len, devid, strlen(devid),
                                              hmac_header, strlen(hmac_header),
                                              (const uint8_t *)msg, msg_len, nonce_arg,
                                              nonce_len, result, &err)
                 : dmboot_server_check_hmac(d, key, key_len, kind, devid, strlen(devid),
                                            hmac_header, strlen(hmac_header),
                                            (const uint8_t *)msg, msg_len, nonce_arg, nonce_len,
                                            result, &err);
    } else {
        if (cred_data_file != NULL) {
            if (!cli_read_file(cred_data_file, SMALL_MAX, &data,
                                &data_alloc))
                goto done;
            data_len = cli_strip_newline(data, data_alloc);
        }
        const char *cd = data ? data : cred_data;
        size_t cl = data ? data_len : strlen(cred_data), ll = loc_name ? strlen(loc_name) : 0;
        st = reg ? dmboot_registry_check_cred(reg, rkey, rkey_len, devid, strlen(devid), cred_type,
                                              cd, cl, loc_name, ll, nonce_arg, nonce_len, result,
                                              &err)
                 : dmboot_server_check_cred(d, key, key_len, kind, devid, strlen(devid),
                                            cred_type, cd, cl, loc_name, ll, nonce_arg,
                                            nonce_len, result, &err);
    }
    if (st != DMBOOT_OK) {
        dmboot_check_reason why = dmboot_check_result_reason(result);
        if (why == DMBOOT_CHECK_ERROR)
            cli_fail(NULL, &err);
        else
            cli_error("not authenticated (%s): %s", dmboot_check_reason_name(why),
                      dmboot_check_result_message(result));
        goto done;
    }
    printf("%s\n", dmboot_check_result_message(result));
    if (!print_server_answer(result, server_nonce, server_nonce_len, response))
        goto done;
    rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
done:
    OPENSSL_cleanse(key, sizeof key);
    cli_free_file(msg, msg_len);
    cli_free_file(data, data_alloc);
    free(nonce);
    free(server_nonce);
    dmboot_check_result_free(result);
    dmboot_descriptor_free(d);
    dmboot_registry_free(reg);
    return rc;
}
