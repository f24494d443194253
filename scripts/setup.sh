#!/usr/bin/env bash
# Installs what building and testing kasm-plan needs. Safe to run again.
set -euo pipefail
rustup --quiet target add wasm32-unknown-unknown wasm32-wasip2
rustup component add rustfmt clippy >/dev/null 2>&1 || true
# PostgreSQL from Debian, for the tests of the pg state backend (they start
# their own server with initdb and pg_ctl).
if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
# groff renders the manual page in its test.
if ! command -v groff >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq groff-base >/dev/null
fi
