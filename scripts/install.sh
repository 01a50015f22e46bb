#!/usr/bin/env bash
# Builds twfollow in release mode and installs it for C and C++ users:
#   PREFIX/lib/libtwfollow.so.0.1.0 (SONAME libtwfollow.so.0) + libtwfollow.so.0 + libtwfollow.so links
#   PREFIX/lib/libtwfollow.a
#   PREFIX/include/twfollow.h, PREFIX/include/twfollow.hpp
#   PREFIX/lib/pkgconfig/twfollow.pc (shared) and twfollow-static.pc (static)
#   PREFIX/bin/tw-follow
# Usage: scripts/install.sh PREFIX      (e.g. /usr/local; run ldconfig afterwards there)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
[ $# -eq 1 ] || { echo "usage: scripts/install.sh PREFIX" >&2; exit 64; }
mkdir -p "$1"
prefix=$(cd "$1" && pwd)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
major=${version%%.*}
soname="libtwfollow.so.$major"

# A target directory of its own: the SONAME is set only for installed copies, so
# the in-tree target/ libraries stay linkable with plain -L.
export CARGO_TARGET_DIR="$PWD/target/install"
cargo rustc --quiet --release --lib --crate-type cdylib -- -C link-arg=-Wl,-soname,"$soname"
private_libs=$(native_static_libs --release)   # also builds libtwfollow.a
out="$CARGO_TARGET_DIR/release"

install -d "$prefix/lib/pkgconfig" "$prefix/include" "$prefix/bin"
install -m 755 "$out/libtwfollow.so" "$prefix/lib/libtwfollow.so.$version"
ln -sf "libtwfollow.so.$version" "$prefix/lib/$soname"
ln -sf "$soname" "$prefix/lib/libtwfollow.so"
install -m 644 "$out/libtwfollow.a" "$prefix/lib/libtwfollow.a"
install -m 644 include/twfollow.h bindings/c/twfollow.hpp "$prefix/include/"

pc_head="prefix=$prefix
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include
"
cat >"$prefix/lib/pkgconfig/twfollow.pc" <<PC
${pc_head}
Name: twfollow
Description: Follow a user on Twitter/X (OAuth 1.0a over a C ABI), shared library
Version: $version
Libs: -L\${libdir} -ltwfollow
Libs.private: $private_libs
Cflags: -I\${includedir}
PC
cat >"$prefix/lib/pkgconfig/twfollow-static.pc" <<PC
${pc_head}
Name: twfollow-static
Description: Follow a user on Twitter/X (OAuth 1.0a over a C ABI), static library
Version: $version
Libs: \${libdir}/libtwfollow.a $private_libs
Cflags: -I\${includedir}
PC

cc -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -I"$prefix/include" bindings/c/tw-follow.c \
  -L"$prefix/lib" -ltwfollow -Wl,-rpath,'$ORIGIN/../lib' -o "$prefix/bin/tw-follow"
echo "installed twfollow $version into $prefix"
