# shellcheck shell=bash
# The installed layout, shared by scripts/install.sh (a prefix on this machine) and
# scripts/dist.sh (the tarball). Source it; do not run it.

# The crate's version, from Cargo.toml.
twfollow_version() {
  sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1
}

# install_prefix PREFIX VERSION SHARED_LIBRARY STATIC_LIBRARY NATIVE_LIBS
# Fills PREFIX: lib/libtwfollow.so.VERSION (built with its SONAME libtwfollow.so.MAJOR) and
# its two links, lib/libtwfollow.a, the pkg-config files and the CMake package (from
# packaging/*.in; relocatable, no path of this machine inside), include/, the man pages
# (tw-follow(1); twfollow(3) and one page per function, written from the header by
# scripts/man3.py) and the licences. NATIVE_LIBS: the system libraries the static library needs, as rustc reports them.
install_prefix() {
  local prefix=$1 version=$2 shared=$3 static=$4 native_libs=$5
  local major=${version%%.*} cmake_libs template name dir
  # "-lgcc_s -lpthread" -> "gcc_s;pthread": CMake adds the -l itself.
  # shellcheck disable=SC2086 # one library per word
  cmake_libs=$(printf '%s\n' $native_libs | sed 's/^-l//' | paste -sd ';' -)
  install -d "$prefix/lib/pkgconfig" "$prefix/lib/cmake/twfollow" "$prefix/include" "$prefix/bin" \
    "$prefix/share/man/man1" "$prefix/share/man/man3" "$prefix/share/doc/twfollow"
  install -m 755 "$shared" "$prefix/lib/libtwfollow.so.$version"
  ln -sf "libtwfollow.so.$version" "$prefix/lib/libtwfollow.so.$major"
  ln -sf "libtwfollow.so.$major" "$prefix/lib/libtwfollow.so"
  install -m 644 "$static" "$prefix/lib/libtwfollow.a"
  for template in packaging/*.pc.in packaging/*.cmake.in; do
    name=$(basename "$template" .in)
    case $name in
      *.pc) dir=lib/pkgconfig ;;
      *) dir=lib/cmake/twfollow ;;
    esac
    sed -e "s|@VERSION@|$version|g" -e "s|@MAJOR@|$major|g" \
      -e "s|@NATIVE_LIBS@|$native_libs|g" -e "s|@CMAKE_NATIVE_LIBS@|$cmake_libs|g" \
      "$template" >"$prefix/$dir/$name"
  done
  install -m 644 include/twfollow.h bindings/c/twfollow.hpp "$prefix/include/"
  install -m 644 bindings/c/tw-follow.1 "$prefix/share/man/man1/"
  python3 scripts/man3.py "$prefix/share/man/man3" "$version" >/dev/null
  install -m 644 LICENSE-MIT LICENSE-APACHE "$prefix/share/doc/twfollow/"
}

# install_tw_follow PREFIX CC [CC ARGS...]: builds bin/tw-follow against PREFIX's shared
# library, finding it at run time relative to itself (RUNPATH $ORIGIN/../lib).
install_tw_follow() {
  local prefix=$1
  shift
  # shellcheck disable=SC2016 # $ORIGIN is for the dynamic loader, not the shell
  "$@" -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -I"$prefix/include" bindings/c/tw-follow.c \
    -L"$prefix/lib" -ltwfollow -Wl,-rpath,'$ORIGIN/../lib' -o "$prefix/bin/tw-follow"
}
