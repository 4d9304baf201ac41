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
/* Load a registry directory (verified when `registry add` filled it),
 * printing the error; NULL on failure. */
dmboot_registry *cli_load_registry(const char *dir);
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

/* ---- OMA DM commands (input.c, document.c) ---- */

/* The length without one trailing LF or CRLF. */
size_t cli_strip_newline(const char *s, size_t len);
/* Strict base64 (RFC 4648 §4, padded, canonical) of a NUL-terminated
 * argument; false when malformed or longer than cap bytes. */
bool cli_base64_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len);
/* Create dir and its missing parents (mode 0700). Prints errors. */
bool cli_make_dirs(const char *dir);
/* Write one device's bootstrap document into dir, named by its DevID
 * (dmboot_devid_filename + ".xml"), atomically, mode 0600. buf holds
 * DMBOOT_DOCUMENT_MAX + 1 bytes. Prints errors. */
bool cli_write_document(const char *dir, const dmboot_descriptor *d, const dmboot_account *acc,
                        dmboot_document_type type, char *buf, bool force);

/* ---- authentication commands (auth_util.c) ---- */

/* Read a whole file ("-" for standard input) of at most max bytes, NUL
 * appended. Prints errors. Free with cli_free_file (it wipes). */
bool cli_read_file(const char *path, size_t max, char **out, size_t *out_len);
void cli_free_file(char *buf, size_t len);
/* Read an Ed25519 private key PEM file; prints errors, NULL on failure. */
dmboot_signing_key *cli_read_signing_key(const char *path);
/* Refuse more than one "-" among the input paths (NULLs skipped). */
int cli_check_inputs(const cli_command *cmd, const char *const *paths, size_t count);

#define CLI_MAX_ISSUER_KEYS 32

/* The options that say how a descriptor is verified. */
typedef struct cli_verify_opts {
    const char *key, *batch_key, *keyring, *trust, *at;
    const char *issuer_keys[CLI_MAX_ISSUER_KEYS];
    size_t issuer_count;
    bool allow_unauthenticated, ignore_validity, require_signature, require_mac;
} cli_verify_opts;

/* Load a keyring directory (DIR/<key-id>.key); prints errors, NULL on failure. */
dmboot_keyring *cli_load_keyring(const char *dir);
/* Match argv[*i] against --key, --batch-key, --keyring, --issuer-key, --at and the
 * policy flags. True when it was one of them; *result is then EXIT_USAGE
 * when its value was missing (the error is printed), else 0. */
bool cli_verify_option(const cli_command *cmd, int argc, char **argv, int *i,
                       cli_verify_opts *o, int *result);
/* Usage errors among the options (both keys, stdin twice); EXIT_OK if none. */
int cli_verify_opts_check(const cli_command *cmd, const cli_verify_opts *o,
                          const char *descriptor);
/* A verifier from the options (reads the key files); prints errors. */
dmboot_verifier *cli_make_verifier(const cli_verify_opts *o);
/* One line per check, "check: note"; the signature names its key file. */
void cli_print_report(const dmboot_verify_report *r, const cli_verify_opts *o);

/* The command table (main.c) and the commands. */
extern const cli_command cli_commands[];
int cmd_key_new(const cli_command *cmd, int argc, char **argv);
int cmd_derive(const cli_command *cmd, int argc, char **argv);
int cmd_auth_compute(const cli_command *cmd, int argc, char **argv); /* basic, md5, hmac */
int cmd_auth_check(const cli_command *cmd, int argc, char **argv);
int cmd_key_pair(const cli_command *cmd, int argc, char **argv);
int cmd_key_batch(const cli_command *cmd, int argc, char **argv);
int cmd_key_check(const cli_command *cmd, int argc, char **argv);
int cmd_sign(const cli_command *cmd, int argc, char **argv);
int cmd_verify(const cli_command *cmd, int argc, char **argv);
int cmd_registry_add(const cli_command *cmd, int argc, char **argv);
int cmd_registry_list(const cli_command *cmd, int argc, char **argv);
int cmd_registry_lookup(const cli_command *cmd, int argc, char **argv);

#endif
