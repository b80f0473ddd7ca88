"""Full-width punctuation in Chinese text, checked rather than hoped for (issue 19).

Chinese prose takes ，；：！？（） where a half-width , ; : ! ? ( ) slipped in beside a Chinese character. One rule,
used by the test over the templates, the catalogue and the generated documents (tests/test_chinese_copy.py) and by
`python scripts/punctuation.py [--fix]`, which finds the slips in the source and mends them.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

# Chinese characters, the full-width punctuation and the Chinese quotation marks around them.
CJK = "\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e\u201c\u201d\u2018\u2019\u2026\u2014"
_C = f"[{CJK}]"
HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
# A half-width mark with a Chinese character on either side.
SLIP = re.compile(rf"(?<={_C})[,;:!?()]|[,;:!?()](?={_C})")
# A bracketed aside in Chinese: "(人次)", "加入日历(.ics)" — both brackets become full-width together, so that
# "（.ics)" is never left half-mended.
ASIDE = re.compile(rf"(?<={_C})\(([^()\n]{{0,80}})\)|\(({_C}[^()\n]{{0,80}})\)")
# Where template text is not prose: variables and styles. (Scripts in templates are JSON blocks of translated
# messages, which are prose; the code itself lives in static/js.)
_NOT_PROSE = re.compile(r"\{\{.*?\}\}|<style\b.*?</style>", re.S)


def slips(text: str) -> list[str]:
    """Each half-width mark beside a Chinese character, with a little of its context."""
    return [text[max(0, m.start() - 8): m.end() + 8] for m in SLIP.finditer(text)]


def mend(text: str) -> str:
    """The text with every slip made full-width (asides first, so both brackets change together). Repeated until
    nothing changes: a mark made full-width can make its neighbour a slip ("（%(d)s)," → "（%(d)s），")."""
    while True:
        mended = ASIDE.sub(lambda m: "（" + (m.group(1) if m.group(1) is not None else m.group(2)) + "）", text)
        mended = SLIP.sub(lambda m: HALF_TO_FULL[m.group(0)], mended)
        if mended == text:
            return text
        text = mended


def template_prose(source: str) -> list[tuple[int, int]]:
    """The spans of a template that are prose (or the strings of its translate tags)."""
    spans, start = [], 0
    for m in _NOT_PROSE.finditer(source):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(source)))
    return spans


# Marks a template joins to Chinese only when it renders: "{% translate "已评定" %}:", "({% translate "批评意见" %})",
# "{% translate "督导点评" %}({{ name }})".
_TR = rf'\{{% translate "[^"]*{_C}" %\}}'
_TR_OPEN = rf'\{{% translate "{_C}[^"]*" %\}}'
JOINS = [
    (re.compile(rf"({_TR})([,;:!?])"), lambda m: m.group(1) + HALF_TO_FULL[m.group(2)]),
    (re.compile(rf"\(({_TR_OPEN})\)"), lambda m: "（" + m.group(1) + "）"),
    (re.compile(rf"({_TR})\((\{{\{{[^{{}}]*\}}\}})\)"), lambda m: m.group(1) + "（" + m.group(2) + "）"),
]


def template_slips(source: str) -> list[str]:
    joined = [m.group(0) for pattern, _fix in JOINS for m in pattern.finditer(source)]
    return joined + [s for a, b in template_prose(source) for s in slips(source[a:b])]


def mend_template(source: str) -> str:
    for pattern, fix in JOINS:
        source = pattern.sub(fix, source)
    out, last = [], 0
    for a, b in template_prose(source):
        out.append(source[last:a])
        out.append(mend(source[a:b]))
        last = b
    out.append(source[last:])
    return "".join(out)


def _docstrings(source: str) -> set[tuple[int, int]]:
    """Where the docstrings start: they are the engineers' English, with Chinese terms in brackets."""
    starts = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                starts.add((first.value.lineno, first.value.col_offset))
    return starts


def _python_strings(source: str):
    """The string literals of a Python module that hold Chinese, except docstrings and raw strings (regular
    expressions)."""
    docstrings = _docstrings(source)
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type != tokenize.STRING or not re.search(_C, tok.string) or tok.start in docstrings:
            continue
        if KEEP in tok.line:  # a machine format, not prose (e.g. ADMINS="张三:zhang@example.org")
            continue
        prefix = re.match(r"[A-Za-z]*", tok.string).group(0).lower()
        if "r" in prefix:
            continue
        yield tok


def python_slips(source: str) -> list[str]:
    return [s for tok in _python_strings(source) for s in slips(tok.string)]


def mend_python(source: str) -> str:
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    out, last = [], 0
    for tok in _python_strings(source):
        start = offsets[tok.start[0] - 1] + tok.start[1]
        end = offsets[tok.end[0] - 1] + tok.end[1]
        out.append(source[last:start])
        out.append(mend(tok.string))
        last = end
    out.append(source[last:])
    return "".join(out)


KEEP = "punctuation: keep"
ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", "node_modules", "staticfiles", "test-artifacts", ".git", "locale"}


def source_files(root: Path = ROOT):
    for path in sorted(root.rglob("*")):
        if any(part in SKIP_DIRS for part in path.relative_to(root).parts) or not path.is_file():
            continue
        if path.suffix in (".html", ".txt") and "templates" in path.parts or path.suffix == ".py":
            yield path
