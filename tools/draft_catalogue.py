"""Draft plans/2023/tasks.yaml rows from the plan appendix (one-off bootstrap; the YAML is the source of truth).

Usage: python tools/draft_catalogue.py plans/2023/sources/ke-hoach-2023.txt > /tmp/rows.json
Writes one JSON object per appendix row: id, stt, kind, parent, raw cells (HTML stripped, page breaks merged).
"""
from __future__ import annotations

import html
import json
import re
import sys
import unicodedata

ROMAN = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"}


def plain(text: str) -> str:
    """HTML fragment -> plain text with ' - ' bullets, whitespace collapsed, NFC."""
    t = re.sub(r"<[^>]+>", " ", text)
    t = html.unescape(t)
    t = re.sub(r"(^|\s)-(?=\S)", r"\1- ", t)
    t = re.sub(r"\s+", " ", t).strip()
    return unicodedata.normalize("NFC", t)


def main(path: str) -> None:
    lines = open(path, encoding="utf-8").read().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("STT\t"))
    rows: list[dict] = []
    after_header = False
    for line in lines[start:]:
        if not line.strip():
            continue
        if line.startswith("STT\t"):
            after_header = True
            continue
        cells = (line.split("\t") + [""] * 6)[:6]
        stt, task, sched, lead, coord, result = (c.strip() for c in cells)
        m = re.match(r"^(I|II|III|IV|V|VI|VII|VIII|IX)\s+(.+)$", stt)
        if m and not task:  # "II CÔNG TÁC TUYÊN TRUYỀN" with the title in the first cell
            stt, task = m.group(1), m.group(2)
        if not stt and not task or (after_header and not stt and not sched and not lead and rows):
            prev = rows[-1]
            for key, val in zip(("task", "schedule", "lead", "coord", "result"), (task, sched, lead, coord, result), strict=True):
                if val and prev[key] and key in ("lead", "coord") and not after_header:
                    # a second lead/coordinator pair for the same task (A.VI.3): keep it as a bullet
                    sep = " " if val.startswith("-") else " - "
                    prev[key] = (prev[key] if prev[key].startswith("-") else "- " + prev[key]) + sep + val
                elif val:
                    prev[key] = (prev[key] + " " + val).strip()
            after_header = False
            continue
        after_header = False
        rows.append({"stt": stt, "task": task, "schedule": sched, "lead": lead, "coord": coord, "result": result})
    out = []
    section_letter = None
    section = None
    last_numbered = None
    seen: dict[str, int] = {}
    letters: dict[str, int] = {}
    for r in rows:
        stt = r["stt"]
        if stt in ("A", "B"):
            section_letter, rid, parent = stt, stt, None
            section = None
        elif stt in ROMAN:
            section = f"{section_letter}.{stt}"
            rid, parent = section, section_letter
            last_numbered = section
        elif re.fullmatch(r"\d+(\.\d+)*", stt):
            rid = f"{section}.{stt}"
            parent = f"{section}.{stt.rsplit('.', 1)[0]}" if "." in stt else section
            seen[rid] = seen.get(rid, 0) + 1
            last_numbered = rid
        else:  # '-' or unnumbered: child of the last numbered row
            parent = last_numbered
            letters[parent] = letters.get(parent, 0) + 1
            rid = f"{parent}.{'abcdefgh'[letters[parent] - 1]}"
        out.append({"id": rid, "parent": parent, **{k: plain(v) for k, v in r.items()}, "stt": stt})
    # duplicate printed numbers (A.II has two rows '2'): suffix a/b
    dup = {k for k, v in seen.items() if v > 1}
    counter: dict[str, int] = {}
    for o in out:
        if o["id"] in dup:
            counter[o["id"]] = counter.get(o["id"], 0) + 1
            o["id"] = o["id"] + "ab"[counter[o["id"]] - 1]
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
