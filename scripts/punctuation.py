"""Lists (or, with --fix, mends) half-width punctuation beside Chinese characters in the templates, the Python
strings and the English glossary's Chinese keys (branchlife/punctuation.py holds the rule).

    .venv/bin/python scripts/punctuation.py          # list, exit 1 if any
    .venv/bin/python scripts/punctuation.py --fix    # mend; then run scripts/i18n.sh
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from branchlife import punctuation as p  # noqa: E402

GLOSSARY = p.ROOT / "scripts/en_glossary.tsv"


def main(fix: bool) -> int:
    found = 0
    for path in p.source_files():
        source = path.read_text(encoding="utf-8")
        is_template = path.suffix != ".py"
        hits = p.template_slips(source) if is_template else p.python_slips(source)
        if not hits:
            continue
        found += len(hits)
        if fix:
            path.write_text(p.mend_template(source) if is_template else p.mend_python(source), encoding="utf-8")
        else:
            for hit in hits:
                print(f"{path.relative_to(p.ROOT)}: {hit!r}")
    if fix:
        # The glossary is keyed by the msgid: its Chinese column is mended the same way, the English left alone.
        lines = []
        for line in GLOSSARY.read_text(encoding="utf-8").splitlines(keepends=True):
            if "\t" in line and not line.startswith("#"):
                key, rest = line.split("\t", 1)
                line = p.mend(key) + "\t" + rest
            lines.append(line)
        GLOSSARY.write_text("".join(lines), encoding="utf-8")
    print(f"{found} half-width marks beside Chinese text" + (" mended" if fix else ""), file=sys.stderr)
    return 0 if fix or not found else 1


if __name__ == "__main__":
    sys.exit(main("--fix" in sys.argv[1:]))
