#!/usr/bin/env bash
# The main job: plan and apply the example images with the kasm-plan CLI.
# With no KASM_API_URL it runs against the embedded Kasm simulator, whose data
# (and the state) live in a fresh demo directory each time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --quiet -p kasm-plan
root=$PWD
target_dir=${CARGO_TARGET_DIR:-$root/target}
kasm_plan=$target_dir/debug/kasm-plan
demo=$target_dir/demo
rm -rf "$demo" && mkdir -p "$demo" && cd "$demo"
specs=("$root/examples/images.tf" "$root/examples/images.json")

"$kasm_plan" validate "${specs[@]}"
echo
# The example policy set (built-in rules and Rego) checks the plan before anything changes.
"$kasm_plan" apply "${specs[@]}" --policy "$root/examples/policies" --auto-approve --wait-available=30
echo
# A second plan finds nothing to do (exit 0; 2 would mean changes).
"$kasm_plan" plan "${specs[@]}" --detailed-exitcode
echo
"$kasm_plan" images --name 'kasmweb/*:1.18.0'
echo
# A configuration as Terraform reads it: a directory (variables, locals,
# for_each, jsonencode, a terraform.tfvars) with its own state.
workspaces=("$root/examples/workspaces" --state workspaces.state.json)
"$kasm_plan" validate "$root/examples/workspaces"
"$kasm_plan" apply "${workspaces[@]}" --auto-approve
"$kasm_plan" plan "${workspaces[@]}" --detailed-exitcode
echo
# Groups and authorization: a group, links found by a data source, an image
# only that group may launch. Then the groups and what each may launch.
authorization=("$root/examples/authorization" --state authorization.state.json)
"$kasm_plan" apply "${authorization[@]}" --auto-approve
"$kasm_plan" plan "${authorization[@]}" --detailed-exitcode
"$kasm_plan" groups --images --state authorization.state.json
echo
# The documentation's whole authorization workflow: a user in the group, a session of
# the user on an authorized image; who may launch what; its outputs; then all of it
# destroyed, each resource after what depends on it.
workflow=("$root/examples/workflow" --state workflow.state.json)
"$kasm_plan" apply "${workflow[@]}" --auto-approve
"$kasm_plan" plan "${workflow[@]}" --detailed-exitcode
"$kasm_plan" access "${workflow[@]}" --user developer
"$kasm_plan" output --state workflow.state.json enabled_image_names
"$kasm_plan" destroy "${workflow[@]}" --auto-approve
