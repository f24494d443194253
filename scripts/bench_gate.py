"""The bench gate: the ratios the gate bench measured (each workload's time
over a calibration workload's, crates/kasm-plan-core/benches/gate.rs) against
those recorded in crates/kasm-plan-core/benches/gate.json. A ratio above its
record times the margin fails, naming the workload. KASM_PLAN_BLESS=1 records
the run instead.

Usage: python3 scripts/bench_gate.py RATIOS.json
"""

import json
import os
import sys
from pathlib import Path

GATE = Path(__file__).resolve().parent.parent / "crates/kasm-plan-core/benches/gate.json"


def main() -> int:
    ratios = json.loads(Path(sys.argv[1]).read_text())
    if os.environ.get("KASM_PLAN_BLESS"):
        gate = json.loads(GATE.read_text()) if GATE.exists() else {"margin": 1.6}
        gate["ratios"] = {name: round(r, 3) for name, r in sorted(ratios.items())}
        GATE.write_text(json.dumps(gate, indent=2) + "\n")
        print(f"bench gate: recorded {len(ratios)} ratios in {GATE.name}")
        return 0
    gate = json.loads(GATE.read_text())
    margin = gate["margin"]
    failed = []
    for name, recorded in gate["ratios"].items():
        if name not in ratios:
            failed.append(f"{name}: recorded but not measured (renamed or removed? record the gate again)")
            continue
        now = ratios[name]
        verdict = "ok" if now <= recorded * margin else "SLOWER"
        print(f"{verdict:>6}  {name}: ratio {now:.3f} (recorded {recorded:.3f}, {now / recorded:.2f}x)")
        if verdict != "ok":
            failed.append(f"{name}: {now / recorded:.2f}x its recorded ratio (the gate allows {margin}x)")
    for name in sorted(set(ratios) - set(gate["ratios"])):
        print(f"   new  {name}: ratio {ratios[name]:.3f} (not recorded yet)")
    if failed:
        print("bench gate failed:\n  " + "\n  ".join(failed), file=sys.stderr)
        print("if the cost is meant, record it (KASM_PLAN_BLESS=1 bash scripts/bench-gate.sh) "
              "and say why in the commit", file=sys.stderr)
        return 1
    print(f"bench gate: {len(gate['ratios'])} workloads within {margin}x of their recorded ratios")
    return 0


if __name__ == "__main__":
    sys.exit(main())
