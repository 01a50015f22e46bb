#!/usr/bin/env bash
# Builds twfollow in release mode with this machine's toolchain and installs it into PREFIX
# for C and C++ users:
#   lib/libtwfollow.so.VERSION (SONAME libtwfollow.so.0) + libtwfollow.so.0 + libtwfollow.so links
#   lib/libtwfollow.a
#   lib/pkgconfig/twfollow.pc (shared) and twfollow-static.pc (static)
#   lib/cmake/twfollow/: find_package(twfollow CONFIG) gives twfollow::twfollow (shared) and
#     twfollow::twfollow_static (static, with the system libraries it needs)
#   include/twfollow.h, include/twfollow.hpp and its parts in include/twfollow/
#   bin/tw-follow, share/man/man1/tw-follow.1, share/man/man3/ (twfollow.3 and one page per
#     function, from the header: scripts/man3.py), share/doc/twfollow/LICENSE-MIT, LICENSE-APACHE
# Then prints exactly what to set (PKG_CONFIG_PATH, CMAKE_PREFIX_PATH, the loader path, PATH,
# MANPATH) for the places PREFIX is not searched by default; for a system prefix, only ldconfig.
# Usage: scripts/install.sh PREFIX      (e.g. /usr/local, or $HOME/.local, or /opt/twfollow)
# Needs: cargo (Rust 1.85 or newer), a C compiler as cc, and python3 3.6 or newer (RHEL 7's will
# do; it writes the man 3 pages with scripts/man3.py). bin/tw-follow finds the library by itself
# ($ORIGIN/../lib), from any PATH and under cron; your own programs need an rpath or
# LD_LIBRARY_PATH (docs/install.md).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
[ $# -eq 1 ] || { echo "usage: scripts/install.sh PREFIX" >&2; exit 64; }
for tool in cargo cc python3; do
  command -v "$tool" >/dev/null || { echo "scripts/install.sh needs $tool (cargo: Rust 1.85 or newer; python3: 3.6 or newer)" >&2; exit 69; }
done
python3 -c 'import sys; sys.exit(sys.version_info < (3, 6))' || {
  echo "scripts/install.sh needs python3 3.6 or newer for the man 3 pages; found $(python3 --version 2>&1)" >&2
  exit 69
}
mkdir -p "$1"
prefix=$(cd "$1" && pwd)
version=$(twfollow_version)
soname="libtwfollow.so.${version%%.*}"

# A target directory of its own: the SONAME is set only for installed copies, so
# the in-tree target/ libraries stay linkable with plain -L.
export CARGO_TARGET_DIR="$PWD/target/install"
# One compile gives both libraries (Cargo.toml's crate types), the SONAME going to the shared one.
private_libs=$(native_static_libs cargo rustc --quiet --release --lib -- -C link-arg=-Wl,-soname,"$soname")
out="$CARGO_TARGET_DIR/release"
install_prefix "$prefix" "$version" "$out/libtwfollow.so" "$out/libtwfollow.a" "$private_libs"
install_tw_follow "$prefix" lib origin cc
echo "installed twfollow $version into $prefix"

# What the tools search without being told, compared with where PREFIX put things.
searched() { [[ ":$2:" == *":$1:"* ]]; } # searched DIR LIST(colon-separated)
pc_path=$(pkg-config --variable pc_path pkg-config 2>/dev/null || true)
ldconfig=$(PATH="$PATH:/sbin:/usr/sbin" command -v ldconfig || true)
# The loader's trusted directories, and those of /etc/ld.so.conf.
loader_dirs=/lib:/usr/lib:/lib64:/usr/lib64:$("${ldconfig:-false}" -v -N -X 2>/dev/null |
  sed -n 's|^\(/[^:]*\):.*|\1|p' | paste -sd ':' - || true)
man_path=$(manpath -q 2>/dev/null || true)
settings=()
searched "$prefix/lib/pkgconfig" "$pc_path" ||
  settings+=("export PKG_CONFIG_PATH=\"$prefix/lib/pkgconfig\${PKG_CONFIG_PATH:+:\$PKG_CONFIG_PATH}\"")
# CMake searches <prefix>/lib/cmake/<name> under /usr/local and /usr on its own.
searched "$prefix" /usr:/usr/local ||
  settings+=("export CMAKE_PREFIX_PATH=\"$prefix\${CMAKE_PREFIX_PATH:+:\$CMAKE_PREFIX_PATH}\"")
searched "$prefix/lib" "$loader_dirs" ||
  settings+=("export LD_LIBRARY_PATH=\"$prefix/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\"")
searched "$prefix/bin" "$PATH" || settings+=("export PATH=\"$prefix/bin:\$PATH\"")
# A trailing colon keeps the system's manual pages too.
searched "$prefix/share/man" "$man_path" || settings+=("export MANPATH=\"$prefix/share/man:\${MANPATH-}\"")

if searched "$prefix/lib" "$loader_dirs"; then
  echo "run ldconfig (as root) now, so the dynamic loader finds $soname"
fi
if [ ${#settings[@]} -gt 0 ]; then
  echo "to use it from $prefix, set (e.g. in ~/.profile):"
  printf '  %s\n' "${settings[@]}"
fi
if ! searched "$prefix/lib" "$loader_dirs"; then
  echo "  (or, instead of LD_LIBRARY_PATH, as root: echo $prefix/lib >/etc/ld.so.conf.d/twfollow.conf && ldconfig;"
  echo "  or link your programs with -Wl,-rpath,$prefix/lib: then they need neither, under cron too)"
fi
echo "$prefix/bin/tw-follow finds its library by itself: in a crontab, call it by that absolute path"
