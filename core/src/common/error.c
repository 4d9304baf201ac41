/* Status codes, their descriptions, and the caller-owned error detail. */
#include <stdio.h>
#include <string.h>

#include "common/common.h"

const char *dmboot_version(void)
{
    return DMBOOT_VERSION_STRING;
}

const char *dmboot_strerror(dmboot_status status)
{
    switch (status) {
    case DMBOOT_OK: return "success";
    case DMBOOT_ERR_INVALID_ARGUMENT: return "invalid argument";
    case DMBOOT_ERR_NO_MEMORY: return "out of memory";
    case DMBOOT_ERR_IO: return "input/output error";
    case DMBOOT_ERR_DESCRIPTOR: return "invalid descriptor";
    case DMBOOT_ERR_DEVID: return "invalid DevID";
    case DMBOOT_ERR_NOT_COVERED: return "DevID not covered by the descriptor";
    case DMBOOT_ERR_KEY: return "invalid key";
    case DMBOOT_ERR_KEY_MISMATCH: return "wrong key (key check mismatch)";
    case DMBOOT_ERR_BAD_MAC: return "descriptor MAC does not verify";
    case DMBOOT_ERR_BAD_SIGNATURE: return "descriptor signature does not verify";
    case DMBOOT_ERR_UNAUTHENTICATED: return "descriptor is not authenticated";
    case DMBOOT_ERR_NOT_VALID_NOW: return "descriptor is outside its validity period";
    case DMBOOT_ERR_OVERLAP: return "descriptors overlap";
    case DMBOOT_ERR_NOT_FOUND: return "no descriptor covers the DevID";
    case DMBOOT_ERR_AUTH_FAILED: return "authentication failed";
    case DMBOOT_ERR_SYNTAX: return "syntax error";
    case DMBOOT_ERR_BUFFER_TOO_SMALL: return "output buffer too small";
    case DMBOOT_ERR_UNSUPPORTED: return "not supported";
    case DMBOOT_ERR_CRYPTO: return "cryptographic library error";
    case DMBOOT_ERR_UNKNOWN_KEY: return "no key for the descriptor's key-id";
    case DMBOOT_ERR_SCOPE: return "descriptor outside its issuer's scope";
    }
    return "unknown status";
}

void dmb_vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
    /* The formats are checked at each caller (DMBOOT_PRINTF). */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
    vsnprintf(buf, cap, fmt, ap);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
}

dmboot_status dmb_fail(dmboot_error *err, dmboot_status status, size_t line,
                       const char *fmt, ...)
{
    if (err == NULL)
        return status;
    err->status = status;
    err->line = line;
    size_t off = 0;
    if (line != 0) {
        int n = snprintf(err->message, sizeof err->message, "line %zu: ", line);
        off = n > 0 ? (size_t)n : 0;
    }
    va_list ap;
    va_start(ap, fmt);
    dmb_vformat(err->message + off, sizeof err->message - off, fmt, ap);
    va_end(ap);
    return status;
}

void dmb_ok(dmboot_error *err)
{
    if (err == NULL)
        return;
    err->status = DMBOOT_OK;
    err->line = 0;
    err->message[0] = '\0';
}
