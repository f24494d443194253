"""The bench gate: each core bench's fastest time over the calibration bench's,
measured in the same run, against the ratios recorded in
crates/kasm-plan-core/benches/gate.json. A ratio above its recorded value
times the margin fails, naming the bench. KASM_PLAN_BLESS=1 records the run.

Usage: python3 scripts/bench_gate.py CRITERION_DIR
"""

import json
import os
import sys
from pathlib import Path

GATE = Path(__file__).resolve().parent.parent / "crates/kasm-plan-core/benches/gate.json"
CALIBRATION = "calibrate/sort_1m_numbers"


def fastest(criterion: Path) -> dict[str, float]:
    """Every bench of the run: its full id and its fastest sample's time per
    iteration, in nanoseconds. Another load on the machine only ever adds
    time, so the fastest sample is the steadiest figure to compare."""
    found = {}
    for meta in criterion.glob("**/new/benchmark.json"):
        full_id = json.loads(meta.read_text())["full_id"]
        sample = json.loads((meta.parent / "sample.json").read_text())
        found[full_id] = min(t / n for t, n in zip(sample["times"], sample["iters"]))
    return found


def main() -> int:
    run = fastest(Path(sys.argv[1]))
    if CALIBRATION not in run:
        print(f"bench gate: the calibration bench {CALIBRATION} did not run", file=sys.stderr)
        return 1
    base = run[CALIBRATION]
    print(f"bench gate: {CALIBRATION} {base / 1e6:.1f} ms")
    ratios = {name: t / base for name, t in sorted(run.items()) if name != CALIBRATION}
    if os.environ.get("KASM_PLAN_BLESS"):
        gate = json.loads(GATE.read_text()) if GATE.exists() else {"margin": 1.6}
        gate["ratios"] = {name: round(r, 3) for name, r in ratios.items()}
        GATE.write_text(json.dumps(gate, indent=2) + "\n")
        print(f"bench gate: recorded {len(ratios)} ratios in {GATE.name}")
        return 0
    gate = json.loads(GATE.read_text())
    margin = gate["margin"]
    failed = []
    for name, recorded in gate["ratios"].items():
        if name not in ratios:
            failed.append(f"{name}: recorded but not run (renamed or removed? re-record the gate)")
            continue
        now = ratios[name]
        verdict = "ok" if now <= recorded * margin else "SLOWER"
        print(f"{verdict:>6}  {name}: {run[name] / 1e6:.1f} ms, ratio {now:.3f} "
              f"(recorded {recorded:.3f}, {now / recorded:.2f}x)")
        if verdict != "ok":
            failed.append(
                f"{name}: {run[name] / 1e6:.1f} ms, {now / recorded:.2f}x its recorded ratio "
                f"to {CALIBRATION} (the gate allows {margin}x)"
            )
    for name in sorted(set(ratios) - set(gate["ratios"])):
        print(f"   new  {name}: {ratios[name]:.3f} (not recorded yet)")
    if failed:
        print("bench gate failed:\n  " + "\n  ".join(failed), file=sys.stderr)
        print("if the cost is meant, record it (KASM_PLAN_BLESS=1 bash scripts/bench-gate.sh) "
              "and say why in the commit", file=sys.stderr)
        return 1
    print(f"bench gate: {len(gate['ratios'])} benches within {margin}x of their recorded ratios")
    return 0


if __name__ == "__main__":
    sys.exit(main())
