/* dmboot: the command-line tool. `dmboot --help` lists the commands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char KEY_NEW_USAGE[] =
    "usage: dmboot key new [--out FILE] [--force]\n"
    "\n"
    "Write a fresh 32-byte master key from the OpenSSL CSPRNG as 64 hex digits\n"
    "and a newline (the shape of `openssl rand -hex 32`).\n"
    "\n"
    "  --out FILE   write the key to FILE (created with mode 0600) instead of\n"
    "               standard output; an existing FILE is refused\n"
    "  --force      replace an existing FILE\n";

static const char DERIVE_USAGE[] =
    "usage: dmboot derive --descriptor FILE (--key FILE | --batch-key FILE)\n"
    "                     [--format jsonl|csv] [--out FILE] [--force] [DEVID ...]\n"
    "\n"
    "Derive the DM account values of each device: for the DevIDs given, or for\n"
    "each line of standard input when none are given (blank lines are skipped).\n"
    "\n"
    "  --descriptor FILE  the batch's descriptor\n"
    "  --key FILE         the master key (hex on one line; - for standard input)\n"
    "  --batch-key FILE   the descriptor's batch key instead of the master key\n"
    "  --format F         jsonl (default): one JSON object per device with keys\n"
    "                     devid, name, client_secret, server_secret, client_nonce,\n"
    "                     server_nonce (nonces in base64; absent fields left out);\n"
    "                     csv: the same columns, with a header row\n"
    "  --out FILE         write to FILE (mode 0600), whole or not at all\n"
    "  --force            replace an existing --out FILE\n"
    "\n"
    "A DevID that is malformed or not covered by the descriptor's devid-match\n"
    "stops the run with its input line and exit status 1. On a terminal, long\n"
    "runs show progress on standard error.\n";

const cli_command cli_commands[] = {
    {"key", "new", "write a fresh master key", KEY_NEW_USAGE, cmd_key_new},
    {"derive", NULL, "derive device accounts from a descriptor and a key", DERIVE_USAGE,
     cmd_derive},
    {NULL, NULL, NULL, NULL, NULL},
};

static void print_help(FILE *f)
{
    fprintf(f, "usage: dmboot COMMAND [OPTIONS]\n"
               "\n"
               "OMA DM factory bootstrap: derive, authenticate and serve DM accounts\n"
               "from a descriptor and a key.\n"
               "\n"
               "commands:\n");
    for (const cli_command *c = cli_commands; c->name != NULL; c++) {
        char words[64];
        snprintf(words, sizeof words, "%s%s%s", c->name, c->sub ? " " : "",
                 c->sub ? c->sub : "");
        fprintf(f, "  %-22s %s\n", words, c->summary);
    }
    fprintf(f, "\n"
               "`dmboot COMMAND --help` describes a command. Keys are read from files\n"
               "(or - for standard input), never from the command line.\n"
               "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

/* The subcommands of `name`, for "dmboot key" and its --help. */
static void print_subcommands(const char *name, FILE *f)
{
    fprintf(f, "usage: dmboot %s SUBCOMMAND [OPTIONS]\n\nsubcommands:\n", name);
    for (const cli_command *c = cli_commands; c->name != NULL; c++)
        if (strcmp(c->name, name) == 0)
            fprintf(f, "  %-10s %s\n", c->sub, c->summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (cli_is_help(name) || strcmp(name, "help") == 0) {
        print_help(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("dmboot %s (library %s)\n", DMBOOT_VERSION_STRING, dmboot_version());
        return EXIT_OK;
    }
    bool known = false;
    for (const cli_command *c = cli_commands; c->name != NULL; c++) {
        if (strcmp(c->name, name) != 0)
            continue;
        known = true;
        if (c->sub == NULL)
            return c->run(c, argc - 2, argv + 2);
        if (argc >= 3 && strcmp(c->sub, argv[2]) == 0)
            return c->run(c, argc - 3, argv + 3);
    }
    if (!known) {
        fprintf(stderr, "dmboot: unknown command '%s' (see 'dmboot --help')\n", name);
        return EXIT_USAGE;
    }
    if (argc >= 3 && cli_is_help(argv[2])) {
        print_subcommands(name, stdout);
        return EXIT_OK;
    }
    if (argc >= 3)
        fprintf(stderr, "dmboot: unknown subcommand '%s %s'\n", name, argv[2]);
    print_subcommands(name, stderr);
    return EXIT_USAGE;
}
