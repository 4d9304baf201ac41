/* The server's first-contact check: a SyncML DM package whose credential
 * was made with a derived client secret is accepted with only the
 * descriptor and the key; changing the body, the nonce, the DevID or one
 * character of the secret makes it fail, each with its reason. Also the
 * bootstrap documents' bounds and the file names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omadm/omadm.h"
#include "omadm/xml_writer.h"
#include "test_util.h"

static const uint8_t KEY[32] = {0x5f, 0x1c, 0x0a, 0x7e, 0x3b, 0x9d, 0x24, 0x68, 0xac, 0xe0, 0x13,
                                0x57, 0x9b, 0xdf, 0x02, 0x46, 0x8a, 0xce, 0x13, 0x57, 0x9b, 0xdf,
                                0x02, 0x46, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};

#define DESC_HEAD                                                                              \
    "dmboot-descriptor: 1\n"                                                                   \
    "id: server-test-1\n"                                                                      \
    "issuer: Test\n"                                                                           \
    "devid-type: imei\n"                                                                       \
    "devid-match: IMEI:35209911*\n"                                                            \
    "server-id: dm.operator.example\n"                                                         \
    "server-name: Operator DM\n"                                                               \
    "server-addr: https://dm.operator.example/oma-dm\n"
#define DESC_FIELDS                                                                            \
    "name: devid\n"                                                                            \
    "client-secret: derive bytes 16 base64url\n"                                               \
    "server-secret: derive chars 20 alnum\n"                                                   \
    "client-nonce: derive bytes 16\n"                                                          \
    "server-nonce: derive bytes 16\n"

static const char DEVID[] = "IMEI:352099110000003";
static const char OTHER_DEVID[] = "IMEI:352099110079197"; /* covered too */

static dmboot_descriptor *load(const char *text)
{
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    if (dmboot_descriptor_parse(text, strlen(text), &d, &err) != DMBOOT_OK)
        fail_msg("descriptor: %s", err.message);
    return d;
}

static dmboot_account *derive(const dmboot_descriptor *d, const char *devid)
{
    dmboot_deriver *dv = NULL;
    dmboot_account *acc = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_deriver_new(d, KEY, sizeof KEY, DMBOOT_KEY_MASTER, &dv, &err),
                     DMBOOT_OK);
    assert_int_equal(dmboot_account_new(&acc, NULL), DMBOOT_OK);
    if (dmboot_derive(dv, devid, strlen(devid), acc, &err) != DMBOOT_OK)
        fail_msg("derive %s: %s", devid, err.message);
    dmboot_deriver_free(dv);
    return acc;
}

static const char *field(const dmboot_account *acc, dmboot_field f, size_t *len)
{
    const uint8_t *v = NULL;
    assert_true(dmboot_account_get(acc, f, &v, len));
    return (const char *)v;
}

/* A client's package 1 with a Cred (or none when cred_type is NULL). */
static char *package(const char *devid, const char *loc_name, const char *cred_type,
                     const char *cred_data, const char *format)
{
    char *m = malloc(8192);
    assert_non_null(m);
    int n = snprintf(m, 8192,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<SyncML xmlns='SYNCML:SYNCML1.2'>\n<SyncHdr>\n"
                     "<VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>\n"
                     "<SessionID>4F</SessionID><MsgID>1</MsgID>\n"
                     "<Target><LocURI>https://dm.operator.example/oma-dm</LocURI></Target>\n"
                     "<Source><LocURI>%s</LocURI>%s%s%s</Source>\n",
                     devid, loc_name ? "<LocName>" : "", loc_name ? loc_name : "",
                     loc_name ? "</LocName>" : "");
    if (cred_type != NULL)
        n += snprintf(m + n, 8192 - (size_t)n,
                      "<Cred><Meta><Type xmlns='syncml:metinf'>%s</Type>"
                      "<Format xmlns='syncml:metinf'>%s</Format></Meta>"
                      "<Data>%s</Data></Cred>\n",
                      cred_type, format ? format : "b64", cred_data);
    snprintf(m + n, 8192 - (size_t)n,
             "<Meta><MaxMsgSize xmlns='syncml:metinf'>20000</MaxMsgSize></Meta>\n"
             "</SyncHdr>\n<SyncBody>\n"
             "<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>\n"
             "<Replace><CmdID>2</CmdID><Item><Source><LocURI>./DevInfo/DevId</LocURI></Source>"
             "<Data>%s</Data></Item></Replace>\n"
             "<Final/>\n</SyncBody>\n</SyncML>\n",
             devid);
    return m;
}

/* md5 credential of an account, with a secret and a nonce that may be
 * changed by the caller. */
static void md5_of(const dmboot_account *acc, const char *secret, size_t secret_len,
                   const uint8_t *nonce, size_t nonce_len, char out[32])
{
    size_t name_len, n;
    const char *name = field(acc, DMBOOT_FIELD_NAME, &name_len);
    assert_int_equal(dmboot_auth_md5(name, name_len, secret, secret_len, nonce, nonce_len, out,
                                     32, &n, NULL),
                     DMBOOT_OK);
}

static dmboot_status check_msg(const dmboot_descriptor *d, const char *msg, const char *hmac,
                               const uint8_t *nonce, size_t nonce_len, dmboot_check_result *r,
                               dmboot_error *err)
{
    return dmboot_server_check_message(d, KEY, sizeof KEY, DMBOOT_KEY_MASTER, msg, strlen(msg),
                                       hmac, hmac ? strlen(hmac) : 0, nonce, nonce_len, r, err);
}

static void expect(dmboot_status st, const dmboot_check_result *r, const dmboot_error *err,
                   dmboot_status want_st, dmboot_check_reason want, const char *text)
{
    if (st != want_st || dmboot_check_result_reason(r) != want)
        fail_msg("status %d reason %s, want %d %s: %s", st,
                 dmboot_check_reason_name(dmboot_check_result_reason(r)), want_st,
                 dmboot_check_reason_name(want), dmboot_check_result_message(r));
    if (strstr(dmboot_check_result_message(r), text) == NULL)
        fail_msg("message '%s' lacks '%s'", dmboot_check_result_message(r), text);
    if (want_st != DMBOOT_OK && strcmp(err->message, dmboot_check_result_message(r)) != 0)
        fail_msg("err '%s' differs from the result '%s'", err->message,
                 dmboot_check_result_message(r));
    if (want != DMBOOT_CHECK_OK) {
        char c[DMBOOT_CRED_MAX + 1];
        size_t cn = 0;
        assert_null(dmboot_check_result_account(r));
        assert_null(dmboot_check_result_server_cred_type(r));
        assert_int_equal(dmboot_check_result_server_cred(r, NULL, 0, c, sizeof c, &cn, NULL),
                         DMBOOT_ERR_INVALID_ARGUMENT);
    }
}

static void test_md5_first_contact(void **state)
{
    (void)state;
    dmboot_descriptor *d = load(DESC_HEAD DESC_FIELDS);
    dmboot_account *acc = derive(d, DEVID); /* the factory's side */
    size_t secret_len, cn_len;
    const char *secret = field(acc, DMBOOT_FIELD_CLIENT_SECRET, &secret_len);
    const uint8_t *cn = (const uint8_t *)field(acc, DMBOOT_FIELD_CLIENT_NONCE, &cn_len);
    char cred[32];
    md5_of(acc, secret, secret_len, cn, cn_len, cred);

    dmboot_check_result *r = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_check_result_new(&r, NULL), DMBOOT_OK);
    assert_false(dmboot_check_result_authenticated(r));

    /* Accepted, with nothing but the descriptor and the key. */
    char *msg = package(DEVID, DEVID, "syncml:auth-md5", cred, NULL);
    dmboot_status st = check_msg(d, msg, NULL, NULL, 0, r, &err);
    expect(st, r, &err, DMBOOT_OK, DMBOOT_CHECK_OK,
           "authenticated as DevID IMEI:352099110000003 under descriptor 'server-test-1' "
           "(syncml:auth-md5)");
    assert_true(dmboot_check_result_authenticated(r));
    assert_string_equal(dmboot_check_result_devid(r), DEVID);
    assert_string_equal(dmboot_check_result_descriptor_id(r), "server-test-1");
    assert_string_equal(dmboot_check_result_client_cred_type(r), "syncml:auth-md5");
    /* The server credential: md5 (the client's type), ServerID, derived
     * server secret and server nonce. */
    size_t ss_len, sn_len, n;
    const char *ss = field(acc, DMBOOT_FIELD_SERVER_SECRET, &ss_len);
    const uint8_t *sn = (const uint8_t *)field(acc, DMBOOT_FIELD_SERVER_NONCE, &sn_len);
    char want[32];
    assert_int_equal(dmboot_auth_md5("dm.operator.example", 19, ss, ss_len, sn, sn_len, want,
                                     sizeof want, &n, NULL),
                     DMBOOT_OK);
    assert_string_equal(dmboot_check_result_server_cred_type(r), "syncml:auth-md5");
    char got_cred[DMBOOT_CRED_MAX + 1];
    assert_int_equal(dmboot_check_result_server_cred(r, NULL, 0, got_cred, sizeof got_cred, &n,
                                                     NULL),
                     DMBOOT_OK);
    assert_string_equal(got_cred, want);
    /* Once the device has challenged the server, its nonce makes the
     * credential (issue 14.4: never the same credential again). */
    assert_int_equal(dmboot_auth_md5("dm.operator.example", 19, ss, ss_len,
                                     (const uint8_t *)"device-nonce", 12, want, sizeof want, &n,
                                     NULL),
                     DMBOOT_OK);
    assert_int_equal(dmboot_check_result_server_cred(r, (const uint8_t *)"device-nonce", 12,
                                                     got_cred, sizeof got_cred, &n, NULL),
                     DMBOOT_OK);
    assert_string_equal(got_cred, want);
    assert_int_equal(dmboot_check_result_server_cred(r, (const uint8_t *)"", 0, got_cred,
                                                     sizeof got_cred, &n, NULL),
                     DMBOOT_OK);
    assert_string_not_equal(got_cred, want);
    /* The account is the device's. */
    const dmboot_account *got = dmboot_check_result_account(r);
    assert_non_null(got);
    for (int f = 0; f < DMBOOT_FIELD_COUNT; f++) {
        const uint8_t *a, *b;
        size_t al, bl;
        assert_true(dmboot_account_get(acc, (dmboot_field)f, &a, &al));
        assert_true(dmboot_account_get(got, (dmboot_field)f, &b, &bl));
        tu_assert_bytes(b, bl, a, al, dmboot_field_name((dmboot_field)f));
    }
    /* Without LocName too; and with a DevID written another way. */
    free(msg);
    msg = package("352099110000003", NULL, "syncml:auth-md5", cred, NULL);
    expect(check_msg(d, msg, NULL, NULL, 0, r, &err), r, &err, DMBOOT_OK, DMBOOT_CHECK_OK,
           "authenticated as DevID IMEI:352099110000003");
    free(msg);

    /* One character of the secret changed: wrong credential. */
    char *bad_secret = malloc(secret_len);
    memcpy(bad_secret, secret, secret_len);
    bad_secret[3] = bad_secret[3] == 'A' ? 'B' : 'A';
    char bad[32];
    md5_of(acc, bad_secret, secret_len, cn, cn_len, bad);
    msg = package(DEVID, DEVID, "syncml:auth-md5", bad, NULL);
    expect(check_msg(d, msg, NULL, NULL, 0, r, &err), r, &err, DMBOOT_ERR_AUTH_FAILED,
           DMBOOT_CHECK_WRONG_CREDENTIAL,
           "wrong credential: the syncml:auth-md5 credential does not match (wrong name, secret "
           "or nonce) for DevID IMEI:352099110000003 under descriptor 'server-test-1'");
    free(msg);
    free(bad_secret);

    /* Another nonce: the client used the next one, the server expects the first. */
    uint8_t other_nonce[16];
    memcpy(other_nonce, cn, 16);
    other_nonce[15] ^= 1;
    md5_of(acc, secret, secret_len, other_nonce, 16, bad);
    msg = package(DEVID, DEVID, "syncml:auth-md5", bad, NULL);
    expect(check_msg(d, msg, NULL, NULL, 0, r, &err), r, &err, DMBOOT_ERR_AUTH_FAILED,
           DMBOOT_CHECK_WRONG_CREDENTIAL, "wrong credential");
    /* ... and accepted when the server says that is the nonce it issued. */
    expect(check_msg(d, msg, NULL, other_nonce, 16, r, &err), r, &err, DMBOOT_OK,
           DMBOOT_CHECK_OK, "authenticated");
    /* The right credential against a nonce the server did not issue. */
    free(msg);
    msg = package(DEVID, DEVID, "syncml:auth-md5", cred, NULL);
    expect(check_msg(d, msg, NULL, other_nonce, 16, r, &err), r, &err, DMBOOT_ERR_AUTH_FAILED,
           DMBOOT_CHECK_WRONG_CREDENTIAL, "wrong credential");
    /* an empty nonce is a nonce too */
    expect(check_msg(d, msg, NULL, (const uint8_t *)"", 0, r, &err), r, &err,
           DMBOOT_ERR_AUTH_FAILED, DMBOOT_CHECK_WRONG_CREDENTIAL, "wrong credential");
    free(msg);

    /* Another DevID (covered) with this device's credential: its LocName
     * and credential are not the other device's. */
    msg = package(OTHER_DEVID, DEVID, "syncml:auth-md5", cred, NULL);
    expect(check_msg(d, msg, NULL, NULL, 0, r, &err), r, &err, DMBOOT_ERR_AUTH_FAILED,
           DMBOOT_CHECK_WRONG_USERNAME,
           "wrong user name: Source/LocName 'IMEI:352099110000003' is not the one derived for "
           "DevID IMEI:352099110079197");
    free(msg);
    msg = package(OTHER_DEVID, NULL, "syncml:auth-md5", cred, NULL);
    expect(check_msg(d, msg, NULL, NULL, 0, r, &err), r, &err, DMBOOT_ERR_AUTH_FAILED,
           DMBOOT_CHECK_WRONG_CREDENTIAL, "DevID IMEI:352099110079197");
    free(msg);
    /* A DevID outside devid-match, and a malformed one. */
    msg = package("IMEI:490154203237518", NULL, "syncml:auth-md5", cred, NULL);
    expect(check_msg(d, msg, NULL, NULL, 0, r, &err), r, &err, DMBOOT_ERR_NOT_COVERED,
           DMBOOT_CHECK_NOT_COVERED, "DevID not covered");
    assert_string_equal(dmboot_check_result_devid(r), "");
    free(msg);
    msg = package("IMEI:352099110000004", NULL, "syncml:auth-md5", cred, NULL);
    expect(check_msg(d, msg, NULL, NULL, 0, r, &err), r, &err, DMBOOT_ERR_DEVID,
           DMBOOT_CHECK_DEVID_MALFORMED,
           "DevID malformed: Source/LocURI 'IMEI:352099110000004' is not a DevID of "
           "descriptor 'server-test-1'");
    free(msg);
    msg = package("IMEI:35209911&#x7F;0000003", NULL, "syncml:auth-md5", cred, NULL);
    expect(check_msg(d, msg, NULL, NULL, 0, r, &err), r, &err, DMBOOT_ERR_DEVID,
           DMBOOT_CHECK_DEVID_MALFORMED, "'IMEI:35209911?0000003'"); /* shown safely */
    free(msg);

    /* Malformed credentials, no credential, other types. */
    msg = package(DEVID, NULL, "syncml:auth-md5", "not base64!", NULL);
    expect(check_msg(d, msg, NULL, NULL, 0, r, &err), r, &err, DMBOOT_ERR_AUTH_FAILED,
           DMBOOT_CHECK_BAD_CREDENTIAL, "is not the base64 of an MD5 digest");
    free(msg);
    msg = package(DEVID, NULL, "syncml:auth-md5", cred, "hex");
    expect(check_msg(d, msg, NULL, NULL, 0, r, &err), r, &err, DMBOOT_ERR_AUTH_FAILED,
           DMBOOT_CHECK_BAD_CREDENTIAL, "has Meta/Format 'hex' (expected b64)");
    free(msg);
    msg = package(DEVID, NULL, NULL, NULL, NULL);
    expect(check_msg(d, msg, NULL, NULL, 0, r, &err), r, &err, DMBOOT_ERR_AUTH_FAILED,
           DMBOOT_CHECK_NO_CREDENTIAL, "has no <Cred> and no x-syncml-hmac header");
    free(msg);
    msg = package(DEVID, NULL, "syncml:auth-X509", cred, NULL);
    expect(check_msg(d, msg, NULL, NULL, 0, r, &err), r, &err, DMBOOT_ERR_AUTH_FAILED,
           DMBOOT_CHECK_UNKNOWN_CRED_TYPE, "has type 'syncml:auth-X509'");
    free(msg);
    /* Not a SyncML package */
    expect(check_msg(d, "<SyncML><SyncHdr>", NULL, NULL, 0, r, &err), r, &err,
           DMBOOT_ERR_SYNTAX, DMBOOT_CHECK_BAD_MESSAGE, "bad message: line 1:");

    /* The result is reusable: a good check after bad ones. */
    msg = package(DEVID, DEVID, "syncml:auth-md5", cred, NULL);
    expect(check_msg(d, msg, NULL, NULL, 0, r, &err), r, &err, DMBOOT_OK, DMBOOT_CHECK_OK,
           "authenticated");
    free(msg);

    /* A wrong key. (This descriptor has no key-check: the key derives
     * another account, so the credential is wrong.) */
    uint8_t other_key[32];
    memcpy(other_key, KEY, 32);
    other_key[0] ^= 0x80;
    msg = package(DEVID, DEVID, "syncml:auth-md5", cred, NULL);
    st = dmboot_server_check_message(d, other_key, 32, DMBOOT_KEY_MASTER, msg, strlen(msg), NULL,
                                     0, NULL, 0, r, &err);
    assert_int_equal(st, DMBOOT_ERR_AUTH_FAILED);
    free(msg);

    dmboot_check_result_free(r);
    dmboot_account_free(acc);
    dmboot_descriptor_free(d);
}

static void test_hmac_first_contact(void **state)
{
    (void)state;
    dmboot_descriptor *d = load(DESC_HEAD "client-auth-type: HMAC\n"
                                          "server-auth-type: HMAC\n" DESC_FIELDS);
    dmboot_account *acc = derive(d, DEVID);
    size_t name_len, secret_len, cn_len, n;
    const char *name = field(acc, DMBOOT_FIELD_NAME, &name_len);
    const char *secret = field(acc, DMBOOT_FIELD_CLIENT_SECRET, &secret_len);
    const uint8_t *cn = (const uint8_t *)field(acc, DMBOOT_FIELD_CLIENT_NONCE, &cn_len);
    char *msg = package(DEVID, NULL, NULL, NULL, NULL);
    char mac[32], header[DMBOOT_HMAC_HEADER_MAX + 1];
    assert_int_equal(dmboot_auth_hmac(name, name_len, secret, secret_len, cn, cn_len,
                                      (const uint8_t *)msg, strlen(msg), mac, sizeof mac, &n,
                                      NULL),
                     DMBOOT_OK);
    assert_int_equal(dmboot_hmac_header_format(name, name_len, mac, n, header, sizeof header, &n,
                                               NULL),
                     DMBOOT_OK);
    dmboot_check_result *r = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_check_result_new(&r, NULL), DMBOOT_OK);
    expect(check_msg(d, msg, header, NULL, 0, r, &err), r, &err, DMBOOT_OK, DMBOOT_CHECK_OK,
           "authenticated as DevID IMEI:352099110000003 under descriptor 'server-test-1' "
           "(syncml:auth-MAC)");
    /* The same through check_hmac, with the header as sent on the wire. */
    char line[DMBOOT_HMAC_HEADER_MAX + 32];
    snprintf(line, sizeof line, "x-syncml-hmac:algorithm=md5 ,username=%s,mac=\"%s\"\r\n", name,
             mac);
    expect(dmboot_server_check_hmac(d, KEY, 32, DMBOOT_KEY_MASTER, "352099110000003", 15, line,
                                    strlen(line), (const uint8_t *)msg, strlen(msg), NULL, 0, r,
                                    &err),
           r, &err, DMBOOT_OK, DMBOOT_CHECK_OK, "authenticated");
    /* The server's answer: an HMAC over its response. */
    assert_string_equal(dmboot_check_result_server_cred_type(r), "syncml:auth-MAC");
    char nocred[DMBOOT_CRED_MAX + 1];
    assert_int_equal(dmboot_check_result_server_cred(r, NULL, 0, nocred, sizeof nocred, &n, NULL),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    const char *resp = "<SyncML>response</SyncML>";
    char sh[DMBOOT_HMAC_HEADER_MAX + 1];
    assert_int_equal(dmboot_check_result_server_hmac(r, NULL, 0, (const uint8_t *)resp,
                                                     strlen(resp), sh, sizeof sh, &n, NULL),
                     DMBOOT_OK);
    size_t ss_len, sn_len;
    const char *ss = field(acc, DMBOOT_FIELD_SERVER_SECRET, &ss_len);
    const uint8_t *sn = (const uint8_t *)field(acc, DMBOOT_FIELD_SERVER_NONCE, &sn_len);
    char smac[32], want[DMBOOT_HMAC_HEADER_MAX + 1];
    dmboot_auth_hmac("dm.operator.example", 19, ss, ss_len, sn, sn_len, (const uint8_t *)resp,
                     strlen(resp), smac, sizeof smac, &n, NULL);
    dmboot_hmac_header_format("dm.operator.example", 19, smac, n, want, sizeof want, &n, NULL);
    assert_string_equal(sh, want);

    /* The body changed by one byte after the MAC was made. */
    char *changed = strdup(msg);
    *strstr(changed, "1201") = '2';
    expect(check_msg(d, changed, header, NULL, 0, r, &err), r, &err, DMBOOT_ERR_AUTH_FAILED,
           DMBOOT_CHECK_WRONG_CREDENTIAL,
           "the syncml:auth-MAC MAC does not match (wrong name, secret, nonce or body)");
    free(changed);
    /* One character of the secret. */
    char *bad_secret = malloc(secret_len);
    memcpy(bad_secret, secret, secret_len);
    bad_secret[0] = bad_secret[0] == 'x' ? 'y' : 'x';
    char bad_mac[32], bad_header[DMBOOT_HMAC_HEADER_MAX + 1];
    dmboot_auth_hmac(name, name_len, bad_secret, secret_len, cn, cn_len, (const uint8_t *)msg,
                     strlen(msg), bad_mac, sizeof bad_mac, &n, NULL);
    dmboot_hmac_header_format(name, name_len, bad_mac, n, bad_header, sizeof bad_header, &n,
                              NULL);
    expect(check_msg(d, msg, bad_header, NULL, 0, r, &err), r, &err, DMBOOT_ERR_AUTH_FAILED,
           DMBOOT_CHECK_WRONG_CREDENTIAL, "wrong credential");
    free(bad_secret);
    /* Another nonce. */
    expect(check_msg(d, msg, header, (const uint8_t *)"next", 4, r, &err), r, &err,
           DMBOOT_ERR_AUTH_FAILED, DMBOOT_CHECK_WRONG_CREDENTIAL, "wrong credential");
    /* Another DevID in the message (the header still names this one). */
    char *other = package(OTHER_DEVID, NULL, NULL, NULL, NULL);
    expect(check_msg(d, other, header, NULL, 0, r, &err), r, &err, DMBOOT_ERR_AUTH_FAILED,
           DMBOOT_CHECK_WRONG_USERNAME,
           "wrong user name: the x-syncml-hmac username 'IMEI:352099110000003' is not the one "
           "derived for DevID IMEI:352099110079197");
    free(other);
    /* Header problems. */
    expect(check_msg(d, msg, "algorithm=SHA1, username=u, mac=m", NULL, 0, r, &err), r, &err,
           DMBOOT_ERR_AUTH_FAILED, DMBOOT_CHECK_BAD_CREDENTIAL,
           "bad credential: x-syncml-hmac header: unsupported algorithm 'SHA1'");
    snprintf(line, sizeof line, "username=%s, mac=abc", name);
    expect(check_msg(d, msg, line, NULL, 0, r, &err), r, &err, DMBOOT_ERR_AUTH_FAILED,
           DMBOOT_CHECK_BAD_CREDENTIAL, "not the base64 of an MD5 digest");
    /* client-auth-type HMAC: an md5 Cred is refused, even a right one. */
    char cred[32];
    md5_of(acc, secret, secret_len, cn, cn_len, cred);
    char *md5msg = package(DEVID, NULL, "syncml:auth-md5", cred, NULL);
    expect(check_msg(d, md5msg, NULL, NULL, 0, r, &err), r, &err, DMBOOT_ERR_AUTH_FAILED,
           DMBOOT_CHECK_TYPE_NOT_ALLOWED,
           "credential type not allowed: DevID IMEI:352099110000003 sent syncml:auth-md5, "
           "descriptor 'server-test-1' has client-auth-type HMAC");
    free(md5msg);
    free(msg);
    dmboot_check_result_free(r);
    dmboot_account_free(acc);
    dmboot_descriptor_free(d);
}

static void test_basic_and_other_answers(void **state)
{
    (void)state;
    /* basic client credential (allowed by auth-pref); server credential
     * basic by server-auth-type */
    dmboot_descriptor *d = load(DESC_HEAD "auth-pref: BASIC\nserver-auth-type: BASIC\n" DESC_FIELDS);
    dmboot_account *acc = derive(d, DEVID);
    size_t name_len, secret_len, n;
    const char *name = field(acc, DMBOOT_FIELD_NAME, &name_len);
    const char *secret = field(acc, DMBOOT_FIELD_CLIENT_SECRET, &secret_len);
    char cred[DMBOOT_CRED_MAX + 1];
    assert_int_equal(dmboot_auth_basic(name, name_len, secret, secret_len, cred, sizeof cred, &n,
                                       NULL),
                     DMBOOT_OK);
    dmboot_check_result *r = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_check_result_new(&r, NULL), DMBOOT_OK);
    dmboot_status st =
        dmboot_server_check_cred(d, KEY, 32, DMBOOT_KEY_MASTER, DEVID, strlen(DEVID),
                                 "syncml:auth-basic", cred, n, NULL, 0, NULL, 0, r, &err);
    expect(st, r, &err, DMBOOT_OK, DMBOOT_CHECK_OK, "(syncml:auth-basic)");
    size_t ss_len;
    const char *ss = field(acc, DMBOOT_FIELD_SERVER_SECRET, &ss_len);
    char want[DMBOOT_CRED_MAX + 1];
    dmboot_auth_basic("dm.operator.example", 19, ss, ss_len, want, sizeof want, &n, NULL);
    assert_string_equal(dmboot_check_result_server_cred_type(r), "syncml:auth-basic");
    char got_basic[DMBOOT_CRED_MAX + 1];
    assert_int_equal(dmboot_check_result_server_cred(r, NULL, 0, got_basic, sizeof got_basic, &n,
                                                     NULL),
                     DMBOOT_OK);
    assert_string_equal(got_basic, want);
    char hdr[256];
    assert_int_equal(dmboot_check_result_server_hmac(r, NULL, 0, NULL, 0, hdr, sizeof hdr, &n,
                                                     &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    /* basic for another user name */
    assert_int_equal(dmboot_auth_basic("IMEI:352099110079197", 20, secret, secret_len, cred,
                                       sizeof cred, &n, NULL),
                     DMBOOT_OK);
    st = dmboot_server_check_cred(d, KEY, 32, DMBOOT_KEY_MASTER, DEVID, strlen(DEVID),
                                  "syncml:auth-basic", cred, n, NULL, 0, NULL, 0, r, &err);
    expect(st, r, &err, DMBOOT_ERR_AUTH_FAILED, DMBOOT_CHECK_WRONG_USERNAME,
           "not for the derived user name");
    st = dmboot_server_check_cred(d, KEY, 32, DMBOOT_KEY_MASTER, DEVID, strlen(DEVID),
                                  "syncml:auth-basic", "QQ=", 3, NULL, 0, NULL, 0, r, &err);
    expect(st, r, &err, DMBOOT_ERR_AUTH_FAILED, DMBOOT_CHECK_BAD_CREDENTIAL,
           "not canonical base64");
    st = dmboot_server_check_cred(d, KEY, 32, DMBOOT_KEY_MASTER, DEVID, strlen(DEVID), NULL,
                                  cred, n, NULL, 0, NULL, 0, r, &err);
    expect(st, r, &err, DMBOOT_ERR_AUTH_FAILED, DMBOOT_CHECK_UNKNOWN_CRED_TYPE, "has type ''");
    st = dmboot_server_check_cred(d, KEY, 32, DMBOOT_KEY_MASTER, DEVID, strlen(DEVID),
                                  "syncml:auth-basic", NULL, 0, NULL, 0, NULL, 0, r, &err);
    expect(st, r, &err, DMBOOT_ERR_AUTH_FAILED, DMBOOT_CHECK_NO_CREDENTIAL, "no credential");
    dmboot_account_free(acc);
    dmboot_descriptor_free(d);

    /* A descriptor without server secret: no server credential; without
     * nonces: md5 needs the server's nonce; with key-check: a wrong key. */
    d = load(DESC_HEAD "name: devid\nclient-secret: derive bytes 16 hex\n");
    acc = derive(d, DEVID);
    name = field(acc, DMBOOT_FIELD_NAME, &name_len);
    secret = field(acc, DMBOOT_FIELD_CLIENT_SECRET, &secret_len);
    assert_int_equal(dmboot_auth_md5(name, name_len, secret, secret_len, (const uint8_t *)"N", 1,
                                     cred, sizeof cred, &n, NULL),
                     DMBOOT_OK);
    st = dmboot_server_check_cred(d, KEY, 32, DMBOOT_KEY_MASTER, DEVID, strlen(DEVID),
                                  "syncml:auth-md5", cred, n, NULL, 0, NULL, 0, r, &err);
    expect(st, r, &err, DMBOOT_ERR_UNSUPPORTED, DMBOOT_CHECK_NOT_CHECKABLE,
           "derives no client-nonce; pass the nonce the server issued");
    st = dmboot_server_check_cred(d, KEY, 32, DMBOOT_KEY_MASTER, DEVID, strlen(DEVID),
                                  "syncml:auth-md5", cred, n, NULL, 0, (const uint8_t *)"N", 1,
                                  r, &err);
    expect(st, r, &err, DMBOOT_OK, DMBOOT_CHECK_OK, "authenticated");
    assert_null(dmboot_check_result_server_cred_type(r));
    char none[DMBOOT_CRED_MAX + 1];
    assert_int_equal(dmboot_check_result_server_cred(r, NULL, 0, none, sizeof none, &n, NULL),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    dmboot_account_free(acc);
    dmboot_descriptor_free(d);

    d = load(DESC_HEAD "auth-pref: BASIC\nclient-secret: derive bytes 16 hex\n");
    st = dmboot_server_check_cred(d, KEY, 32, DMBOOT_KEY_MASTER, DEVID, strlen(DEVID),
                                  "syncml:auth-basic", cred, n, NULL, 0, NULL, 0, r, &err);
    expect(st, r, &err, DMBOOT_ERR_UNSUPPORTED, DMBOOT_CHECK_NOT_CHECKABLE,
           "derives no user name");
    dmboot_descriptor_free(d);

    char kc[9];
    d = load(DESC_HEAD DESC_FIELDS);
    assert_int_equal(dmboot_descriptor_key_check(d, KEY, 32, DMBOOT_KEY_MASTER, kc, NULL),
                     DMBOOT_OK);
    dmboot_descriptor_free(d);
    char text[2048];
    snprintf(text, sizeof text, "%skey-check: %s\n%s", DESC_HEAD, kc, DESC_FIELDS);
    d = load(text);
    uint8_t other_key[32] = {1};
    st = dmboot_server_check_cred(d, other_key, 32, DMBOOT_KEY_MASTER, DEVID, strlen(DEVID),
                                  "syncml:auth-md5", cred, 24, NULL, 0, NULL, 0, r, &err);
    expect(st, r, &err, DMBOOT_ERR_KEY_MISMATCH, DMBOOT_CHECK_WRONG_KEY, "wrong key:");
    dmboot_descriptor_free(d);
    dmboot_check_result_free(r);
    assert_string_equal(dmboot_check_reason_name(DMBOOT_CHECK_WRONG_CREDENTIAL),
                        "wrong-credential");
    assert_null(dmboot_check_reason_name((dmboot_check_reason)99));
}

/* Issue 14.9: basic (a cleartext password) only when the descriptor allows
 * it, by client-auth-type or, without one, by auth-pref; md5 and HMAC
 * without either. */
static void test_basic_needs_permission(void **state)
{
    (void)state;
    static const char *const descs[] = {
        DESC_HEAD DESC_FIELDS,                          /* neither: refused */
        DESC_HEAD "auth-pref: DIGEST\n" DESC_FIELDS,    /* a downgrade: refused */
        DESC_HEAD "auth-pref: HMAC\n" DESC_FIELDS,      /* refused */
        DESC_HEAD "client-auth-type: BASIC\n" DESC_FIELDS, /* allowed */
        DESC_HEAD "auth-pref: BASIC\n" DESC_FIELDS,     /* allowed */
        DESC_HEAD "auth-pref: BASIC\nclient-auth-type: DIGEST\n" DESC_FIELDS, /* refused */
    };
    static const bool allowed[] = {false, false, false, true, true, false};
    static const char *const why[] = {"allows it by neither client-auth-type nor auth-pref",
                                      "has auth-pref DIGEST", "has auth-pref HMAC", "",
                                      "", "has client-auth-type DIGEST"};
    dmboot_check_result *r = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_check_result_new(&r, NULL), DMBOOT_OK);
    for (size_t i = 0; i < sizeof descs / sizeof descs[0]; i++) {
        dmboot_descriptor *d = load(descs[i]);
        dmboot_account *acc = derive(d, DEVID);
        size_t name_len, secret_len, n, cn_len;
        const char *name = field(acc, DMBOOT_FIELD_NAME, &name_len);
        const char *secret = field(acc, DMBOOT_FIELD_CLIENT_SECRET, &secret_len);
        const uint8_t *cn = (const uint8_t *)field(acc, DMBOOT_FIELD_CLIENT_NONCE, &cn_len);
        char cred[DMBOOT_CRED_MAX + 1];
        assert_int_equal(dmboot_auth_basic(name, name_len, secret, secret_len, cred, sizeof cred,
                                           &n, NULL),
                         DMBOOT_OK);
        dmboot_status st =
            dmboot_server_check_cred(d, KEY, 32, DMBOOT_KEY_MASTER, DEVID, strlen(DEVID),
                                     "syncml:auth-basic", cred, n, NULL, 0, NULL, 0, r, &err);
        if (allowed[i])
            expect(st, r, &err, DMBOOT_OK, DMBOOT_CHECK_OK, "(syncml:auth-basic)");
        else
            expect(st, r, &err, DMBOOT_ERR_AUTH_FAILED, DMBOOT_CHECK_TYPE_NOT_ALLOWED, why[i]);
        /* md5 is refused only by a client-auth-type of another type */
        md5_of(acc, secret, secret_len, cn, cn_len, cred);
        st = dmboot_server_check_cred(d, KEY, 32, DMBOOT_KEY_MASTER, DEVID, strlen(DEVID),
                                      "syncml:auth-md5", cred, 24, NULL, 0, NULL, 0, r, &err);
        bool md5_ok = dmboot_descriptor_get(d, "client-auth-type") == NULL ||
                      strcmp(dmboot_descriptor_get(d, "client-auth-type"), "DIGEST") == 0;
        if (md5_ok)
            expect(st, r, &err, DMBOOT_OK, DMBOOT_CHECK_OK, "(syncml:auth-md5)");
        else
            expect(st, r, &err, DMBOOT_ERR_AUTH_FAILED, DMBOOT_CHECK_TYPE_NOT_ALLOWED,
                   "client-auth-type BASIC");
        dmboot_account_free(acc);
        dmboot_descriptor_free(d);
    }
    dmboot_check_result_free(r);
}

/* Issue 14.11: not-before/not-after are checked at every check, not only
 * at import: an expired batch stops authenticating. */
static void test_validity_at_use(void **state)
{
    (void)state;
    static const char *const descs[] = {
        DESC_HEAD "not-before: 2001-01-01\nnot-after: 2020-12-31\n" DESC_FIELDS,
        DESC_HEAD "not-before: 2999-01-01\n" DESC_FIELDS,
        DESC_HEAD "not-before: 2001-01-01\nnot-after: 2999-12-31\n" DESC_FIELDS,
    };
    static const char *const why[] = {"has expired (not-after 2020-12-31)",
                                      "is not valid yet (not-before 2999-01-01)", ""};
    dmboot_check_result *r = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_check_result_new(&r, NULL), DMBOOT_OK);
    for (size_t i = 0; i < 3; i++) {
        dmboot_descriptor *d = load(descs[i]);
        dmboot_account *acc = derive(d, DEVID);
        size_t secret_len, cn_len;
        const char *secret = field(acc, DMBOOT_FIELD_CLIENT_SECRET, &secret_len);
        const uint8_t *cn = (const uint8_t *)field(acc, DMBOOT_FIELD_CLIENT_NONCE, &cn_len);
        char cred[32];
        md5_of(acc, secret, secret_len, cn, cn_len, cred);
        dmboot_status st =
            dmboot_server_check_cred(d, KEY, 32, DMBOOT_KEY_MASTER, DEVID, strlen(DEVID),
                                     "syncml:auth-md5", cred, 24, NULL, 0, NULL, 0, r, &err);
        if (i == 2)
            expect(st, r, &err, DMBOOT_OK, DMBOOT_CHECK_OK, "authenticated");
        else
            expect(st, r, &err, DMBOOT_ERR_NOT_VALID_NOW, DMBOOT_CHECK_NOT_VALID, why[i]);
        dmboot_account_free(acc);
        dmboot_descriptor_free(d);
    }
    assert_string_equal(dmboot_check_reason_name(DMBOOT_CHECK_NOT_VALID), "not-valid");
    dmboot_check_result_free(r);
}

/* Issue 14.4: the HMAC server credential uses the nonce the device gave. */
static void test_server_hmac_nonce(void **state)
{
    (void)state;
    dmboot_descriptor *d = load(DESC_HEAD "client-auth-type: HMAC\n" DESC_FIELDS);
    dmboot_account *acc = derive(d, DEVID);
    size_t name_len, secret_len, cn_len, n, ss_len;
    const char *name = field(acc, DMBOOT_FIELD_NAME, &name_len);
    const char *secret = field(acc, DMBOOT_FIELD_CLIENT_SECRET, &secret_len);
    const uint8_t *cn = (const uint8_t *)field(acc, DMBOOT_FIELD_CLIENT_NONCE, &cn_len);
    const char *ss = field(acc, DMBOOT_FIELD_SERVER_SECRET, &ss_len);
    const char *body = "<SyncML>package</SyncML>";
    char mac[32], hdr[DMBOOT_HMAC_HEADER_MAX + 1];
    assert_int_equal(dmboot_auth_hmac(name, name_len, secret, secret_len, cn, cn_len,
                                      (const uint8_t *)body, strlen(body), mac, sizeof mac, &n,
                                      NULL),
                     DMBOOT_OK);
    assert_int_equal(dmboot_hmac_header_format(name, name_len, mac, n, hdr, sizeof hdr, &n, NULL),
                     DMBOOT_OK);
    dmboot_check_result *r = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_check_result_new(&r, NULL), DMBOOT_OK);
    expect(dmboot_server_check_hmac(d, KEY, 32, DMBOOT_KEY_MASTER, DEVID, strlen(DEVID), hdr,
                                    strlen(hdr), (const uint8_t *)body, strlen(body), NULL, 0, r,
                                    &err),
           r, &err, DMBOOT_OK, DMBOOT_CHECK_OK, "authenticated");
    const char *resp = "<SyncML>reply</SyncML>";
    const uint8_t dn[] = {0xde, 0xad, 0x00, 0xbe, 0xef};
    char got[DMBOOT_HMAC_HEADER_MAX + 1], want[DMBOOT_HMAC_HEADER_MAX + 1], smac[32];
    assert_int_equal(dmboot_check_result_server_hmac(r, dn, sizeof dn, (const uint8_t *)resp,
                                                     strlen(resp), got, sizeof got, &n, NULL),
                     DMBOOT_OK);
    dmboot_auth_hmac("dm.operator.example", 19, ss, ss_len, dn, sizeof dn, (const uint8_t *)resp,
                     strlen(resp), smac, sizeof smac, &n, NULL);
    dmboot_hmac_header_format("dm.operator.example", 19, smac, n, want, sizeof want, &n, NULL);
    assert_string_equal(got, want);
    /* NULL with a length: refused */
    assert_int_equal(dmboot_check_result_server_hmac(r, NULL, 3, (const uint8_t *)resp,
                                                     strlen(resp), got, sizeof got, &n, NULL),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    dmboot_check_result_free(r);
    dmboot_account_free(acc);
    dmboot_descriptor_free(d);
}

/* With a registry: the descriptor that covers the DevID is picked. */
static void test_registry(void **state)
{
    (void)state;
    dmboot_descriptor *a = load(DESC_HEAD DESC_FIELDS);
    dmboot_descriptor *b = load("dmboot-descriptor: 1\nid: other-batch\nissuer: T\n"
                                "devid-type: meid\ndevid-match: MEID:A0*\n"
                                "server-id: dm.operator.example\n"
                                "server-addr: https://dm.operator.example/oma-dm\n" DESC_FIELDS);
    dmboot_registry *reg = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_registry_new(&reg, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_registry_add(reg, a, NULL, &err), DMBOOT_OK);
    assert_int_equal(dmboot_registry_add(reg, b, NULL, &err), DMBOOT_OK);
    dmboot_check_result *r = NULL;
    assert_int_equal(dmboot_check_result_new(&r, NULL), DMBOOT_OK);
    const struct {
        const dmboot_descriptor *d;
        const char *devid, *id;
    } devices[] = {{a, DEVID, "server-test-1"}, {b, "MEID:A0000012345678", "other-batch"}};
    for (size_t k = 0; k < 2; k++) {
        dmboot_account *acc = derive(devices[k].d, devices[k].devid);
        size_t secret_len, cn_len, n;
        const char *secret = field(acc, DMBOOT_FIELD_CLIENT_SECRET, &secret_len);
        const uint8_t *cn = (const uint8_t *)field(acc, DMBOOT_FIELD_CLIENT_NONCE, &cn_len);
        char cred[32];
        md5_of(acc, secret, secret_len, cn, cn_len, cred);
        char *msg = package(devices[k].devid, NULL, "syncml:auth-md5", cred, NULL);
        dmboot_status st = dmboot_registry_check_message(reg, KEY, 32, msg, strlen(msg), NULL, 0,
                                                         NULL, 0, r, &err);
        expect(st, r, &err, DMBOOT_OK, DMBOOT_CHECK_OK, "authenticated as DevID");
        assert_string_equal(dmboot_check_result_descriptor_id(r), devices[k].id);
        st = dmboot_registry_check_cred(reg, KEY, 32, devices[k].devid, strlen(devices[k].devid),
                                        "syncml:auth-md5", cred, 24, NULL, 0, NULL, 0, r, &err);
        expect(st, r, &err, DMBOOT_OK, DMBOOT_CHECK_OK, devices[k].id);
        char mac[32], header[DMBOOT_HMAC_HEADER_MAX + 1];
        size_t name_len;
        const char *name = field(acc, DMBOOT_FIELD_NAME, &name_len);
        dmboot_auth_hmac(name, name_len, secret, secret_len, cn, cn_len, (const uint8_t *)msg,
                         strlen(msg), mac, sizeof mac, &n, NULL);
        dmboot_hmac_header_format(name, name_len, mac, n, header, sizeof header, &n, NULL);
        st = dmboot_registry_check_hmac(reg, KEY, 32, devices[k].devid, strlen(devices[k].devid),
                                        header, n, (const uint8_t *)msg, strlen(msg), NULL, 0, r,
                                        &err);
        expect(st, r, &err, DMBOOT_OK, DMBOOT_CHECK_OK, "(syncml:auth-MAC)");
        /* a changed body still fails through the registry */
        strstr(msg, "1201")[3] = '0';
        st = dmboot_registry_check_message(reg, KEY, 32, msg, strlen(msg), header, n, NULL, 0, r,
                                           &err);
        expect(st, r, &err, DMBOOT_ERR_AUTH_FAILED, DMBOOT_CHECK_WRONG_CREDENTIAL,
               "wrong credential");
        free(msg);
        dmboot_account_free(acc);
    }
    /* A DevID no descriptor covers; one that is no DevID of any type. */
    char *msg = package("IMEI:490154203237518", NULL, "syncml:auth-md5", "x", NULL);
    dmboot_status st = dmboot_registry_check_message(reg, KEY, 32, msg, strlen(msg), NULL, 0,
                                                     NULL, 0, r, &err);
    expect(st, r, &err, DMBOOT_ERR_NOT_FOUND, DMBOOT_CHECK_NO_DESCRIPTOR,
           "no descriptor: no descriptor covers DevID 'IMEI:490154203237518'");
    assert_string_equal(dmboot_check_result_descriptor_id(r), "");
    free(msg);
    st = dmboot_registry_check_cred(reg, KEY, 32, "hello", 5, "syncml:auth-md5", "x", 1, NULL, 0,
                                    NULL, 0, r, &err);
    expect(st, r, &err, DMBOOT_ERR_NOT_FOUND, DMBOOT_CHECK_NO_DESCRIPTOR, "no descriptor");
    st = dmboot_registry_check_message(reg, KEY, 32, "<x/>", 4, NULL, 0, NULL, 0, r, &err);
    expect(st, r, &err, DMBOOT_ERR_SYNTAX, DMBOOT_CHECK_BAD_MESSAGE, "bad message");
    dmboot_check_result_free(r);
    dmboot_registry_free(reg);
    dmboot_descriptor_free(a);
    dmboot_descriptor_free(b);
}

/* A registry with a keyring (issue 11): the key is the one the covering
 * descriptor's key-id selects; a key-id the keyring lacks is refused with
 * the reason unknown-key, naming it. */
static void test_registry_keyring(void **state)
{
    (void)state;
    static const uint8_t KEY2[32] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8, 7, 6, 5, 4,
                                     3, 2, 1, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8};
    dmboot_descriptor *a = load(DESC_HEAD "key-id: acme-2026\n" DESC_FIELDS);
    dmboot_descriptor *b = load("dmboot-descriptor: 1\nid: globex-batch\nissuer: Globex\n"
                                "devid-type: meid\ndevid-match: MEID:A0*\nkey-id: globex-2026\n"
                                "server-id: dm.operator.example\n"
                                "server-addr: https://dm.operator.example/oma-dm\n" DESC_FIELDS);
    dmboot_descriptor *c = load("dmboot-descriptor: 1\nid: stray-batch\nissuer: Stray\n"
                                "devid-type: esn\ndevid-match: ESN:8F*\nkey-id: stray-1\n"
                                "server-id: dm.operator.example\n"
                                "server-addr: https://dm.operator.example/oma-dm\n" DESC_FIELDS);
    dmboot_keyring *kr = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_keyring_new(&kr, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_keyring_add(kr, "acme-2026", 9, KEY, 32, &err), DMBOOT_OK);
    assert_int_equal(dmboot_keyring_add(kr, "globex-2026", 11, KEY2, 32, &err), DMBOOT_OK);
    dmboot_registry *reg = NULL;
    assert_int_equal(dmboot_registry_new(&reg, NULL), DMBOOT_OK);
    /* added before the keyring: the checks still refuse it */
    assert_int_equal(dmboot_registry_add(reg, c, NULL, &err), DMBOOT_OK);
    dmboot_check_result *r = NULL;
    assert_int_equal(dmboot_check_result_new(&r, NULL), DMBOOT_OK);
    /* no key and no keyring */
    dmboot_status st = dmboot_registry_check_cred(reg, NULL, 0, "ESN:8F000001", 12,
                                                  "syncml:auth-md5", "x", 1, NULL, 0, NULL, 0, r,
                                                  &err);
    expect(st, r, &err, DMBOOT_ERR_UNKNOWN_KEY, DMBOOT_CHECK_UNKNOWN_KEY,
           "the registry has no keyring");
    assert_int_equal(dmboot_registry_set_keyring(reg, kr, &err), DMBOOT_OK);
    dmboot_keyring_free(kr); /* the registry keeps its own copy */
    assert_int_equal(dmboot_registry_add(reg, a, NULL, &err), DMBOOT_OK);
    assert_int_equal(dmboot_registry_add(reg, b, NULL, &err), DMBOOT_OK);
    /* a descriptor whose key-id the keyring lacks is not added */
    dmboot_descriptor *d = load("dmboot-descriptor: 1\nid: no-key-id\nissuer: T\n"
                                "devid-type: opaque\ndevid-match: dev-*\n"
                                "server-id: dm.operator.example\n"
                                "server-addr: https://dm.operator.example/oma-dm\n" DESC_FIELDS);
    assert_int_equal(dmboot_registry_add(reg, d, NULL, &err), DMBOOT_ERR_UNKNOWN_KEY);
    assert_non_null(strstr(err.message, "descriptor 'no-key-id' has no key-id line"));
    dmboot_descriptor_free(d);
    assert_int_equal(dmboot_registry_count(reg), 3);

    const struct {
        const dmboot_descriptor *d;
        const uint8_t *key;
        const char *devid, *id;
    } devices[] = {{a, KEY, DEVID, "server-test-1"},
                   {b, KEY2, "MEID:A0000012345678", "globex-batch"}};
    for (size_t k = 0; k < 2; k++) {
        dmboot_deriver *dv = NULL;
        dmboot_account *acc = NULL;
        assert_int_equal(dmboot_deriver_new(devices[k].d, devices[k].key, 32, DMBOOT_KEY_MASTER,
                                            &dv, &err),
                         DMBOOT_OK);
        assert_int_equal(dmboot_account_new(&acc, NULL), DMBOOT_OK);
        assert_int_equal(dmboot_derive(dv, devices[k].devid, strlen(devices[k].devid), acc, &err),
                         DMBOOT_OK);
        size_t secret_len, cn_len;
        const char *secret = field(acc, DMBOOT_FIELD_CLIENT_SECRET, &secret_len);
        const uint8_t *cn = (const uint8_t *)field(acc, DMBOOT_FIELD_CLIENT_NONCE, &cn_len);
        char cred[32];
        md5_of(acc, secret, secret_len, cn, cn_len, cred);
        char *msg = package(devices[k].devid, NULL, "syncml:auth-md5", cred, NULL);
        st = dmboot_registry_check_message(reg, NULL, 0, msg, strlen(msg), NULL, 0, NULL, 0, r,
                                           &err);
        expect(st, r, &err, DMBOOT_OK, DMBOOT_CHECK_OK, "authenticated as DevID");
        assert_string_equal(dmboot_check_result_descriptor_id(r), devices[k].id);
        st = dmboot_registry_check_cred(reg, NULL, 0, devices[k].devid,
                                        strlen(devices[k].devid), "syncml:auth-md5", cred, 24,
                                        NULL, 0, NULL, 0, r, &err);
        expect(st, r, &err, DMBOOT_OK, DMBOOT_CHECK_OK, devices[k].id);
        /* one key given keeps working: the other manufacturer's key fails */
        st = dmboot_registry_check_message(reg, devices[1 - k].key, 32, msg, strlen(msg), NULL,
                                           0, NULL, 0, r, &err);
        assert_int_not_equal(st, DMBOOT_OK);
        free(msg);
        dmboot_account_free(acc);
        dmboot_deriver_free(dv);
    }
    /* the stray descriptor's key-id is not in the keyring */
    st = dmboot_registry_check_cred(reg, NULL, 0, "ESN:8F000001", 12, "syncml:auth-md5", "x", 1,
                                    NULL, 0, NULL, 0, r, &err);
    expect(st, r, &err, DMBOOT_ERR_UNKNOWN_KEY, DMBOOT_CHECK_UNKNOWN_KEY,
           "unknown key: descriptor 'stray-batch' names key-id 'stray-1', which is not in the "
           "keyring (keyring: acme-2026, globex-2026)");
    assert_string_equal(dmboot_check_result_descriptor_id(r), "stray-batch");
    assert_string_equal(dmboot_check_reason_name(DMBOOT_CHECK_UNKNOWN_KEY), "unknown-key");
    dmboot_check_result_free(r);
    dmboot_registry_free(reg);
    dmboot_descriptor_free(a);
    dmboot_descriptor_free(b);
    dmboot_descriptor_free(c);
}

/* ---- documents and file names ------------------------------------------ */

/* What XML cannot carry never reaches a document, even if a value got past
 * the descriptor parser (issue 14, item 8): the writer refuses it. */
static void test_xml_writer_refuses_nonxml(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "Operator \xef\xbf\xbe DM", /* U+FFFE */
        "\xef\xbf\xbf",             /* U+FFFF */
        "a\xef\xb7\x90",            /* U+FDD0 */
        "\xf4\x8f\xbf\xbf",         /* U+10FFFF */
        "\xc2\x85",                 /* U+0085, a C1 control */
        "\xc0\xaf",                 /* overlong */
        "\xed\xa0\x80",             /* a surrogate */
        "\xe2\x82",                 /* cut short */
        "x\x01",
    };
    char buf[128];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dmb_sink s = {.p = buf, .cap = sizeof buf};
        dmb_xml_put_escaped(&s, bad[i], strlen(bad[i]));
        size_t len;
        dmboot_error err;
        assert_int_equal(dmb_sink_finish(&s, &len, "test", &err), DMBOOT_ERR_INVALID_ARGUMENT);
        assert_non_null(strstr(err.message, "XML cannot carry"));
    }
    /* and what it can: U+FFFD, U+10FFFD, U+00A0, escapes */
    static const char good[] = "\xef\xbf\xbd \xf4\x8f\xbf\xbd \xc2\xa0 <&>";
    dmb_sink s = {.p = buf, .cap = sizeof buf};
    dmb_xml_put_escaped(&s, good, strlen(good));
    size_t len;
    dmboot_error err;
    assert_int_equal(dmb_sink_finish(&s, &len, "test", &err), DMBOOT_OK);
    assert_string_equal(buf, "\xef\xbf\xbd \xf4\x8f\xbf\xbd \xc2\xa0 &lt;&amp;&gt;");
}

static void test_document_bound(void **state)
{
    (void)state;
    /* Every value as long as a line allows and made only of '"' (each
     * escaped into 6 bytes): the document still fits DMBOOT_DOCUMENT_MAX. */
    char *text = malloc(16384);
    assert_non_null(text);
    char sid[1100], sname[1100], addr[1100], tmpl[600];
    memset(sid, '"', sizeof sid);
    sid[1024 - 11] = '\0'; /* "server-id: " + value = 1024 bytes */
    memset(sname, '"', sizeof sname);
    sname[1024 - 13] = '\0';
    strcpy(addr, "https://h/");
    memset(addr + 10, '"', 1024 - 13 - 10);
    addr[1024 - 13] = '\0';
    memset(tmpl, '"', sizeof tmpl);
    strcpy(tmpl + 512 - 20 - 7, "{devid}"); /* 512 with the longest expansion */
    snprintf(text, 16384,
             "dmboot-descriptor: 1\nid: bound\nissuer: b\ndevid-type: imei\ndevid-match: *\n"
             "server-id: %s\nserver-name: %s\nserver-addr: %s\n"
             "auth-pref: DIGEST\nclient-auth-type: DIGEST\nserver-auth-type: DIGEST\n"
             "name: template %s\nclient-secret: derive chars 255 alphabet \"'\n"
             "server-secret: derive chars 255 alphabet &\"\n"
             "client-nonce: derive bytes 255\nserver-nonce: derive bytes 255\n",
             sid, sname, addr, tmpl);
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    if (dmboot_descriptor_parse(text, strlen(text), &d, &err) != DMBOOT_OK) {
        /* A parser stricter about URLs or templates: then there is less to
         * escape, and the bound holds all the more. */
        print_message("(bound test skipped: %s)\n", err.message);
        free(text);
        return;
    }
    dmboot_account *acc = derive(d, DEVID);
    char *doc = malloc(DMBOOT_DOCUMENT_MAX + 1);
    assert_non_null(doc);
    size_t n;
    for (int t = 0; t < 2; t++) {
        dmboot_status st = dmboot_document_format(d, acc, (dmboot_document_type)t, doc,
                                                  DMBOOT_DOCUMENT_MAX + 1, &n, &err);
        if (st != DMBOOT_OK)
            fail_msg("%s", err.message);
        print_message("(%s: %zu bytes of %d)\n", t ? "w7" : "tnds", n, DMBOOT_DOCUMENT_MAX);
        assert_true(n <= DMBOOT_DOCUMENT_MAX);
        /* too small: nothing but the size needed */
        size_t need;
        assert_int_equal(dmboot_document_format(d, acc, (dmboot_document_type)t, doc, n, &need,
                                                &err),
                         DMBOOT_ERR_BUFFER_TOO_SMALL);
        assert_int_equal(need, n);
    }
    free(doc);
    free(text);
    dmboot_account_free(acc);
    dmboot_descriptor_free(d);
}

static void test_ports(void **state)
{
    (void)state;
    static const struct {
        const char *addr;
        const char *port; /* NULL: a descriptor error */
    } cases[] = {
        {"https://h/x", "443"},
        {"http://h/x", "80"},
        {"https://h:8443/x", "8443"},
        {"http://h:/x", "80"},
        {"https://h:99/x?y=1:2", "99"},
        {"https://u:p@h:99/x", NULL}, /* no credentials in the URL */
        {"https://h?q=1:2", "443"},
        {"https://[2001:db8::1]:8080/x", "8080"},
        {"https://[2001:db8::1]/x", "443"},
        {"https://h:0/x", NULL},
        {"https://h:65536/x", NULL},
        {"https://h:8o/x", NULL},
        {"https://h:123456/x", NULL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char text[1024];
        snprintf(text, sizeof text, DESC_HEAD DESC_FIELDS);
        char *at = strstr(text, "server-addr: ") + 13;
        char rest[1024];
        snprintf(rest, sizeof rest, "%s", strchr(at, '\n'));
        snprintf(at, sizeof text - (size_t)(at - text), "%s%s", cases[k].addr, rest);
        dmboot_descriptor *d = NULL;
        dmboot_error err;
        if (dmboot_descriptor_parse(text, strlen(text), &d, &err) != DMBOOT_OK) {
            assert_null(cases[k].port); /* the parser may refuse it first */
            continue;
        }
        dmboot_account *acc = derive(d, DEVID);
        char doc[8192];
        size_t n;
        dmboot_status st =
            dmboot_document_format(d, acc, DMBOOT_DOCUMENT_TNDS, doc, sizeof doc, &n, &err);
        if (cases[k].port == NULL) {
            assert_int_equal(st, DMBOOT_ERR_DESCRIPTOR);
            assert_non_null(strstr(err.message, "port"));
        } else {
            if (st != DMBOOT_OK)
                fail_msg("%s: %s", cases[k].addr, err.message);
            char want[64];
            snprintf(want, sizeof want, "<NodeName>PortNbr</NodeName><Value>%s</Value>",
                     cases[k].port);
            if (strstr(doc, want) == NULL)
                fail_msg("%s: no %s in\n%s", cases[k].addr, want, doc);
        }
        dmboot_account_free(acc);
        dmboot_descriptor_free(d);
    }
}

static void test_filenames(void **state)
{
    (void)state;
    static const struct {
        const char *devid, *name;
    } cases[] = {
        {"IMEI:490154203237518", "IMEI_490154203237518.xml"},
        {"MEID:A0000012345678", "MEID_A0000012345678.xml"},
        {"ESN:1A2B3C4D", "ESN_1A2B3C4D.xml"},
        {"acme/unit_7", "acme%2Funit%5F7.xml"},
        {".hidden", "%2Ehidden.xml"},
        {"a.b", "a.b.xml"},
        {"..", "%2E..xml"},
        {"x%y", "x%25y.xml"},
        {"a_b", "a%5Fb.xml"},
        {"a:b", "a_b.xml"},
    };
    char out[DMBOOT_DEVID_FILENAME_MAX + 8];
    size_t n;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        assert_int_equal(dmboot_devid_filename(cases[k].devid, strlen(cases[k].devid), ".xml",
                                               out, sizeof out, &n, NULL),
                         DMBOOT_OK);
        assert_string_equal(out, cases[k].name);
        assert_int_equal(n, strlen(cases[k].name));
    }
    /* the longest DevID of the worst bytes fits the bound */
    char worst[DMBOOT_DEVID_MAX];
    memset(worst, '/', sizeof worst);
    assert_int_equal(dmboot_devid_filename(worst, sizeof worst, NULL, out, sizeof out, &n, NULL),
                     DMBOOT_OK);
    assert_int_equal(n, DMBOOT_DEVID_FILENAME_MAX);
    assert_int_equal(dmboot_devid_filename("", 0, NULL, out, sizeof out, &n, NULL),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_devid_filename("abc", 3, ".xml", out, 7, &n, NULL),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md5_first_contact), cmocka_unit_test(test_hmac_first_contact),
        cmocka_unit_test(test_basic_and_other_answers), cmocka_unit_test(test_registry),
        cmocka_unit_test(test_basic_needs_permission), cmocka_unit_test(test_validity_at_use),
        cmocka_unit_test(test_server_hmac_nonce), cmocka_unit_test(test_registry_keyring),
        cmocka_unit_test(test_xml_writer_refuses_nonxml),
        cmocka_unit_test(test_document_bound),
        cmocka_unit_test(test_ports), cmocka_unit_test(test_filenames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
