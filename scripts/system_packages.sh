# shellcheck shell=bash
# The Debian and RPM packages of scripts/dist.sh, made from trees that install_prefix
# (scripts/packaging.sh) filled with /usr's layout, from the same glibc 2.17 build as the
# tarball. Source it; do not run it. Built with the systems' own tools, dpkg-deb and rpmbuild
# (docs/install.md says why), into OUT:
#   libtwfollow0_VERSION-1_amd64.deb      the runtime library, named after its SONAME
#   libtwfollow-dev_VERSION-1_amd64.deb   header, .so link, static library, .pc, CMake, man 3
#   tw-follow_VERSION-1_amd64.deb         the tool and its man page
#   twfollow-VERSION-1.x86_64.rpm, twfollow-devel-..., tw-follow-...: the same split
# Dependencies are computed, not written: dpkg-shlibdeps and rpmbuild's ELF scan name the
# libraries (and, for RPM, the glibc symbol versions) the binaries need.

# move_into DEST ROOT PATH...: moves ROOT/PATH (files, links or directories) to DEST/PATH.
move_into() {
  local dest=$1 root=$2 path
  shift 2
  for path in "$@"; do
    mkdir -p "$dest/$(dirname "$path")"
    mv "$root/$path" "$dest/$path"
  done
}

# build_debs TREE OUT VERSION: TREE/usr filled by install_prefix with LIBDIR lib/x86_64-linux-gnu.
build_debs() {
  local tree out=$2 version=$3
  tree=$(cd "$1" && pwd)
  local major=${version%%.*} libdir=usr/lib/x86_64-linux-gnu date work pkg dir left
  local lib="libtwfollow$major" full="$version-1"
  work="$tree.split"
  date=$(date -R -u -d "@$(git log -1 --format=%ct 2>/dev/null || echo 0)")
  rm -rf "$work"
  move_into "$work/$lib" "$tree" "$libdir/libtwfollow.so.$version" "$libdir/libtwfollow.so.$major"
  move_into "$work/libtwfollow-dev" "$tree" usr/include "$libdir/libtwfollow.so" "$libdir/libtwfollow.a" \
    "$libdir/pkgconfig" "$libdir/cmake" usr/share/man/man3
  move_into "$work/tw-follow" "$tree" usr/bin usr/share/man/man1
  # Debian's place for the licences is each package's copyright file.
  rm -r "$tree/usr/share/doc/twfollow"
  left=$(find "$tree" ! -type d)
  [ -z "$left" ] || { echo "in no package: $left" >&2; return 1; }

  # dpkg-gencontrol writes each package's control file from packaging/debian/control.in, with
  # the version of the changelog, the Installed-Size and the Depends dpkg-shlibdeps computes
  # (which reads debian/control and, for our own library, debian/shlibs.local).
  install -d "$work/src/debian"
  sed "s|@MAJOR@|$major|g" packaging/debian/control.in >"$work/src/debian/control"
  printf '%s\n' "twfollow ($full) unstable; urgency=medium" "" "  * Release $version, packaged by scripts/dist.sh." "" \
    " -- $(sed -n 's/^Maintainer: //p' packaging/debian/control.in)  $date" >"$work/src/debian/changelog"
  for pkg in "$lib" libtwfollow-dev tw-follow; do
    dir="$work/$pkg"
    install -d "$dir/DEBIAN" "$dir/usr/share/doc/$pkg"
    install -m 644 packaging/debian/copyright "$dir/usr/share/doc/$pkg/copyright"
    gzip -9n <"$work/src/debian/changelog" >"$dir/usr/share/doc/$pkg/changelog.Debian.gz"
    find "$dir/usr/share/man" -type f -exec gzip -9n {} + 2>/dev/null || true
    # Policy's modes: no executable shared library, 644 for data, 755 for directories.
    find "$dir" -type d -exec chmod 755 {} +
    find "$dir/usr" -type f -exec chmod 644 {} +
  done
  chmod 755 "$work/tw-follow/usr/bin/tw-follow"
  install -D -m 644 packaging/debian/lintian-overrides "$work/$lib/usr/share/lintian/overrides/$lib"
  printf 'libtwfollow %s %s (>= %s)\n' "$major" "$lib" "$version" | tee "$work/src/debian/shlibs.local" >"$work/$lib/DEBIAN/shlibs"
  # ldconfig runs once after the whole dpkg run, as debhelper arranges it.
  echo "activate-noawait ldconfig" >"$work/$lib/DEBIAN/triggers"
  chmod 644 "$work/$lib/DEBIAN/shlibs" "$work/$lib/DEBIAN/triggers"

  local lib_depends tool_depends
  lib_depends=$(shlibdeps "$work" "$work/$lib/$libdir/libtwfollow.so.$version")
  tool_depends=$(shlibdeps "$work" "$work/tw-follow/usr/bin/tw-follow" -l"$work/$lib/$libdir")
  (cd "$work/src" && dpkg-gencontrol -p"$lib" -P"$work/$lib" -V"shlibs:Depends=$lib_depends" &&
    dpkg-gencontrol -plibtwfollow-dev -P"$work/libtwfollow-dev" &&
    dpkg-gencontrol -ptw-follow -P"$work/tw-follow" -V"shlibs:Depends=$tool_depends")
  for pkg in "$lib" libtwfollow-dev tw-follow; do
    (cd "$work/$pkg" && find usr -type f -exec md5sum {} + | LC_ALL=C sort -k 2 >DEBIAN/md5sums)
    chmod 644 "$work/$pkg/DEBIAN/md5sums"
    dpkg-deb --root-owner-group -Zxz --build "$work/$pkg" "$out/${pkg}_${full}_amd64.deb" >/dev/null
  done
}

# shlibdeps WORK BINARY [-lDIR]: the Depends dpkg-shlibdeps computes for BINARY, with the
# libc6 version the binary's glibc symbol versions need. Debian's symbols file dates some
# symbols by the release that changed their headers (sysconf, 2.34, for new _SC_ names that
# programs compiled against those headers may pass): a build against glibc 2.17 passes none,
# and runs on any glibc that has its symbol versions, as the tarball's and the RPMs' do.
shlibdeps() {
  local work=$1 binary=$2 glibc
  shift 2
  glibc=$(objdump -T "$binary" | grep -oE 'GLIBC_[0-9]+(\.[0-9]+)+' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
  [ -n "$glibc" ] || { echo "$binary needs no glibc symbol version?" >&2; return 1; }
  # Its warnings (libraries the glibc 2.17 link adds without need) are noise here.
  (cd "$work/src" && dpkg-shlibdeps -O "$@" -e"$binary" >"$work/shlibdeps.out" 2>"$work/shlibdeps.log") ||
    { cat "$work/shlibdeps.log" >&2; return 1; }
  sed -n 's/^shlibs:Depends=//p' "$work/shlibdeps.out" | sed -E "s/libc6 \(>= [^)]*\)/libc6 (>= $glibc)/"
}

# build_rpms TREE OUT VERSION: TREE/usr filled by install_prefix with LIBDIR lib64.
# Readable by rpm 4.11 (RHEL/CentOS 7): gzip payload, not the zstd of newer rpm.
build_rpms() {
  local tree out version=$3 work major=${3%%.*}
  tree=$(cd "$1" && pwd)
  out=$(cd "$2" && pwd)
  work="$tree.rpmbuild"
  rm -rf "$work"
  mkdir -p "$work/SPECS"
  sed -e "s|@VERSION@|$version|g" -e "s|@MAJOR@|$major|g" packaging/rpm/twfollow.spec.in >"$work/SPECS/twfollow.spec"
  rpmbuild -bb --quiet --target x86_64 \
    --define "_topdir $work" --define "_rpmdir $out" --define "tree $tree" \
    --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
    --define "_binary_payload w9.gzdio" \
    --define "source_date_epoch_from_changelog 0" \
    "$work/SPECS/twfollow.spec" >"$work/rpmbuild.log" 2>&1 || { cat "$work/rpmbuild.log" >&2; return 1; }
}
