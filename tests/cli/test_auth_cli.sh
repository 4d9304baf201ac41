#!/usr/bin/env bash
# dmboot key pair / key batch / key check / sign / verify / registry, end to
# end through the command: outputs, exit codes, atomic files.
#   test_auth_cli.sh DMBOOT
dmboot=$(realpath "$1")
tools=$(cd "$(dirname "$0")/../tools" && pwd)
. "$(dirname "$0")/lib.sh"

cat > batch.desc <<'DESC'
# CLI authentication test batch
dmboot-descriptor: 1
id: cli-auth-001
issuer: CLI Test Devices
not-before: 2026-01-01
not-after: 2027-12-31
devid-type: imei
devid-match: IMEI:35000011* IMEI:490154203237518
key-id: cli-key
server-id: dm.cli.example
server-addr: https://dm.cli.example/dm
name: devid
client-secret: derive bytes 16 base64url
server-secret: derive chars 20 alnum
DESC
cp batch.desc pristine.desc

# ---- keys
run 0 "$dmboot" key new --out master.key
run 0 "$dmboot" key new --out other.key
run 0 "$dmboot" key pair --out-private issuer.key --out-public issuer.pub
expect_out "private key: issuer.key"
[ "$(mode_of issuer.key)" = 600 ] || fail "private key mode $(mode_of issuer.key)"
head -n 1 issuer.key | grep -qx -- '-----BEGIN PRIVATE KEY-----' || fail "not PKCS#8 PEM"
head -n 1 issuer.pub | grep -qx -- '-----BEGIN PUBLIC KEY-----' || fail "not SPKI PEM"
cp issuer.key issuer.key.orig
run 1 "$dmboot" key pair --out-private issuer.key --out-public new.pub
expect_err "issuer.key already exists (use --force to replace it)"
[ ! -e new.pub ] || fail "a half key pair was written"
cmp -s issuer.key issuer.key.orig || fail "refused key pair changed the private key"
run 0 "$dmboot" key pair --out-private other-issuer.key --out-public other-issuer.pub
run 2 "$dmboot" key pair --out-private x.key
expect_err "--out-private FILE and --out-public FILE are required"
run 2 "$dmboot" key pair --out-private same --out-public same

# ---- key files must be private, as OpenSSH requires of a private key
# (issue 14.11): a file group or others may access, or a symbolic link, is
# refused with a message naming it; master, batch and signing keys alike
cp master.key open.key
for mode in 644 640 604 660 602 610 601; do
    chmod "$mode" open.key
    run 1 "$dmboot" key check --descriptor batch.desc --key open.key
    expect_err "key file open.key is accessible by group or others (mode 0$mode): refused"
    expect_err "chmod 600 open.key"
    run 1 "$dmboot" verify --descriptor batch.desc --key open.key --allow-unauthenticated
    expect_err "key file open.key is accessible by group or others (mode 0$mode)"
done
cp issuer.key open-issuer.key
chmod 640 open-issuer.key
run 1 "$dmboot" sign --descriptor batch.desc --signing-key open-issuer.key --out unused.desc
expect_err "signing key file open-issuer.key is accessible by group or others (mode 0640)"
[ ! -e unused.desc ] || fail "signed with a signing key others can read"
ln -s master.key linked.key
ln -s issuer.key linked-issuer.key
run 1 "$dmboot" key check --descriptor batch.desc --key linked.key
expect_err "key file linked.key is a symbolic link: refused"
run 1 "$dmboot" derive --descriptor batch.desc --batch-key linked.key 490154203237518
expect_err "key file linked.key is a symbolic link: refused"
run 1 "$dmboot" sign --descriptor batch.desc --signing-key linked-issuer.key --out unused.desc
expect_err "signing key file linked-issuer.key is a symbolic link: refused"
chmod 600 open.key
run 0 "$dmboot" key check --descriptor batch.desc --key open.key
# the key from standard input is not a file: no mode to check
run 0 "$dmboot" key check --descriptor batch.desc --key - < open.key
rm -f open.key open-issuer.key linked.key linked-issuer.key

# ---- key check before signing: no key-check line yet
run 0 "$dmboot" key check --descriptor batch.desc --key master.key
kc=$(sed -n 's/^key check: //p' out)
[[ "$kc" =~ ^[0-9a-f]{8}$ ]] || fail "key check '$kc'"
expect_out "descriptor: no key-check line"

# ---- sign in place: key-check, mac, signature
chmod 640 batch.desc
run 0 "$dmboot" sign --descriptor batch.desc --key master.key --signing-key issuer.key --key-check
expect_line "batch.desc: descriptor 'cli-auth-001', key-check added, mac added, signature added"
[ "$(mode_of batch.desc)" = 640 ] || fail "in-place signing changed the mode"
no_temp_files
grep -qx "key-check: $kc" batch.desc || fail "key-check line"
sed -n '/^key-id:/{n;p}' batch.desc | grep -qx "key-check: $kc" || fail "key-check not after key-id"
tail -n 2 batch.desc | head -n 1 | grep -Eq '^mac: hmac-sha256 [A-Za-z0-9+/]{43}=$' || fail "mac line"
tail -n 1 batch.desc | grep -Eq '^signature: ed25519 [A-Za-z0-9+/]{86}==$' || fail "signature line"
# the signed bytes are the original file plus the key-check line
diff <(grep -v '^key-check: ' batch.desc | grep -v '^mac: ' | grep -v '^signature: ') pristine.desc \
    || fail "signing changed more than its lines"

# ---- verify: every check passes
run 0 "$dmboot" verify --descriptor batch.desc --key master.key --issuer-key issuer.pub --at 2026-06-01
expect_line "signature: ok (issuer key 1: issuer.pub)"
expect_line "key-check: ok ($kc)"
expect_line "mac: ok"
expect_line "validity: ok (2026-01-01 .. 2027-12-31)"
expect_line "verified: batch.desc (descriptor 'cli-auth-001')"
[ "$(wc -l < out)" -eq 5 ] || fail "verify printed more than one line per check"
# the right issuer key second among several
run 0 "$dmboot" verify --descriptor batch.desc --issuer-key other-issuer.pub --issuer-key issuer.pub \
    --at 2027-12-31T23:59:59Z
expect_line "signature: ok (issuer key 2: issuer.pub)"
expect_line "key-check: not checked (no key given)"
expect_line "mac: not checked (no key given)"
# the key from standard input
run 0 "$dmboot" verify --descriptor batch.desc --key - --at 2026-06-01 < master.key
expect_line "mac: ok"

# ---- verify: each failure, named, exit 1
run 1 "$dmboot" verify --descriptor batch.desc --key master.key --at 2028-01-01
expect_line "validity: FAILED: expired: not-after was 2027-12-31 (until 23:59:59 UTC), the time is 2028-01-01T00:00:00Z"
expect_err "batch.desc: verification FAILED: validity check failed for descriptor 'cli-auth-001'"
run 1 "$dmboot" verify --descriptor batch.desc --key master.key --at 2025-12-31T23:59:59Z
expect_out "validity: FAILED: not valid yet"
run 0 "$dmboot" verify --descriptor batch.desc --key master.key --at 2030-01-01 --ignore-validity
expect_line "validity: not checked (validity ignored on request)"
run 1 "$dmboot" verify --descriptor batch.desc --key other.key --at 2026-06-01
expect_out "key-check: FAILED: the master key gives"
expect_line "mac: not checked (the key failed key-check)"
expect_err "key-check check failed"
run 1 "$dmboot" verify --descriptor batch.desc --issuer-key other-issuer.pub --at 2026-06-01
expect_out "signature: FAILED: the signature does not verify with the issuer key"
run 1 "$dmboot" verify --descriptor batch.desc --at 2026-06-01
expect_err "is not authenticated: its mac line was not checked: no key given; its signature line was not checked: no issuer key given"
run 0 "$dmboot" verify --descriptor batch.desc --at 2026-06-01 --allow-unauthenticated
run 1 "$dmboot" verify --descriptor batch.desc --key master.key --at 2026-06-01 --require-signature
expect_err "a signature is required, but no issuer key was given"
run 1 "$dmboot" verify --descriptor batch.desc --issuer-key issuer.key --at 2026-06-01
expect_err "issuer.key: this is a private key; give the issuer's public key"
run 1 "$dmboot" verify --descriptor batch.desc --key master.key --at 2026-13-01
expect_err "--at: '2026-13-01' is not a date"
# a tampered value: both mac and signature fail
sed 's/^server-addr: .*/server-addr: https:\/\/evil.example\/dm/' batch.desc > tampered.desc
run 1 "$dmboot" verify --descriptor tampered.desc --key master.key --issuer-key issuer.pub --at 2026-06-01
expect_out "signature: FAILED"
expect_out "mac: FAILED: the MAC does not match; the master key passes key-check, so the descriptor was changed"
expect_err "signature check failed for descriptor 'cli-auth-001'"

# ---- key check, key batch
run 0 "$dmboot" key check --descriptor batch.desc --key master.key
expect_line "descriptor: key-check $kc matches"
run 1 "$dmboot" key check --descriptor batch.desc --key other.key
expect_out "does NOT match"
expect_err "wrong key"
run 0 "$dmboot" key batch --descriptor batch.desc --key master.key --out batch.key
[ "$(mode_of batch.key)" = 600 ] || fail "batch key mode"
grep -Eqx '[0-9a-f]{64}' batch.key || fail "batch key file shape"
run 0 "$dmboot" key check --descriptor batch.desc --batch-key batch.key
expect_line "key check: $kc"
run 1 "$dmboot" key batch --descriptor batch.desc --key other.key --out wrong.key
expect_err "does not match key-check"
[ ! -e wrong.key ] || fail "a batch key was written for a wrong key"
no_temp_files
# a batch key (what a factory holds) checks key-check but not the MAC: on
# its own it authenticates nothing, and it cannot make a mac line
run 1 "$dmboot" verify --descriptor batch.desc --batch-key batch.key --at 2026-06-01
expect_line "key-check: ok ($kc)"
expect_line "mac: not checked (a batch key cannot check a MAC: its key comes from the master key)"
expect_err "its mac line was not checked: a batch key cannot check a MAC"
run 0 "$dmboot" verify --descriptor batch.desc --batch-key batch.key --issuer-key issuer.pub --at 2026-06-01
cp batch.desc before.desc
run 1 "$dmboot" sign --descriptor batch.desc --batch-key batch.key --key-check
expect_err "a batch key cannot make or check the MAC of descriptor 'cli-auth-001'"
cmp -s batch.desc before.desc || fail "a refused signing changed the file"

# issue 14.3: a factory worker rewrites the descriptor and makes its MAC the
# old way (from the batch key's descriptor-mac stream); the operator's
# master key refuses it, with and without --require-mac, and so does
# registry add's default policy
sed -e 's|^server-addr: .*|server-addr: http://evil.example:8080/dm|' \
    -e 's|^devid-match: .*|devid-match: IMEI:4901*|' pristine.desc > forged.body
sed -n '/^key-check: /p' batch.desc > kc.line
sed -i "/^key-id: /r kc.line" forged.body
python3 - "$tools" forged.body batch.key > forged.desc <<'PY'
import base64, hmac, hashlib, sys
sys.path.insert(0, sys.argv[1])
import dmboot_ref as ref
body = open(sys.argv[2], "rb").read()
bk = bytes.fromhex(open(sys.argv[3]).read().strip())
old_mk = ref.field_stream("hkdf-sha256", bk, "descriptor-mac", "dm.cli.example", "", 32)
mac = hmac.new(old_mk, body, hashlib.sha256).digest()
sys.stdout.write(body.decode() + "mac: hmac-sha256 " + base64.b64encode(mac).decode() + "\n")
PY
for policy in "" --require-mac; do
    run 1 "$dmboot" verify --descriptor forged.desc --key master.key --at 2026-06-01 $policy
    expect_line "key-check: ok ($kc)"
    expect_out "mac: FAILED: the MAC does not match"
    expect_err "mac check failed for descriptor 'cli-auth-001'"
done
run 1 "$dmboot" registry add --registry forged-reg --descriptor forged.desc --key master.key --at 2026-06-01
expect_err "mac check failed for descriptor 'cli-auth-001'"
[ ! -e forged-reg/cli-auth-001.desc ] || fail "a batch-key MAC was added to the registry"
# the batch key derives exactly what the master key does
"$dmboot" derive --descriptor batch.desc --key master.key 490154203237518 IMEI:350000110000003 > m.jsonl
"$dmboot" derive --descriptor batch.desc --batch-key batch.key 490154203237518 IMEI:350000110000003 > b.jsonl
[ "$(wc -l < m.jsonl)" -eq 2 ] && cmp -s m.jsonl b.jsonl || fail "batch key derivation differs"

# ---- signing that must fail leaves the file as it was, and no temporary file
cp batch.desc before.desc
run 1 "$dmboot" sign --descriptor batch.desc --key other.key
expect_err "does not match key-check"
expect_err "to set key-check for this key instead, sign with key-check"
cmp -s batch.desc before.desc || fail "a refused signing changed the file"
run 1 "$dmboot" sign --descriptor batch.desc --key other.key --key-check
expect_err "would no longer verify: give the signing key"
cmp -s batch.desc before.desc || fail "a refused signing changed the file"
no_temp_files
# moving to another key re-signs both lines
run 0 "$dmboot" sign --descriptor batch.desc --key other.key --signing-key issuer.key --key-check --out moved.desc
expect_line "moved.desc: descriptor 'cli-auth-001', key-check set, mac replaced, signature replaced"
run 0 "$dmboot" verify --descriptor moved.desc --key other.key --issuer-key issuer.pub --at 2026-06-01
run 1 "$dmboot" sign --descriptor batch.desc --key master.key --out moved.desc
expect_err "moved.desc already exists"
# to standard output, the summary on stderr
run 0 "$dmboot" sign --descriptor pristine.desc --signing-key issuer.key --out -
expect_err "standard output: descriptor 'cli-auth-001', signature added"
tail -n 1 out | grep -q '^signature: ed25519 ' || fail "signed text on stdout"
cmp -s pristine.desc <(head -c "$(stat -c %s pristine.desc)" out) || fail "signed bytes changed"
# usage errors: exit 2
run 2 "$dmboot" sign --descriptor batch.desc
expect_err "nothing to sign with"
run 2 "$dmboot" sign --descriptor batch.desc --key master.key --batch-key batch.key
run 2 "$dmboot" sign --descriptor batch.desc --signing-key issuer.key --key-check
run 2 "$dmboot" sign --descriptor batch.desc --key - --signing-key -
expect_err "only one input can be standard input"
run 2 "$dmboot" verify --key master.key
expect_err "--descriptor FILE is required"
run 2 "$dmboot" verify --descriptor batch.desc --bogus
run 0 "$dmboot" verify --help
expect_out "usage: dmboot verify"
no_temp_files

# ---- registry
reg=registry
run 0 "$dmboot" registry add --registry "$reg" --descriptor batch.desc --key master.key \
    --issuer-key issuer.pub --at 2026-06-01
expect_line "added: descriptor 'cli-auth-001' as $reg/cli-auth-001.desc"
expect_line "mac: ok"
expect_line "signature: ok (issuer key 1: issuer.pub)"
cmp -s "$reg/cli-auth-001.desc" batch.desc || fail "registry copy differs"
# an overlapping descriptor (its own id, a devid-match inside the first's)
sed -e 's/^id: .*/id: cli-auth-002/' -e 's/^devid-match: .*/devid-match: IMEI:3500001199*/' \
    pristine.desc > overlap.desc
"$dmboot" sign --descriptor overlap.desc --key master.key >/dev/null
run 1 "$dmboot" registry add --registry "$reg" --descriptor overlap.desc --key master.key --at 2026-06-01
expect_err "descriptor 'cli-auth-002' overlaps descriptor 'cli-auth-001'"
expect_err "'IMEI:3500001199*' of 'cli-auth-002' and 'IMEI:35000011*' of 'cli-auth-001'"
expect_err "($reg/cli-auth-001.desc)"
[ ! -e "$reg/cli-auth-002.desc" ] || fail "an overlapping descriptor was added"
# the same id again
run 1 "$dmboot" registry add --registry "$reg" --descriptor moved.desc --key other.key --at 2026-06-01
expect_err "descriptor id 'cli-auth-001' is already in the registry"
# unauthenticated and expired ones are refused unless told not to
sed -e 's/^id: .*/id: cli-auth-003/' -e 's/^devid-match: .*/devid-match: IMEI:86*/' \
    pristine.desc > plain.desc
run 1 "$dmboot" registry add --registry "$reg" --descriptor plain.desc --at 2026-06-01
expect_err "plain.desc: not added: descriptor 'cli-auth-003' is not authenticated"
run 1 "$dmboot" registry add --registry "$reg" --descriptor plain.desc --allow-unauthenticated --at 2030-01-01
expect_err "expired"
run 0 "$dmboot" registry add --registry "$reg" --descriptor plain.desc --allow-unauthenticated --ignore-validity
run 0 "$dmboot" registry list --registry "$reg"
expect_line "$(printf 'id\tdevid-type\tdevid-match\tvalidity\tauth')"
expect_line "$(printf 'cli-auth-001\timei\tIMEI:35000011* IMEI:490154203237518\t2026-01-01..2027-12-31\tmac+signature')"
expect_line "$(printf 'cli-auth-003\timei\tIMEI:86*\t2026-01-01..2027-12-31\tnone')"
run 0 "$dmboot" registry lookup --registry "$reg" 35-000011-000000-3 IMEI:860000000000009
expect_line "IMEI:350000110000003: descriptor 'cli-auth-001' ($reg/cli-auth-001.desc)"
expect_line "IMEI:860000000000009: descriptor 'cli-auth-003' ($reg/cli-auth-003.desc)"
run 1 "$dmboot" registry lookup --registry "$reg" 490154203237518 IMEI:999999999999994
expect_line "IMEI:490154203237518: descriptor 'cli-auth-001' ($reg/cli-auth-001.desc)"
expect_err "no descriptor covers DevID 'IMEI:999999999999994'"
run 2 "$dmboot" registry lookup --registry "$reg"
no_temp_files "$reg"

# ---- the operator's keyring (issue 11): a master key per key-id
mkdir keyring
cp master.key keyring/cli-key.key
cp other.key keyring/globex-key.key
run 0 "$dmboot" verify --descriptor batch.desc --keyring keyring --at 2026-06-01
expect_line "key-check: ok ($kc, key-id cli-key)"
expect_line "mac: ok"
# an unknown key-id, and no key-id at all: refused, naming it
sed -e 's/^key-id: .*/key-id: initech-key/' -e '/^key-check: /d' pristine.desc > unknown.desc
"$dmboot" sign --descriptor unknown.desc --key master.key --key-check >/dev/null
run 1 "$dmboot" verify --descriptor unknown.desc --keyring keyring --at 2026-06-01
expect_err "key-check check failed for descriptor 'cli-auth-001': its key-id 'initech-key' is not in the keyring (keyring: cli-key, globex-key)"
sed -e '/^key-id: /d' pristine.desc > nokeyid.desc
"$dmboot" sign --descriptor nokeyid.desc --key master.key >/dev/null
run 1 "$dmboot" verify --descriptor nokeyid.desc --keyring keyring --at 2026-06-01
expect_err "it has no key-id line"
# one --key keeps working
run 0 "$dmboot" verify --descriptor nokeyid.desc --key master.key --at 2026-06-01
# a descriptor made with this key but claiming another issuer's key-id
sed -e 's/^key-id: .*/key-id: globex-key/' pristine.desc > claims.desc
"$dmboot" sign --descriptor claims.desc --key master.key --key-check >/dev/null
run 1 "$dmboot" verify --descriptor claims.desc --keyring keyring --at 2026-06-01
expect_err "the master key of key-id 'globex-key' gives key check"
# registry add with the keyring: two key-ids are two manufacturers, and
# without a trust file nothing bounds what each issuer claims: refused
run 1 "$dmboot" registry add --registry kreg --descriptor batch.desc --keyring keyring --at 2026-06-01
expect_err "registry add: a keyring of 2 key-ids (several manufacturers) needs --trust FILE"
[ ! -e kreg/cli-auth-001.desc ] || fail "a keyring without a trust file imported"
cat > kr.trust <<TRUST
issuer: CLI Test Devices
public-key: ed25519 $(openssl pkey -pubin -in issuer.pub -outform DER | tail -c 32 | base64)
key-ids: cli-key initech-key
devid-ranges: IMEI:35000011* IMEI:490154203237518
TRUST
run 0 "$dmboot" registry add --registry kreg --descriptor batch.desc --keyring keyring --trust kr.trust --at 2026-06-01
run 1 "$dmboot" registry add --registry kreg --descriptor unknown.desc --keyring keyring --trust kr.trust --at 2026-06-01
expect_err "its key-id 'initech-key' is not in the keyring"
[ ! -e kreg/unknown.desc ] || fail "an unknown key-id was added"
# the keyring's files: private, no symbolic link
chmod 644 keyring/globex-key.key
run 1 "$dmboot" verify --descriptor batch.desc --keyring keyring --at 2026-06-01
expect_err "keyring: key file keyring/globex-key.key is accessible by group or others (mode 0644)"
chmod 600 keyring/globex-key.key
ln -s ../master.key keyring/alias.key
run 1 "$dmboot" registry add --registry kreg --descriptor batch.desc --keyring keyring --trust kr.trust --at 2026-06-01
expect_err "keyring/alias.key is a symbolic link"
rm keyring/alias.key
run 2 "$dmboot" verify --descriptor batch.desc --keyring keyring --key master.key
expect_err "give at most one of --key FILE, --batch-key FILE and --keyring DIR"

# ---- issuer scopes: the operator's trust file (issue 11)
run 0 "$dmboot" key pair --out-private scoped.key --out-public scoped.pub
want=$(openssl pkey -pubin -in scoped.pub -outform DER | tail -c 32 | base64)
expect_line "trust file: public-key: ed25519 $want"
b64pub() { openssl pkey -pubin -in "$1" -outform DER | tail -c 32 | base64; }
cat > trust.txt <<TRUST
# who may claim what
issuer: CLI Test Devices
public-key: ed25519 $(b64pub issuer.pub)
key-ids: cli-key
devid-ranges: IMEI:35000011* IMEI:490154203237518

issuer: Other Corp
public-key: ed25519 $(b64pub other-issuer.pub)
key-ids: other-key
devid-ranges: IMEI:86*
TRUST
run 0 "$dmboot" verify --descriptor batch.desc --trust trust.txt --at 2026-06-01
expect_line "signature: ok (trusted issuer 'CLI Test Devices')"
expect_line "scope: ok (issuer 'CLI Test Devices', key-id cli-key)"
# A claims B's range
sed -e 's/^devid-match: .*/devid-match: IMEI:86*/' -e '/^key-check: /d' pristine.desc > claim.desc
"$dmboot" sign --descriptor claim.desc --signing-key issuer.key >/dev/null
run 1 "$dmboot" verify --descriptor claim.desc --trust trust.txt --at 2026-06-01
expect_err "scope check failed for descriptor 'cli-auth-001': issuer 'CLI Test Devices' may not claim devid-match 'IMEI:86*', outside its devid-ranges (IMEI:35000011* IMEI:490154203237518)"
expect_line "signature: ok (trusted issuer 'CLI Test Devices')"
# A uses B's key-id
sed -e 's/^key-id: .*/key-id: other-key/' pristine.desc > kid.desc
"$dmboot" sign --descriptor kid.desc --signing-key issuer.key >/dev/null
run 1 "$dmboot" verify --descriptor kid.desc --trust trust.txt --at 2026-06-01
expect_err "issuer 'CLI Test Devices' uses key-id 'other-key', which is issuer 'Other Corp''s"
# import refuses both, whatever was imported before
run 1 "$dmboot" registry add --registry sreg --descriptor claim.desc --trust trust.txt --at 2026-06-01
expect_err "may not claim devid-match 'IMEI:86*'"
run 1 "$dmboot" registry add --registry sreg --descriptor kid.desc --trust trust.txt --at 2026-06-01
expect_err "which is issuer 'Other Corp''s"
[ ! -e sreg/cli-auth-001.desc ] || fail "an out-of-scope descriptor was added"
run 0 "$dmboot" registry add --registry sreg --descriptor batch.desc --trust trust.txt --keyring keyring --at 2026-06-01
# a malformed trust file names its line
printf 'issuer: X\nbogus: 1\n' > bad.trust
run 1 "$dmboot" verify --descriptor batch.desc --trust bad.trust --at 2026-06-01
expect_err "trust file bad.trust: line 2: unknown key 'bogus'"

echo "all CLI authentication tests passed"
