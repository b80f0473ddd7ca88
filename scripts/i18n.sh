#!/usr/bin/env bash
# Refreshes the English catalogue: collect strings, fill them from scripts/en_glossary.tsv, compile.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
python manage.py makemessages -l en --ignore=.venv --ignore=staticfiles --ignore=tests -v0
python scripts/translate_en.py
python manage.py compilemessages -l en -v0
