#!/bin/sh
# format.sh ROOT [CLANG_FORMAT] — the C sources are as .clang-format lays them
# out: `clang-format --dry-run -Werror` over `git ls-files '*.c' '*.h'` of ROOT,
# less the paths .clang-format-ignore names (one shell pattern a line; clang-
# format 14 does not read that file itself, later versions do).
#
# Exit 77 (ctest's skip) with a message when clang-format is missing, is not
# version 14 (the version .clang-format was tuned with: another lays some lines
# out differently) or ROOT is not a git checkout. To lay the tree out:
#   tests/lint/format.sh ROOT CLANG_FORMAT --apply
set -eu
root=$1
cf=${2:-clang-format}
apply=${3:-}
if ! command -v "$cf" >/dev/null 2>&1; then
  echo "format.sh: $cf not found: the format check is skipped"
  exit 77
fi
version=$("$cf" --version | sed -n 's/.*clang-format version \([0-9][0-9]*\)\..*/\1/p')
if [ "$version" != 14 ]; then
  echo "format.sh: $cf is version ${version:-unknown}, .clang-format is kept for 14: the format check is skipped"
  exit 77
fi
if ! git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "format.sh: $root is not a git checkout: the format check is skipped"
  exit 77
fi
cd "$root"
ignored() { # ignored PATH: a pattern of .clang-format-ignore matches it
  [ -f .clang-format-ignore ] || return 1
  while IFS= read -r pat; do
    case $pat in '' | '#'*) continue ;; esac
    # shellcheck disable=SC2254 # the pattern is meant to match
    case $1 in $pat) return 0 ;; esac
  done <.clang-format-ignore
  return 1
}
list=$(mktemp)
trap 'rm -f "$list"' EXIT
git ls-files '*.c' '*.h' | while IFS= read -r f; do
  ignored "$f" || printf '%s\n' "$f"
done >"$list"
echo "format.sh: $(wc -l <"$list") files, $("$cf" --version)"
if [ "$apply" = --apply ]; then
  xargs "$cf" -i --style=file <"$list"
  exit 0
fi
# -Werror turns each line clang-format would change into an error naming
# file and line; --ferror-limit=0 lists them all.
if ! xargs "$cf" --dry-run -Werror --ferror-limit=0 --style=file <"$list" 2>&1; then
  echo "format.sh: files differ from .clang-format's layout; apply it with: tests/lint/format.sh . $cf --apply"
  exit 1
fi
echo "format.sh: every file is as .clang-format lays it out"
