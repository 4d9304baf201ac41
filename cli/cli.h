/* Shared pieces of the dmboot command: options, keys, outputs, messages. */
#ifndef DMBOOT_CLI_H
#define DMBOOT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dmboot.h"

/* Exit codes: 0 success, 1 failure (bad input, failed check), 2 usage. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* A subcommand: `dmboot NAME [SUB] ...`. run() gets argv after the words. */
typedef struct cli_command {
    const char *name;
    const char *sub;     /* NULL for commands without subcommands */
    const char *summary; /* one line for `dmboot --help` */
    const char *usage;   /* full text for `dmboot NAME [SUB] --help` */
    int (*run)(const struct cli_command *cmd, int argc, char **argv);
} cli_command;

/* Print "dmboot: " + message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print a library error ("dmboot: <context>: <message>"); returns EXIT_FAIL. */
int cli_fail(const char *context, const dmboot_error *err);
/* Usage error: message, then "see 'dmboot NAME --help'"; returns EXIT_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Option parsing, one argv word at a time:
 *   if (cli_is_help(argv[i])) ...
 *   switch (cli_value(argc, argv, &i, "--out", &out)) ...
 * cli_value matches "--out VALUE" and "--out=VALUE": returns 1 when
 * matched (i advanced past the value), 0 when not this option, -1 when the
 * value is missing (an error was printed). */
bool cli_is_help(const char *arg);
int cli_value(const cli_command *cmd, int argc, char **argv, int *i, const char *name,
              const char **value);
bool cli_flag(const char *arg, const char *name, bool *flag);
/* "--x" that is not a known option: prints the usage error. */
int cli_unknown_option(const cli_command *cmd, const char *arg);
void cli_print_usage(const cli_command *cmd, FILE *f);

/* Read a key file ("-" for standard input) as a master or batch key. The
 * caller wipes key. Prints the error and returns false on failure. */
bool cli_read_key(const char *path, dmboot_key_kind kind, uint8_t key[DMBOOT_KEY_MAX],
                  size_t *key_len);
/* Load a descriptor, printing "dmboot: FILE: line N: ..." on failure. */
dmboot_descriptor *cli_load_descriptor(const char *path);

/* Output written whole or not at all. With a path, bytes go to a temporary
 * file in the same directory (mode `mode`) that cli_output_commit() renames
 * into place atomically; cli_output_abort() removes it. Without a path
 * (NULL or "-"), bytes go straight to standard output. */
typedef struct cli_output {
    FILE *f;
    char *path;
    char *tmp;
    bool failed;
    bool overwrite;
} cli_output;
/* Refuses an existing file unless overwrite. Prints errors. */
bool cli_output_open(cli_output *o, const char *path, unsigned mode, bool overwrite);
bool cli_output_write(cli_output *o, const void *data, size_t len);
bool cli_output_commit(cli_output *o);
void cli_output_abort(cli_output *o);

/* Write a whole file atomically (temporary + rename), e.g. one document. */
bool cli_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode,
                           bool overwrite);

/* Read a whole file ("-": standard input) of at most max bytes into a
 * fresh NUL-terminated buffer; `what` names it in errors ("secret file").
 * Free with cli_free_input (which wipes). Prints errors. */
bool cli_read_input(const char *path, size_t max, const char *what, char **out,
                    size_t *out_len);
void cli_free_input(char *buf, size_t len);
/* The length without one trailing LF or CRLF. */
size_t cli_strip_newline(const char *s, size_t len);
/* Strict base64 (RFC 4648 §4, padded, canonical) of a NUL-terminated
 * argument; false when malformed or longer than cap bytes. */
bool cli_base64_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len);

/* The command table (main.c) and the commands. */
extern const cli_command cli_commands[];
int cmd_key_new(const cli_command *cmd, int argc, char **argv);
int cmd_derive(const cli_command *cmd, int argc, char **argv);
int cmd_auth_compute(const cli_command *cmd, int argc, char **argv); /* basic, md5, hmac */
int cmd_auth_check(const cli_command *cmd, int argc, char **argv);
/* Write one device's bootstrap document into dir, named by its DevID
 * (dmboot_devid_filename + ".xml"), atomically, mode 0600. buf holds
 * DMBOOT_DOCUMENT_MAX + 1 bytes. Prints errors. */
/* Create dir and its missing parents (mode 0700). Prints errors. */
bool cli_make_dirs(const char *dir);
bool cli_write_document(const char *dir, const dmboot_descriptor *d, const dmboot_account *acc,
                        dmboot_document_type type, char *buf, bool force);

#endif
