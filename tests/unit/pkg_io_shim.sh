#!/bin/sh
# larafw-pkg under an LD_PRELOAD shim that forces short reads/writes and EINTR: every output
# must be byte-identical to the one made without the shim. Usage: pkg_io_shim.sh PKG SHIM.so
set -eu
PKG=$1
SHIM=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/larafw-pkg-shim.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
mkdir "$T/k" "$T/plain" "$T/shim"
"$PKG" keygen "$T/k" >/dev/null

run() { # DIR: the whole chain, writing into DIR
    "$PKG" image --product LARA-R6001D-00B --version 1 --size 24K --seed 3 -o "$1/a.img"
    "$PKG" image --version 2 --from "$1/a.img" --change 4 --seed 4 -o "$1/b.img"
    "$PKG" full --key "$T/k/fota.sec" "$1/b.img" -o "$1/b.upd"
    "$PKG" delta --key "$T/k/fota.sec" "$1/a.img" "$1/b.img" -o "$1/ab.dof"
    "$PKG" resign --key "$T/k/fota.sec" "$1/ab.dof" -o "$1/ab2.dof"
    "$PKG" verify --pub "$T/k/fota.pub" "$1/ab2.dof"
    "$PKG" apply "$1/ab.dof" --source "$1/a.img" --pub "$T/k/fota.pub" -o "$1/out.img"
    "$PKG" apply "$1/b.upd" -o "$1/out2.img"
}
run "$T/plain" >/dev/null
# The sanitizer runtime must not insist on coming first in the library list.
LD_PRELOAD=$SHIM ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
    run "$T/shim" >/dev/null
for f in a.img b.img b.upd ab.dof ab2.dof out.img out2.img; do
    cmp "$T/plain/$f" "$T/shim/$f"
done
cmp "$T/shim/out.img" "$T/shim/b.img"
cmp "$T/shim/out2.img" "$T/shim/b.img"
echo "ok - larafw-pkg output identical under short reads/writes and EINTR"
