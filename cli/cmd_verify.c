/* dmboot verify: check a descriptor's authentication and validity, one
 * line per check. */
#include <string.h>

#include "cli.h"

int cmd_verify(const cli_command *cmd, int argc, char **argv)
{
    const char *descriptor = NULL;
    cli_verify_opts o = {0};
    for (int i = 0; i < argc; i++) {
        int r;
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cli_print_usage(cmd, stdout);
            return EXIT_OK;
        }
        if ((r = cli_value(cmd, argc, argv, &i, "--descriptor", &descriptor)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            continue;
        }
        if (cli_verify_option(cmd, argc, argv, &i, &o, &r)) {
            if (r != 0)
                return r;
            continue;
        }
        if (a[0] == '-')
            return cli_unknown_option(cmd, a);
        return cli_usage_error(cmd, "unexpected argument '%s'", a);
    }
    if (descriptor == NULL)
        return cli_usage_error(cmd, "--descriptor FILE is required");
    int rc = cli_verify_opts_check(cmd, &o, descriptor);
    if (rc != EXIT_OK)
        return rc;

    rc = EXIT_FAIL;
    dmboot_verifier *v = NULL;
    dmboot_descriptor *d = cli_load_descriptor(descriptor);
    if (d == NULL || (v = cli_make_verifier(&o)) == NULL)
        goto done;
    dmboot_verify_report r;
    dmboot_error err;
    dmboot_status st = dmboot_descriptor_verify_report(d, v, &r, &err);
    if (st == DMBOOT_ERR_CRYPTO || st == DMBOOT_ERR_INVALID_ARGUMENT ||
        st == DMBOOT_ERR_NO_MEMORY) {
        cli_fail(descriptor, &err); /* nothing was decided */
        goto done;
    }
    cli_print_report(&r, &o);
    fflush(stdout);
    if (st != DMBOOT_OK) {
        cli_error("%s: verification FAILED: %s", descriptor, err.message);
        goto done;
    }
    printf("verified: %s (descriptor '%s')\n", descriptor, dmboot_descriptor_get(d, "id"));
    rc = EXIT_OK;
done:
    dmboot_verifier_free(v);
    dmboot_descriptor_free(d);
    return rc;
}
