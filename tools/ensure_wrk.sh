#!/bin/sh
# The Envoy benchmark (`deno task bench`, tools/bench/envoy_bench.ts) loads Envoy with Debian's wrk
# (4.1.0, LuaJIT scripting) from the other core. Installs it when missing, pinned to the version the
# benchmark was written against where Debian still has it, as root or through sudo; otherwise says
# how, and the benchmark's Envoy section says it was skipped. WASMROUTE_WRK=/path/to/wrk overrides.
WRK_VERSION=4.1.0-3+b2
[ -n "${WASMROUTE_WRK:-}" ] && exit 0
command -v wrk >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else SUDO=none; fi
if [ "$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's wrk for the Envoy benchmark" >&2
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "wrk=$WRK_VERSION" >/dev/null 2>&1 ||
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
  command -v wrk >/dev/null 2>&1 && exit 0
fi
echo "wrk is missing: install it (Debian: apt-get install -y wrk) or set WASMROUTE_WRK" >&2
exit 0
