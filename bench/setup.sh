#!/usr/bin/env bash
# Installs what `make bench` needs and is missing; a second run redoes nothing that is done.
#  - Debian packages: hyperfine, time (GNU time for peak RSS), strace, valgrind (apt-get, as root)
#  - bench/.venv (git-ignored): llm and openai from PyPI, the peers
set -euo pipefail
cd "$(dirname "$0")"

packages=(hyperfine time strace valgrind curl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench-setup: missing Debian packages: ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "bench-setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "bench-setup: creating bench/.venv"
  python3 -m venv .venv
fi
if ! .venv/bin/python -c "import llm, openai" 2>/dev/null; then
  echo "bench-setup: installing llm and openai into bench/.venv"
  .venv/bin/pip install -q --disable-pip-version-check llm openai
fi
