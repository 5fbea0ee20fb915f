#!/usr/bin/env bash
# Runs every test suite of exitcore (Rust, Python, JavaScript/WebAssembly),
# installing what is missing first. Safe to re-run: each install step is
# skipped when its result is already present.
#
#   bash scripts/test-all.sh          # everything
#   SKIP_LINT=1 bash scripts/test-all.sh   # skip fmt/clippy
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
step() { printf '\n==> %s\n' "$*"; }

# --- toolchain -------------------------------------------------------------
step "toolchain"
if ! command -v cargo >/dev/null; then
  echo "cargo is required (https://rustup.rs)" >&2
  exit 1
fi
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
wb_version="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)"
if [ -z "$wb_version" ]; then
  echo "wasm-bindgen not found in Cargo.lock" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  # Without --locked: the registry index can lag behind the lock file's needs.
  cargo install wasm-bindgen-cli --version "$wb_version"
fi

if ! command -v node >/dev/null; then
  apt-get update && apt-get install -y nodejs npm
fi

# The demo page's browser test drives Debian's chromium through playwright-core
# (Playwright cannot download its own browser builds here).
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
# npm ci again only when the lock file changed (npm ci empties node_modules,
# so an old stamp goes with it).
js_lock="$root/exitcore-wasm/package-lock.json"
js_stamp="$root/exitcore-wasm/node_modules/.lock-$(sha256sum "$js_lock" | cut -c1-16)"
if [ ! -d "$root/exitcore-wasm/node_modules/playwright-core" ] || [ ! -f "$js_stamp" ]; then
  (cd "$root/exitcore-wasm" && npm ci --no-audit --no-fund)
  touch "$js_stamp"
fi

venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
req="$root/exitcore-py/requirements-test.txt"
stamp="$venv/.requirements-$(sha256sum "$req" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet -r "$req"
  touch "$stamp"
fi

# --- Rust ------------------------------------------------------------------
if [ -z "${SKIP_LINT:-}" ]; then
  step "cargo fmt --check"
  cargo fmt --all -- --check
  step "cargo clippy"
  cargo clippy --workspace --all-targets -- -D warnings
fi

step "rust tests"
cargo test --workspace

step "main job (README commands)"
cargo run --release --example report -- --exits 2000 >/dev/null
cargo run --release --example report -- \
  --data ../shared/data/tafe_survey.csv --mapping examples/mappings/tafe.json | tail -n 1

# --- Python ----------------------------------------------------------------
step "python tests"
(
  export VIRTUAL_ENV="$venv"
  export PATH="$venv/bin:$PATH"
  maturin develop --release --quiet -m exitcore-py/Cargo.toml
  pytest exitcore-py/tests
)

# --- JavaScript / WebAssembly ----------------------------------------------
step "wasm build"
cargo build -p exitcore-wasm --target wasm32-unknown-unknown --release
wasm-bindgen --target nodejs --out-dir exitcore-wasm/pkg \
  target/wasm32-unknown-unknown/release/exitcore_wasm.wasm
wasm-bindgen --target web --out-dir exitcore-wasm/demo/pkg \
  target/wasm32-unknown-unknown/release/exitcore_wasm.wasm

step "js tests"
node --test exitcore-wasm/tests/

step "browser demo (headless chromium, against the native report)"
node --test exitcore-wasm/e2e/

step "all suites passed"
