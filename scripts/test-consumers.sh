#!/usr/bin/env bash
# Plan JSON read by a real consumer: Checkov (from PyPI, pinned) loads the
# plan of examples/workspaces, finds every resource instance by its address,
# and evaluates a custom policy on the planned values.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target_dir=${CARGO_TARGET_DIR:-$root/target}
checkov_version=3.2.533
venv=$target_dir/checkov-$checkov_version
if ! "$venv/bin/checkov" --version >/dev/null 2>&1; then
  if ! python3 -m venv --help >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf "$venv" && python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$checkov_version"
fi
cargo build --quiet -p kasm-plan
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The Dev Workspace gets 2048 MB here: below the policy's 4096, as Firefox's 2768.
"$target_dir/debug/kasm-plan" plan examples/workspaces --observed examples/observed-images.json \
  --var default_memory=2048 --json > "$work/plan.json"
"$venv/bin/checkov" --file "$work/plan.json" --framework terraform_plan \
  --external-checks-dir tests/consumers/checkov --check CKV2_KASM_1 \
  --output json --skip-download > "$work/checkov.json" || true
python3 - "$work/checkov.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
results, summary = report["results"], report["summary"]
passed = sorted(c["resource"] for c in results["passed_checks"])
failed = sorted(c["resource"] for c in results["failed_checks"])
assert summary["resource_count"] == 3, summary
assert summary["parsing_errors"] == 0, summary
assert passed == ['kasm_image.browser["chrome"]'], passed
assert failed == ['kasm_image.browser["firefox"]', 'kasm_image.dev'], failed
print(f"checkov {summary['checkov_version']}: {summary['resource_count']} resources, "
      f"{len(passed)} passed, {len(failed)} failed, as expected")
PY
