/* Descriptor parser: placeholder until the parser lands. */
#include <stdlib.h>

#include "internal.h"

dmboot_status dmboot_descriptor_parse(const char *text, size_t text_len,
                                      dmboot_descriptor **out, dmboot_error *err)
{
    (void)text;
    (void)text_len;
    (void)out;
    return dmb_fail(err, DMBOOT_ERR_UNSUPPORTED, 0, "not implemented yet");
}

void dmboot_descriptor_free(dmboot_descriptor *d)
{
    free(d);
}

bool dmb_descriptor_covers(const dmboot_descriptor *d, const char *devid, size_t len)
{
    (void)d;
    (void)devid;
    (void)len;
    return false;
}

dmboot_status dmboot_descriptor_load(const char *path, dmboot_descriptor **out,
                                     dmboot_error *err)
{
    (void)path;
    (void)out;
    return dmb_fail(err, DMBOOT_ERR_UNSUPPORTED, 0, "not implemented yet");
}
