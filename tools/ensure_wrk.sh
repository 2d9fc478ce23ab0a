#!/bin/sh
# The Envoy benchmark (`deno task bench`, tools/bench/envoy_bench.ts) loads Envoy with Debian's wrk
# (4.1.0, LuaJIT scripting) from the other core, and profiles it with Debian's linux-perf (perf).
# Installs them when missing, wrk pinned to the version the benchmark was written against where
# Debian still has it, as root or through sudo; otherwise says how, and the benchmark says what it
# skipped (the Envoy section without wrk, the profile without perf). WASMROUTE_WRK=/path/to/wrk
# overrides wrk.
WRK_VERSION=4.1.0-3+b2
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else SUDO=none; fi
missing=""
[ -z "${WASMROUTE_WRK:-}" ] && ! command -v wrk >/dev/null 2>&1 && missing="wrk"
command -v perf >/dev/null 2>&1 || missing="$missing linux-perf"
[ -z "$missing" ] && exit 0
if [ "$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's$missing for the Envoy benchmark" >&2
  $SUDO apt-get update -qq >/dev/null
  for pkg in $missing; do
    if [ "$pkg" = wrk ]; then
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "wrk=$WRK_VERSION" >/dev/null 2>&1 ||
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
    else
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$pkg" >/dev/null 2>&1
    fi
  done
fi
command -v wrk >/dev/null 2>&1 || [ -n "${WASMROUTE_WRK:-}" ] ||
  echo "wrk is missing: install it (Debian: apt-get install -y wrk) or set WASMROUTE_WRK" >&2
command -v perf >/dev/null 2>&1 ||
  echo "perf is missing (Debian: apt-get install -y linux-perf): the Envoy benchmark runs without its profile" >&2
exit 0
