/*
 * WBXML coding of SyncML DM messages by libwbxml2, loaded at run time.
 *
 * The core links nothing but libcrypto (a Python wheel must need nothing
 * else), so libwbxml2 is opened with dlopen() the first time a WBXML
 * function is called, once per process (pthread_once), and stays loaded.
 * What that first call finds (the library and its functions, or why it
 * could not be loaded) is written only inside the once-routine and only
 * read afterwards: no unsynchronised mutable state. Loading on every call
 * instead costs about ten times the conversion itself (the library and
 * expat are mapped, relocated and unmapped each time).
 *
 * The prototypes are in wbxml_abi.h, so building needs no libwbxml2-dev.
 */
/* realpath() and S_ISVTX are XSI (POSIX.1-2008 with the X/Open System
 * Interfaces): DMBOOT_WBXML_LIBRARY's checks need them. */
#define _XOPEN_SOURCE 700

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "omadm/omadm.h"
#include "omadm/wbxml_abi.h"
#include "omadm/wbxml_check.h"

typedef struct wbxml_lib {
    dmb_wbxml_errors_string_fn errors_string;
    dmb_wbxml_free_fn free_;
    dmb_wbxml2xml_create_fn to_xml_create;
    dmb_wbxml2xml_set_gen_type_fn to_xml_set_gen_type;
    dmb_wbxml2xml_set_indent_fn to_xml_set_indent;
    dmb_wbxml2xml_run_fn to_xml_run;
    dmb_wbxml2xml_destroy_fn to_xml_destroy;
    dmb_xml2wbxml_create_fn to_wbxml_create;
    dmb_xml2wbxml_set_version_fn to_wbxml_set_version;
    dmb_xml2wbxml_disable_string_table_fn to_wbxml_disable_string_table;
    dmb_xml2wbxml_run_fn to_wbxml_run;
    dmb_xml2wbxml_destroy_fn to_wbxml_destroy;
} wbxml_lib;

/* Written by load_once() only (under pthread_once), read-only after. */
static pthread_once_t wbxml_once = PTHREAD_ONCE_INIT;
static bool wbxml_loaded;
static wbxml_lib wbxml_fns;
static char wbxml_why[DMBOOT_ERROR_MESSAGE_MAX];

/* dlsym returns void *; ISO C has no conversion to a function pointer,
 * POSIX guarantees one: copy the bits. */
static bool sym(void *handle, const char *name, void *fn, size_t fn_size)
{
    void *p = dlsym(handle, name);
    if (p == NULL || fn_size != sizeof p)
        return false;
    memcpy(fn, &p, sizeof p);
    return true;
}

#define SYM(h, field, name) sym((h), name, &wbxml_fns.field, sizeof wbxml_fns.field)

#define INSTALL_HINT "(Debian, Ubuntu: apt-get install libwbxml2-1)"

/* Owned by root or by this user, and writable by nobody else (a group- or
 * world-writable directory only with its sticky bit, as /tmp). */
static bool trusted_node(const struct stat *st, bool dir)
{
    if (st->st_uid != 0 && st->st_uid != geteuid())
        return false;
    if ((st->st_mode & (S_IWGRP | S_IWOTH)) == 0)
        return true;
    return dir && (st->st_mode & S_ISVTX) != 0;
}

/*
 * DMBOOT_WBXML_LIBRARY names code to run in this process (a DM server's,
 * which decodes what any device sends): it is a trusted setting, like
 * LD_LIBRARY_PATH, and is taken only as an absolute path to a regular file
 * that the file system keeps to root or this user: the file and every
 * directory above it (symbolic links resolved) owned by root or this user
 * and not writable by group or others (a directory with the sticky bit
 * excepted). In a set-user-ID or set-group-ID process it is ignored. On
 * success resolved holds the path to load; otherwise wbxml_why says why.
 */
static bool library_path_ok(const char *name, char resolved[PATH_MAX])
{
    if (name[0] != '/') {
        snprintf(wbxml_why, sizeof wbxml_why,
                 "DMBOOT_WBXML_LIBRARY=%.60s is refused: it must be an absolute path (a trusted "
                 "setting); unset it to load %s " INSTALL_HINT,
                 name, DMBOOT_WBXML_LIBRARY);
        return false;
    }
    if (realpath(name, resolved) == NULL) {
        char eb[128];
        snprintf(wbxml_why, sizeof wbxml_why,
                 "WBXML needs %.60s (DMBOOT_WBXML_LIBRARY), which could not be loaded: %.40s; "
                 "unset it to load %s " INSTALL_HINT,
                 name, dmb_strerrno(errno, eb), DMBOOT_WBXML_LIBRARY);
        return false;
    }
    struct stat st;
    if (stat(resolved, &st) != 0 || !S_ISREG(st.st_mode) || !trusted_node(&st, false)) {
        snprintf(wbxml_why, sizeof wbxml_why,
                 "DMBOOT_WBXML_LIBRARY=%.60s is refused: %.60s is not a regular file owned by "
                 "root or this user and writable by them alone " INSTALL_HINT,
                 name, resolved);
        return false;
    }
    char dir[PATH_MAX];
    memcpy(dir, resolved, strlen(resolved) + 1);
    for (;;) {
        char *slash = strrchr(dir, '/');
        if (slash == NULL)
            break;
        if (slash == dir)
            slash[1] = '\0'; /* "/" */
        else
            *slash = '\0';
        if (stat(dir, &st) != 0 || !trusted_node(&st, true)) {
            snprintf(wbxml_why, sizeof wbxml_why,
                     "DMBOOT_WBXML_LIBRARY=%.60s is refused: directory %.60s is not owned by "
                     "root or this user, or others may write to it " INSTALL_HINT,
                     name, dir);
            return false;
        }
        if (slash == dir)
            break;
    }
    return true;
}

static void load_once(void)
{
    /* DMBOOT_WBXML_LIBRARY: another file to load (unusual installs, and the
     * tests of the missing-library path); read once, at first use, and
     * only as library_path_ok() allows. */
    const char *name = getenv("DMBOOT_WBXML_LIBRARY");
    if (getuid() != geteuid() || getgid() != getegid())
        name = NULL;
    char resolved[PATH_MAX];
    const char *file = DMBOOT_WBXML_LIBRARY;
    if (name == NULL || *name == '\0') {
        name = DMBOOT_WBXML_LIBRARY;
    } else {
        if (!library_path_ok(name, resolved))
            return;
        file = resolved;
    }
    void *handle = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        snprintf(wbxml_why, sizeof wbxml_why,
                 "WBXML needs %s (libwbxml2), which could not be loaded; install it "
                 "(Debian, Ubuntu: apt-get install libwbxml2-1)",
                 name);
        return;
    }
    bool ok = SYM(handle, errors_string, "wbxml_errors_string") &&
              SYM(handle, free_, "wbxml_free") &&
              SYM(handle, to_xml_create, "wbxml_conv_wbxml2xml_create") &&
              SYM(handle, to_xml_set_gen_type, "wbxml_conv_wbxml2xml_set_gen_type") &&
              SYM(handle, to_xml_set_indent, "wbxml_conv_wbxml2xml_set_indent") &&
              SYM(handle, to_xml_run, "wbxml_conv_wbxml2xml_run") &&
              SYM(handle, to_xml_destroy, "wbxml_conv_wbxml2xml_destroy") &&
              SYM(handle, to_wbxml_create, "wbxml_conv_xml2wbxml_create") &&
              SYM(handle, to_wbxml_set_version, "wbxml_conv_xml2wbxml_set_version") &&
              SYM(handle, to_wbxml_disable_string_table,
                  "wbxml_conv_xml2wbxml_disable_string_table") &&
              SYM(handle, to_wbxml_run, "wbxml_conv_xml2wbxml_run") &&
              SYM(handle, to_wbxml_destroy, "wbxml_conv_xml2wbxml_destroy");
    if (!ok) {
        memset(&wbxml_fns, 0, sizeof wbxml_fns);
        dlclose(handle);
        snprintf(wbxml_why, sizeof wbxml_why,
                 "%s is not a libwbxml2 with the conversion API (0.11 or later); install "
                 "libwbxml2 (Debian, Ubuntu: apt-get install libwbxml2-1)",
                 name);
        return;
    }
    /* The handle is never closed: the functions stay valid for the process. */
    wbxml_loaded = true;
}

static const wbxml_lib *lib_get(dmboot_error *err)
{
    if (pthread_once(&wbxml_once, load_once) != 0) {
        dmb_fail(err, DMBOOT_ERR_UNSUPPORTED, 0, "WBXML: the library could not be initialized");
        return NULL;
    }
    if (!wbxml_loaded) {
        dmb_fail(err, DMBOOT_ERR_UNSUPPORTED, 0, "%s", wbxml_why);
        return NULL;
    }
    return &wbxml_fns;
}

int dmboot_wbxml_available(void)
{
    return lib_get(NULL) != NULL;
}

void dmboot_free(void *p, size_t len)
{
    if (p == NULL)
        return;
    OPENSSL_cleanse(p, len);
    free(p);
}

/* Move the library's output into a buffer of ours (plus a NUL), then wipe
 * and release the library's with its own free. */
static dmboot_status deliver(const wbxml_lib *lib, unsigned char *data, unsigned int len,
                             uint8_t **out, size_t *out_len, dmboot_error *err)
{
    dmboot_status st = DMBOOT_OK;
    uint8_t *copy = malloc((size_t)len + 1);
    if (copy == NULL) {
        st = dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory (%u bytes)", len);
    } else {
        if (len > 0)
            memcpy(copy, data, len);
        copy[len] = 0;
        *out = copy;
        *out_len = len;
    }
    if (data != NULL) {
        OPENSSL_cleanse(data, len);
        lib->free_(data);
    }
    return st;
}

static dmboot_status conv_failed(const wbxml_lib *lib, dmb_wbxml_error code, const char *what,
                                 dmboot_error *err)
{
    const unsigned char *why = lib->errors_string(code);
    return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0, "%s: libwbxml2 error %u: %s", what, code,
                    why != NULL ? (const char *)why : "unknown");
}

dmboot_status dmboot_wbxml_to_xml(const uint8_t *wbxml, size_t wbxml_len, char **xml_out,
                                  size_t *xml_out_len, dmboot_error *err)
{
    if (xml_out != NULL)
        *xml_out = NULL;
    if (xml_out_len != NULL)
        *xml_out_len = 0;
    if (wbxml == NULL || xml_out == NULL || xml_out_len == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if (wbxml_len == 0)
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0, "WBXML to XML: the message is empty");
    if (wbxml_len > UINT32_MAX)
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0,
                        "WBXML to XML: a message of %zu bytes is too long", wbxml_len);
    const wbxml_lib *lib = lib_get(err);
    if (lib == NULL)
        return DMBOOT_ERR_UNSUPPORTED;
    /* libwbxml2 0.11.8 can crash on malformed input: only a well-formed
     * SyncML message goes on (wbxml_check.c) */
    dmboot_status st = dmb_wbxml_check(wbxml, wbxml_len, err);
    if (st != DMBOOT_OK)
        return st;

    struct WBXMLConvWBXML2XML_s *conv = NULL;
    unsigned char *xml = NULL;
    unsigned int xml_len = 0;
    dmb_wbxml_error rc = lib->to_xml_create(&conv);
    if (rc == DMB_WBXML_OK) {
        lib->to_xml_set_gen_type(conv, DMB_WBXML_GEN_XML_COMPACT);
        lib->to_xml_set_indent(conv, 0);
        /* the library takes a non-const pointer; it does not write to it */
        rc = lib->to_xml_run(conv, (unsigned char *)(uintptr_t)wbxml, (unsigned int)wbxml_len,
                             &xml, &xml_len);
        lib->to_xml_destroy(conv);
    }
    if (rc != DMB_WBXML_OK) {
        st = conv_failed(lib, rc, "WBXML to XML", err);
        if (xml != NULL)
            lib->free_(xml);
    } else {
        uint8_t *text = NULL;
        st = deliver(lib, xml, xml_len, &text, xml_out_len, err);
        *xml_out = (char *)text;
    }
    if (st == DMBOOT_OK)
        dmb_ok(err);
    return st;
}

dmboot_status dmboot_xml_to_wbxml(const char *xml, size_t xml_len, uint8_t **wbxml_out,
                                  size_t *wbxml_out_len, dmboot_error *err)
{
    if (wbxml_out != NULL)
        *wbxml_out = NULL;
    if (wbxml_out_len != NULL)
        *wbxml_out_len = 0;
    if (xml == NULL || wbxml_out == NULL || wbxml_out_len == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if (xml_len == 0)
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0, "XML to WBXML: the message is empty");
    if (xml_len > UINT32_MAX)
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0,
                        "XML to WBXML: a message of %zu bytes is too long", xml_len);
    const wbxml_lib *lib = lib_get(err);
    if (lib == NULL)
        return DMBOOT_ERR_UNSUPPORTED;

    struct WBXMLConvXML2WBXML_s *conv = NULL;
    unsigned char *wbxml = NULL;
    unsigned int wbxml_len = 0;
    dmb_wbxml_error rc = lib->to_wbxml_create(&conv);
    if (rc == DMB_WBXML_OK) {
        /* WBXML 1.2 with the numeric public id and inline strings: what
         * every SyncML DM client reads (docs/omadm.md §7) */
        lib->to_wbxml_set_version(conv, DMB_WBXML_VERSION_12);
        lib->to_wbxml_disable_string_table(conv);
        rc = lib->to_wbxml_run(conv, (unsigned char *)(uintptr_t)xml, (unsigned int)xml_len,
                               &wbxml, &wbxml_len);
        lib->to_wbxml_destroy(conv);
    }
    dmboot_status st;
    if (rc != DMB_WBXML_OK) {
        st = conv_failed(lib, rc, "XML to WBXML", err);
        if (wbxml != NULL)
            lib->free_(wbxml);
    } else {
        st = deliver(lib, wbxml, wbxml_len, wbxml_out, wbxml_out_len, err);
    }
    if (st == DMBOOT_OK)
        dmb_ok(err);
    return st;
}
