#!/usr/bin/env bash
# Installs every system and Python dependency Branchlife needs. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(redis-server fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 poppler-utils gettext chromium faketime nginx-light)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> python3 -m venv .venv"
  python3 -m venv .venv
fi
# The Python packages come from requirements-dev.lock (exact versions with hashes; scripts/lock.sh renews it),
# the runtime part of which (requirements.lock) the Dockerfile installs; pyproject.toml only names the ranges the lock is made from.
stamp=.venv/.installed-$(cat pyproject.toml requirements-dev.lock | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "==> pip install -r requirements-dev.lock"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q --require-hashes -r requirements-dev.lock
  .venv/bin/pip install -q --no-deps -e .
  rm -f .venv/.installed-*
  touch "$stamp"
fi
