"""Fills the English catalogue's empty entries from scripts/en_glossary.tsv; run by scripts/i18n.sh after
`manage.py makemessages -l en` and before `compilemessages`.

The catalogue, locale/en/LC_MESSAGES/django.po, is the source of truth: edit a translation there like any .po file
(an editor, Poedit, or polib). This script never overwrites a translation already in it; it only fills a new or
fuzzy entry whose msgid is in the glossary, so that a new string can be translated by appending one line:

    Chinese source<TAB>English
    Chinese source<TAB>English singular<TAB>English plural

The source must equal the msgid exactly; both sides may use \\n, \\t and \\\\. Fuzzy guesses makemessages made for
strings the glossary does not know are cleared (they are never right and would hide the string from the count).
Untranslated strings are counted on stderr.
"""

import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/en/LC_MESSAGES/django.po"
GLOSSARY = ROOT / "scripts/en_glossary.tsv"

TSV_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\"}
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]|\{\{.*?\}\}|\{[A-Za-z_]\w*\}")
TAG = re.compile(r"</?[A-Za-z][^>]*>")


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: TSV_ESCAPES.get(m.group(1), m.group(0)), text)


def load_glossary() -> dict:
    table = {}
    for lineno, line in enumerate(GLOSSARY.read_text(encoding="utf-8").splitlines(), 1):
        if "\t" not in line or line.startswith("#"):
            continue
        src, *forms = [unescape(f) for f in line.split("\t")]
        if len(forms) > 2 or not all(forms):
            print(f"en_glossary.tsv:{lineno}: bad line", file=sys.stderr)
            continue
        table[src] = forms
    return table


def check(src: str, dst: str) -> list:
    problems = []
    if sorted(PLACEHOLDER.findall(src)) != sorted(PLACEHOLDER.findall(dst)):
        problems.append("placeholders differ")
    if sorted(re.sub(r"\s.*", "", t) for t in TAG.findall(src)) != sorted(re.sub(r"\s.*", "", t) for t in TAG.findall(dst)):
        problems.append("HTML tags differ")
    return problems


def translated(entry) -> bool:
    if "fuzzy" in entry.flags:
        return False
    return all(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)


def main() -> int:
    table = load_glossary()
    catalogue = polib.pofile(str(PO), wrapwidth=79)
    missing = warnings = 0
    for entry in catalogue:
        if entry.obsolete or not entry.msgid or translated(entry):
            continue  # translated in the .po (by hand or earlier): kept
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        forms = table.get(entry.msgid)
        if forms is None:
            missing += 1
            if entry.msgid_plural:
                entry.msgstr_plural = {k: "" for k in entry.msgstr_plural} or {0: "", 1: ""}
            else:
                entry.msgstr = ""
            continue
        for dst in forms:
            for problem in check(entry.msgid, dst):
                warnings += 1
                print(f"warning: {problem}: {entry.msgid!r} -> {dst!r}", file=sys.stderr)
        if entry.msgid_plural:
            entry.msgstr_plural = {0: forms[0], 1: forms[-1]}
        else:
            entry.msgstr = forms[0]
    catalogue.save()
    if warnings:
        print(f"warnings: {warnings}", file=sys.stderr)
    print(f"untranslated: {missing}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
