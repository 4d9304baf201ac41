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
    "usage: dmboot auth check (--descriptor FILE | --registry DIR)\n"
    "                         (--key FILE | --batch-key FILE | --keyring DIR)\n"
    "                         --message FILE [--hmac-header VALUE]\n"
    "                         [--nonce BASE64] [--server-nonce BASE64] [--response FILE]\n"
    "       dmboot auth check (--descriptor FILE | --registry DIR)\n"
    "                         (--key FILE | --batch-key FILE | --keyring DIR)\n"
    "                         --devid DEVID (--cred-type TYPE (--cred-data DATA |\n"
    "                         --cred-data-file FILE) [--loc-name NAME] |\n"
    "                         --hmac-header VALUE --body FILE)\n"
    "                         [--nonce BASE64] [--server-nonce BASE64] [--response FILE]\n"
    "\n"
    "Check a device's first contact as a DM server does, with nothing but the\n"
    "descriptor and the key: re-derive the account of the DevID, check the\n"
    "client credential, print the verdict and the server credential to send back.\n"
    "Exit status 1, with the reason, when the device is not authenticated.\n"
    "\n"
    "  --descriptor FILE    the descriptor of the device's batch\n"
    "  --registry DIR       a registry directory (dmboot registry add): the\n"
    "                       descriptor is the one that covers the DevID; the key is\n"
    "                       then the master key\n"
    "  --key FILE           the master key (- for standard input)\n"
    "  --batch-key FILE     the descriptor's batch key (with --descriptor only)\n"
    "  --keyring DIR        the operator's keyring: DIR/<key-id>.key, one master\n"
    "                       key per key-id; the descriptor's key-id selects its key\n"
    "                       (reason unknown-key when it is absent or not there)\n"
    "  --message FILE       a captured SyncML DM package (XML; - for standard\n"
    "                       input): DevID from Source/LocURI, credential from its\n"
    "                       <Cred> (and Source/LocName)\n"
    "  --hmac-header VALUE  the request's x-syncml-hmac header: check HMAC over the\n"
    "                       message (or --body) instead of a <Cred>\n"
    "  --devid DEVID        the DevID (Source/LocURI), without a message\n"
    "  --cred-type TYPE     syncml:auth-basic or syncml:auth-md5\n"
    "  --cred-data DATA     the <Cred><Data> (md5 only: a basic credential, its type\n"
    "                       in any case, holds the secret, so it comes from\n"
    "                       --cred-data-file)\n"
    "  --loc-name NAME      Source/LocName, the md5 user name, if the message has one\n"
    "  --body FILE          the message body the x-syncml-hmac header covers\n"
    "  --nonce BASE64       the nonce the client had to use: the server's NextNonce\n"
    "                       (default: the derived client-nonce, as on a first contact)\n"
    "  --server-nonce BASE64  the nonce the device last gave the server (the NextNonce\n"
    "                       of its Chal): the server credential is made with it\n"
    "                       (default: the derived server-nonce, until the device\n"
    "                       has challenged the server)\n"
    "  --response FILE      with an HMAC server credential: the response body to\n"
    "                       compute the server's x-syncml-hmac header over\n"
    "\n"
    "Output: the verdict line, then server-cred-type and server-cred (or\n"
    "x-syncml-hmac with --response).\n";
static const char KEY_PAIR_USAGE[] =
    "usage: dmboot key pair --out-private FILE --out-public FILE [--force]\n"
    "\n"
    "Make an issuer's Ed25519 key pair for signing descriptors: the private key\n"
    "as PKCS#8 PEM (mode 0600), the public key as PEM (what `openssl genpkey\n"
    "-algorithm ed25519` and `openssl pkey -pubout` write; either tool's keys\n"
    "work with dmboot too). Both files are written whole or not at all.\n"
    "\n"
    "  --out-private FILE  the private (signing) key; keep it secret\n"
    "  --out-public FILE   the public key, for whoever verifies (--issuer-key)\n"
    "  --force             replace existing files\n";

static const char KEY_BATCH_USAGE[] =
    "usage: dmboot key batch --descriptor FILE --key FILE [--out FILE] [--force]\n"
    "\n"
    "Export the batch key of a descriptor: 64 hex digits and a newline. A\n"
    "factory that holds it derives every device of this one descriptor, exactly\n"
    "as with the master key, and nothing else. When the descriptor has a\n"
    "key-check line the master key is checked against it first.\n"
    "\n"
    "  --descriptor FILE  the descriptor\n"
    "  --key FILE         the master key (hex on one line; - for standard input)\n"
    "  --out FILE         write the batch key to FILE (mode 0600) instead of\n"
    "                     standard output\n"
    "  --force            replace an existing FILE\n";

static const char KEY_CHECK_USAGE[] =
    "usage: dmboot key check --descriptor FILE (--key FILE | --batch-key FILE)\n"
    "\n"
    "Print the key check of a key for a descriptor (8 hex digits) and, when the\n"
    "descriptor has a key-check line, whether it matches. Exit status 1 when it\n"
    "does not match.\n"
    "\n"
    "  --descriptor FILE  the descriptor\n"
    "  --key FILE         the master key (hex on one line; - for standard input)\n"
    "  --batch-key FILE   the descriptor's batch key instead\n";

static const char SIGN_USAGE[] =
    "usage: dmboot sign --descriptor FILE [--key FILE]\n"
    "                   [--signing-key PEM] [--key-check] [--out FILE [--force]]\n"
    "\n"
    "Authenticate a descriptor (docs/authentication.md): with the master key,\n"
    "add or replace its mac line (HMAC-SHA256 under the descriptor MAC key,\n"
    "which comes from the master key: a batch key cannot make it); with a\n"
    "signing key, add or replace its signature line (Ed25519). Both cover the\n"
    "bytes before the first authentication line. The file is updated in place,\n"
    "atomically, unless --out is given. The result is verified before it is\n"
    "written.\n"
    "\n"
    "  --descriptor FILE  the descriptor to sign\n"
    "  --key FILE         the master key (hex on one line; - for standard input)\n"
    "  --signing-key PEM  the issuer's Ed25519 private key (PKCS#8 PEM)\n"
    "  --key-check        also add or update the key-check line for the key; this\n"
    "                     changes the signed bytes, so an existing signature is\n"
    "                     refused unless --signing-key makes a new one\n"
    "  --out FILE         write the signed descriptor to FILE (- for standard\n"
    "                     output) and leave the descriptor as it is\n"
    "  --force            replace an existing --out FILE\n"
    "\n"
    "Without --key-check, a descriptor's key-check is compared with the key\n"
    "first: a wrong key is refused.\n";

#define VERIFY_OPTIONS_HELP                                                          \
    "  --key FILE         the master key: checks key-check and the mac line\n"       \
    "                     (hex on one line; - for standard input)\n"                 \
    "  --batch-key FILE   the descriptor's batch key: checks key-check only (a\n"  \
    "                     batch key cannot check a MAC; it authenticates nothing)\n" \
    "  --keyring DIR      the operator's keyring instead of one key: DIR/<key-id>.key\n" \
    "                     (each private: mode 0600, no symbolic link); the\n"          \
    "                     descriptor's key-id selects its master key, and an\n"       \
    "                     absent or unknown key-id is refused\n"                       \
    "  --trust FILE       the operator's trust file (authentication.md §6): each\n"  \
    "                     issuer's public key, key-ids and DevID ranges; a\n"         \
    "                     descriptor outside its issuer's scope is refused\n"         \
    "  --issuer-key PEM   a trusted issuer public key: checks the signature line;\n" \
    "                     repeat for several issuers (any one may verify)\n"        \
    "  --at TIME          check validity at TIME (YYYY-MM-DD, or RFC 3339 such as\n" \
    "                     2027-01-31T12:00:00Z) instead of now\n"                    \
    "  --allow-unauthenticated  accept it when neither mac nor signature could\n"    \
    "                     be checked (lines that can be checked must still verify)\n" \
    "  --ignore-validity  do not check not-before/not-after\n"                       \
    "  --require-signature, --require-mac  that line must be present and checked\n"

static const char VERIFY_USAGE[] =
    "usage: dmboot verify --descriptor FILE [--key FILE | --batch-key FILE |\n"
    "                     --keyring DIR] [--trust FILE]\n"
    "                     [--issuer-key PEM ...] [--at TIME] [--allow-unauthenticated]\n"
    "                     [--ignore-validity] [--require-signature] [--require-mac]\n"
    "\n"
    "Verify a descriptor and print one line per check, in this order:\n"
    "signature, key-check, mac, validity; each says ok, FAILED: why, or not\n"
    "checked (why). By default a mac or a signature must be present and\n"
    "verify, and the time must be within not-before .. not-after.\n"
    "Exit status 1 on any failure, naming it.\n"
    "\n"
    "  --descriptor FILE  the descriptor\n" VERIFY_OPTIONS_HELP;

static const char REGISTRY_ADD_USAGE[] =
    "usage: dmboot registry add --registry DIR --descriptor FILE [--key FILE |\n"
    "                           --batch-key FILE | --keyring DIR] [--trust FILE]\n"
    "                           [--issuer-key PEM ...]\n"
    "                           [--at TIME]\n"
    "                           [--allow-unauthenticated] [--ignore-validity] ...\n"
    "\n"
    "Verify a descriptor as `dmboot verify` does, then copy it into the registry\n"
    "directory DIR as DIR/<id>.desc (atomically; DIR is created if missing).\n"
    "Refused: a descriptor that does not verify, an id already in the registry,\n"
    "and a devid-match that overlaps another descriptor's (both are named).\n"
    "\n"
    "  --registry DIR     the registry directory (every *.desc file in it)\n"
    "  --descriptor FILE  the descriptor to add\n" VERIFY_OPTIONS_HELP;

static const char REGISTRY_LIST_USAGE[] =
    "usage: dmboot registry list --registry DIR\n"
    "\n"
    "List the registry's descriptors, one tab-separated line each: id,\n"
    "devid-type, devid-match, validity (not-before..not-after) and auth (the\n"
    "authentication lines present: mac+signature, mac, signature or none).\n"
    "Listing does not verify: `registry add` did.\n";

static const char REGISTRY_LOOKUP_USAGE[] =
    "usage: dmboot registry lookup --registry DIR DEVID ...\n"
    "\n"
    "Say which descriptor covers each DevID: the DevID normalized, the\n"
    "descriptor's id and its file. Exit status 1 when some DevID is covered by\n"
    "none.\n";

/* In the order of the work: keys, descriptors, derivation, the server side. */
const cli_command cli_commands[] = {
    {"key", "new", "write a fresh master key", KEY_NEW_USAGE, cmd_key_new},
    {"key", "pair", "make an issuer's Ed25519 signing key pair", KEY_PAIR_USAGE, cmd_key_pair},
    {"key", "batch", "export a descriptor's batch key for a factory", KEY_BATCH_USAGE,
     cmd_key_batch},
    {"key", "check", "compute a key's key check for a descriptor", KEY_CHECK_USAGE,
     cmd_key_check},
    {"sign", NULL, "add a descriptor's mac, signature and key-check lines", SIGN_USAGE,
     cmd_sign},
    {"verify", NULL, "verify a descriptor's authentication and validity", VERIFY_USAGE,
     cmd_verify},
    {"derive", NULL, "derive device accounts (rows or bootstrap documents)", DERIVE_USAGE,
     cmd_derive},
    {"registry", "add", "verify a descriptor and add it to a registry directory",
     REGISTRY_ADD_USAGE, cmd_registry_add},
    {"registry", "list", "list a registry's descriptors", REGISTRY_LIST_USAGE,
     cmd_registry_list},
    {"registry", "lookup", "find the descriptor that covers a DevID", REGISTRY_LOOKUP_USAGE,
     cmd_registry_lookup},
    {"auth", "check", "check a device's first contact (server side)", AUTH_CHECK_USAGE,
     cmd_auth_check},
    {"auth", "basic", "compute a syncml:auth-basic credential", AUTH_COMPUTE_USAGE,
     cmd_auth_compute},
    {"auth", "md5", "compute a syncml:auth-md5 credential", AUTH_COMPUTE_USAGE,
     cmd_auth_compute},
    {"auth", "hmac", "compute an x-syncml-hmac header over a body", AUTH_COMPUTE_USAGE,
     cmd_auth_compute},
    {NULL, NULL, NULL, NULL, NULL},
};

static void print_help(FILE *f)
{
    fprintf(f, "usage: dmboot COMMAND [OPTIONS]\n"
               "       dmboot --help | --version\n"
               "\n"
               "OMA DM factory bootstrap: derive, authenticate and serve DM accounts\n"
               "from a descriptor and a key. This is dmboot %s.\n"
               "\n"
               "commands:\n",
            DMBOOT_VERSION_STRING);
    for (const cli_command *c = cli_commands; c->name != NULL; c++) {
        char words[64];
        snprintf(words, sizeof words, "%s%s%s", c->name, c->sub ? " " : "",
                 c->sub ? c->sub : "");
        fprintf(f, "  %-22s %s\n", words, c->summary);
    }
    fprintf(f, "\n"
               "`dmboot COMMAND --help` describes a command; `dmboot --version` prints\n"
               "the command's and the library's versions. Keys are read from files\n"
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
