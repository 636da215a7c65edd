#!/bin/bash
# Compares what two builds of `conform` make of the whole tree: `compile --emit ir` of every
# package (plugin.toml) and of every .clause file, and `compile --emit ast` of every .clause
# file, stdout and stderr (diagnostics) and exit code, one file per input.
#
#   scripts/compare-compiler-output.sh BASE_BIN NEW_BIN [OUTDIR]
#
# Used before landing a refactoring of the compiler (e.g. sema) to show that its IR and its
# diagnostics did not change. Put BASE_BIN beside NEW_BIN (e.g. build/cli/conform_base: copy
# `conform` there before the change) so both find the catalogue the same way. Exit 0 = same.
set -u
base=${1:?BASE_BIN}; new=${2:?NEW_BIN}; out=${3:-/tmp/conform-compare}
root=$(cd "$(dirname "$0")/.." && pwd)
dump() {  # dump BIN DIR
  rm -rf "$2"; mkdir -p "$2"
  (cd "$root" &&
   for d in $(find . -name plugin.toml -not -path "./build*/*" | sed 's|/plugin.toml||' | sort); do
     n=$(echo "$d" | sed 's|^\./||; s|/|__|g')
     "$1" compile "$d" --emit ir > "$2/pkg_$n.txt" 2>&1; echo "rc=$?" >> "$2/pkg_$n.txt"
   done
   for f in $(find . -name "*.clause" -not -path "./build*/*" | sort); do
     n=$(echo "$f" | sed 's|^\./||; s|/|__|g')
     for e in ir ast; do
       "$1" compile "$f" --emit $e > "$2/${e}_$n.txt" 2>&1; echo "rc=$?" >> "$2/${e}_$n.txt"
     done
   done)
}
dump "$base" "$out/base"
dump "$new" "$out/new"
n=$(ls "$out/new" | wc -l)
if diff -r "$out/base" "$out/new" > "$out/diff.txt"; then
  echo "same: $n outputs identical ($out)"
else
  echo "DIFFERENT: $(grep -c '^diff ' "$out/diff.txt") of $n outputs differ: see $out/diff.txt"
  exit 1
fi
