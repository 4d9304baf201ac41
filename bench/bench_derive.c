/*
 * Devices derived per second on one core for a typical descriptor (four
 * derived fields), next to the raw OpenSSL HMAC-SHA256 rate measured in the
 * same run. A program that prints figures, not a test.
 *
 *   bench_derive [SECONDS]    (default 2 seconds per measurement)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "dmboot.h"

static const char DESCRIPTOR[] =
    "dmboot-descriptor: 1\n"
    "id: bench-2026w48\n"
    "issuer: Bench Devices Ltd\n"
    "devid-type: imei\n"
    "devid-match: IMEI:35*\n"
    "kdf: %s\n"
    "server-id: dm.operator.example\n"
    "server-addr: https://dm.operator.example/oma-dm\n"
    "name: devid\n"
    "client-secret: derive bytes 16 base64url\n"
    "server-secret: derive chars 20 alnum\n"
    "client-nonce: derive bytes 16\n"
    "server-nonce: derive bytes 16\n";

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* IMEI 35xxxxxxxxxxxxC for serial i, with its Luhn check digit. */
static void imei_for(unsigned long i, char out[16])
{
    snprintf(out, 16, "35%012lu", i % 1000000000000UL);
    int sum = 0;
    for (int k = 0; k < 14; k++) {
        int d = out[13 - k] - '0';
        if (k % 2 == 0) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    out[14] = (char)('0' + (10 - sum % 10) % 10);
    out[15] = '\0';
}

static double bench_devices(const char *kdf, double seconds)
{
    char text[sizeof DESCRIPTOR + 32];
    snprintf(text, sizeof text, DESCRIPTOR, kdf);
    uint8_t key[32];
    memset(key, 0x42, sizeof key);
    dmboot_descriptor *d = NULL;
    dmboot_deriver *dv = NULL;
    dmboot_account *acc = NULL;
    dmboot_error err;
    if (dmboot_descriptor_parse(text, strlen(text), &d, &err) != DMBOOT_OK ||
        dmboot_deriver_new(d, key, sizeof key, DMBOOT_KEY_MASTER, &dv, &err) != DMBOOT_OK ||
        dmboot_account_new(&acc, &err) != DMBOOT_OK) {
        fprintf(stderr, "bench_derive: %s\n", err.message);
        exit(1);
    }
    char imei[16];
    unsigned long n = 0;
    double start = now(), t;
    do {
        for (int k = 0; k < 1000; k++, n++) {
            imei_for(n, imei);
            if (dmboot_derive(dv, imei, 15, acc, &err) != DMBOOT_OK) {
                fprintf(stderr, "bench_derive: %s\n", err.message);
                exit(1);
            }
        }
        t = now() - start;
    } while (t < seconds);
    dmboot_account_free(acc);
    dmboot_deriver_free(dv);
    dmboot_descriptor_free(d);
    return (double)n / t;
}

/* HMAC-SHA256 of a 64-byte message: one-shot HMAC(), and on a keyed
 * EVP_MAC context restarted per message (what the field streams do). */
static double bench_hmac(int reuse, double seconds)
{
    uint8_t key[32], msg[64], out[32];
    memset(key, 1, sizeof key);
    memset(msg, 2, sizeof msg);
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    char digest[] = "SHA256";
    OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0), OSSL_PARAM_END};
    EVP_MAC_init(ctx, key, sizeof key, p);
    unsigned long n = 0;
    double start = now(), t;
    do {
        for (int k = 0; k < 10000; k++, n++) {
            size_t len;
            unsigned int ulen;
            if (reuse) {
                EVP_MAC_init(ctx, NULL, 0, NULL);
                EVP_MAC_update(ctx, msg, sizeof msg);
                EVP_MAC_final(ctx, out, &len, sizeof out);
            } else {
                HMAC(EVP_sha256(), key, sizeof key, msg, sizeof msg, out, &ulen);
            }
        }
        t = now() - start;
    } while (t < seconds);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return (double)n / t;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    if (seconds <= 0)
        seconds = 2.0;
    printf("dmboot %s, %s, one core, %.1f s per figure\n", dmboot_version(),
           OpenSSL_version(OPENSSL_VERSION), seconds);
    double oneshot = bench_hmac(0, seconds);
    double reused = bench_hmac(1, seconds);
    printf("  OpenSSL HMAC-SHA256, one-shot HMAC()        %12.0f /s\n", oneshot);
    printf("  OpenSSL HMAC-SHA256, reused EVP_MAC context %12.0f /s\n", reused);
    static const char *const kdfs[] = {"hkdf-sha256", "kbkdf-hmac-sha256"};
    for (int i = 0; i < 2; i++) {
        double dev = bench_devices(kdfs[i], seconds);
        printf("  devices (%-17s, 4 derived fields)  %12.0f /s  = %.2f us/device, "
               "%.1f reused-HMAC times, %.1f one-shot-HMAC times\n",
               kdfs[i], dev, 1e6 / dev, reused / dev, oneshot / dev);
    }
    printf("  (a year of a factory making 10 million devices: %.1f s on one core)\n",
           1e7 / bench_devices(kdfs[0], seconds / 2));
    return 0;
}
