#!/usr/bin/env bash
# Ed25519 interoperability with the openssl command, over the signed bytes:
#  (a) a signature made by `openssl pkeyutl -sign -rawin` with a key from
#      `openssl genpkey -algorithm ed25519` is accepted by `dmboot verify`;
#  (b) a signature made by `dmboot sign` is accepted by
#      `openssl pkeyutl -verify -rawin -pubin`, with an openssl key and with
#      a dmboot key pair.
#   test_openssl_interop.sh DMBOOT
dmboot=$(realpath "$1")
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || fail "the openssl command is needed"

cat > body.desc <<'DESC'
# openssl interop batch
dmboot-descriptor: 1
id: interop-001
issuer: Interop Issuer
devid-type: opaque
devid-match: interop-*
server-id: dm.interop.example
server-addr: https://dm.interop.example/
client-secret: derive bytes 16 hex
DESC
openssl genpkey -algorithm ed25519 -out ossl.key 2>/dev/null
openssl pkey -in ossl.key -pubout -out ossl.pub
"$dmboot" key new --out master.key

# Byte offset of the first authentication line: the signed bytes end there.
signed_len() { grep -b -m 1 -E '^(mac|signature): ' "$1" | cut -d: -f1; }

# ---- (a) openssl signs, dmboot verifies
# without other authentication lines the signed bytes are the whole file
openssl pkeyutl -sign -rawin -inkey ossl.key -in body.desc -out a.sig
cp body.desc a.desc
printf 'signature: ed25519 %s\n' "$(base64 -w 0 a.sig)" >> a.desc
run 0 "$dmboot" verify --descriptor a.desc --issuer-key ossl.pub
expect_line "signature: ok (issuer key 1: ossl.pub)"
# after a mac line made by dmboot: openssl signs the bytes before it
"$dmboot" sign --descriptor body.desc --key master.key --out with-mac.desc >/dev/null
n=$(signed_len with-mac.desc)
[ "$n" -eq "$(stat -c %s body.desc)" ] || fail "signed bytes of with-mac.desc: $n"
head -c "$n" with-mac.desc > signed.bin
cmp -s signed.bin body.desc || fail "signed bytes differ from the body"
openssl pkeyutl -sign -rawin -inkey ossl.key -in signed.bin -out b.sig
cp with-mac.desc b.desc
printf 'signature: ed25519 %s\n' "$(base64 -w 0 b.sig)" >> b.desc
run 0 "$dmboot" verify --descriptor b.desc --key master.key --issuer-key ossl.pub
expect_line "signature: ok (issuer key 1: ossl.pub)"
expect_line "mac: ok"
# and the check can fail: openssl's signature over other bytes is refused
printf 'x' | cat body.desc - > other.bin
openssl pkeyutl -sign -rawin -inkey ossl.key -in other.bin -out c.sig
cp body.desc c.desc
printf 'signature: ed25519 %s\n' "$(base64 -w 0 c.sig)" >> c.desc
run 1 "$dmboot" verify --descriptor c.desc --issuer-key ossl.pub
expect_out "signature: FAILED"

# ---- (b) dmboot signs, openssl verifies
check_with_openssl() { # FILE PUBKEY
    local n
    n=$(signed_len "$1")
    head -c "$n" "$1" > "$1.signed"
    sed -n 's/^signature: ed25519 //p' "$1" | base64 -d > "$1.sig"
    [ "$(stat -c %s "$1.sig")" -eq 64 ] || fail "signature of $1 is not 64 bytes"
    run 0 openssl pkeyutl -verify -rawin -pubin -inkey "$2" -in "$1.signed" -sigfile "$1.sig"
    expect_out "Signature Verified Successfully"
    # a changed byte: openssl refuses it too
    printf 'X' | dd of="$1.signed" bs=1 seek=0 conv=notrunc 2>/dev/null
    run 1 openssl pkeyutl -verify -rawin -pubin -inkey "$2" -in "$1.signed" -sigfile "$1.sig"
}
# with the openssl-made key, over a file that also has key-check and mac
"$dmboot" sign --descriptor body.desc --key master.key --key-check --signing-key ossl.key \
    --out d.desc >/dev/null
check_with_openssl d.desc ossl.pub
run 0 "$dmboot" verify --descriptor d.desc --key master.key --issuer-key ossl.pub
# with a dmboot key pair; openssl reads both of its files
"$dmboot" key pair --out-private dm.key --out-public dm.pub >/dev/null
openssl pkey -in dm.key -pubout | cmp -s - dm.pub || fail "openssl derives another public key"
"$dmboot" sign --descriptor body.desc --signing-key dm.key --out e.desc >/dev/null
check_with_openssl e.desc dm.pub

echo "all openssl interop tests passed"
