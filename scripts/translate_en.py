"""Fills English msgstr entries in locale/en from scripts/en_glossary.tsv (source TAB English).

Run after `manage.py makemessages -l en`; then `manage.py compilemessages`.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/en/LC_MESSAGES/django.po"
GLOSSARY = ROOT / "scripts/en_glossary.tsv"


def unquote(block: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))


def main() -> int:
    table = {}
    for line in GLOSSARY.read_text().splitlines():
        if "\t" in line and not line.startswith("#"):
            src, dst = line.split("\t", 1)
            table[src] = dst
    text = PO.read_text()
    entries = text.split("\n\n")
    missing = 0
    out = []
    for entry in entries:
        m = re.search(r'^msgid ((?:".*"\n?)+)msgstr ""\n?$', entry, re.M | re.S)
        if m and "msgid_plural" not in entry:
            src = unquote(m.group(1))
            if src and src in table:
                dst = table[src].replace('"', '\\"')
                entry = entry[: m.start()] + f'msgid {m.group(1).rstrip()}\nmsgstr "{dst}"'
                entry = entry.replace("#, fuzzy\n", "")
            elif src:
                missing += 1
        out.append(entry)
    PO.write_text("\n\n".join(out))
    print(f"untranslated: {missing}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
