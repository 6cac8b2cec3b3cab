#!/usr/bin/env bash
# Installs the build and test tools Resonance needs, skipping what is already installed.
# Only crates.io, npm and Debian packages are used: nothing is downloaded from elsewhere.
# `tools.sh build`: only what building the site needs (`make run`), less wasm-bindgen-cli,
# which `.ci/site.mjs` installs beside its builds; no argument: everything, test tools too.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# These tools' own speed hardly matters: build them with a cheap release profile, which
# roughly halves their compile time on a 2-core machine.
cheap_install() {
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=false \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_INCREMENTAL=false cargo install "$@"
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# The CLI must be exactly the wasm-bindgen version Cargo.lock pins.
wasm_bindgen_cli() {
  local want
  want=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
  if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $want"; then
    # Not --locked: its lock file names a crate version the registry no longer has.
    cheap_install wasm-bindgen-cli --version "$want"
  fi
}

# `tools.sh wasm-bindgen`: only the CLI. `.ci/site.mjs` runs this beside its own builds,
# whose LTO and linking leave a core idle for minutes.
if [ "${1:-}" = wasm-bindgen ]; then
  wasm_bindgen_cli
  exit 0
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# `build` leaves the CLI to `.ci/site.mjs` (above).
[ "${1:-}" = build ] || wasm_bindgen_cli

# Playwright, axe-core and binaryen's wasm-opt; reinstalled whenever the lock file changes.
if [ ! -f end2end/node_modules/.package-lock.json ] \
  || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

[ "${1:-}" = build ] && exit 0

if [ ! -x /usr/bin/chromium ]; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium
fi

# A real SMTP server for the tests, the journeys and the benchmark.
if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check aiosmtpd==1.4.6
fi
