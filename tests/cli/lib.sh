# Helpers for the CLI tests: run a command, check its exit status and output.
# Usage in a test: . lib.sh; run CODE cmd args...; expect_out TEXT; expect_err TEXT
set -euo pipefail

work=$(mktemp -d "${TMPDIR:-/tmp}/dmboot-cli-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() {
    echo "FAIL: $*" >&2
    echo "--- stdout:" >&2; cat out >&2 || true
    echo "--- stderr:" >&2; cat err >&2 || true
    exit 1
}

# run CODE CMD...: run CMD, keeping stdout in ./out and stderr in ./err;
# its exit status must be CODE.
run() {
    local want=$1
    shift
    set +e
    "$@" >out 2>err
    local rc=$?
    set -e
    [ "$rc" -eq "$want" ] || fail "exit $rc (want $want): $*"
}

# The output holds this exact line / this text.
expect_line() { grep -qxF -- "$1" out || fail "stdout lacks the line: $1"; }
expect_out() { grep -qF -- "$1" out || fail "stdout lacks: $1"; }
expect_err() { grep -qF -- "$1" err || fail "stderr lacks: $1"; }
no_temp_files() {
    local left
    left=$(find "${1:-.}" -name '*.tmp-*' | head -n 1)
    [ -z "$left" ] || fail "temporary file left behind: $left"
}
mode_of() { stat -c %a "$1"; }
