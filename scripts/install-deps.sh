#!/usr/bin/env bash
# Installs the Debian 12 packages Conform's build needs; idempotent: installs only what is missing.
# `--fuzz` installs instead what `make fuzz` adds (clang-19 and its libFuzzer/sanitizer runtime); the normal
# build and `make test` never need them.
set -euo pipefail
PKGS=(build-essential cmake pkg-config
      antlr4 libantlr4-runtime-dev default-jre-headless
      llvm-19-dev
      libfmt-dev libsimdjson-dev libyaml-dev libyaml-cpp-dev libcli11-dev libtomlplusplus-dev
      libgtest-dev libgmock-dev libbenchmark-dev libsqlite3-dev zlib1g-dev libzstd-dev libedit-dev libffi-dev libxml2-dev
      libxlsxwriter-dev
      python3-jsonschema python3-junitparser chromium
      pybind11-dev python3-dev python3-pytest python3-distributed python3-pandas python3-yaml
      libre2-dev libssl-dev
      zsh fish    # the shell-completion tests check the generated zsh and fish scripts
      time)       # make bench: peak RSS of one process (/usr/bin/time -f %M)
if [ "${1:-}" = "--fuzz" ]; then PKGS=(clang-19 libclang-rt-19-dev); fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
