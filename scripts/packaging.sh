# shellcheck shell=bash
# The installed layout, shared by scripts/install.sh (a prefix on this machine) and
# scripts/dist.sh (the tarball). Source it; do not run it.

# tw-follow's sources: the command (tw-follow.c) and its parts (tw-follow/, which its
# #include "tw-follow/cli.h" finds beside it).
TW_FOLLOW_SOURCES=(bindings/c/tw-follow.c bindings/c/tw-follow/*.c)

# The crate's version, from Cargo.toml.
twfollow_version() {
  sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1
}

# install_prefix PREFIX VERSION SHARED_LIBRARY STATIC_LIBRARY NATIVE_LIBS [LIBDIR [PC_PREFIX]]
# Fills PREFIX: LIBDIR (default lib)/libtwfollow.so.VERSION (built with its SONAME
# libtwfollow.so.MAJOR) and its two links, LIBDIR/libtwfollow.a, the pkg-config files and the
# CMake package (from packaging/*.in; relocatable, no path of this machine inside), include/,
# the man pages (tw-follow(1); twfollow(3) and one page per function, written from the header
# by scripts/man3.py) and the licences. NATIVE_LIBS: the system libraries the static library
# needs, as rustc reports them. PC_PREFIX: the .pc files' prefix (default: found from the
# file's own place; the packages, whose prefix is fixed, give /usr, so that pkg-config can
# leave out the system's own directories).
install_prefix() {
  local prefix=$1 version=$2 shared=$3 static=$4 native_libs=$5 libdir=${6:-lib}
  local major=${version%%.*} cmake_libs template name dir up pc_prefix
  # From PREFIX/LIBDIR/X back to PREFIX: one .. per component of LIBDIR, one for X.
  up=$(sed 's|[^/][^/]*|..|g' <<<"$libdir")/..
  # shellcheck disable=SC2016 # ${pcfiledir} is pkg-config's
  pc_prefix=${7:-'${pcfiledir}/'"$up"}
  # "-lgcc_s -lpthread" -> "gcc_s;pthread": CMake adds the -l itself.
  # shellcheck disable=SC2086 # one library per word
  cmake_libs=$(printf '%s\n' $native_libs | sed 's/^-l//' | paste -sd ';' -)
  install -d "$prefix/$libdir/pkgconfig" "$prefix/$libdir/cmake/twfollow" "$prefix/include/twfollow" "$prefix/bin" \
    "$prefix/share/man/man1" "$prefix/share/man/man3" "$prefix/share/doc/twfollow"
  install -m 755 "$shared" "$prefix/$libdir/libtwfollow.so.$version"
  ln -sf "libtwfollow.so.$version" "$prefix/$libdir/libtwfollow.so.$major"
  ln -sf "libtwfollow.so.$major" "$prefix/$libdir/libtwfollow.so"
  install -m 644 "$static" "$prefix/$libdir/libtwfollow.a"
  for template in packaging/*.pc.in packaging/*.cmake.in; do
    name=$(basename "$template" .in)
    dir=$libdir/cmake/twfollow
    [[ $name != *.pc ]] || dir=$libdir/pkgconfig
    sed -e "s|@VERSION@|$version|g" -e "s|@MAJOR@|$major|g" -e "s|@LIBDIR@|$libdir|g" \
      -e "s|@PC_PREFIX@|$pc_prefix|g" -e "s|@CMAKE_UP@|../$up|g" \
      -e "s|@NATIVE_LIBS@|$native_libs|g" -e "s|@CMAKE_NATIVE_LIBS@|$cmake_libs|g" \
      "$template" >"$prefix/$dir/$name"
  done
  install -m 644 include/twfollow.h bindings/c/twfollow.hpp "$prefix/include/"
  install -m 644 bindings/c/twfollow/*.hpp "$prefix/include/twfollow/" # the C++ wrapper's parts
  install -m 644 bindings/c/tw-follow.1 "$prefix/share/man/man1/"
  python3 scripts/man3.py "$prefix/share/man/man3" "$version" >/dev/null
  install -m 644 LICENSE-MIT LICENSE-APACHE "$prefix/share/doc/twfollow/"
}

# install_tw_follow PREFIX LIBDIR RUNPATH CC [CC ARGS...]: builds bin/tw-follow against
# PREFIX/LIBDIR's shared library. RUNPATH "origin": it finds the library at run time relative to
# itself ($ORIGIN/../LIBDIR), for a prefix unpacked anywhere; "": through the loader's own
# search (a system package: /usr/lib is searched, and Debian forbids an rpath).
install_tw_follow() {
  local prefix=$1 libdir=$2 runpath=()
  # shellcheck disable=SC2016 # $ORIGIN is for the dynamic loader, not the shell
  [ "$3" != origin ] || runpath=(-Wl,-rpath,'$ORIGIN/../'"$libdir")
  shift 3
  "$@" -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -I"$prefix/include" "${TW_FOLLOW_SOURCES[@]}" \
    -L"$prefix/$libdir" -ltwfollow "${runpath[@]}" -o "$prefix/bin/tw-follow"
}
