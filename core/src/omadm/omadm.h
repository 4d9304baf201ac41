/* Private umbrella of the OMA DM layer (its own helpers have their own
 * headers beside this one). Not installed. */
#ifndef DMB_OMADM_H
#define DMB_OMADM_H

#include "auth/auth.h"
#include "dmboot/omadm.h"

#endif
