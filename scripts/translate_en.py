"""Fills English msgstr entries in locale/en from scripts/en_glossary.tsv.

Run after `manage.py makemessages -l en`; then `manage.py compilemessages`.

Glossary format, one entry a line (lines starting with "#" are comments):

    Chinese source<TAB>English
    Chinese source<TAB>English singular<TAB>English plural

The source must equal the msgid exactly.  Both sides may use the escapes
``\\n`` (newline), ``\\t`` (tab) and ``\\\\`` (backslash), so that msgids
containing newlines fit on one line.  Plural entries (msgid_plural) are keyed
by their singular msgid; without a third column the English text is used for
both msgstr[0] and msgstr[1].

The glossary is authoritative: a matching entry is (re)written and loses its
fuzzy flag.  Fuzzy guesses that makemessages made for strings missing from
the glossary are cleared (they are never right and would otherwise hide the
string from the count).  Untranslated strings are counted on stderr.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/en/LC_MESSAGES/django.po"
GLOSSARY = ROOT / "scripts/en_glossary.tsv"

PO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
TSV_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\"}
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]|\{\{.*?\}\}|\{[A-Za-z_]\w*\}")
TAG = re.compile(r"</?[A-Za-z][^>]*>")


def unescape(text: str, escapes: dict) -> str:
    def repl(m):
        return escapes.get(m.group(1), m.group(0))

    return re.sub(r"\\(.)", repl, text)


def po_unquote(lines: list) -> str:
    return "".join(unescape(re.match(r'^\s*"(.*)"\s*$', line).group(1), PO_ESCAPES) for line in lines)


def po_quote(text: str) -> str:
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r")
    if "\n" not in text.rstrip("\n"):
        return '"' + text.replace("\n", "\\n") + '"'
    parts = text.split("\n")
    chunks = [p + "\\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return '""\n' + "\n".join(f'"{c}"' for c in chunks)


def load_glossary() -> dict:
    table = {}
    for lineno, line in enumerate(GLOSSARY.read_text(encoding="utf-8").splitlines(), 1):
        if "\t" not in line or line.startswith("#"):
            continue
        fields = [unescape(f, TSV_ESCAPES) for f in line.split("\t")]
        src, forms = fields[0], fields[1:]
        if len(forms) > 2 or not all(forms):
            print(f"en_glossary.tsv:{lineno}: bad line", file=sys.stderr)
            continue
        if src in table and table[src] != forms:
            print(f"en_glossary.tsv:{lineno}: duplicate source {src!r}, later line wins", file=sys.stderr)
        table[src] = forms
    return table


def parse_entry(block: str):
    """Splits an entry into comment lines and (keyword, [quoted lines]) fields."""
    comments, fields = [], []
    for line in block.split("\n"):
        if line.startswith("#"):
            comments.append(line)
        elif line.startswith('"') and fields:
            fields[-1][1].append(line)
        else:
            m = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*)$", line)
            if not m:
                return None
            fields.append((m.group(1), [m.group(2)]))
    return comments, fields


def check(src: str, dst: str) -> list:
    problems = []
    if sorted(PLACEHOLDER.findall(src)) != sorted(PLACEHOLDER.findall(dst)):
        problems.append("placeholders differ")
    if sorted(re.sub(r"\s.*", "", t) for t in TAG.findall(src)) != sorted(
        re.sub(r"\s.*", "", t) for t in TAG.findall(dst)
    ):
        problems.append("HTML tags differ")
    return problems


def main() -> int:
    table = load_glossary()
    text = PO.read_text(encoding="utf-8")
    trailing = text.endswith("\n")
    blocks = text.rstrip("\n").split("\n\n")
    missing = 0
    warnings = 0
    out = []
    for block in blocks:
        parsed = parse_entry(block)
        if parsed is None or not parsed[1]:
            out.append(block)  # obsolete (#~) entries, stray text: left alone
            continue
        comments, fields = parsed
        data = {key: po_unquote(lines) for key, lines in fields}
        src = data.get("msgid", "")
        if not src:  # header
            out.append(block)
            continue
        plural = "msgid_plural" in data
        fuzzy = any(c.startswith("#,") and "fuzzy" in c for c in comments)
        stored = [v for k, v in data.items() if k.startswith("msgstr")]
        if src in table:
            forms = table[src]
            if plural:
                new = {"msgstr[0]": forms[0], "msgstr[1]": forms[-1]}
            else:
                new = {"msgstr": forms[0]}
            for dst in new.values():
                for problem in check(src, dst):
                    warnings += 1
                    print(f"warning: {problem}: {src!r} -> {dst!r}", file=sys.stderr)
        elif fuzzy or not all(stored):
            missing += 1
            new = {k: "" for k, _ in fields if k.startswith("msgstr")}
        else:
            out.append(block)  # translated by hand in the .po: kept
            continue
        # Drop the fuzzy flag and the "#| previous msgid" lines that go with it.
        kept = []
        for c in comments:
            if c.startswith("#|"):
                continue
            if c.startswith("#,"):
                flags = [f.strip() for f in c[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
                if not flags:
                    continue
                c = "#, " + ", ".join(flags)
            kept.append(c)
        lines = list(kept)
        for key, quoted in fields:
            if key.startswith("msgstr"):
                lines.append(f"{key} {po_quote(new[key])}")
            else:
                lines.append(f"{key} " + "\n".join(quoted))
        out.append("\n".join(lines))
    PO.write_text("\n\n".join(out) + ("\n" if trailing else ""), encoding="utf-8")
    if warnings:
        print(f"warnings: {warnings}", file=sys.stderr)
    print(f"untranslated: {missing}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
