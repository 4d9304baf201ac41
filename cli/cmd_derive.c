/* dmboot derive: descriptor + key + DevIDs -> JSON Lines or CSV rows, or one
 * bootstrap document (TNDS, w7) per device into a directory. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"

/* Where DevIDs come from: the arguments, or standard input line by line. */
typedef struct devid_source {
    char **args;
    int argc, next;
    char *line;
    size_t line_cap;
    size_t number; /* argument or line number of the current DevID */
} devid_source;

static bool next_devid(devid_source *s, const char **devid, size_t *len, bool *read_error)
{
    *read_error = false;
    if (s->args != NULL) {
        if (s->next >= s->argc)
            return false;
        s->number = (size_t)s->next + 1;
        *devid = s->args[s->next++];
        *len = strlen(*devid);
        return true;
    }
    for (;;) {
        ssize_t n = getline(&s->line, &s->line_cap, stdin);
        if (n < 0) {
            *read_error = ferror(stdin) != 0;
            return false;
        }
        s->number++;
        size_t m = (size_t)n;
        if (m > 0 && s->line[m - 1] == '\n')
            m--;
        if (m > 0 && s->line[m - 1] == '\r')
            m--;
        if (m == 0)
            continue; /* blank line */
        s->line[m] = '\0';
        *devid = s->line;
        *len = m;
        return true;
    }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Progress on a terminal, at most four times a second. */
typedef struct progress {
    bool on;
    double start, last;
} progress;

static void progress_tick(progress *p, size_t done, bool final)
{
    if (!p->on)
        return;
    double t = now();
    if (!final && t - p->last < 0.25)
        return;
    p->last = t;
    double rate = t > p->start ? (double)done / (t - p->start) : 0.0;
    fprintf(stderr, "\rdmboot: derived %zu devices (%.0f/s)%s", done, rate, final ? "\n" : "");
}

int cmd_derive(const cli_command *cmd, int argc, char **argv)
{
    const char *descriptor = NULL, *key_path = NULL, *batch_path = NULL, *out = NULL;
    const char *out_dir = NULL;
    const char *format = "jsonl";
    bool force = false;
    int first_devid = argc;
    for (int i = 0; i < argc; i++) {
        int r = 0;
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cli_print_usage(cmd, stdout);
            return EXIT_OK;
        }
        if (strcmp(a, "--") == 0) {
            first_devid = i + 1;
            break;
        }
        if ((r = cli_value(cmd, argc, argv, &i, "--descriptor", &descriptor)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--key", &key_path)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--batch-key", &batch_path)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--format", &format)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--out", &out)) != 0 ||
            (r = cli_value(cmd, argc, argv, &i, "--out-dir", &out_dir)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            continue;
        }
        if (cli_flag(a, "--force", &force))
            continue;
        if (a[0] == '-' && a[1] == '-')
            return cli_unknown_option(cmd, a);
        first_devid = i; /* DevIDs from here on */
        break;
    }
    if (descriptor == NULL)
        return cli_usage_error(cmd, "--descriptor FILE is required");
    if ((key_path == NULL) == (batch_path == NULL))
        return cli_usage_error(cmd, "give exactly one of --key FILE and --batch-key FILE");
    dmboot_format fmt = DMBOOT_FORMAT_JSON;
    bool documents = true; /* one file per device into --out-dir */
    dmboot_document_type doc_type = DMBOOT_DOCUMENT_TNDS;
    if (strcmp(format, "jsonl") == 0)
        documents = false;
    else if (strcmp(format, "csv") == 0)
        fmt = DMBOOT_FORMAT_CSV, documents = false;
    else if (strcmp(format, "w7") == 0)
        doc_type = DMBOOT_DOCUMENT_W7;
    else if (strcmp(format, "tnds") != 0)
        return cli_usage_error(cmd, "unknown --format '%s' (jsonl, csv, tnds or w7)", format);
    if (documents && (out_dir == NULL || out != NULL))
        return cli_usage_error(cmd, "--format %s writes one file per device: give --out-dir DIR "
                                    "(not --out)",
                               format);
    if (!documents && out_dir != NULL)
        return cli_usage_error(cmd, "--out-dir goes with --format tnds or w7");
    for (int i = first_devid; i < argc; i++)
        if (strncmp(argv[i], "--", 2) == 0)
            return cli_usage_error(cmd, "options must come before the DevIDs ('%s')", argv[i]);
    const char *key_file = key_path ? key_path : batch_path;
    if (first_devid >= argc && strcmp(key_file, "-") == 0)
        return cli_usage_error(cmd, "the key is read from standard input, so give the DevIDs "
                                    "as arguments");

    int rc = EXIT_FAIL;
    uint8_t key[DMBOOT_KEY_MAX];
    size_t key_len = 0;
    dmboot_deriver *dv = NULL;
    dmboot_account *acc = NULL;
    dmboot_error err;
    char *row = malloc(documents ? DMBOOT_DOCUMENT_MAX + 1 : DMBOOT_ROW_MAX);
    cli_output o = {0};
    devid_source src = {0};
    dmboot_descriptor *d = cli_load_descriptor(descriptor);
    if (d == NULL || row == NULL)
        goto done;
    dmboot_key_kind kind = key_path ? DMBOOT_KEY_MASTER : DMBOOT_KEY_BATCH;
    if (!cli_read_key(key_file, kind, key, &key_len))
        goto done;
    if (dmboot_deriver_new(d, key, key_len, kind, &dv, &err) != DMBOOT_OK) {
        cli_fail(key_file, &err);
        goto done;
    }
    if (dmboot_account_new(&acc, &err) != DMBOOT_OK) {
        cli_fail(NULL, &err);
        goto done;
    }
    if (documents) {
        if (!cli_make_dirs(out_dir))
            goto done;
    } else if (!cli_output_open(&o, out, 0600, force)) {
        goto done;
    }
    if (!documents && fmt == DMBOOT_FORMAT_CSV)
        cli_output_write(&o, dmboot_csv_header(), strlen(dmboot_csv_header()));

    if (first_devid < argc) {
        src.args = argv + first_devid;
        src.argc = argc - first_devid;
    }
    progress prog = {src.args == NULL && isatty(STDERR_FILENO), now(), now()};
    const char *devid;
    size_t devid_len, done_count = 0;
    bool read_error = false;
    while (next_devid(&src, &devid, &devid_len, &read_error)) {
        if (dmboot_derive(dv, devid, devid_len, acc, &err) != DMBOOT_OK) {
            if (prog.on)
                fputc('\n', stderr);
            cli_error("%s %zu: '%s': %s", src.args ? "argument" : "line", src.number, devid,
                      err.message);
            cli_output_abort(&o);
            goto done;
        }
        if (documents) {
            /* Each file is whole or absent; a failure stops the run. */
            if (!cli_write_document(out_dir, d, acc, doc_type, row, force))
                goto done;
            progress_tick(&prog, ++done_count, false);
            continue;
        }
        size_t n = 0;
        if (dmboot_account_format(acc, fmt, row, DMBOOT_ROW_MAX, &n, &err) != DMBOOT_OK) {
            cli_fail(devid, &err);
            cli_output_abort(&o);
            goto done;
        }
        if (!cli_output_write(&o, row, n)) {
            cli_output_abort(&o);
            goto done;
        }
        progress_tick(&prog, ++done_count, false);
    }
    if (read_error) {
        cli_error("cannot read standard input");
        cli_output_abort(&o);
        goto done;
    }
    progress_tick(&prog, done_count, true);
    if (documents || cli_output_commit(&o))
        rc = EXIT_OK;

done:
    OPENSSL_cleanse(key, sizeof key);
    if (row != NULL)
        OPENSSL_clear_free(row, documents ? DMBOOT_DOCUMENT_MAX + 1 : DMBOOT_ROW_MAX);
    free(src.line);
    dmboot_account_free(acc);
    dmboot_deriver_free(dv);
    dmboot_descriptor_free(d);
    return rc;
}
