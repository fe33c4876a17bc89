"""Find the header of a table (one to four rows, merged cells, line breaks) and map its columns to the contract.

Each file column gets a header path, its labels from top to bottom (a merged group cell reads as empty after its
first column, so an upper label spans the columns to its right that have labels below). A contract header is a
path too ('Đã giải quyết › Quá hạn'); a file column matches when its leaf is the contract's leaf and the contract's
upper labels appear above it in order. A leaf that repeats under different parents is never matched by the leaf
alone. Labels typed without diacritics or in another case match when that is unambiguous, with a note.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from ..contracts import INVISIBLE, PATH_SEP, Contract, header_key, header_path, plain_key

MAX_HEADER_ROWS = 4
SCAN_ROWS = 20  # the header is looked for in the first rows


@dataclass
class Header:
    """A header found in a table: where it is and what each of its columns maps to."""

    first: int  # index of its first row in the table
    n_rows: int
    labels: list[str]  # each column's header as shown to officers ('Đã giải quyết › Quá hạn')
    names: list[str | None]  # contract column name per file column (None: not in the contract)
    hits: int  # contract columns matched
    loose: list[tuple[str, str]] = field(default_factory=list)  # (typed, contract header) matched without diacritics
    ambiguous: list[tuple[int, str, list[str]]] = field(default_factory=list)  # (column, label, candidates)


def paths(block: list[list[str]]) -> list[tuple[str, ...]]:
    """Header paths (labels as typed) of the columns of a block of header rows."""
    width = max((len(r) for r in block), default=0)
    grid = [[(r[j] if j < len(r) else "") or "" for j in range(width)] for r in block]
    n = len(grid)
    for r in range(n - 1):  # a label spans the empty cells to its right that have labels below them
        carry = ""
        for j in range(width):
            below = any(grid[q][j] for q in range(r + 1, n))
            if grid[r][j]:
                carry = grid[r][j]
            elif carry and below:
                grid[r][j] = carry
            else:
                carry = ""
    out = []
    for j in range(width):
        labels: list[str] = []
        for r in range(n):
            t = re.sub(r"\s+", " ", grid[r][j]).strip()  # a line break typed in the cell reads as a space
            if t and (not labels or header_key(labels[-1]) != header_key(t)):
                labels.append(t)
        out.append(tuple(labels))
    return out


@functools.lru_cache(maxsize=65536)
def _flat(path: tuple[str, ...], plain: bool = False) -> tuple[str, ...]:
    """Normalised labels, a label typed as 'A - B' or 'A › B' in one cell split into its parts."""
    out: list[str] = []
    for label in path:
        out += [plain_key(p) if plain else p for p in header_path(label)]
    return tuple(x for x in out if x)


_INDEX: dict[int, tuple[Contract, dict[bool, dict[str, list[tuple[tuple[str, ...], str]]]]]] = {}


def _index(contract: Contract) -> dict[bool, dict[str, list[tuple[tuple[str, ...], str]]]]:
    """The contract's header paths by leaf, exact and without diacritics (built once per contract)."""
    hit = _INDEX.get(id(contract))
    if hit is not None and hit[0] is contract:
        return hit[1]
    out: dict[bool, dict[str, list[tuple[tuple[str, ...], str]]]] = {False: {}, True: {}}
    for p, name in contract.header_paths():
        if not p:
            continue
        out[False].setdefault(p[-1], []).append((p, name))
        q = tuple(plain_key(x) for x in p)
        out[True].setdefault(q[-1], []).append((q, name))
    _INDEX[id(contract)] = (contract, out)
    _LEAVES[id(contract)] = {c.name: {_typed_leaf(h) for h in (c.name, c.header_vi, c.header_en, *c.aliases)}
                             for c in contract.columns}
    return out


_LEAVES: dict[int, dict[str, set[str]]] = {}  # per contract: each column's leaf labels as the contract spells them


def _typed_leaf(label: str) -> str:
    """The last label of a header as typed (case kept): NFC, single spaces, no trailing '*' or ':'."""
    parts = re.split(rf"\s*{PATH_SEP}\s*|\s+-\s+", unicodedata.normalize("NFC", INVISIBLE.sub("", label)).strip())
    return re.sub(r"\s+", " ", parts[-1]).rstrip("*: ").strip() if parts else ""


def _matches(file_path: tuple[str, ...], contract_path: tuple[str, ...]) -> bool:
    """Same leaf, and the contract's upper labels appear above it in the file, in order."""
    if not file_path or not contract_path or file_path[-1] != contract_path[-1]:
        return False
    it = iter(file_path[:-1])
    return all(any(a == b for b in it) for a in contract_path[:-1])


def match_columns(cols: list[tuple[str, ...]], contract: Contract) -> tuple[list[str | None], list, list]:
    """Contract column per file column, the columns matched only without diacritics, and the ambiguous ones."""
    index = _index(contract)
    names: list[str | None] = []
    loose: list[tuple[str, str]] = []
    ambiguous: list[tuple[int, str, list[str]]] = []
    for j, path in enumerate(cols):
        shown = f" {PATH_SEP} ".join(path)
        name = None
        for plain in (False, True):
            fp = _flat(path, plain)
            found: dict[str, int] = {}
            for cp, cname in index[plain].get(fp[-1], []) if fp else []:
                if _matches(fp, cp):
                    found[cname] = max(found.get(cname, 0), len(cp))
            if not found:
                continue
            best = max(found.values())
            top = sorted(c for c, k in found.items() if k == best)
            if len(top) == 1:
                name = top[0]
                if plain or (path and _typed_leaf(path[-1]) not in _LEAVES[id(contract)][name]):
                    loose.append((shown, contract.column(name).header_vi))  # no diacritics, or another case
            else:
                ambiguous.append((j, shown, top))
            break
        names.append(name)
    return names, loose, ambiguous


def find(rows: list[list[str]], contract: Contract) -> Header | None:
    """The best header in the first rows: the most contract columns matched, then the fewest rows, then the first.
    A row with fewer than two filled cells (a title) never starts a header."""
    best: Header | None = None
    for i in range(min(SCAN_ROWS, len(rows))):
        if sum(1 for x in rows[i] if x) < 2:
            continue  # blank, or a title: a header row names at least two columns
        for n in range(1, MAX_HEADER_ROWS + 1):
            if i + n > len(rows) or (n > 1 and not any(rows[i + n - 1])):
                break
            cols = paths(rows[i: i + n])
            names, loose, ambiguous = match_columns(cols, contract)
            hits = len({x for x in names if x})
            if best is None or hits > best.hits or (hits == best.hits and hits and n < best.n_rows):
                best = Header(i, n, [f" {PATH_SEP} ".join(p) for p in cols], names, hits, loose, ambiguous)
    return best


def notes(h: Header, header_line: int, contract: Contract) -> list[dict]:
    """Notes about the header: labels matched without diacritics (info) and ambiguous labels (reject)."""
    out = []
    if h.loose:
        pairs_vi = "; ".join(f"'{a}' → '{b}'" for a, b in h.loose)
        out.append({"rule": "header_loose_match", "severity": "info", "row": header_line, "column": "",
                    "vi": f"Tiêu đề cột gõ không dấu hoặc khác chữ hoa, chữ thường được hiểu là: {pairs_vi}",
                    "en": f"column headers typed without diacritics or in another case were read as: {pairs_vi}"})
    for j, label, cands in h.ambiguous:
        shown = ", ".join(f"'{contract.column(c).header_vi}'" for c in cands)
        out.append({"rule": "header_ambiguous", "severity": "reject", "row": header_line, "column": label,
                    "vi": f"Tiêu đề cột '{label}' (cột {j + 1}) có thể là {shown}: hãy ghi đủ tiêu đề nhóm phía trên "
                          "(ví dụ 'Đã giải quyết › Quá hạn')",
                    "en": f"column header '{label}' (column {j + 1}) could be {shown}: give its group header above "
                          "it (e.g. 'Đã giải quyết › Quá hạn')"})
    return out
