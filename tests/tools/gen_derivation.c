/* Fill in the outputs of tests/vectors/derivation.json from the library:
 *   gen_derivation FILE    (rewrites FILE in place)
 * The independent check is tests/tools/check_vectors.py. */
#include <stdio.h>
#include <stdlib.h>

#include "derivation_vectors.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_derivation FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    static char buf[4 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    cJSON *in = cJSON_Parse(buf);
    if (in == NULL) {
        fprintf(stderr, "%s: not JSON\n", argv[1]);
        return 1;
    }
    cJSON *out = derivation_outputs(in);
    if (out == NULL)
        return 1;
    char *text = cJSON_Print(out);
    f = fopen(argv[1], "wb");
    if (f == NULL || fputs(text, f) < 0 || fputc('\n', f) < 0 || fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    free(text);
    cJSON_Delete(out);
    cJSON_Delete(in);
    return 0;
}
