/* Messages, option parsing, key reading and atomic outputs for the CLI. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dmboot: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_fail(const char *context, const dmboot_error *err)
{
    const char *msg = err->message[0] ? err->message : dmboot_strerror(err->status);
    if (context != NULL)
        cli_error("%s: %s", context, msg);
    else
        cli_error("%s", msg);
    return EXIT_FAIL;
}

static void print_command_words(const cli_command *cmd, FILE *f)
{
    fprintf(f, "dmboot %s%s%s", cmd->name, cmd->sub ? " " : "", cmd->sub ? cmd->sub : "");
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dmboot: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n(see '", stderr);
    print_command_words(cmd, stderr);
    fputs(" --help')\n", stderr);
    return EXIT_USAGE;
}

void cli_print_usage(const cli_command *cmd, FILE *f)
{
    fputs(cmd->usage, f);
}

bool cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int cli_value(const cli_command *cmd, int argc, char **argv, int *i, const char *name,
              const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return 0;
    if (arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    if (arg[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        cli_usage_error(cmd, "%s needs a value", name);
        return -1;
    }
    *i += 1;
    *value = argv[*i];
    return 1;
}

bool cli_flag(const char *arg, const char *name, bool *flag)
{
    if (strcmp(arg, name) != 0)
        return false;
    *flag = true;
    return true;
}

int cli_unknown_option(const cli_command *cmd, const char *arg)
{
    return cli_usage_error(cmd, "unknown option '%s'", arg);
}

bool cli_read_key(const char *path, dmboot_key_kind kind, uint8_t key[DMBOOT_KEY_MAX],
                  size_t *key_len)
{
    dmboot_error err;
    dmboot_status st = strcmp(path, "-") == 0
                           ? dmboot_key_read_fd(STDIN_FILENO, key, DMBOOT_KEY_MAX, key_len, &err)
                           : dmboot_key_load(path, key, DMBOOT_KEY_MAX, key_len, &err);
    if (st != DMBOOT_OK) {
        cli_fail(NULL, &err);
        return false;
    }
    if (kind == DMBOOT_KEY_BATCH && *key_len != DMBOOT_BATCH_KEY_LEN) {
        cli_error("%s: a batch key has %d hex digits, this file has %zu",
                  strcmp(path, "-") == 0 ? "standard input" : path, 2 * DMBOOT_BATCH_KEY_LEN,
                  2 * *key_len);
        OPENSSL_cleanse(key, DMBOOT_KEY_MAX);
        return false;
    }
    return true;
}

dmboot_descriptor *cli_load_descriptor(const char *path)
{
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    if (dmboot_descriptor_load(path, &d, &err) != DMBOOT_OK) {
        /* dmb_read_file errors already name the file */
        cli_fail(err.status == DMBOOT_ERR_DESCRIPTOR ? path : NULL, &err);
        return NULL;
    }
    return d;
}

/* A registry directory, as `dmboot registry add` keeps it (its descriptors
 * were verified when they were added). */
dmboot_registry *cli_load_registry(const char *dir)
{
    dmboot_registry *reg = NULL;
    dmboot_error err;
    if (dmboot_registry_new(&reg, &err) != DMBOOT_OK ||
        dmboot_registry_load_dir(reg, dir, NULL, &err) != DMBOOT_OK) {
        cli_fail("registry", &err);
        dmboot_registry_free(reg);
        return NULL;
    }
    return reg;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

bool cli_output_open(cli_output *o, const char *path, unsigned mode, bool overwrite)
{
    memset(o, 0, sizeof *o);
    o->overwrite = overwrite;
    if (path == NULL || strcmp(path, "-") == 0) {
        o->f = stdout;
        return true;
    }
    if (!overwrite && exists(path)) {
        cli_error("%s already exists (use --force to replace it)", path);
        return false;
    }
    size_t n = strlen(path);
    o->path = strdup(path);
    o->tmp = malloc(n + 16);
    if (o->path == NULL || o->tmp == NULL) {
        cli_error("out of memory");
        cli_output_abort(o);
        return false;
    }
    snprintf(o->tmp, n + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        cli_error("cannot create a file next to %s: %s", path, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        cli_output_abort(o);
        return false;
    }
    if (fchmod(fd, (mode_t)mode) != 0 || (o->f = fdopen(fd, "wb")) == NULL) {
        cli_error("cannot prepare %s: %s", o->tmp, strerror(errno));
        close(fd);
        cli_output_abort(o);
        return false;
    }
    return true;
}

bool cli_output_write(cli_output *o, const void *data, size_t len)
{
    if (!o->failed && fwrite(data, 1, len, o->f) != len) {
        o->failed = true;
        cli_error("cannot write %s: %s", o->path ? o->path : "standard output",
                  strerror(errno));
    }
    return !o->failed;
}

bool cli_output_commit(cli_output *o)
{
    bool ok = !o->failed;
    if (o->path == NULL) {
        if (fflush(stdout) != 0) {
            cli_error("cannot write standard output: %s", strerror(errno));
            ok = false;
        }
        return ok;
    }
    if (ok && (fflush(o->f) != 0 || fsync(fileno(o->f)) != 0)) {
        cli_error("cannot write %s: %s", o->path, strerror(errno));
        ok = false;
    }
    if (fclose(o->f) != 0 && ok) {
        cli_error("cannot write %s: %s", o->path, strerror(errno));
        ok = false;
    }
    o->f = NULL;
    /* Without --force, link() refuses a file that appeared meanwhile. */
    if (ok && o->overwrite && rename(o->tmp, o->path) != 0) {
        cli_error("cannot rename %s to %s: %s", o->tmp, o->path, strerror(errno));
        ok = false;
    } else if (ok && !o->overwrite) {
        if (link(o->tmp, o->path) != 0) {
            if (errno == EEXIST)
                cli_error("%s already exists (use --force to replace it)", o->path);
            else
                cli_error("cannot create %s: %s", o->path, strerror(errno));
            ok = false;
        } else {
            unlink(o->tmp);
        }
    }
    if (!ok) {
        cli_output_abort(o);
        return false;
    }
    free(o->tmp);
    free(o->path);
    o->tmp = o->path = NULL;
    return true;
}

void cli_output_abort(cli_output *o)
{
    if (o->f != NULL && o->f != stdout)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp != NULL)
        unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    o->tmp = o->path = NULL;
}

bool cli_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode,
                           bool overwrite)
{
    cli_output o;
    if (!cli_output_open(&o, path, mode, overwrite))
        return false;
    if (!cli_output_write(&o, data, len)) {
        cli_output_abort(&o);
        return false;
    }
    return cli_output_commit(&o);
}
