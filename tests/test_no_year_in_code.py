"""No year in library code: every year, date and published figure a report uses comes from plan data (issue 14).

The test reads every module under parplan/ token by token: a number 2000–2099 written as a literal, or a string
(f-strings included) that names such a year, fails — unless it is a comment or a docstring. Counts that happen to lie
in that range are written with a digit separator (2_000), the Python way to say "a quantity, not a year".
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "parplan"
YEAR = re.compile(r"(?<![\d_])(?<!\\u)20\d\d(?![\d_])")  # not a \u20xx escape
STRINGY = {tokenize.STRING} | {getattr(tokenize, n) for n in ("FSTRING_MIDDLE", "TSTRING_MIDDLE") if hasattr(tokenize, n)}


def _docstring_lines(tree: ast.AST) -> set[int]:
    """Line numbers covered by module, class and function docstrings."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def year_literals(source: str) -> list[tuple[int, str]]:
    """(line, token text) of every year literal outside comments and docstrings."""
    skip = _docstring_lines(ast.parse(source))
    found = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.start[0] in skip or tok.type == tokenize.COMMENT:
            continue
        if tok.type == tokenize.NUMBER and re.fullmatch(r"20\d\d", tok.string):
            found.append((tok.start[0], tok.string))
        elif tok.type in STRINGY and YEAR.search(tok.string):
            found.append((tok.start[0], tok.string.strip()[:80]))
    return found


@pytest.mark.parametrize("text, n", [
    ("x = 2023\n", 1),
    ("x = 2_000  # a count\n", 0),
    ("# the 2023 plan\nx = 1\n", 0),
    ('def f():\n    """The 2023 plan."""\n    return 1\n', 0),
    ('title = "Kế hoạch năm 2023"\n', 1),
    ('def f(y):\n    return f"Quý I/{y} và 2024"\n', 1),
    ('d = "30/4/2023"\n', 1),
    ("x = 20230\n", 0),
    ('s = "\\u2009"\n', 0),
])
def test_the_detector_itself(text, n):
    assert len(year_literals(text)) == n


def test_no_year_literal_in_library_code():
    found = []
    for path in sorted(PKG.rglob("*.py")):
        for line, text in year_literals(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(PKG.parent)}:{line}: {text}")
    assert not found, ("years belong in plan data (plans/<year>/), not in code:\n" + "\n".join(found))
