/*
 * dmboot registry add | list | lookup: a directory of descriptors, one
 * <id>.desc file each, that do not overlap. Only `registry add` writes it,
 * after verifying the descriptor, so list and lookup read it as it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define LOCK_NAME ".dmboot-registry.lock"

/* Serialize `registry add`s: two at once could each miss the other's
 * overlap. The lock file stays (empty); the lock goes with the process. */
static int lock_registry(const char *dir)
{
    size_t n = strlen(dir) + sizeof LOCK_NAME + 1;
    char *path = malloc(n);
    if (path == NULL) {
        cli_error("out of memory");
        return -1;
    }
    snprintf(path, n, "%s/%s", dir, LOCK_NAME);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        cli_error("cannot create %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    int r;
    while ((r = fcntl(fd, F_SETLKW, &fl)) != 0 && errno == EINTR)
        ;
    if (r != 0) {
        cli_error("cannot lock %s: %s", path, strerror(errno));
        close(fd);
        fd = -1;
    }
    free(path);
    return fd;
}

/* Where the registry keeps descriptor `id`. */
static char *registry_path(const char *dir, const char *id)
{
    size_t n = strlen(dir) + strlen(id) + sizeof ".desc" + 1;
    char *p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/%s.desc", dir, id);
    else
        cli_error("out of memory");
    return p;
}

/* The file of the registered descriptor that collides with d. */
static const char *colliding_file(const dmboot_registry *reg, const dmboot_descriptor *d)
{
    const char *id = dmboot_descriptor_get(d, "id");
    for (size_t i = 0; i < dmboot_registry_count(reg); i++) {
        const dmboot_descriptor *o = dmboot_registry_at(reg, i);
        if (strcmp(dmboot_descriptor_get(o, "id"), id) == 0 ||
            dmboot_descriptor_check_overlap(d, o, NULL) != DMBOOT_OK)
            return dmboot_registry_source(reg, i);
    }
    return NULL;
}

/* A keyring of several key-ids serves several manufacturers: without a
 * trust file nothing bounds the DevID ranges each issuer may claim, and the
 * first to import another's range would shut it out and derive its devices'
 * accounts (authentication.md §6). Refuse that import rather than warn. */
static bool keyring_of_one(const char *dir)
{
    dmboot_keyring *kr = cli_load_keyring(dir);
    if (kr == NULL)
        return false;
    size_t n = dmboot_keyring_count(kr);
    dmboot_keyring_free(kr);
    if (n > 1)
        cli_error("registry add: a keyring of %zu key-ids (several manufacturers) needs "
                  "--trust FILE, which bounds the key-ids and DevID ranges each issuer may "
                  "claim (docs/authentication.md section 6)", n);
    return n <= 1;
}

int cmd_registry_add(const cli_command *cmd, int argc, char **argv)
{
    const char *dir = NULL, *descriptor = NULL;
    cli_verify_opts o = {0};
    for (int i = 0; i < argc; i++) {
        int r;
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cli_print_usage(cmd, stdout);
            return EXIT_OK;
        }
        if ((r = cli_value(cmd, argc, argv, &i, "--registry", &dir)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--descriptor", &descriptor)) != 0) {
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
    if (dir == NULL || descriptor == NULL)
        return cli_usage_error(cmd, "--registry DIR and --descriptor FILE are required");
    int rc = cli_verify_opts_check(cmd, &o, descriptor);
    if (rc != EXIT_OK)
        return rc;
    if (o.keyring != NULL && o.trust == NULL && !keyring_of_one(o.keyring))
        return EXIT_FAIL;

    rc = EXIT_FAIL;
    int lock = -1;
    char *dest = NULL;
    dmboot_registry *reg = NULL;
    dmboot_verifier *v = NULL;
    dmboot_descriptor *d = cli_load_descriptor(descriptor);
    if (d == NULL || (v = cli_make_verifier(&o)) == NULL)
        goto done;
    dmboot_verify_report report;
    dmboot_error err;
    dmboot_status st = dmboot_descriptor_verify_report(d, v, &report, &err);
    if (st != DMBOOT_ERR_CRYPTO)
        cli_print_report(&report, &o);
    fflush(stdout);
    if (st != DMBOOT_OK) {
        cli_error("%s: not added: %s", descriptor, err.message);
        goto done;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        cli_error("cannot create registry directory %s: %s", dir, strerror(errno));
        goto done;
    }
    if ((lock = lock_registry(dir)) < 0 || (reg = cli_load_registry(dir)) == NULL)
        goto done;
    /* verified above; now the registry's own rules: id and overlap */
    if (dmboot_registry_add(reg, d, NULL, &err) != DMBOOT_OK) {
        const char *other = colliding_file(reg, d);
        cli_error("%s: not added: %s%s%s%s", descriptor, err.message, other ? " (" : "",
                  other ? other : "", other ? ")" : "");
        goto done;
    }
    const char *id = dmboot_descriptor_get(d, "id");
    size_t len = 0;
    const char *text = dmboot_descriptor_text(d, &len);
    if ((dest = registry_path(dir, id)) == NULL || !cli_write_file_atomic(dest, text, len, 0644,
                                                                          false))
        goto done;
    printf("added: descriptor '%s' as %s\n", id, dest);
    rc = EXIT_OK;
done:
    if (lock >= 0)
        close(lock);
    free(dest);
    dmboot_registry_free(reg);
    dmboot_verifier_free(v);
    dmboot_descriptor_free(d);
    return rc;
}

static int parse_registry_only(const cli_command *cmd, int argc, char **argv, const char **dir,
                               int *first_arg)
{
    *first_arg = argc;
    for (int i = 0; i < argc; i++) {
        int r;
        if (cli_is_help(argv[i])) {
            cli_print_usage(cmd, stdout);
            return EXIT_OK;
        }
        if (strcmp(argv[i], "--") == 0) {
            *first_arg = i + 1;
            break;
        }
        if ((r = cli_value(cmd, argc, argv, &i, "--registry", dir)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] == '-')
            return cli_unknown_option(cmd, argv[i]);
        *first_arg = i;
        break;
    }
    if (*dir == NULL)
        return cli_usage_error(cmd, "--registry DIR is required");
    return -1;
}

int cmd_registry_list(const cli_command *cmd, int argc, char **argv)
{
    const char *dir = NULL;
    int first = 0;
    int rc = parse_registry_only(cmd, argc, argv, &dir, &first);
    if (rc >= 0)
        return rc;
    if (first < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[first]);
    dmboot_registry *reg = cli_load_registry(dir);
    if (reg == NULL)
        return EXIT_FAIL;
    printf("id\tdevid-type\tdevid-match\tvalidity\tauth\n");
    for (size_t i = 0; i < dmboot_registry_count(reg); i++) {
        const dmboot_descriptor *d = dmboot_registry_at(reg, i);
        const char *nb = dmboot_descriptor_get(d, "not-before");
        const char *na = dmboot_descriptor_get(d, "not-after");
        bool mac = dmboot_descriptor_get(d, "mac") != NULL;
        bool sig = dmboot_descriptor_get(d, "signature") != NULL;
        printf("%s\t%s\t%s\t%s..%s\t%s\n", dmboot_descriptor_get(d, "id"),
               dmboot_descriptor_get(d, "devid-type"), dmboot_descriptor_get(d, "devid-match"),
               nb ? nb : "", na ? na : "",
               mac && sig ? "mac+signature" : mac ? "mac" : sig ? "signature" : "none");
    }
    dmboot_registry_free(reg);
    if (fflush(stdout) != 0) {
        cli_error("cannot write standard output");
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

int cmd_registry_lookup(const cli_command *cmd, int argc, char **argv)
{
    const char *dir = NULL;
    int first = 0;
    int rc = parse_registry_only(cmd, argc, argv, &dir, &first);
    if (rc >= 0)
        return rc;
    if (first >= argc)
        return cli_usage_error(cmd, "give one or more DevIDs");
    dmboot_registry *reg = cli_load_registry(dir);
    if (reg == NULL)
        return EXIT_FAIL;
    rc = EXIT_OK;
    for (int i = first; i < argc; i++) {
        const dmboot_descriptor *d = NULL;
        char norm[DMBOOT_DEVID_MAX + 1];
        size_t norm_len = 0;
        dmboot_error err;
        if (dmboot_registry_lookup(reg, argv[i], strlen(argv[i]), &d, norm, sizeof norm,
                                   &norm_len, &err) != DMBOOT_OK) {
            cli_fail(NULL, &err);
            rc = EXIT_FAIL;
            continue;
        }
        const char *src = NULL;
        for (size_t j = 0; j < dmboot_registry_count(reg); j++)
            if (dmboot_registry_at(reg, j) == d)
                src = dmboot_registry_source(reg, j);
        printf("%s: descriptor '%s' (%s)\n", norm, dmboot_descriptor_get(d, "id"),
               src ? src : "?");
    }
    dmboot_registry_free(reg);
    return rc;
}
