#!/usr/bin/env bash
# Smoke test of the packaged console (`make bundle-smoke`, run by .ci/run after `make test`).
#
# Runs the bundle made by `make package` the way an operator's machine would: no venv, no
# Python on PATH (`env -i PATH=/usr/bin:/bin`), under Xvfb, on a fresh devnet in a temporary
# data dir. It must start the devnet (three nodes, grid simulator; telemetry in the devnet's
# SQLite), save a whole-window screenshot and exit 0; the PNG must be a real picture; and
# nothing it started may outlive it. Its processes are recognised by a marker variable in
# their environment (children inherit it) or the data dir on their command line — never by
# name, so other devnets and tests on the same machine are left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

BUNDLE=bundle/gridtokenx-console/gridtokenx-console
TIMEOUT_S=${SMOKE_TIMEOUT_S:-240}
[ -x "$BUNDLE" ] || { echo "bundle-smoke: $BUNDLE missing: run 'make package' first" >&2; exit 2; }

work=$(mktemp -d /tmp/gridtokenx-smoke.XXXXXX)
marker="GRIDTOKENX_SMOKE_RUN=$work"
base_port=$((34000 + RANDOM % 400 * 10))   # a devnet of its own beside any other

ours() {  # pids of processes started by this smoke run (marker in environ, or data dir in argv)
  local proc pid
  for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    [ "$pid" = "$$" ] && continue
    if { tr '\0' '\n' < "$proc/environ"; } 2>/dev/null | grep -qxF "$marker" ||
       { tr '\0' ' ' < "$proc/cmdline"; } 2>/dev/null | grep -qF "$work/"; then
      echo "$pid"
    fi
  done
}

cleanup() {
  local left
  left=$(ours || true)
  if [ -n "$left" ]; then kill -9 $left 2>/dev/null || true; fi
  if [ "${KEEP_SMOKE_DIR:-0}" = 1 ]; then echo "bundle-smoke: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

began_ms=$(($(date +%s%N) / 1000000))
status=0
env -i PATH=/usr/bin:/bin HOME="$work/home" LANG=C.UTF-8 "$marker" \
  timeout --kill-after=20 "$TIMEOUT_S" \
  xvfb-run -a -s "-screen 0 1600x1000x24" \
  "$BUNDLE" --data-dir "$work/devnet" --settings "$work/console.ini" --base-port "$base_port" \
    --language en --screenshot "$work/window.png" --after 5 \
  > "$work/console.log" 2>&1 || status=$?
ran_ms=$(($(date +%s%N) / 1000000 - began_ms))
ran="$((ran_ms / 1000)).$((ran_ms % 1000 / 100))"

fail() {
  echo "bundle-smoke: FAILED: $*" >&2
  echo "--- last lines of the console log ---" >&2
  tail -n 40 "$work/console.log" >&2 || true
  for log in "$work"/devnet/logs/*.log; do
    [ -f "$log" ] && { echo "--- $log ---" >&2; tail -n 5 "$log" >&2; }
  done
  exit 1
}

[ "$status" -eq 0 ] || fail "the bundle exited with status $status after ${ran} s"
[ -s "$work/window.png" ] || fail "no screenshot saved"
head -c 8 "$work/window.png" | od -An -tx1 | tr -d ' \n' | grep -qx 89504e470d0a1a0a ||
  fail "the screenshot is not a PNG"
read -r width height < <(od -An -tu1 -j16 -N8 "$work/window.png" |
  awk '{print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}')
bytes=$(stat -c %s "$work/window.png")
[ "$width" -ge 800 ] && [ "$height" -ge 500 ] || fail "screenshot is ${width}x${height}"
[ "$bytes" -ge 30000 ] || fail "screenshot is only $bytes bytes: an empty window?"
grep -q "startup complete" "$work/console.log" || fail "the log does not show a complete start-up"

sleep 1  # the last SIGKILLed child is reaped by init
left=$(ours || true)
if [ -n "$left" ]; then
  ps -o pid,args -p $(echo $left | tr ' ' ',') >&2 || true
  fail "processes left running after the console exited: $left"
fi
echo "bundle-smoke: ok — devnet start-up and ${width}x${height} screenshot ($bytes bytes)" \
     "in ${ran} s, no process left behind"
