#!/usr/bin/env bash
# Install dmboot into a temporary prefix, then build examples/c/derive.c
# against it twice: with find_package(dmboot) and with pkg-config. Both must
# print the same row as the dmboot command.
#   test_install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -f "$tmp/prefix/include/dmboot.h"
for part in common derive auth omadm; do test -f "$tmp/prefix/include/dmboot/$part.h"; done
libdir=$(dirname "$(find "$tmp/prefix" -name dmboot.pc)")/..

cmake -S "$src/examples/c" -B "$tmp/cmake" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/cmake" >/dev/null

export PKG_CONFIG_PATH="$libdir/pkgconfig"
version=$(sed -n 's/^project(dmboot VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
test "$(pkg-config --modversion dmboot)" = "$version"
cc "$src/examples/c/derive.c" $(pkg-config --cflags --libs dmboot) -o "$tmp/derive-pc"

"$tmp/prefix/bin/dmboot" key new --out "$tmp/k"
want=$("$tmp/prefix/bin/dmboot" derive --descriptor "$src/examples/acme-x1.desc" --key "$tmp/k" 490154203237518)
got1=$(LD_LIBRARY_PATH="$libdir" "$tmp/cmake/derive" "$src/examples/acme-x1.desc" "$tmp/k" 490154203237518)
got2=$(LD_LIBRARY_PATH="$libdir" "$tmp/derive-pc" "$src/examples/acme-x1.desc" "$tmp/k" 490154203237518)
test "$want" = "$got1"
test "$want" = "$got2"
echo "installed package works with find_package and pkg-config"
