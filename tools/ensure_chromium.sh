#!/bin/sh
# The console's browser test drives Debian's Chromium (never a downloaded browser). Installs it
# when missing, as root or through sudo; otherwise says how, and the browser test will fail.
[ -n "${WASMROUTE_CHROMIUM:-}" ] && exit 0
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else SUDO=none; fi
if [ "$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the console's browser test" >&2
  $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null && exit 0
fi
echo "chromium is missing: install it (Debian: apt-get install -y chromium) or set WASMROUTE_CHROMIUM" >&2
exit 0
