#!/usr/bin/env bash
# The man page renders (`man -l`, and groff finds nothing to warn about) and agrees with the
# tool: every option and TW_* variable that `tw-follow --help` names has an entry, every exit code
# tw-follow can return (bindings/c/tw-follow/cli.h, and main()) has an entry under EXIT STATUS, and it names the crate's
# version. Prints one line per failed check and exits 1 if any failed.
# Usage: tests/dist/check_man_page.sh TW_FOLLOW MAN_PAGE
set -euo pipefail
cd "$(dirname "$0")/../.."
tool=$1
page=$2
failed=0
fail() { echo "man page: $*" >&2; failed=1; }

rendered=$(LC_ALL=C MANWIDTH=80 man -l "$page")
[ -n "$rendered" ] || fail "man -l $page rendered nothing"
warnings=$(groff -man -ww -z "$page" 2>&1)
[ -z "$warnings" ] || fail "groff warns: $warnings"

# Each option of --help heads an entry under OPTIONS, each variable one under ENVIRONMENT.
section() { sed -n "/^$1\$/,/^[A-Z]/p" <<<"$rendered"; }
help=$("$tool" --help)
options=$(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u)
variables=$(grep -oE 'TW_[A-Z0-9_]+' <<<"$help" | sort -u)
[ -n "$options" ] && [ -n "$variables" ] || fail "found no option or no variable in tw-follow --help"
for option in $options; do
  grep -qE -- "^ {7}(-[a-z], )?$option( |$)" <(section OPTIONS) || fail "$option (in --help) has no entry under OPTIONS"
done
for variable in $variables; do
  grep -qE "^ {7}$variable$" <(section ENVIRONMENT) || fail "$variable (in --help) has no entry under ENVIRONMENT"
done
names="$options $variables"

# The exit codes: the tool's named codes, and the numbers main() returns directly.
codes=$( (grep -oE 'EXIT_[A-Z]+ = [0-9]+' bindings/c/tw-follow/cli.h | grep -oE '[0-9]+$'
  sed -n '/^int main(/,/^}/p' bindings/c/tw-follow.c | grep -oE 'return [0-9]+;' | grep -oE '[0-9]+') | sort -un)
for code in $codes; do
  grep -qE "^ {7}$code +[A-Z]" <(section "EXIT STATUS") || fail "exit code $code has no entry under EXIT STATUS"
done

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
grep -q "twfollow $version" <<<"$rendered" || fail "does not name version $version"
echo "man page: checked $(wc -w <<<"$names") names from --help and $(wc -w <<<"$codes") exit codes"
exit "$failed"
