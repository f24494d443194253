#!/usr/bin/env bash
# Fuzzes every target in fuzz/ (cargo-fuzz, libFuzzer) for SECONDS each
# (docs/reliability.md has the long runs), starting from corpora seeded by the
# shared vectors and examples. `smoke` instead of SECONDS runs a fixed number
# of executions per target (the test command's run): how far it gets does not
# depend on how fast the machine is, and with the fixed seed a target whose
# code is deterministic sees the same inputs on every run.
# Installs what it needs: a nightly toolchain and cargo-fuzz, pinned.
# Prints one line per target: executions, coverage, corpus size. Exits 1 on
# any crash, panic, timeout or out-of-memory (the input is in fuzz/artifacts).
# The mutation seed is fixed (FUZZ_SEED, default 1) so a run is repeatable.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
shift || true
targets=("$@")
rustup --quiet toolchain install nightly --profile minimal >/dev/null
if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "0.13.2" ]; then
  cargo install --quiet --locked cargo-fuzz --version 0.13.2
fi
# Its own target dir: sanitizer flags would rebuild the main one.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-$PWD/target}/fuzz}"
cargo run --quiet -p kasm-plan-fuzz --example write_seeds -- fuzz/corpus >/dev/null
# The workspace's versions, so fuzzing runs the code the tests run.
cp Cargo.lock fuzz/Cargo.lock
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cd fuzz && cargo +nightly fuzz list)
fi
cd fuzz
cargo +nightly fuzz build --release >/dev/null
# Executions per target in a smoke run: about 10 s each on a 2-core machine.
declare -A smoke_runs=([facade]=5000 [image_list]=50000 [policy]=5000 [simulator]=300000
  [spec_hcl]=15000 [spec_json]=25000 [state]=70000 [structured_plan]=3000 [tfvars]=5000)
for t in "${targets[@]}"; do
  log=$(mktemp)
  started=$SECONDS
  if [ "$seconds" = smoke ]; then
    # The time limit only bounds a very slow machine.
    budget=(-runs="${smoke_runs[$t]:-5000}" -max_total_time=300)
  else
    budget=(-max_total_time="$seconds")
  fi
  if ! cargo +nightly fuzz run --release "$t" "corpus/$t" -- \
      "${budget[@]}" -seed="${FUZZ_SEED:-1}" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz $t: FAILED (input saved under fuzz/artifacts/$t)"
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  corp=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  echo "fuzz $t: $runs executions in $((SECONDS - started)) s, coverage $cov edges, corpus $corp"
  rm -f "$log"
done
