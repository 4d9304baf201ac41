/* DevID normalization: placeholder until the parser lands. */
#include "internal.h"

dmboot_status dmb_devid_normalize(dmb_devid_type type, const char *in, size_t len,
                                  char out[DMBOOT_DEVID_MAX + 1], size_t *out_len,
                                  dmboot_error *err)
{
    (void)type;
    (void)in;
    (void)len;
    (void)out;
    (void)out_len;
    return dmb_fail(err, DMBOOT_ERR_UNSUPPORTED, 0, "not implemented yet");
}

size_t dmb_devid_prefix_len(dmb_devid_type t)
{
    (void)t;
    return 0;
}
