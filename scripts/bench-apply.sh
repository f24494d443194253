#!/usr/bin/env bash
# Applies N creates (default 500) to the Kasm simulator with 20 ms added to
# every answer, at parallelism 10, and compares the time with the ideal
# N x latency / parallelism. Release builds; prints one result line.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-500}
latency_ms=${LATENCY_MS:-20}
parallelism=10
cargo build --quiet --release -p kasm-plan -p kasm-sim
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
work=$(mktemp -d)
trap 'kill "$sim_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

export KASM_SIM_API_KEY=bench-key KASM_SIM_API_SECRET=bench-secret
"$target_dir/release/kasm-sim" --agent-delay -1 --faults "{\"latency_ms\": $latency_ms}" >"$work/sim.out" &
sim_pid=$!
for _ in $(seq 100); do grep -q http "$work/sim.out" 2>/dev/null && break; sleep 0.05; done
export KASM_API_URL=$(grep -o 'http://[0-9.:]*' "$work/sim.out" | head -1)
export KASM_API_KEY=bench-key KASM_API_KEY_SECRET=bench-secret

for i in $(seq 0 $((n - 1))); do
  printf 'resource "kasm_image" "app_%d" {\n  name = "kasmweb/app-%d:1.18.0"\n  image_src = "img/app.png"\n  friendly_name = "App %d"\n  memory = 2768\n  cores = 2\n}\n' "$i" "$i" "$i"
done >"$work/images.tf"

cd "$work"
# Warm the compiled-component cache outside the measurement.
"$target_dir/release/kasm-plan" validate images.tf >/dev/null
start=$(date +%s.%N)
"$target_dir/release/kasm-plan" apply images.tf --auto-approve --parallelism "$parallelism" >"$work/apply.out"
end=$(date +%s.%N)
tail -1 "$work/apply.out"
python3 - "$start" "$end" "$n" "$latency_ms" "$parallelism" <<'PY'
import sys
start, end, n, latency, par = map(float, sys.argv[1:])
took = end - start
ideal = n * latency / 1000 / par
print(f"apply {int(n)} creates, {int(latency)} ms latency, parallelism {int(par)}: "
      f"{took:.2f} s; ideal {ideal:.2f} s; ratio {took / ideal:.2f} (target <= 1.2)")
PY
