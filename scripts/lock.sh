#!/usr/bin/env bash
# Renews the lock files from the ranges in pyproject.toml: exact versions and every file's hash, for Linux,
# macOS and Windows alike. requirements.lock is what the image runs; requirements-dev.lock adds the test
# tools (scripts/install.sh). `bash scripts/lock.sh` keeps what still fits; `bash scripts/lock.sh --upgrade`
# moves every package to the newest release its range allows (then run scripts/test.sh and commit both).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip show uv >/dev/null 2>&1 || .venv/bin/pip install -q "uv>=0.5"
compile() { .venv/bin/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 --quiet "$@"; }
compile --output-file requirements.lock "$@"
# The dev lock starts from the runtime one, so both hold the same version of every package they share.
compile --extra dev --constraint requirements.lock --output-file requirements-dev.lock "$@"
echo "requirements.lock: $(grep -c '==' requirements.lock) packages; requirements-dev.lock: $(grep -c '==' requirements-dev.lock)"
