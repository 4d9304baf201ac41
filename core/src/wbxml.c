/*
 * WBXML coding of SyncML DM messages by libwbxml2, loaded at run time.
 *
 * The core links nothing but libcrypto (a Python wheel must need nothing
 * else), so libwbxml2 is opened with dlopen() on each call and closed
 * after: no global state, and the library's own reference count makes the
 * repeat opens cheap. The few prototypes used are declared here from the
 * library's public header (libwbxml-1.0/wbxml/wbxml_conv.h, 0.11), so
 * building needs no libwbxml2-dev either.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "internal.h"

/* wbxml_conv.h: WB_UTINY is unsigned char, WB_ULONG unsigned int, the
 * enums int-sized; WBXML_OK is 0. */
typedef int (*conv_create_fn)(void **conv);
typedef void (*conv_destroy_fn)(void *conv);
typedef int (*conv_run_fn)(void *conv, unsigned char *in, unsigned int in_len,
                           unsigned char **out, unsigned int *out_len);
typedef void (*conv_set_int_fn)(void *conv, int value);
typedef void (*conv_set_byte_fn)(void *conv, unsigned char value);
typedef void (*conv_flag_fn)(void *conv);
typedef const unsigned char *(*errors_string_fn)(int error);
typedef void (*wbxml_free_fn)(void *p);

enum { WBXML_GEN_XML_COMPACT = 0, WBXML_VERSION_12 = 0x02 };

typedef struct wbxml_lib {
    void *handle;
    errors_string_fn errors_string;
    wbxml_free_fn free_;
    conv_create_fn to_xml_create, to_wbxml_create;
    conv_destroy_fn to_xml_destroy, to_wbxml_destroy;
    conv_run_fn to_xml_run, to_wbxml_run;
    conv_set_int_fn to_xml_set_gen_type, to_wbxml_set_version;
    conv_set_byte_fn to_xml_set_indent;
    conv_flag_fn to_wbxml_disable_string_table;
} wbxml_lib;

static const char *library_name(void)
{
    /* For tests and unusual installs; the default is Debian's soname. */
    const char *name = getenv("DMBOOT_WBXML_LIBRARY");
    return name != NULL && *name != '\0' ? name : DMBOOT_WBXML_LIBRARY;
}

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

#define SYM(lib, field, name) sym((lib)->handle, name, &(lib)->field, sizeof (lib)->field)

static dmboot_status lib_open(wbxml_lib *lib, dmboot_error *err)
{
    memset(lib, 0, sizeof *lib);
    const char *name = library_name();
    lib->handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (lib->handle == NULL)
        return dmb_fail(err, DMBOOT_ERR_UNSUPPORTED, 0,
                        "WBXML needs %s, which could not be loaded (Debian: apt-get install "
                        "libwbxml2-1)",
                        name);
    bool ok = SYM(lib, errors_string, "wbxml_errors_string") &&
              SYM(lib, free_, "wbxml_free") &&
              SYM(lib, to_xml_create, "wbxml_conv_wbxml2xml_create") &&
              SYM(lib, to_xml_destroy, "wbxml_conv_wbxml2xml_destroy") &&
              SYM(lib, to_xml_run, "wbxml_conv_wbxml2xml_run") &&
              SYM(lib, to_xml_set_gen_type, "wbxml_conv_wbxml2xml_set_gen_type") &&
              SYM(lib, to_xml_set_indent, "wbxml_conv_wbxml2xml_set_indent") &&
              SYM(lib, to_wbxml_create, "wbxml_conv_xml2wbxml_create") &&
              SYM(lib, to_wbxml_destroy, "wbxml_conv_xml2wbxml_destroy") &&
              SYM(lib, to_wbxml_run, "wbxml_conv_xml2wbxml_run") &&
              SYM(lib, to_wbxml_set_version, "wbxml_conv_xml2wbxml_set_version") &&
              SYM(lib, to_wbxml_disable_string_table, "wbxml_conv_xml2wbxml_disable_string_table");
    if (!ok) {
        dlclose(lib->handle);
        lib->handle = NULL;
        return dmb_fail(err, DMBOOT_ERR_UNSUPPORTED, 0,
                        "%s is not a libwbxml2 with the conversion API (0.11 or later)", name);
    }
    return DMBOOT_OK;
}

static void lib_close(wbxml_lib *lib)
{
    if (lib->handle != NULL)
        dlclose(lib->handle);
    lib->handle = NULL;
}

int dmboot_wbxml_available(void)
{
    wbxml_lib lib;
    if (lib_open(&lib, NULL) != DMBOOT_OK)
        return 0;
    lib_close(&lib);
    return 1;
}

/* Copy the library's output into the caller's buffer (plus a NUL), then
 * release it with the library's own free. */
static dmboot_status deliver(wbxml_lib *lib, unsigned char *data, unsigned int len,
                             uint8_t *out, size_t out_cap, size_t *out_len, dmboot_error *err)
{
    *out_len = len;
    dmboot_status st = DMBOOT_OK;
    if ((size_t)len + 1 > out_cap)
        st = dmb_fail(err, DMBOOT_ERR_BUFFER_TOO_SMALL, 0,
                      "the converted message needs %u bytes and a NUL", len);
    else {
        memcpy(out, data, len);
        out[len] = 0;
    }
    lib->free_(data);
    return st;
}

static dmboot_status conv_failed(wbxml_lib *lib, int code, const char *what, dmboot_error *err)
{
    const unsigned char *why = lib->errors_string(code);
    return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0, "%s: libwbxml2 error %d: %s", what, code,
                    why != NULL ? (const char *)why : "unknown");
}

dmboot_status dmboot_wbxml_to_xml(const uint8_t *wbxml, size_t wbxml_len, char *out,
                                  size_t out_cap, size_t *out_len, dmboot_error *err)
{
    if (wbxml == NULL || out_len == NULL || (out == NULL && out_cap != 0))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if (wbxml_len == 0 || wbxml_len > UINT32_MAX)
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0, "a WBXML message of %zu bytes", wbxml_len);
    wbxml_lib lib;
    dmboot_status st = lib_open(&lib, err);
    if (st != DMBOOT_OK)
        return st;
    void *conv = NULL;
    unsigned char *xml = NULL;
    unsigned int xml_len = 0;
    int rc = lib.to_xml_create(&conv);
    if (rc == 0) {
        lib.to_xml_set_gen_type(conv, WBXML_GEN_XML_COMPACT);
        lib.to_xml_set_indent(conv, 0);
        /* the library takes a non-const pointer; it does not write to it */
        rc = lib.to_xml_run(conv, (unsigned char *)(uintptr_t)wbxml, (unsigned int)wbxml_len,
                            &xml, &xml_len);
        lib.to_xml_destroy(conv);
    }
    if (rc != 0) {
        st = conv_failed(&lib, rc, "WBXML to XML", err);
        if (xml != NULL)
            lib.free_(xml);
    } else {
        st = deliver(&lib, xml, xml_len, (uint8_t *)out, out_cap, out_len, err);
    }
    lib_close(&lib);
    if (st == DMBOOT_OK)
        dmb_ok(err);
    return st;
}

dmboot_status dmboot_xml_to_wbxml(const char *xml, size_t xml_len, uint8_t *out,
                                  size_t out_cap, size_t *out_len, dmboot_error *err)
{
    if (xml == NULL || out_len == NULL || (out == NULL && out_cap != 0))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if (xml_len == 0 || xml_len > UINT32_MAX)
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0, "an XML message of %zu bytes", xml_len);
    wbxml_lib lib;
    dmboot_status st = lib_open(&lib, err);
    if (st != DMBOOT_OK)
        return st;
    void *conv = NULL;
    unsigned char *wbxml = NULL;
    unsigned int wbxml_len = 0;
    int rc = lib.to_wbxml_create(&conv);
    if (rc == 0) {
        /* WBXML 1.2 and inline strings: what SyncML DM clients read */
        lib.to_wbxml_set_version(conv, WBXML_VERSION_12);
        lib.to_wbxml_disable_string_table(conv);
        rc = lib.to_wbxml_run(conv, (unsigned char *)(uintptr_t)xml, (unsigned int)xml_len,
                              &wbxml, &wbxml_len);
        lib.to_wbxml_destroy(conv);
    }
    if (rc != 0) {
        st = conv_failed(&lib, rc, "XML to WBXML", err);
        if (wbxml != NULL)
            lib.free_(wbxml);
    } else {
        st = deliver(&lib, wbxml, wbxml_len, out, out_cap, out_len, err);
    }
    lib_close(&lib);
    if (st == DMBOOT_OK)
        dmb_ok(err);
    return st;
}
