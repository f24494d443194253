#!/usr/bin/env bash
# Our formats read by real consumers. Plan JSON: Checkov (from PyPI, pinned) loads the
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

# The authorization workflow's plan (an image, a group, a link, a user, a membership,
# a session), made against the embedded simulator: Checkov reads every instance of
# every type by its address; the one image check applies to the image alone.
(cd "$work" && env -u KASM_API_URL "$target_dir/debug/kasm-plan" plan "$root/examples/workflow" \
  --state workflow.state.json --json) > "$work/workflow.json" 2>/dev/null
"$venv/bin/checkov" --file "$work/workflow.json" --framework terraform_plan \
  --external-checks-dir tests/consumers/checkov --check CKV2_KASM_1 \
  --output json --skip-download > "$work/checkov-workflow.json" || true
python3 - "$work/checkov-workflow.json" "$work/workflow.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
plan = json.load(open(sys.argv[2]))
summary = report["summary"]
addresses = sorted(r["address"] for r in plan["resource_changes"])
assert addresses == ["kasm_group.workspace_users", "kasm_group_image.workspace_access",
                     "kasm_group_membership.developer_access", "kasm_image.gimp",
                     "kasm_session.developer_workspace", "kasm_user.developer"], addresses
assert summary["parsing_errors"] == 0, summary
assert summary["resource_count"] == len(addresses), summary
failed = [c["resource"] for c in report["results"]["failed_checks"]]
assert failed == ["kasm_image.gimp"], failed
print(f"checkov {summary['checkov_version']}: the workflow's {summary['resource_count']} resources "
      f"of 6 types read, the image check failed on the image alone, as expected")
PY

# Reports read by real consumers. SARIF: validated against the SARIF 2.1.0
# schema shipped in Microsoft's SARIF SDK package (npm), with Ajv; a copy with
# a wrong result level must fail, so the check can fail.
(cd tests/consumers/schemas && npm ci --no-audit --no-fund --loglevel=error)
check="node tests/consumers/schemas/check.mjs"
sarif_schema=tests/consumers/schemas/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json
kasm="$target_dir/debug/kasm-plan"
(cd tests/consumers/reports && "$kasm" validate main.tf --format sarif) > "$work/validate.sarif" || true
(cd tests/consumers/reports/policy && "$kasm" policy check main.tf --policy ../../../../examples/policies --format sarif) > "$work/policy.sarif" || true
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
log = json.load(open(f"{work}/validate.sarif"))
results = log["runs"][0]["results"]
assert sorted(r["ruleId"] for r in results) == ["image_type_invalid", "memory_out_of_range", "name_not_image_reference", "unknown_attribute", "wrong_type"], results
# A user's problem is located like an image's (the username Kasm would lower-case).
user = next(r for r in results if r["ruleId"] == "wrong_type")
assert user["locations"][0]["physicalLocation"]["region"]["startLine"] == 15, user
rules = log["runs"][0]["tool"]["driver"]["rules"]
assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] > 0 for r in results)
policy = json.load(open(f"{work}/policy.sarif"))
found = {r["ruleId"]: r for r in policy["runs"][0]["results"]}
assert sorted(found) == ["described", "image_tag_latest", "memory-cap", "pinned-tags"], sorted(found)
assert found["pinned-tags"]["level"] == "error" and found["described"]["level"] == "warning"
# A policy finding points at the attribute at fault, so code scanning can show it there.
region = found["memory-cap"]["locations"][0]["physicalLocation"]
assert region["artifactLocation"]["uri"] == "main.tf" and region["region"]["startLine"] == 5, region
assert found["described"]["locations"][0]["physicalLocation"]["region"]["startLine"] == 1, "no description: the block"
log["runs"][0]["results"][0]["level"] = "bogus"
json.dump(log, open(f"{work}/bogus.sarif", "w"))
PY
$check "$sarif_schema" --valid "$work/validate.sarif" "$work/policy.sarif" --invalid "$work/bogus.sarif"

# JUnit: read by junitparser (PyPI): a case per resource, the failing one failed.
"$venv/bin/pip" install --quiet --disable-pip-version-check "junitparser==3.2.0"
(cd tests/consumers/reports && "$kasm" validate main.tf --format junit) > "$work/validate.xml" || true
"$venv/bin/python" - "$work/validate.xml" <<'PY'
import sys
from junitparser import JUnitXml, Failure
suite = next(iter(JUnitXml.fromfile(sys.argv[1])))
cases = {c.name: c for c in suite}
assert sorted(cases) == ["kasm_image.ok", "kasm_image.web", "kasm_session.dev", "kasm_user.dev"], sorted(cases)
assert cases["kasm_image.ok"].is_passed and cases["kasm_session.dev"].is_passed
assert cases["kasm_user.dev"].result[0].type == "wrong_type", cases["kasm_user.dev"].result
failure = cases["kasm_image.web"].result[0]
assert isinstance(failure, Failure) and failure.type == "memory_out_of_range", failure
print(f"junitparser: {suite.tests} cases, {suite.failures} failed, as expected")
PY

# The JSON Schema of .json specs (schemas/, generated from the core): the
# example and a Terraform JSON configuration validate, wrong types do not, and
# the CLI agrees on each.
specs=tests/consumers/schemas/specs
$check schemas/kasm-plan.schema.json --valid examples/images.json "$specs"/valid/*.json --invalid "$specs"/invalid/*.json
for f in examples/images.json "$specs"/valid/*.json; do "$kasm" validate "$f" >/dev/null; done
for f in "$specs"/invalid/*.json; do
  if "$kasm" validate "$f" >/dev/null; then echo "$f: kasm-plan finds it valid, the schema does not" >&2; exit 1; fi
done

# `graph`'s DOT, read by pydot (PyPI): one node per step, each edge from a step
# to a step it waits for (observed offline: an empty Kasm, nothing in state).
"$venv/bin/pip" install --quiet --disable-pip-version-check "pydot==4.0.1"
echo '[]' > "$work/none.json"
echo '{"groups": [], "links": []}' > "$work/no-groups.json"
(cd tests/consumers/graph && "$kasm" graph -type=apply --state "$work/graph.state.json" \
  --observed "$work/none.json" --observed-groups "$work/no-groups.json") > "$work/graph.dot"
"$venv/bin/python" - "$work/graph.dot" <<'PY'
import sys, pydot
(graph,) = pydot.graph_from_dot_file(sys.argv[1])
nodes = sorted(n.get_name().strip('"') for n in graph.get_nodes())
edges = sorted((e.get_source().strip('"'), e.get_destination().strip('"')) for e in graph.get_edges())
assert nodes == ["kasm_group.devs (create)", "kasm_group_image.base (create)",
                 "kasm_image.app (create)", "kasm_image.base (create)"], nodes
assert edges == [("kasm_group_image.base (create)", "kasm_group.devs (create)"),
                 ("kasm_group_image.base (create)", "kasm_image.base (create)"),
                 ("kasm_image.app (create)", "kasm_image.base (create)")], edges
print(f"pydot: {len(nodes)} steps, {len(edges)} edges, as expected")
PY
