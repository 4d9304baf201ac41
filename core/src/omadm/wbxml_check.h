/* The structural check of a WBXML message done before libwbxml2 decodes
 * it (wbxml_check.c). */
#ifndef DMBOOT_WBXML_CHECK_H
#define DMBOOT_WBXML_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "omadm/omadm.h"

/* DMBOOT_OK when wbxml is a WBXML SyncML 1.1/1.2 message made only of what
 * such a message holds (and its embedded documents DevInf or DM DDF ones);
 * otherwise DMBOOT_ERR_SYNTAX naming the byte offset and the problem. */
dmboot_status dmb_wbxml_check(const uint8_t *wbxml, size_t len, dmboot_error *err);

#endif
