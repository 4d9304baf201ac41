/* Computing tests/vectors/derivation.json's outputs with the C library:
 * shared by the generator (tools/gen_derivation.c) and the CMocka test. */
#ifndef DMBOOT_DERIVATION_VECTORS_H
#define DMBOOT_DERIVATION_VECTORS_H

#include <cjson/cJSON.h>

/* A copy of `inputs` with every output filled in from the library, or NULL
 * (after printing why) when the library refuses an input. */
cJSON *derivation_outputs(const cJSON *inputs);

#endif
