#!/usr/bin/env bash
# Runs the fuzz targets, each for a bounded time: `make fuzz` (FUZZ_SECONDS=60 each by
# default) or `bash app/fuzz/run.sh [TARGET…]`. Installs cargo-fuzz if missing.
#
# cargo-fuzz wants a nightly compiler for `-Z` flags; RUSTC_BOOTSTRAP=1 lets the stable one
# take them. The code under test is safe Rust, so no sanitizer is needed: libFuzzer's
# coverage guidance and Rust's own panics (with overflow checks, `-a`) find the bugs.
# New inputs go to target/corpus/TARGET (ignored); the seeds in corpus/TARGET and the
# dictionaries of field names and tokens in dict/TARGET.dict are committed. A crash leaves its input in artifacts/TARGET/ and fails the run; replay it
# with `RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir app/fuzz --sanitizer none -a TARGET FILE`.
set -euo pipefail
fuzz_dir="$(cd "$(dirname "$0")" && pwd)"
cd "$fuzz_dir/../.."
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1

CARGO_FUZZ_VERSION=0.13.2
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(contacts_csv survey_definition answer_form survey_editor)
fi
flags=(--fuzz-dir app/fuzz --sanitizer none --debug-assertions)

cargo fuzz build "${flags[@]}"
failed=()
for target in "${targets[@]}"; do
  mkdir -p "app/fuzz/target/corpus/$target"
  echo "== $target: ${seconds}s"
  dict=()
  if [ -f "app/fuzz/dict/$target.dict" ]; then
    dict=(-dict="app/fuzz/dict/$target.dict")
  fi
  if ! cargo fuzz run "${flags[@]}" "$target" \
      "app/fuzz/target/corpus/$target" "app/fuzz/corpus/$target" -- \
      -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 "${dict[@]}"; then
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found crashes in: ${failed[*]} (inputs in app/fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzzing: ${#targets[@]} targets, ${seconds}s each, no crash"
