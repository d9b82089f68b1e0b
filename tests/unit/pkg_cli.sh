#!/bin/sh
# End-to-end test of the larafw-pkg command: keygen, image, successor, full, delta, inspect,
# verify, apply, resign-made broken packages and usage errors. Usage: pkg_cli.sh LARAFW_PKG
set -u
PKG=${1:?usage: pkg_cli.sh path/to/larafw-pkg}
T=$(mktemp -d "${TMPDIR:-/tmp}/larafw-pkg-cli.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
fails=0
n=0

# check DESCRIPTION WANTED_STATUS COMMAND...
check() {
    desc=$1 want=$2
    shift 2
    n=$((n + 1))
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "not ok $n - $desc (exit $got, wanted $want)"
        sed 's/^/#   /' "$T/out" "$T/err"
        fails=$((fails + 1))
    else
        echo "ok $n - $desc"
    fi
}

# expect DESCRIPTION FILE PATTERN: FILE contains PATTERN (fixed string)
expect() {
    n=$((n + 1))
    if grep -qF -- "$3" "$2"; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1: no '$3' in:"
        sed 's/^/#   /' "$2"
        fails=$((fails + 1))
    fi
}

# zero COUNT bytes of FILE at OFFSET
zero() {
    dd if=/dev/zero of="$1" bs=1 seek="$2" count="$3" conv=notrunc 2>/dev/null
}

check "top-level --help" 0 "$PKG" --help
expect "help lists commands" "$T/out" "resign"
for c in keygen image full delta resign inspect verify apply; do
    check "$c --help" 0 "$PKG" "$c" --help
    expect "$c --help shows usage" "$T/out" "Usage: larafw-pkg $c"
done

mkdir "$T/k" "$T/k2"
check "keygen" 0 "$PKG" keygen "$T/k"
check "keygen second key" 0 "$PKG" keygen "$T/k2"
n=$((n + 1))
if [ "$(wc -c <"$T/k/fota.sec")" -eq 64 ] && [ "$(wc -c <"$T/k/fota.pub")" -eq 32 ] &&
    [ "$(stat -c %a "$T/k/fota.sec")" = 600 ]; then
    echo "ok $n - key files: 64-byte 0600 secret, 32-byte public"
else
    echo "not ok $n - key file sizes or mode"
    fails=$((fails + 1))
fi
check "keygen refuses to overwrite" 1 "$PKG" keygen "$T/k"
expect "keygen says what to do" "$T/err" "remove it first"

P=LARA-R6001D-00B
check "image" 0 "$PKG" image --product $P --version 03.15 --size 256K --seed 5 -o "$T/a.img"
check "successor" 0 "$PKG" image --version 03.16 --from "$T/a.img" --change 2 --seed 6 -o "$T/b.img"
check "successor, product given and equal" 0 "$PKG" image --product $P --version 03.17 \
    --from "$T/b.img" --change 1 -o "$T/c.img"
check "successor, other product" 1 "$PKG" image --product LARA-L6004D-00B --version 9 \
    --from "$T/a.img" --change 1 -o "$T/x.img"
check "image of another product" 0 "$PKG" image --product LARA-L6004D-00B --version 1 \
    --size 8192 -o "$T/l6.img"

check "full" 0 "$PKG" full --key "$T/k/fota.sec" "$T/b.img" -o "$T/b.upd" --boot-code \
    --nvm usb_mode=2 --nvm band=3 --mno 90 --mno 201
check "delta" 0 "$PKG" delta --key "$T/k/fota.sec" "$T/a.img" "$T/b.img" -o "$T/ab.dof"
check "delta across products" 1 "$PKG" delta --key "$T/k/fota.sec" "$T/a.img" "$T/l6.img" \
    -o "$T/never.dof"
n=$((n + 1))
full=$(wc -c <"$T/b.upd")
delta=$(wc -c <"$T/ab.dof")
if [ "$delta" -lt $((full / 5)) ]; then
    echo "ok $n - delta ($delta bytes) much smaller than full ($full bytes)"
else
    echo "not ok $n - delta $delta vs full $full"
    fails=$((fails + 1))
fi

check "inspect --json --pub" 0 "$PKG" inspect "$T/b.upd" --json --pub "$T/k/fota.pub"
for f in '"kind":"full"' '"product":"LARA-R6001D-00B"' '"dst_version":"03.16"' \
    '"src_version":""' '"flags":["boot_code"]' '"nvm":["usb_mode=2","band=3"]' \
    '"mno":[90,201]' '"signature":"valid"' '"payload_size":'; do
    expect "inspect json has $f" "$T/out" "$f"
done
check "inspect delta --json" 0 "$PKG" inspect --json "$T/ab.dof"
expect "delta json kind" "$T/out" '"kind":"delta"'
expect "delta json source" "$T/out" '"src_version":"03.15"'
expect "unchecked signature" "$T/out" '"signature":"unchecked"'
if command -v python3 >/dev/null 2>&1; then
    cp "$T/out" "$T/inspect.json"
    check "inspect --json is valid JSON" 0 python3 -c 'import json,sys; json.load(open(sys.argv[1]))' \
        "$T/inspect.json"
fi
check "inspect text" 0 "$PKG" inspect "$T/ab.dof"
expect "text shows source" "$T/out" "source:"
check "inspect with the wrong key" 1 "$PKG" inspect "$T/ab.dof" --json --pub "$T/k2/fota.pub"
expect "wrong key shows invalid" "$T/out" '"signature":"invalid"'
check "inspect a non-package" 1 "$PKG" inspect "$T/a.img"
expect "non-package error" "$T/err" "bad magic"

check "verify full" 0 "$PKG" verify --pub "$T/k/fota.pub" "$T/b.upd"
check "verify delta, wrong key" 1 "$PKG" verify --pub "$T/k2/fota.pub" "$T/ab.dof"
check "apply full" 0 "$PKG" apply "$T/b.upd" --pub "$T/k/fota.pub" -o "$T/out-full.img"
check "full result identical" 0 cmp "$T/out-full.img" "$T/b.img"
check "apply delta" 0 "$PKG" apply "$T/ab.dof" --source "$T/a.img" -o "$T/out-delta.img"
check "delta result identical" 0 cmp "$T/out-delta.img" "$T/b.img"
check "apply delta to the wrong source" 1 "$PKG" apply "$T/ab.dof" --source "$T/b.img" \
    -o "$T/never.img"
expect "wrong source explained" "$T/err" "source image differs"

# Broken but validly signed packages, made with resign (docs/package-format.md).
cp "$T/ab.dof" "$T/bad.dof"
zero "$T/bad.dof" 1100 16
check "corrupted payload fails verify" 1 "$PKG" verify --pub "$T/k/fota.pub" "$T/bad.dof"
check "resign" 0 "$PKG" resign --key "$T/k/fota.sec" "$T/bad.dof" -o "$T/bad.dof"
check "re-signed corrupt payload verifies" 0 "$PKG" verify --pub "$T/k/fota.pub" "$T/bad.dof"
check "but does not apply" 1 "$PKG" apply "$T/bad.dof" --source "$T/a.img" -o "$T/never.img"
expect "payload error" "$T/err" "payload is corrupt"
cp "$T/b.upd" "$T/target.upd"
zero "$T/target.upd" 160 32
check "resign wrong target hash" 0 "$PKG" resign --key "$T/k/fota.sec" "$T/target.upd" \
    -o "$T/target2.upd"
check "wrong target verifies" 0 "$PKG" verify --pub "$T/k/fota.pub" "$T/target2.upd"
check "wrong target does not apply" 1 "$PKG" apply "$T/target2.upd" -o "$T/never.img"
expect "target error" "$T/err" "declared target"
n=$((n + 1))
if [ -e "$T/never.img" ] || [ -e "$T/never.dof" ] || ls "$T" | grep -q '\.tmp\.'; then
    echo "not ok $n - a failed command left a file behind"
    fails=$((fails + 1))
else
    echo "ok $n - failed commands leave no files"
fi

# Usage errors: exit 2.
check "no command" 2 "$PKG"
check "unknown command" 2 "$PKG" frobnicate
check "unknown option" 2 "$PKG" full --frob
check "missing -o" 2 "$PKG" full --key "$T/k/fota.sec" "$T/b.img"
check "missing option value" 2 "$PKG" full "$T/b.img" -o "$T/x" --key
check "bad --mno" 2 "$PKG" full --key "$T/k/fota.sec" "$T/b.img" -o "$T/x" --mno abc
check "bad --nvm" 2 "$PKG" delta --key "$T/k/fota.sec" "$T/a.img" "$T/b.img" -o "$T/x" --nvm novalue
set -- full --key "$T/k/fota.sec" "$T/b.img" -o "$T/x"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; do set -- "$@" --nvm "n$i=1"; done
check "17 --nvm" 2 "$PKG" "$@"
check "bad --size" 2 "$PKG" image --product $P --version 1 --size 12Q -o "$T/x"
check "too small --size" 2 "$PKG" image --product $P --version 1 --size 100 -o "$T/x"
check "--change without --from" 2 "$PKG" image --product $P --version 1 --size 8K --change 3 -o "$T/x"
check "--change out of range" 2 "$PKG" image --version 1 --from "$T/a.img" --change 101 -o "$T/x"
check "delta with one image" 2 "$PKG" delta --key "$T/k/fota.sec" "$T/a.img" -o "$T/x"
check "verify without --pub" 2 "$PKG" verify "$T/b.upd"
check "bad key file" 1 "$PKG" full --key "$T/k/fota.pub" "$T/b.img" -o "$T/x"
expect "key error says what to do" "$T/err" "keygen DIR"
check "usage error output" 2 "$PKG" resign "$T/b.upd"
expect "usage error points to --help" "$T/err" "Try 'larafw-pkg resign --help'"
[ -e "$T/x" ] && { echo "not ok - usage errors wrote a file"; fails=$((fails + 1)); }

echo "1..$n"
[ "$fails" -eq 0 ]
