"""Rows that are not records: totals and subtotals, group headings, the column-numbering row, blank spacer rows,
notes and signature blocks under the table. Each is recognised wherever it is, dropped with a note naming its row,
and a total that is present is checked against the sum of the records it covers.

Rows are classified in two steps so a million-row file costs a few vectorised passes: masks over whole columns
(Arrow regex) pick the few candidate rows, and only those are looked at one by one.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..contracts import Contract, header_key
from . import numbers

RECORD, BLANK, NUMBERING, TOTAL, GROUP, GROUP_TOTAL, FOOTER = (
    "record", "blank", "numbering", "total", "group", "group_total", "footer")

# a cell that is only a total word, possibly with what it covers: 'Tổng cộng', 'Cộng I', 'Tổng số toàn tỉnh',
# 'Tổng cộng (I+II+III)', 'Cộng lĩnh vực đất đai', 'Total'
TOTAL_PATTERN = (r"(?i)^(tổng cộng|tổng số|tổng|cộng|total|grand total|sub-?total)"
         r"(\s+(chung|toàn tỉnh|toàn huyện|toàn thị xã|toàn thành phố|toàn đơn vị|toàn ngành|cộng|số|các lĩnh vực"
         r"|(lĩnh vực|nhóm|cấp|mục|phần)\s.+|[ivx]+|[a-z]|\([^)]*\)))*\s*[:.]?$").replace(" ", r"\s+")
# a number as typed (the locale is decided later): used to tell counts from text in numeric columns
NUMBER_PATTERN = r"^[-+]?\d[\d.,\s\x{00a0}]*%?$"
# a cell of the column-numbering row: (1) 1 (A) A
TOKEN_PATTERN = r"^\(?(\d{1,3}|[A-Z])\)?$"
_TOTAL = re.compile(TOTAL_PATTERN)
_TOKEN = re.compile(TOKEN_PATTERN)
_ROMAN = r"((?=[IVX])X{0,3}(IX|IV|V?I{0,3}))"
_HEAD_ALONE = re.compile(rf"^({_ROMAN}|[A-Z])[.)]?$")  # the STT cell of a group row: I, II, A, B.
_HEAD_TEXT = re.compile(rf"^({_ROMAN}|[A-Z]|\d{{1,2}})\s*([.)]|\s-)\s+[^\W\d_]")  # 'I. Lĩnh vực đất đai', '1. Cấp tỉnh'
# notes and signature blocks under the table
_FOOTER = re.compile(
    r"^(người lập( biểu)?|người báo cáo|người tổng hợp|lập biểu|thủ trưởng( đơn vị| cơ quan)?|ghi chú\s*:|nơi nhận"
    r"|kt\.|tm\.|tl\.|q\.|(phó )?giám đốc|(phó )?chủ tịch|(phó )?chánh văn phòng|\(ký|xác nhận|ký tên|ghi chú$)"
    r"|^.{0,60}ngày\s*[\d.…_ ]*\s*tháng\s*[\d.…_ ]*\s*năm\b", re.IGNORECASE)
MAX_SPARSE = 3  # rows with at most this many filled cells are looked at one by one

RULE_TEXT = {
    BLANK: ("Dòng trống giữa bảng được bỏ qua", "blank spacer row ignored"),
    NUMBERING: ("Dòng đánh số cột (1), (2), (3)… được bỏ qua", "column-numbering row (1), (2), (3)… ignored"),
    TOTAL: ("Dòng tổng cộng được bỏ qua (đã đối chiếu với tổng các dòng)", "total row ignored (checked against the sum "
            "of the rows)"),
    GROUP: ("Dòng tiêu đề nhóm (I., II., A., 1. …) được bỏ qua", "group heading row (I., II., A., 1. …) ignored"),
    GROUP_TOTAL: ("Dòng cộng của nhóm được bỏ qua (đã đối chiếu với tổng các dòng của nhóm)",
                  "group total row ignored (checked against the sum of the group's rows)"),
    FOOTER: ("Dòng ghi chú, chữ ký dưới bảng được bỏ qua", "note or signature row under the table ignored"),
}
RULE_ID = {BLANK: "blank_row", NUMBERING: "numbering_row", TOTAL: "total_row", GROUP: "group_row",
           GROUP_TOTAL: "total_row", FOOTER: "footer_row"}
MAX_ROW_NOTES = 20


class Cells:
    """One column's cells for vectorised tests. few: the column repeats a few values (labels, dates, numbers), so a
    pattern is matched once per distinct value and spread back; otherwise (ids, free text) once per cell."""

    SAMPLE = 2_000  # cells looked at to tell a column of repeated values from one of ids or free text

    def __init__(self, s: pd.Series, few: bool | None = None) -> None:
        if getattr(s.dtype, "storage", None) == "pyarrow" and not s.hasnans:
            arr = pa.array(s.array)  # Arrow-backed text (the fast CSV reader): no conversion
        else:
            arr = pa.array(s.astype("string").fillna("").array)
        self.arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        if few is None:
            sample = self.arr.slice(0, self.SAMPLE)
            few = pc.count_distinct(sample).as_py() * 10 < len(sample)
        self.few = few
        self._enc: Any = None

    @property
    def ascii(self) -> bool:
        """Every cell is ASCII."""
        return bool(pc.all(pc.string_is_ascii(self.arr)).as_py() in (True, None))

    def mask(self, pattern: str, max_len: int | None = None) -> np.ndarray:
        """Rows whose cell matches an RE2 pattern (max_len: the pattern only matches cells this short)."""
        if not self.few and max_len is not None:
            short = pc.less_equal(pc.utf8_length(self.arr), max_len).to_numpy(zero_copy_only=False)
            out = np.zeros(len(self.arr), dtype=bool)
            if short.any():
                at = np.flatnonzero(short)
                out[at] = pc.match_substring_regex(self.arr.take(at), pattern).to_numpy(zero_copy_only=False)
            return out
        if not self.few:
            return pc.match_substring_regex(self.arr, pattern).to_numpy(zero_copy_only=False)
        if self._enc is None:
            self._enc = pc.dictionary_encode(self.arr)
        hit = pc.match_substring_regex(self._enc.dictionary, pattern)
        return pc.take(hit, self._enc.indices).to_numpy(zero_copy_only=False)

    def distinct(self) -> list[str]:
        """The column's distinct values."""
        return (self._enc.dictionary if self._enc is not None else pc.unique(self.arr)).to_pylist()

    def filled(self) -> np.ndarray:
        """Rows whose cell is not empty."""
        return pc.not_equal(self.arr, "").to_numpy(zero_copy_only=False)


def mask(s: pd.Series, pattern: str, few: bool = False) -> np.ndarray:
    """Cells of a column matching an RE2 pattern (vectorised)."""
    return Cells(s, few).mask(pattern)


def columns(body: pd.DataFrame, contract: Contract) -> dict[str, Cells]:
    """Every column of a table as Cells, built once and shared by the tests on it."""
    few = {c.name for c in contract.columns if c.type in ("category", "bool", "date", "int", "float")}
    return {c: Cells(body[c], few=True if c in few else None) for c in body.columns}


def classify(body: pd.DataFrame, contract: Contract, cells_of: dict[str, Cells] | None = None) -> np.ndarray:
    """The kind of every row of a table of cell texts ('' when empty): record, blank, numbering, total, group,
    group_total or footer. body's columns are the contract names the header mapped (others start with '__');
    cells_of: the columns as Cells (see `columns`), when the caller shares them."""
    n = len(body)
    kinds = np.full(n, RECORD, dtype="<U11")  # fixed-width text: comparisons over the whole column are vectorised
    if n == 0:
        return kinds
    numeric = [c.name for c in contract.columns if c.type in ("int", "float") and c.name in body.columns]
    cols = list(body.columns)
    types = {c.name: c.type for c in contract.columns}
    # a total word is typed where a label goes: the first columns, a key column or a coded (category) column
    label_cols = set(cols[:2]) | set(contract.key) | {c for c in cols if types.get(c) == "category"}
    count = np.zeros(n, dtype="int64")
    has_number = np.zeros(n, dtype=bool)
    totals = np.zeros(n, dtype=bool)
    tokens = np.ones(n, dtype=bool)
    cells_of = cells_of or columns(body, contract)
    for c in cols:
        cells = cells_of[c]
        filled = cells.filled()
        count += filled
        if c in numeric:
            has_number |= cells.mask(NUMBER_PATTERN)
        if c in label_cols:
            totals |= cells.mask(TOTAL_PATTERN)
        if tokens.any():  # stops after the first column a numbering row could not have (e.g. the ids)
            tokens &= ~filled | cells.mask(TOKEN_PATTERN, max_len=5)
    candidate = (count <= MAX_SPARSE) | totals | (tokens & (count >= 3))
    if numeric:
        candidate |= ~has_number
    idx = np.flatnonzero(candidate)
    if len(idx) == 0:
        return kinds
    cells = body.iloc[idx].astype("string").fillna("").to_numpy(dtype=object)
    footer, prev = False, -1
    for k, i in enumerate(idx):
        footer = footer and i == prev + 1  # a record between two candidate rows ends a signature block
        prev = i
        kind = _row_kind([str(x) for x in cells[k]], bool(has_number[i]), bool(numeric), int(count[i]),
                         bool(totals[i]))
        if kind == FOOTER:
            footer = True
        elif footer and kind in (RECORD, GROUP) and count[i] <= 2 and not has_number[i]:
            kind = FOOTER  # names and titles under a signature line (one or two cells: left and right)
        elif kind != BLANK:
            footer = False
        kinds[i] = kind
    return _resolve_group_totals(kinds)


def _row_kind(row: list[str], has_number: bool, has_numeric: bool, count: int, total: bool) -> str:
    """One candidate row's kind, from its cells."""
    if count == 0:
        return BLANK
    filled = [x for x in row if x]
    if total and any(_TOTAL.match(header_key(x)) for x in filled):
        return TOTAL
    if count >= 3 and all(_TOKEN.match(x) for x in filled):
        nums = [int(x.strip("()")) for x in filled if x.strip("()").isdigit()]
        if len(nums) >= 3 and all(b == a + 1 for a, b in zip(nums, nums[1:], strict=False)):
            return NUMBERING
    if not has_number and count <= MAX_SPARSE and any(_FOOTER.match(x) for x in filled):
        return FOOTER
    first = filled[0]
    if not has_number and count <= MAX_SPARSE and (_HEAD_ALONE.match(first) or _HEAD_TEXT.match(first)):
        return GROUP
    if has_numeric and has_number and (_HEAD_ALONE.match(first) or
                                        (_HEAD_TEXT.match(first) and not first[0].isdigit())):
        return GROUP_TOTAL  # confirmed only if records follow it (see _resolve_group_totals)
    return RECORD


def heading_text(text: str) -> str:
    """A group row's text without its number: 'I. Cấp huyện' and 'I CẤP HUYỆN' give 'Cấp huyện' / 'CẤP HUYỆN'."""
    m = re.match(rf"^\s*({_ROMAN}|[A-Z]|\d{{1,2}})\s*([.)]|\s-)?\s+", text)
    return text[m.end():].strip() if m else text.strip()


def _resolve_group_totals(kinds: np.ndarray) -> np.ndarray:
    """A group row with counts ('I | Cấp tỉnh | 120 …') is a group total only if records follow it before the next
    group or total row; otherwise it is a record whose first cell happens to look like a heading. A numbering row
    below the first record is a record too."""
    for i in np.flatnonzero(kinds == GROUP_TOTAL):
        j = i + 1
        while j < len(kinds) and kinds[j] in (BLANK, NUMBERING):
            j += 1
        if j >= len(kinds) or kinds[j] != RECORD:
            kinds[i] = RECORD
    records = np.flatnonzero(kinds == RECORD)
    if len(records):  # the numbering row sits under the header: below a record, '1 2 3 4' is data
        late = np.flatnonzero(kinds == NUMBERING)
        kinds[late[late > records[0]]] = RECORD
    return kinds


def notes(kinds: np.ndarray, lines: Sequence[int]) -> list[dict]:
    """One info note per dropped row (capped per kind; the rest counted), naming the row. Blank rows after the last
    filled row (Excel's empty formatted rows) are dropped without a note."""
    out: list[dict] = []
    filled = np.flatnonzero(kinds != BLANK)
    last = filled[-1] if len(filled) else -1
    other = np.flatnonzero(kinds != RECORD)  # few: only these are looked at
    for kind in (BLANK, NUMBERING, GROUP, GROUP_TOTAL, TOTAL, FOOTER):
        rows = [int(lines[i]) for i in other[kinds[other] == kind] if kind != BLANK or i < last]
        vi, en = RULE_TEXT[kind]
        out += [{"rule": RULE_ID[kind], "severity": "info", "row": r, "column": "", "vi": vi, "en": en}
                for r in rows[:MAX_ROW_NOTES]]
        if len(rows) > MAX_ROW_NOTES:
            more = len(rows) - MAX_ROW_NOTES
            out.append({"rule": RULE_ID[kind], "severity": "info", "row": None, "column": "",
                        "vi": f"{vi} — và {more} dòng khác", "en": f"{en} — and {more} more rows"})
    return out


def check_totals(body: pd.DataFrame, kinds: np.ndarray, lines: Sequence[int], contract: Contract, locale: str,
                 headers: Mapping[str, str]) -> list[dict]:
    """Every total row present must equal the sum of the records it covers, column by column (summable numeric
    columns: counts and amounts, not shares). A grand total (first or last, no records on one side) covers every
    record; a subtotal or group total covers the records of its group. A reject note per column that differs."""
    cols = [c.name for c in contract.columns if c.type in ("int", "float") and not c.fraction and c.name in body]
    at = np.flatnonzero((kinds == TOTAL) | (kinds == GROUP_TOTAL))
    if not cols or len(at) == 0:
        return []
    values = {c: body[c].astype("string").fillna("").map(lambda v: numbers.parse_number(v, locale) if v else 0.0)
              for c in cols}
    record = kinds == RECORD
    out: list[dict] = []
    for i in at:
        section = _covered(kinds, i) & record
        whole = record if kinds[i] == TOTAL else section  # a total word may close a group or the whole table
        for c in cols:
            typed = str(body[c].iat[i])
            total = values[c].iat[i]
            if not typed or total is None or values[c][whole].isna().any():
                continue  # nothing to compare, or a cell that is not a number (reported by the column's rule)
            sums = [float(values[c][m].sum()) for m in (section, whole) if m.any()]
            if sums and all(abs(x - total) > _tolerance(typed, total, locale) for x in sums):
                out.append(_mismatch(int(lines[i]), headers.get(c, c), typed, sums, locale))
    return out


def _covered(kinds: np.ndarray, i: int) -> np.ndarray:
    """The rows a total at position i covers."""
    n = len(kinds)
    rec = np.flatnonzero(kinds == RECORD)
    boundary = (kinds == GROUP) | (kinds == GROUP_TOTAL) | (kinds == TOTAL)
    mask = np.zeros(n, dtype=bool)
    if kinds[i] == GROUP_TOTAL:  # its group: the records below it, up to the next group or total row
        j = i + 1
        while j < n and not boundary[j]:
            j += 1
        mask[i + 1: j] = True
        return mask
    if not len(rec) or rec[0] > i:  # a total above the records: all of them
        mask[:] = True
        return mask
    j = i - 1  # the records above it, up to the previous group or total row (none: a grand total after subtotals)
    while j >= 0 and not boundary[j]:
        j -= 1
    mask[j + 1: i] = True
    if not (mask & (kinds == RECORD)).any():
        mask[:] = True
    return mask


def _tolerance(typed: str, total: float, locale: str) -> float:
    """Half a unit of the last decimal the total was typed with (a total rounded to what it shows is right)."""
    mark = "," if locale == numbers.VI else "."
    decimals = len(typed.strip().rpartition(mark)[2]) if mark in typed else 0
    return max(0.5 * 10 ** -decimals if decimals else 1e-9, 1e-9 * abs(total))


def _fmt(x: float, locale: str) -> str:
    text = f"{x:,.2f}".rstrip("0").rstrip(".") if not float(x).is_integer() else f"{int(x):,}"
    return text.translate(str.maketrans(",.", ".,")) if locale == numbers.VI else text


def _mismatch(row: int, column: str, typed: str, sums: list[float], locale: str) -> dict:
    """The finding for a total that equals neither the sum of its group's rows nor that of all rows."""
    found_vi = " (nhóm) hoặc ".join(_fmt(x, locale) for x in dict.fromkeys(sums))
    found_en = " (its group) or ".join(_fmt(x, locale) for x in dict.fromkeys(sums))
    return {"rule": "total_mismatch", "severity": "reject", "row": row, "column": column,
            "vi": f"Dòng tổng ghi {typed} nhưng tổng các dòng là {found_vi} (cả bảng): hãy sửa dòng tổng hoặc các "
                  "dòng số liệu" if len(set(sums)) > 1 else
                  f"Dòng tổng ghi {typed} nhưng tổng các dòng là {found_vi}: hãy sửa dòng tổng hoặc các dòng số liệu",
            "en": f"the total row says {typed} but the rows add up to {found_en} (the whole table): correct the "
                  "total or the rows" if len(set(sums)) > 1 else
                  f"the total row says {typed} but the rows add up to {found_en}: correct the total or the rows"}
