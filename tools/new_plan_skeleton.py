"""Build a skeleton plan for the next year from an adopted plan: `python tools/new_plan_skeleton.py 2023 2024`.

Deterministic: the same inputs give byte-identical files. Inputs: plans/<from>/ (every file) and, optionally,
plans/<to>/sources/references_added/<name>.csv (rows appended to the copied references/<name>.csv, same columns:
the published results of <from> that the <from> plan's references do not hold yet). Outputs in plans/<to>/:
plan.yaml, tasks.yaml, indices.yaml, agencies.yaml, communes.csv, par_scoring.yaml, references/*.csv and
skeleton_log.csv (every year literal of the texts: moved or kept, and why). README.md and sources/ are written by
hand and never touched.

Year rules (Y = <from>, the plan's own year):
- schedules ("Quý II/Y", "Trong năm Y"), due dates, targets' from_date/as_of: moved on by one year;
- "năm Y" / "in Y" in task and result texts: moved; "năm Y-1" after a comparison (cao hơn, so với, than,
  compared with): moved (a year-on-year target compares with the year before the plan's own);
- deadline dates in texts ("từ ngày 01/6/Y", "đến hết ngày 30/4/Y", "from", "by", "at"): moved;
- never moved: document numbers (13/Y/NĐ-CP), document dates ("ngày 12/5/Y" after a document number),
  ranges (2022-2026), lists of past years (2021, 2022, Y), any other year (e.g. "so với năm 2021");
- a text that cites a document dated in Y keeps every Y it holds (moving the year beside an unmoved document
  would state something false); such rows are logged for whoever writes the real plan;
- targets' baseline_year Y-1 becomes Y; any other baseline_year (a period baseline such as 2021) is kept.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
TEXT_FIELDS = ("task_vi", "task_en", "result_vi", "result_en", "schedule_vi")
TARGET_TEXT_FIELDS = ("text_vi", "note", "reason")
COPIED = ("agencies.yaml", "par_scoring.yaml")
YEAR_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")
DATE_BEFORE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/$")
DEADLINE_CUE_RE = re.compile(r"(từ ngày|đến hết ngày|đến ngày|kể từ ngày|from|by|at|until)\s+$", re.IGNORECASE)
QUARTER_CUE_RE = re.compile(r"quý\s+(iv|iii|ii|i)\s*(/|năm\s+)$", re.IGNORECASE)
COMPARE_CUE_RE = re.compile(r"(hơn|so với|than|than in|compared with|vs\.?)\s+(năm\s+)?$", re.IGNORECASE)
LIST_BEFORE_RE = re.compile(r"\d{4}\s*(,|,?\s+and|,?\s+và)\s*$")
LIST_AFTER_RE = re.compile(r"^\s*(,|,?\s+and|,?\s+và)\s*\d{4}")
RANGE_BEFORE_RE = re.compile(r"\d{4}\s*[-–]\s*$")
RANGE_AFTER_RE = re.compile(r"^\s*[-–]\s*\d{4}")


# ---------------------------------------------------------------- text rules
def _decide(text: str, start: int, end: int, year: int, src: int) -> tuple[bool, str]:
    """Whether the year literal at text[start:end] moves on, and the rule that decided."""
    before, after = text[:start], text[end:]
    if year not in (src, src - 1):
        return False, "other year"
    if QUARTER_CUE_RE.search(before) and year == src:
        return True, "schedule quarter"
    if DATE_BEFORE_RE.search(before):
        cue = DEADLINE_CUE_RE.search(before[: DATE_BEFORE_RE.search(before).start()])
        return (True, "deadline date") if cue and year == src else (False, "document date")
    if before.endswith("/") or after.startswith("/"):
        return False, "document number"
    if RANGE_BEFORE_RE.search(before) or RANGE_AFTER_RE.search(after):
        return False, "range of years"
    if LIST_BEFORE_RE.search(before) or LIST_AFTER_RE.search(after):
        return False, "list of past years"
    if year == src:
        return True, "plan year"
    if COMPARE_CUE_RE.search(before):
        return True, "comparison with the year before"
    return False, "year before, not a comparison"


def cites_document_of(text: str, src: int) -> bool:
    """True when the text cites a document dated in the source year (a date that is not a deadline)."""
    for m in YEAR_RE.finditer(text):
        if int(m.group(1)) == src and DATE_BEFORE_RE.search(text[: m.start()]):
            if _decide(text, m.start(), m.end(), src, src)[1] == "document date":
                return True
    return False


def move_text(text: str, src: int, where: str, log: list[dict[str, str]], keep_all: bool = False) -> str:
    """Move the year literals of one text on by one year (rules in the module docstring); log every literal."""
    if not text:
        return text
    bound = keep_all or cites_document_of(text, src)
    out, pos = [], 0
    for m in YEAR_RE.finditer(text):
        year = int(m.group(1))
        if year < 1900 or year > 2100:
            continue
        moved, rule = _decide(text, m.start(), m.end(), year, src)
        if moved and bound:
            moved, rule = False, "text cites a document of the plan year: kept as printed"
        out.append(text[pos:m.start()])
        out.append(str(year + 1) if moved else m.group(1))
        pos = m.end()
        lo, hi = max(0, m.start() - 30), min(len(text), m.end() + 20)
        log.append({"where": where, "year": str(year), "action": "moved" if moved else "kept", "rule": rule,
                    "context": text[lo:hi].replace("\n", " ")})
    out.append(text[pos:])
    return "".join(out)


def next_year_date(iso: str | None) -> str | None:
    """An ISO date one year later (29 February becomes 28 February)."""
    if not iso:
        return iso
    d = dt.date.fromisoformat(str(iso))
    try:
        return d.replace(year=d.year + 1).isoformat()
    except ValueError:
        return d.replace(year=d.year + 1, day=28).isoformat()


# ---------------------------------------------------------------- tasks
def move_target(tid: str, tg: dict[str, Any], src: int, log: list[dict[str, str]]) -> dict[str, Any]:
    """One target with its dates and texts moved on and its baseline year decided."""
    out = dict(tg)
    for key in TARGET_TEXT_FIELDS:
        if key in out:
            out[key] = move_text(out[key], src, f"{tid} target {tg['metric']} {key}", log)
    for key in ("from_date", "as_of"):
        if out.get(key):
            out[key] = next_year_date(out[key])
    if out.get("baseline_year") is not None:
        by = int(out["baseline_year"])
        new = src if by == src - 1 else by
        out["baseline_year"] = new
        log.append({"where": f"{tid} target {tg['metric']} baseline_year", "year": str(by),
                    "action": "moved" if new != by else "kept",
                    "rule": "year-on-year comparison" if new != by else "period baseline (not the year before)",
                    "context": tg.get("text_vi", "")})
    return out


def move_task(task: dict[str, Any], src: int, log: list[dict[str, str]]) -> dict[str, Any]:
    """One appendix row with its schedule, texts and targets moved on."""
    out = dict(task)
    tid = task["id"]
    for key in TEXT_FIELDS:
        if key in out:
            out[key] = move_text(out[key], src, f"{tid} {key}", log)
    sched = dict(out["schedule"])
    sched["due"] = next_year_date(sched.get("due"))
    out["schedule"] = sched
    if out.get("targets"):
        out["targets"] = [move_target(tid, tg, src, log) for tg in out["targets"]]
    if out.get("exempt_numbers"):
        out["exempt_numbers"] = [{**e, "number": move_text(str(e["number"]), src, f"{tid} exempt", log)}
                                 for e in out["exempt_numbers"]]
    return out


# ---------------------------------------------------------------- references and baselines
def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file."""
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def build_references(src_dir: Path, dst_dir: Path) -> None:
    """Copy the source plan's references and append the rows of sources/references_added/<name>.csv."""
    refs = dst_dir / "references"
    refs.mkdir(parents=True, exist_ok=True)
    added_dir = dst_dir / "sources" / "references_added"
    for path in sorted((src_dir / "references").glob("*.csv")):
        text = path.read_text(encoding="utf-8")
        extra = added_dir / path.name
        if extra.exists():
            have = set(text.splitlines())
            lines = extra.read_text(encoding="utf-8").splitlines()
            if lines[0] != text.splitlines()[0]:
                raise SystemExit(f"{extra}: header differs from {path}")
            new = [ln for ln in lines[1:] if ln.strip() and ln not in have]
            text = text.rstrip("\n") + "\n" + "".join(ln + "\n" for ln in new)
        (refs / path.name).write_text(text, encoding="utf-8")
    for extra in sorted(added_dir.glob("*.csv")) if added_dir.exists() else []:
        if not (src_dir / "references" / extra.name).exists():
            raise SystemExit(f"{extra}: no references/{extra.name} in {src_dir} to add to")


def _row(rows: list[dict[str, str]], **match: str) -> dict[str, str] | None:
    hits = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    return hits[0] if hits else None


def _num(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def _fig(value: Any, status: str, source: str, **extra: Any) -> dict[str, Any]:
    return {"value": value, "status": status, "source": source, **extra}


def par_baseline(refs: Path, year: int, province: str) -> dict[str, Any]:
    """The province's PAR INDEX of `year` from references (par_index_provinces, quangnam_components)."""
    prov = _row(read_csv(refs / "par_index_provinces.csv"), province=province, year=str(year))
    comp = read_csv(refs / "quangnam_components.csv")
    now, before = _row(comp, component="par_total", year=str(year)), _row(comp, component="par_total",
                                                                          year=str(year - 1))
    if prov is None or now is None:
        raise SystemExit(f"references: no PAR INDEX {year} row for {province}: add it to "
                         f"sources/references_added/ (NOT FOUND is a row too)")
    where = f"references/par_index_provinces.csv ({province}, {year}; published {prov['published']}): " \
            f"{prov['source_url']}"
    change = None
    if _num(before and before["points"]) is not None:
        change = _fig(round(float(now["points"]) - float(before["points"]), 2), "derived",
                      f"references/quangnam_components.csv: par_total {year} − {year - 1}")
    else:
        change = _fig(None, "NOT FOUND", "references/quangnam_components.csv")
    places = _num(prov["rank_change_vs_prev_year"])
    return {
        "year": year,
        "total_points": _fig(float(prov["score_pct"]), prov["status"], where, published=prov["published"]),
        "change_vs_previous_points": change,
        "rank": _fig(int(prov["rank_of_63"]), prov["status"], where, of=63, published=prov["published"]),
        "change_vs_previous_places": _fig(int(places) if places is not None else None,
                                          prov["status"] if places is not None else "NOT FOUND", where),
    }


def sipas_baseline(refs: Path, year: int, province: str) -> dict[str, Any]:
    """The province's SIPAS of `year` from references (sipas_provinces, quangnam_components)."""
    prov = _row(read_csv(refs / "sipas_provinces.csv"), province=province, year=str(year))
    comp = read_csv(refs / "quangnam_components.csv")
    now, before = _row(comp, component="sipas", year=str(year)), _row(comp, component="sipas", year=str(year - 1))
    if prov is None or now is None:
        raise SystemExit(f"references: no SIPAS {year} row for {province}")
    where = f"references/sipas_provinces.csv ({province}, {year}; published {prov['published']}): " \
            f"{prov['source_url']}"
    out: dict[str, Any] = {
        "year": year,
        "score_10": _fig(float(now["points"]), now["status"], f"references/quangnam_components.csv: {now['note']}"),
        "score_pct": _fig(float(prov["score_pct"]), prov["status"], where, published=prov["published"]),
        "rank": _fig(int(prov["rank_of_63"]), prov["status"], where, of=63),
        "change_vs_previous_places": _fig(int(float(prov["rank_change_vs_prev_year"])), prov["status"], where),
    }
    if before is not None and _num(before["points"]) is not None:
        out["change_vs_previous_points"] = _fig(
            round(float(now["points"]) - float(before["points"]), 2), "derived (approximate)",
            f"references/quangnam_components.csv: sipas {year} − {year - 1} on the 10-point scale",
            note=f"the {year} value on the 10-point scale is itself derived: see score_10")
    else:
        out["change_vs_previous_points"] = _fig(None, "NOT FOUND", "references/quangnam_components.csv")
    out["factors_below_pct"] = _fig(None, "NOT FOUND", "searched: see README.md",
                                    note=f"the five factor scores of {year} were not found; nothing is used instead")
    return out


def field_baseline(refs: Path, year: int, field: dict[str, Any]) -> dict[str, Any]:
    """A PAR field's baseline {year, pct} = published points ÷ max points (quangnam_components field_<n>)."""
    row = _row(read_csv(refs / "quangnam_components.csv"), component=f"field_{field['number']}", year=str(year))
    if row is None or _num(row["points"]) is None:
        return {"year": year, "pct": None, "status": "NOT FOUND",
                "source": "references/quangnam_components.csv", "note": "no published points: nothing used instead"}
    pct = round(float(row["points"]) / float(field["max_points"]), 6)
    return {"year": year, "pct": pct, "status": "derived",
            "source": f"references/quangnam_components.csv field_{field['number']} {year}: {row['points']} points "
                      f"({row['status']}) ÷ max_points {field['max_points']} ({field.get('max_status', '')})"}


def build_indices(src_ind: dict[str, Any], refs: Path, src: int, province: str) -> dict[str, Any]:
    """indices.yaml of the new plan: baselines = the published results of the source plan's year."""
    fields = [{**{k: v for k, v in f.items() if k != "baseline"}, "baseline": field_baseline(refs, src, f)}
              for f in src_ind["par_fields"]]
    fields = [{k: f[k] for k in ("number", "section", "name_vi", "name_en", "baseline", "max_points", "max_status")
               if k in f} for f in fields]
    return {
        "par_index": {"baseline": par_baseline(refs, src, province)},
        "sipas": {"baseline": sipas_baseline(refs, src, province)},
        "par_fields": fields,
        "par_sections_without_field": src_ind.get("par_sections_without_field", []),
        "sipas_factors": src_ind.get("sipas_factors", []),
        "laggards": [],
    }


# ---------------------------------------------------------------- plan.yaml
def _vn_date(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.day:02d}/{d.month}/{d.year}"


def build_meta(meta: dict[str, Any], src: int, dst: int, log: list[dict[str, str]]) -> dict[str, Any]:
    """plan.yaml of the skeleton: years moved on, status skeleton, issue date and goal marked as assumed."""
    def mv(text: str, where: str) -> str:
        return move_text(text, src, f"plan.yaml {where}", log)

    issued = next_year_date(meta["issued"]["date"])
    goal = dict(meta["goal"])
    goal["text_vi"], goal["text_en"] = mv(goal["text_vi"], "goal.text_vi"), mv(goal["text_en"], "goal.text_en")
    goal["status"] = f"carried over from the {src} plan (not sourced from a {dst} text)"
    goal["source"] = f"plans/{src}/plan.yaml goal, years moved on"
    return {
        "year": dst,
        "baseline_year": src,
        "status": "skeleton",
        "title_vi": mv(meta["title_vi"], "title_vi"),
        "title_en": mv(meta["title_en"], "title_en"),
        "short_title_vi": mv(meta["short_title_vi"], "short_title_vi"),
        "short_title_en": mv(meta["short_title_en"], "short_title_en"),
        "source": f"skeleton built by tools/new_plan_skeleton.py from plans/{src}/ (no {dst} plan text: "
                  f"plans/{dst}/sources/README.md)",
        "issued": {
            "date": issued,
            "precision": meta["issued"].get("precision", "month"),
            "text_vi": f"giả định: ngày {_vn_date(issued)} (cùng ngày, tháng với kế hoạch năm {src}); chưa tìm thấy "
                       f"văn bản kế hoạch năm {dst}",
            "status": f"ASSUMED: the {src} plan's issue date moved on by one year; no {dst} plan text found",
            "source": "assumption (tools/new_plan_skeleton.py)",
        },
        "goal": goal,
        "expected": meta.get("expected", {}),
    }


# ---------------------------------------------------------------- writing
def dump(data: Any, header: str) -> str:
    """YAML text with a comment header (unicode kept, key order kept, long lines unwrapped)."""
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False)
    return "".join(f"# {ln}\n" if ln else "#\n" for ln in header.splitlines()) + body


def write_log(path: Path, log: list[dict[str, str]]) -> None:
    """skeleton_log.csv: every year literal the tool met, moved or kept, and the rule."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["where", "year", "action", "rule", "context"], lineterminator="\n")
    w.writeheader()
    w.writerows(log)
    path.write_text(buf.getvalue(), encoding="utf-8")


def build(src: int, dst: int, plans: Path, province: str = "Quảng Nam") -> list[dict[str, str]]:
    """Write plans/<dst>/ from plans/<src>/; returns the log of year literals."""
    if dst != src + 1:
        raise SystemExit("the skeleton moves a plan on by exactly one year")
    src_dir, dst_dir = plans / str(src), plans / str(dst)
    if not (src_dir / "plan.yaml").is_file():
        raise SystemExit(f"no plan in {src_dir}")
    dst_dir.mkdir(parents=True, exist_ok=True)
    (dst_dir / "sources").mkdir(exist_ok=True)
    log: list[dict[str, str]] = []
    with open(src_dir / "plan.yaml", encoding="utf-8") as fh:
        meta = yaml.safe_load(fh)
    with open(src_dir / "tasks.yaml", encoding="utf-8") as fh:
        tasks = yaml.safe_load(fh)["tasks"]
    with open(src_dir / "indices.yaml", encoding="utf-8") as fh:
        src_ind = yaml.safe_load(fh)
    gen = f"generated by `python tools/new_plan_skeleton.py {src} {dst}` from plans/{src}/; edit the tool or its " \
          f"inputs, not this file (README.md)"
    (dst_dir / "plan.yaml").write_text(dump(build_meta(meta, src, dst, log), (
        f"Plan {dst} (SKELETON, not the province's text): {gen}.\n"
        f"Years moved on by one; the issue date is an assumption and the goal is carried over from {src}.")),
        encoding="utf-8")
    moved = [move_task(t, src, log) for t in tasks]
    (dst_dir / "tasks.yaml").write_text(dump({"tasks": moved}, (
        f"The {src} plan's appendix with its years moved on ({gen}).\n"
        f"Every year literal met is listed in skeleton_log.csv (moved or kept, and the rule).")), encoding="utf-8")
    build_references(src_dir, dst_dir)
    ind = build_indices(src_ind, dst_dir / "references", src, province)
    (dst_dir / "indices.yaml").write_text(dump(ind, (
        f"PAR INDEX fields and SIPAS factors of the {dst} skeleton ({gen}).\n"
        f"Baselines: {province}'s published {src} results from references/ (each with status and source; NOT FOUND\n"
        f"is a null value, never a guess). laggards: empty: the {src} plan's lists came from {src} letters and are\n"
        f"not {dst} facts (plans/{src}/indices.yaml keeps them).")), encoding="utf-8")
    for name in COPIED:
        text = (src_dir / name).read_text(encoding="utf-8")
        (dst_dir / name).write_text(f"# Copied unchanged from plans/{src}/{name} ({gen}).\n{text}", encoding="utf-8")
    shutil.copyfile(src_dir / "communes.csv", dst_dir / "communes.csv")
    write_log(dst_dir / "skeleton_log.csv", log)
    return log


def main(argv: list[str] | None = None) -> int:
    """Command line: new_plan_skeleton.py FROM TO [--plans DIR]."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", type=int, help="the adopted plan's year")
    ap.add_argument("target", type=int, help="the skeleton's year (source + 1)")
    ap.add_argument("--plans", type=Path, default=ROOT / "plans", help="the folder of plans (default: plans/)")
    args = ap.parse_args(argv)
    log = build(args.source, args.target, args.plans)
    kept = sum(1 for r in log if r["action"] == "kept")
    print(f"plans/{args.target}: {len(log)} year literals, {len(log) - kept} moved, {kept} kept "
          f"(skeleton_log.csv)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
