#!/usr/bin/env bash
# Builds the distribution (scripts/dist.sh) and tests it as a user meets it:
#   - the tarball's library and tw-follow, and the wheel's tw-follow, need no symbol version newer
#     than GLIBC_2.17; `auditwheel show` finds the wheel manylinux_2_17 (= manylinux2014) compliant;
#   - from the tarball unpacked in a temporary directory: the C test suite built with pkg-config,
#     shared and static, follows through the sandbox; bin/tw-follow runs from there; the man page
#     renders and agrees with --help and the tool's exit codes;
#   - docs/install.md's walkthrough, run as written: a C program built with pkg-config and with
#     CMake's find_package, shared and static, tw-follow, man -l, and the wheel pip-installed
#     into a fresh venv (the package, and its twfollow script running the tw-follow it ships),
#     all following through the sandbox;
#   - `pip install bindings/python` from a fresh `git clone` of HEAD, in a fresh venv, compiles
#     the library from the clone's sources and follows (the clone's cargo reuses compiled registry
#     dependencies, never twfollow itself: see below). Neither Python check sets TWFOLLOW_LIB.
#   - the .deb packages: lintian finds no error; installed into /usr by docs/install.md's apt
#     snippet, a program built with pkg-config alone follows, CMake finds them, tw-follow runs
#     from PATH, man 3 finds every function's page; dpkg -r leaves nothing behind;
#   - the .rpm packages: the same files (rpm -qlp), requirements RHEL/CentOS 7 meets (rpm -qp
#     --requires: nothing newer than GLIBC_2.17, no zstd payload), the tarball's library.
# Installs what is missing (apt): cmake, man-db, groff-base, git, lintian, rpm, cpio. The last line is
# "dist: N passed, N failed".
# Usage: tests/dist/test_dist.sh [--built]   (--built: test what scripts/dist.sh has made already,
# as scripts/test.sh has it run in the background during the stages before)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
repo=$PWD
install_missing cmake man-db:man groff-base:groff git lintian rpm:rpmbuild cpio

[ "${1:-}" = --built ] || scripts/dist.sh >/dev/null
version=$(twfollow_version)
tarball="$repo/dist/twfollow-$version-linux-x86_64.tar.gz"
wheel=$(ls "$repo"/dist/twfollow-"$version"-*.whl)
debs=("$repo"/dist/*_"$version"-1_amd64.deb)
rpms=("$repo"/dist/*-"$version"-1.x86_64.rpm)
# lintian takes minutes over the static library: it reads the .deb files beside the checks
# below, and its verdict is checked with the other Debian checks.
lintian --allow-root --fail-on error "${debs[@]}" >"$repo/target/dist/lintian.txt" 2>&1 &
lintian_pid=$!
on_exit "kill $lintian_pid 2>/dev/null || true"

cargo build --quiet -p twfollow-sandbox
start_sandbox target/debug/sandbox
work=$(mktemp -d)
on_exit "rm -rf $work"
sandbox_credentials
unset TWFOLLOW_LIB

passed=0
failed=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1" >&2; fi
}

# --- the tarball, unpacked somewhere else than where it was built
mkdir "$work/unpacked"
tar -C "$work/unpacked" -xzf "$tarball"
u="$work/unpacked/twfollow-$version-linux-x86_64"
cd "$work"

newest_glibc() {  # the newest GLIBC_x.y symbol version FILE needs ("" if none)
  objdump -T "$1" | grep -oE 'GLIBC_[0-9]+(\.[0-9]+)+' | sed 's/GLIBC_//' | sort -uV | tail -n 1
}
at_most_2_17() {  # at_most_2_17 FILE: needs glibc symbols, none newer than 2.17
  local newest
  newest=$(newest_glibc "$1")
  echo "glibc: $(basename "$1") needs GLIBC_${newest:-none}"
  [ -n "$newest" ] && [ "$(printf '%s\n' "$newest" 2.17 | sort -V | tail -n 1)" = 2.17 ]
}
check "libtwfollow.so needs nothing newer than GLIBC_2.17" at_most_2_17 "$u/lib/libtwfollow.so.$version"
check "tw-follow needs nothing newer than GLIBC_2.17" at_most_2_17 "$u/bin/tw-follow"
check "the shared library has SONAME libtwfollow.so.0" \
  grep -q "Library soname: \[libtwfollow.so.0\]" <(readelf -d "$u/lib/libtwfollow.so.$version")
check "no path of the build machine in the pkg-config and CMake files" \
  bash -c "! grep -rlE '$repo|/target/' '$u/lib/pkgconfig' '$u/lib/cmake'"
check "the licences are in the tarball" \
  bash -c "cmp '$repo/LICENSE-MIT' '$u/share/doc/twfollow/LICENSE-MIT' && cmp '$repo/LICENSE-APACHE' '$u/share/doc/twfollow/LICENSE-APACHE'"

flags=(-std=c99 -Wall -Wextra -Wpedantic -Werror)
pc() { PKG_CONFIG_PATH="$u/lib/pkgconfig" pkg-config "$@"; }
# shellcheck disable=SC2046 # pkg-config output is meant to be split
cc "${flags[@]}" "$repo/tests/c/test_follow.c" $(pc --cflags --libs twfollow) -o pc_shared
# shellcheck disable=SC2046
cc "${flags[@]}" "$repo/tests/c/test_follow.c" $(pc --cflags --libs twfollow-static) -o pc_static
check "pkg-config, shared: links the tarball's libtwfollow.so.0" \
  grep -q "libtwfollow.so.0 => $u/lib/libtwfollow.so.0" <(LD_LIBRARY_PATH="$u/lib" ldd pc_shared)
check "pkg-config, shared: follows" env LD_LIBRARY_PATH="$u/lib" ./pc_shared "$SANDBOX_URL" >/dev/null
check "pkg-config, static: needs no libtwfollow" bash -c "! readelf -d pc_static | grep -q libtwfollow"
check "pkg-config, static: follows" ./pc_static "$SANDBOX_URL" >/dev/null

check "bin/tw-follow finds its library through \$ORIGIN/../lib" \
  grep -q "libtwfollow.so.0 => $u/bin/../lib/libtwfollow.so.0" <(ldd "$u/bin/tw-follow")
check "bin/tw-follow follows" "$u/bin/tw-follow" --quiet @twitterdev
check "bin/tw-follow --version names the library" grep -q "twfollow/$version" <("$u/bin/tw-follow" --version)
check "the man page renders and agrees with tw-follow" \
  "$repo/tests/dist/check_man_page.sh" "$u/bin/tw-follow" "$u/share/man/man1/tw-follow.1"
check "the tarball has a man 3 page for every function of its header, and twfollow(3)" bash -c \
  "[ -f '$u/share/man/man3/twfollow.3' ] && for f in \$(sed -n 's/^[a-z].*[ *]\\(tw_[a-z0-9_]*\\)(.*/\\1/p' '$u/include/twfollow.h'); do
     [ -f '$u/share/man/man3/'\$f.3 ] || { echo \"no man page for \$f\" >&2; exit 1; }; done"

# --- the wheel
tools="$repo/target/dist/venv/bin"
"$tools/auditwheel" show "$wheel" >auditwheel.txt
check "auditwheel: the wheel is manylinux_2_17 (manylinux2014) x86_64" \
  grep -qz 'consistent with the following platform tag:[[:space:]]*"manylinux_2_17_x86_64"' auditwheel.txt
check "the wheel is tagged cp38-abi3 manylinux2014 / manylinux_2_17 x86_64" \
  grep -q "twfollow-$version-cp38-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl" <<<"$wheel"
"$tools/python" -m zipfile -l "$wheel" >wheel.txt
check "the wheel holds the licences" \
  bash -c "grep -q 'dist-info/licenses/LICENSE-MIT' wheel.txt && grep -q 'dist-info/licenses/LICENSE-APACHE' wheel.txt"
"$tools/python" -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
  "$wheel" twfollow/libtwfollow.abi3.so >wheel-library.so
check "the wheel holds one shared library, the very same as the tarball's" \
  bash -c "[ \"\$(grep -c '\.so' wheel.txt)\" = 1 ] && cmp wheel-library.so '$u/lib/libtwfollow.so.$version'"
"$tools/python" -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
  "$wheel" twfollow/tw-follow >wheel-tw-follow
check "the wheel's tw-follow needs nothing newer than GLIBC_2.17" at_most_2_17 wheel-tw-follow
check "the wheel's tw-follow needs the library beside it (run path \$ORIGIN)" bash -c \
  "readelf -d wheel-tw-follow | grep -q 'NEEDED.*\[libtwfollow.abi3.so\]' && readelf -d wheel-tw-follow | grep -q 'R.*PATH.*\[\$ORIGIN\]'"

follows_in() {  # follows_in VENV: the package in VENV follows with the library it carries
  (cd "$work" && "$1/bin/python" - "$1" <<'PY')
import os, sys, twfollow
assert "TWFOLLOW_LIB" not in os.environ
with twfollow.Client.from_env() as client:
    assert client.follow("@twitterdev")["id"] == 2244994945
loaded = os.path.realpath(twfollow._native.lib()._name)
assert loaded.startswith(os.path.realpath(sys.argv[1]) + os.sep), loaded
PY
}

# --- docs/install.md, as a user follows it: the snippets it marks "tested as NAME", in one shell
snippet() {  # snippet NAME: the code block docs/install.md marks <!-- tested as NAME -->
  awk -v mark="<!-- tested as $1 -->" '
    $0 == mark { found = 1; next }
    found == 1 && /^```/ { found = 2; next }
    found == 2 && /^```$/ { exit }
    found == 2 { print }' "$repo/docs/install.md"
}
mkdir walkthrough
cp "$tarball" "$wheel" walkthrough/
for name in app.c CMakeLists.txt follow.py; do snippet "$name" >"walkthrough/$name"; done
for name in tarball.sh cmake.sh wheel.sh; do snippet "$name"; done >walkthrough/walkthrough.sh
(cd walkthrough && bash -euo pipefail walkthrough.sh >walkthrough.out 2>walkthrough.err) ||
  tail -n 20 walkthrough/walkthrough.err >&2
check "docs: every tested snippet is there" \
  bash -c "cd walkthrough && [ -s app.c ] && [ -s CMakeLists.txt ] && [ -s follow.py ] &&
    grep -q pkg-config walkthrough.sh && grep -q 'cmake --build' walkthrough.sh && grep -q 'pip install' walkthrough.sh"
check "docs: pkg-config (shared, static), tw-follow and CMake (shared, static) all follow" \
  test "$(grep -c '"id":2244994945' walkthrough/walkthrough.out)" = 5
check "docs: man -l renders the page" grep -q '^EXIT STATUS' walkthrough/walkthrough.out
check "docs: the wheel, pip-installed into a fresh venv, follows" grep -qix twitterdev walkthrough/walkthrough.out
check "the wheel's package loads the library it carries" follows_in "$work/walkthrough/venv"
check "the wheel's twfollow script runs its tw-follow, which follows" \
  grep -q '"id":2244994945' <(cd "$work" && "$work/walkthrough/venv/bin/twfollow" @twitterdev)

# --- the Debian packages: lintian, then installed into this system's /usr as a user installs
# them (docs/install.md's apt.sh, as written), used with no path given, and removed again
# (apt-remove.sh): nothing of them may stay behind, and nothing of a later run may be in the way.
deb_packages=(tw-follow libtwfollow-dev libtwfollow0)
check "three Debian and three RPM packages" test "${#debs[@]} ${#rpms[@]}" = "3 3"
lintian_status=0
wait "$lintian_pid" || lintian_status=$?
sed 's/^/lintian: /' "$repo/target/dist/lintian.txt"
check "lintian: no error in the .deb files" test "$lintian_status" = 0
check "libtwfollow0 is named after the SONAME and holds only the library" test "$(dpkg-deb -c "$repo/dist/libtwfollow0_$version-1_amd64.deb" |
  grep -oE '/usr/lib/x86_64-linux-gnu/[^ ]*' | sort | paste -sd ' ' -)" = \
  "/usr/lib/x86_64-linux-gnu/ /usr/lib/x86_64-linux-gnu/libtwfollow.so.0 /usr/lib/x86_64-linux-gnu/libtwfollow.so.$version"
check "the .deb packages need libc6 2.17, as the library's symbol versions say" bash -c \
  "[ \"\$(dpkg-deb -f '$repo/dist/libtwfollow0_$version-1_amd64.deb' Depends)\" = 'libc6 (>= 2.17)' ] &&
   dpkg-deb -f '$repo/dist/tw-follow_$version-1_amd64.deb' Depends | grep -qx 'libc6 (>= 2.17), libtwfollow0 (>= $version)'"
check "the packages' library is the tarball's" \
  bash -c "dpkg-deb --fsys-tarfile '$repo/dist/libtwfollow0_$version-1_amd64.deb' |
    tar -xO ./usr/lib/x86_64-linux-gnu/libtwfollow.so.$version | cmp - '$u/lib/libtwfollow.so.$version'"

if [ "$(id -u)" = 0 ]; then sudo() { "$@"; }; fi
run_in_debs() {  # run_in_debs SNIPPET: runs debs/SNIPPET there, output in debs/SNIPPET.out, .err
  (cd debs && if declare -F sudo >/dev/null; then export -f sudo; fi
    bash -euo pipefail "$1" >"$1.out" 2>"$1.err") || tail -n 20 "debs/$1.err" >&2
}
every_function_has_a_page() {
  local name count=0
  for name in $(sed -n 's/^[a-z].*[ *]\(tw_[a-z0-9_]*\)(.*/\1/p' /usr/include/twfollow.h); do
    [ "$(man -w 3 "$name")" = "/usr/share/man/man3/$name.3.gz" ] || { echo "no man page for $name" >&2; return 1; }
    count=$((count + 1))
  done
  [ "$count" -gt 30 ]
}
remove_debs() {  # what a failed earlier run may have left installed
  local installed
  # dpkg-query fails for a package it never saw.
  installed=$({ dpkg-query -W -f '${Package} ${db:Status-Abbrev}\n' "${deb_packages[@]}" 2>/dev/null || true; } |
    awk '$2 ~ /^i/ {print $1}')
  # shellcheck disable=SC2086 # one package per word
  [ -z "$installed" ] || sudo dpkg -r $installed >/dev/null
}
remove_debs
in_the_way=$(ls /usr/include/twfollow.h /usr/lib/x86_64-linux-gnu/libtwfollow* /usr/bin/tw-follow 2>/dev/null || true)
check "no twfollow of another origin in /usr (the test would overwrite it)" test -z "$in_the_way"
if [ -z "$in_the_way" ]; then
  mkdir debs
  cp "${debs[@]}" debs/
  snippet app.c >debs/app.c
  snippet CMakeLists.txt >debs/CMakeLists.txt
  snippet apt.sh >debs/apt.sh
  run_in_debs apt.sh
  check "docs: apt installs the three packages" \
    test "$(dpkg-query -W -f '${db:Status-Abbrev}\n' "${deb_packages[@]}" | grep -c '^ii')" = 3
  check "docs: the program built with pkg-config and tw-follow from PATH follow" \
    test "$(grep -c '"id":2244994945' debs/apt.sh.out)" = 2
  check "docs: man 3 tw_follow shows the installed page" grep -q 'enum TwStatus tw_follow(' debs/apt.sh.out
  # shellcheck disable=SC2046 # words, without pkgconf's trailing blank
  check "pkg-config --cflags --libs twfollow is -ltwfollow alone" test "$(echo $(pkg-config --cflags --libs twfollow))" = "-ltwfollow"
  check "the program has no run path and loads the system's libtwfollow.so.0" bash -c \
    "! readelf -d debs/app | grep -qE 'RPATH|RUNPATH' && ldd debs/app | grep -qE 'libtwfollow.so.0 => (/usr)?/lib/x86_64-linux-gnu/libtwfollow.so.0'"
  cc "${flags[@]}" "$repo/tests/c/test_follow.c" $(pkg-config --cflags --libs twfollow-static) -o deb_static
  check "pkg-config, static, from the packages: follows" ./deb_static "$SANDBOX_URL" >/dev/null
  check "CMake finds the package in /usr without CMAKE_PREFIX_PATH, and the program follows" bash -c \
    "cmake -S debs -B debs/build >debs/cmake.log 2>&1 && cmake --build debs/build >>debs/cmake.log 2>&1 &&
     debs/build/app @twitterdev | grep -q '\"id\":2244994945'"
  check "tw-follow is /usr/bin/tw-follow, without a run path" \
    bash -c "[ \"\$(command -v tw-follow)\" = /usr/bin/tw-follow ] && ! readelf -d /usr/bin/tw-follow | grep -qE 'RPATH|RUNPATH'"
  zcat /usr/share/man/man1/tw-follow.1.gz >packaged-tw-follow.1
  check "the packaged man page agrees with the packaged tw-follow" \
    "$repo/tests/dist/check_man_page.sh" /usr/bin/tw-follow "$work/packaged-tw-follow.1"
  check "man 3 finds the installed page of every function of the installed header" every_function_has_a_page
  snippet apt-remove.sh >debs/apt-remove.sh
  run_in_debs apt-remove.sh
  check "docs: dpkg -r removes the three packages" bash -c \
    "! dpkg-query -W -f '\${db:Status-Abbrev}\n' ${deb_packages[*]} 2>/dev/null | grep -q '^i'"
  check "nothing of them is left in /usr, nor in the loader's cache" bash -c \
    "! ls /usr/include/twfollow.h /usr/include/twfollow.hpp /usr/include/twfollow /usr/lib/x86_64-linux-gnu/libtwfollow* \
       /usr/lib/x86_64-linux-gnu/pkgconfig/twfollow* /usr/lib/x86_64-linux-gnu/cmake/twfollow /usr/bin/tw-follow \
       /usr/share/man/man3/tw_follow.3.gz /usr/share/doc/libtwfollow0 2>/dev/null | grep -q . &&
     ! /sbin/ldconfig -p | grep -q libtwfollow"
fi
remove_debs

# --- the RPM packages: the same files under lib64, requirements RHEL/CentOS 7 meets
rpm_of() { ls "$repo/dist/$1-$version-1.x86_64.rpm"; }
# Files and links, not the directories a package owns.
rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$(rpm_of twfollow)" "$(rpm_of twfollow-devel)" "$(rpm_of tw-follow)" |
  awk '$1 !~ /^d/ {print $2}' | sort >rpm-files.txt
for deb in "${debs[@]}"; do dpkg-deb -c "$deb"; done | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./|/|' |
  grep -vE '^/usr/share/(doc|lintian)/' | sed 's|/usr/lib/x86_64-linux-gnu/|/usr/lib64/|' | sort >deb-files.txt
check "rpm -qlp: the RPMs hold the Debian packages' files (lib64 for the multiarch directory), and the licences" \
  diff <(grep -v '^/usr/share/licenses/' rpm-files.txt) deb-files.txt
check "rpm -qlp: the licences are in twfollow" \
  grep -qx /usr/share/licenses/twfollow/LICENSE-APACHE <(rpm -qlp "$(rpm_of twfollow)")
rpm -qp --requires "$(rpm_of twfollow)" "$(rpm_of twfollow-devel)" "$(rpm_of tw-follow)" | sort -u >rpm-requires.txt
newest_required=$(grep -oE 'GLIBC_[0-9]+(\.[0-9]+)+' rpm-requires.txt | sed 's/GLIBC_//' | sort -uV | tail -n 1)
echo "rpm: the packages require GLIBC_$newest_required at most"
check "rpm -qp --requires: no glibc symbol version newer than 2.17" \
  test "$(printf '%s\n' "${newest_required:-0}" 2.17 | sort -V | tail -n 1)" = 2.17
check "rpm -qp --requires: a payload rpm 4.11 (RHEL 7) reads, and tw-follow needs libtwfollow.so.0" \
  bash -c "! grep -qE 'PayloadIsZstd|PayloadIsXz' rpm-requires.txt && grep -qx 'libtwfollow.so.0()(64bit)' rpm-requires.txt"
check "rpm -qp --provides: twfollow provides libtwfollow.so.0()(64bit)" \
  grep -qx 'libtwfollow.so.0()(64bit)' <(rpm -qp --provides "$(rpm_of twfollow)")
check "the RPM's library is the tarball's" bash -c \
  "rpm2cpio '$(rpm_of twfollow)' | (mkdir rpm-x && cd rpm-x && cpio -idm --quiet) && cmp rpm-x/usr/lib64/libtwfollow.so.$version '$u/lib/libtwfollow.so.$version'"

# --- pip install from a fresh clone: the build backend compiles the library itself.
# The clone's cargo shares the checkout's target directory and the debug profile of the python
# stage's pip install, for the registry dependencies (ureq, rustls, ring...) only: cargo tells
# path packages apart by their location, so twfollow itself, library and build script, is
# compiled from the clone, as the log must show. (The release build of the same backend is the
# wheel's, above.) Both builds name their library libtwfollow.so: the clone's copies are removed
# afterwards, so the checkout's next cargo build finds its own missing and makes them again.
clone="$repo/target/dist/fresh-clone"
rm -rf "$clone"
git clone -q "$repo" "$clone"
python3 -m venv source-venv
env -u RUSTFLAGS SETUPTOOLS_RUST_CARGO_PROFILE=dev CARGO_TARGET_DIR="$repo/target" \
  source-venv/bin/pip install -v --disable-pip-version-check "$clone/bindings/python" >pip-source.log 2>&1 ||
  tail -n 30 pip-source.log >&2
rm -f "$repo"/target/debug/libtwfollow.so "$repo"/target/debug/libtwfollow.d \
  "$repo"/target/debug/deps/libtwfollow.so "$repo"/target/debug/deps/twfollow.d
check "pip install from a fresh clone compiled twfollow from the clone" \
  grep -q "Compiling twfollow v$version ($clone)" pip-source.log
check "pip install from a fresh clone: a platform-tagged wheel" \
  grep -qx "Tag: cp38-abi3-linux_x86_64" source-venv/lib/python3*/site-packages/twfollow-"$version".dist-info/WHEEL
check "pip install from a fresh clone follows" follows_in "$work/source-venv"
check "pip install from a fresh clone: python -m twfollow runs the tw-follow it built" \
  grep -q '"id":2244994945' <(cd "$work" && "$work/source-venv/bin/python" -m twfollow @twitterdev)

echo "dist: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
