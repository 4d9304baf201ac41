/* dmboot key new: a fresh master key as hex. */
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"

int cmd_key_new(const cli_command *cmd, int argc, char **argv)
{
    const char *out = NULL;
    bool force = false;
    for (int i = 0; i < argc; i++) {
        int r;
        if (cli_is_help(argv[i])) {
            cli_print_usage(cmd, stdout);
            return EXIT_OK;
        }
        if ((r = cli_value(cmd, argc, argv, &i, "--out", &out)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            continue;
        }
        if (cli_flag(argv[i], "--force", &force))
            continue;
        if (argv[i][0] == '-')
            return cli_unknown_option(cmd, argv[i]);
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
    }
    uint8_t key[32];
    char hex[2 * sizeof key + 2];
    dmboot_error err;
    if (dmboot_key_generate(key, sizeof key, &err) != DMBOOT_OK)
        return cli_fail(NULL, &err);
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof key; i++) {
        hex[2 * i] = digits[key[i] >> 4];
        hex[2 * i + 1] = digits[key[i] & 15];
    }
    hex[2 * sizeof key] = '\n';
    hex[2 * sizeof key + 1] = '\0';
    OPENSSL_cleanse(key, sizeof key);
    bool ok = cli_write_file_atomic(out, hex, 2 * sizeof key + 1, 0600, force);
    OPENSSL_cleanse(hex, sizeof hex);
    return ok ? EXIT_OK : EXIT_FAIL;
}
