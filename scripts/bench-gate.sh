#!/usr/bin/env bash
# The core's criterion benches, short, then their times against the recorded
# ratios (scripts/bench_gate.py). KASM_PLAN_BLESS=1 records this run instead.
set -euo pipefail
cd "$(dirname "$0")/.."
criterion="${CARGO_TARGET_DIR:-target}/criterion"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() {
  rm -rf "$criterion"
  if ! cargo bench --quiet -p kasm-plan-core --bench core -- \
    --warm-up-time 1 --measurement-time 2 --noplot >"$log" 2>&1; then
    tail -40 "$log"
    exit 1
  fi
  python3 scripts/bench_gate.py "$criterion"
}
# A bench slower than its margin is measured once more before the gate fails:
# a passing second run means the first met a busy machine.
if ! run && [ -z "${KASM_PLAN_BLESS:-}" ]; then
  echo "bench gate: measuring once more"
  run
fi
