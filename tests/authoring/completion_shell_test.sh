#!/bin/bash
# Runs the generated completion of SHELL (zsh or fish) the way the shell runs it when TAB is
# pressed, and checks what it offers: subcommands, nested subcommands, options and option
# values. Exits 77 (skipped) when SHELL is not installed.
# Usage: completion_shell_test.sh zsh|fish CONFORM_BIN SCRATCH_DIR
set -u
shell=$1 conform=$2 scratch=$3
here=$(cd "$(dirname "$0")" && pwd)
command -v "$shell" >/dev/null || { echo "$shell is not installed: skipped"; exit 77; }
rm -rf "$scratch" && mkdir -p "$scratch" || exit 1
failed=0

# complete LINE: the candidates, one per line.
complete() {
  case $shell in
    zsh) timeout 60 zsh -f "$here/zsh_complete.zsh" "$scratch" "$1" ;;
    # fish prints `candidate<TAB>description`.
    fish) timeout 60 fish --no-config -c "source '$scratch/conform.fish'; complete -C '$1'" | cut -f1 ;;
  esac
}

# expect LINE WORD…: every WORD is among the candidates for LINE.
expect() {
  local line=$1 got
  shift
  got=$(complete "$line")
  for w in "$@"; do
    if ! grep -qxF -- "$w" <<<"$got"; then
      echo "FAIL: \`$line<TAB>\` does not offer \`$w\`; it offers:"
      sed 's/^/  /' <<<"$got"
      failed=1
    fi
  done
}

# only LINE WORD…: the candidates for LINE are exactly the WORDs (in any order).
only() {
  local line=$1 got want
  shift
  got=$(complete "$line" | sort)
  want=$(printf '%s\n' "$@" | sort)
  if [ "$got" != "$want" ]; then
    echo "FAIL: \`$line<TAB>\` offers:"
    sed 's/^/  /' <<<"$got"
    echo "  instead of: $*"
    failed=1
  fi
}

case $shell in
  zsh) "$conform" completion zsh >"$scratch/_conform" ;;
  fish) "$conform" completion fish >"$scratch/conform.fish" ;;
  *) echo "usage: $0 zsh|fish CONFORM_BIN SCRATCH_DIR"; exit 2 ;;
esac || { echo "FAIL: conform completion $shell"; exit 1; }

only "conform ch" check
expect "conform c" check compile catalogue certify completion
only "conform lint --fo" --format
only "conform lint --format " text json sarif
only "conform completion " bash zsh fish
expect "conform catalogue s" show search
expect "conform check x.yaml --eng" --engine
expect "conform check x.yaml --engine " jit interp  # values of a fixed set (more may come: auto)
# Every subcommand of `conform --help` is offered after `conform `.
subs=$("$conform" --help | awk '/^Subcommands:/{on=1; next} on && /^  [a-z]/{print $1}')
[ -n "$subs" ] || { echo "FAIL: no subcommands in conform --help"; failed=1; }
# shellcheck disable=SC2086
expect "conform " $subs
[ $failed = 0 ] && echo "ok: $shell completes subcommands, options and values"
exit $failed
