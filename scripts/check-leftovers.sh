#!/usr/bin/env bash
# Fails when a process started by the test run outlives it. Every process the tests start inherits
# INCIDENT_REPL_TEST_RUN=<id> (tmux servers and the llama.cpp servers included); after the run none
# may be left. Stragglers get a few seconds (a shared llama.cpp server exits within half a second of
# its last REPL), then are listed, killed, and the check fails.
set -uo pipefail
id="${1:?usage: check-leftovers.sh RUN-ID}"
find_leftovers() {
  for environ in /proc/[0-9]*/environ; do
    pid="${environ#/proc/}"; pid="${pid%/environ}"
    [ "$pid" = "$$" ] && continue
    # Processes come and go while this runs, and some are not ours to read: say nothing of those.
    if { tr '\0' '\n' < "$environ"; } 2>/dev/null | grep -qx "INCIDENT_REPL_TEST_RUN=$id"; then echo "$pid"; fi
  done
}
for _ in $(seq 1 50); do
  left=$(find_leftovers)
  [ -z "$left" ] && { echo "check-leftovers: no process of the test run is left"; exit 0; }
  sleep 0.1
done
echo "check-leftovers: processes started by the tests are still running:" >&2
for pid in $left; do
  echo "  $pid $(tr '\0' ' ' < /proc/$pid/cmdline 2>/dev/null | cut -c1-160)" >&2
done
kill -9 $left 2>/dev/null
exit 1
