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
    "       dmboot derive --descriptor FILE (--key FILE | --batch-key FILE)\n"
    "                     --format tnds|w7 --out-dir DIR [--force] [DEVID ...]\n"
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
    "                     csv: the same columns, with a header row;\n"
    "                     tnds: one OMA DM TNDS document (./DMAcc/<x>) per device;\n"
    "                     w7: one OMA Client Provisioning w7 document per device\n"
    "                     (docs/omadm.md describes both)\n"
    "  --out FILE         write to FILE (mode 0600), whole or not at all\n"
    "  --out-dir DIR      tnds and w7: write each device's document to\n"
    "                     DIR/<DevID>.xml (mode 0600, each file whole or absent;\n"
    "                     DIR is created if missing). The name is the DevID with\n"
    "                     ':' as '_' and any byte but letters, digits, '-', '.' as\n"
    "                     %XX: IMEI:490154203237518 -> IMEI_490154203237518.xml\n"
    "  --force            replace an existing --out FILE or document\n"
    "\n"
    "A DevID that is malformed or not covered by the descriptor's devid-match\n"
    "stops the run with its input line and exit status 1. On a terminal, long\n"
    "runs show progress on standard error.\n";

static const char AUTH_COMPUTE_USAGE[] =
    "usage: dmboot auth basic --name NAME|--name-file FILE --secret-file FILE\n"
    "       dmboot auth md5   --name NAME|--name-file FILE --secret-file FILE\n"
    "                         --nonce BASE64|--nonce-file FILE\n"
    "       dmboot auth hmac  --name NAME|--name-file FILE --secret-file FILE\n"
    "                         --nonce BASE64|--nonce-file FILE --body FILE [--mac-only]\n"
    "\n"
    "Compute an OMA DM credential, for debugging a client or a server:\n"
    "  basic  syncml:auth-basic <Cred><Data>: B64(name \":\" secret)\n"
    "  md5    syncml:auth-md5 <Cred><Data>: B64(MD5(B64(MD5(name \":\" secret)) \":\" nonce))\n"
    "  hmac   the x-syncml-hmac header value, algorithm=MD5, username=\"NAME\",\n"
    "         mac=B64(MD5(B64(MD5(name \":\" secret)) \":\" nonce \":\" B64(MD5(body))))\n"
    "\n"
    "  --name NAME         the user name (AAuthName); a server's name is its ServerID\n"
    "  --name-file FILE    the user name from a file (one trailing newline dropped)\n"
    "  --secret-file FILE  the secret (AAuthSecret), - for standard input; one\n"
    "                      trailing newline is dropped. Never on the command line.\n"
    "  --nonce BASE64      the nonce, as base64 (as in <NextNonce> or AAuthData);\n"
    "                      --nonce '' is the empty nonce\n"
    "  --nonce-file FILE   the nonce's raw bytes from a file\n"
    "  --body FILE         the message body the MAC covers, byte for byte\n"
    "  --mac-only          print the mac alone, not the whole header value\n";

static const char AUTH_CHECK_USAGE[] =
    "usage: dmboot auth check --descriptor FILE (--key FILE | --batch-key FILE)\n"
    "                         --message FILE [--hmac-header VALUE]\n"
    "                         [--nonce BASE64] [--response FILE]\n"
    "       dmboot auth check --descriptor FILE (--key FILE | --batch-key FILE)\n"
    "                         --devid DEVID (--cred-type TYPE (--cred-data DATA |\n"
    "                         --cred-data-file FILE) [--loc-name NAME] |\n"
    "                         --hmac-header VALUE --body FILE)\n"
    "                         [--nonce BASE64] [--response FILE]\n"
    "\n"
    "Check a device's first contact as a DM server does, with nothing but the\n"
    "descriptor and the key: re-derive the account of the DevID, check the\n"
    "client credential, print the verdict and the server credential to send back.\n"
    "Exit status 1, with the reason, when the device is not authenticated.\n"
    "\n"
    "  --message FILE       a captured SyncML DM package (XML; - for standard\n"
    "                       input): DevID from Source/LocURI, credential from its\n"
    "                       <Cred> (and Source/LocName)\n"
    "  --hmac-header VALUE  the request's x-syncml-hmac header: check HMAC over the\n"
    "                       message (or --body) instead of a <Cred>\n"
    "  --devid DEVID        the DevID (Source/LocURI), without a message\n"
    "  --cred-type TYPE     syncml:auth-basic or syncml:auth-md5\n"
    "  --cred-data DATA     the <Cred><Data> (md5 only: a basic credential holds the\n"
    "                       secret, so it comes from --cred-data-file)\n"
    "  --loc-name NAME      Source/LocName, the md5 user name, if the message has one\n"
    "  --body FILE          the message body the x-syncml-hmac header covers\n"
    "  --nonce BASE64       the nonce the client had to use: the server's NextNonce\n"
    "                       (default: the derived client-nonce, as on a first contact)\n"
    "  --response FILE      with an HMAC server credential: the response body to\n"
    "                       compute the server's x-syncml-hmac header over\n"
    "\n"
    "Output: the verdict line, then server-cred-type and server-cred (or\n"
    "x-syncml-hmac with --response).\n";

const cli_command cli_commands[] = {
    {"key", "new", "write a fresh master key", KEY_NEW_USAGE, cmd_key_new},
    {"derive", NULL, "derive device accounts from a descriptor and a key", DERIVE_USAGE,
     cmd_derive},
    {"auth", "basic", "compute a syncml:auth-basic credential", AUTH_COMPUTE_USAGE,
     cmd_auth_compute},
    {"auth", "md5", "compute a syncml:auth-md5 credential", AUTH_COMPUTE_USAGE,
     cmd_auth_compute},
    {"auth", "hmac", "compute an x-syncml-hmac header over a body", AUTH_COMPUTE_USAGE,
     cmd_auth_compute},
    {"auth", "check", "check a device's first contact (server side)", AUTH_CHECK_USAGE,
     cmd_auth_check},
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
