"""Sections of the data-quality report: per dataset and per agency, pass / warn / fail per rule, offending rows."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..catalogue import Plan, quarter_plan
from ..contracts import load_contract
from ..ingest import load_manifest
from ..io import READER_RULES
from ..periods import Quarter
from ..privacy import mask_manifest
from ..reconcile import MEASURES
from ..store import Store
from ..validation import RULE_TEXT, applicable_rules
from .html import VERDICT, badge, esc, table
from .overview import dataset_title
from .page import read_table

MAX_ROWS_SHOWN = 200


@dataclass
class QualityContext:
    """One quarter's manifest and reconciliation, loaded once."""

    quarter: Quarter
    lang: str
    manifest: dict[str, Any]
    reconciliation: pd.DataFrame
    plan: Plan
    communes: pd.DataFrame | None = None  # commune_matches.parquet; None when the quarter's checks have not run


def load_quality_context(quarter: str, lang: str = "vi", data_root: str = "data", plan: Plan | None = None,
                         plans_root: Path | str | None = None) -> QualityContext:
    """Read the quarter's manifest.json and reconciliation table, with the plan the quarter is judged against."""
    q = Quarter.parse(quarter)
    plan = quarter_plan(q, plan, plans_root)
    store = Store.for_data(data_root)  # papermill's data_root: relative to the run's folder
    rec = read_table(store.processed(q, "reconciliation"))
    com_path = store.processed(q, "commune_matches")
    com = pd.read_parquet(com_path) if com_path.exists() else None
    # personal data (contract columns marked personal) is masked before any section sees it (parplan.privacy)
    return QualityContext(q, lang, mask_manifest(load_manifest(q, store)), rec, plan, com)


def _name(ctx: QualityContext, code: str) -> str:
    a = ctx.plan.agencies.get(code)
    return f"{a.name(ctx.lang)} ({code})" if a else code


def header(ctx: QualityContext) -> str:
    """Title and how to read the page."""
    vi = ctx.lang == "vi"
    title = ("Chất lượng dữ liệu nộp — " if vi else "Data quality of submissions — ") + ctx.quarter.label(ctx.lang)
    how = ("Mỗi tệp được kiểm tra theo hợp đồng dữ liệu (Great Expectations). Bị từ chối: tệp không được đưa vào số "
           "liệu, cơ quan cần sửa và gửi lại. Cảnh báo: tệp được dùng, các dòng nêu dưới đây cần xem lại. Số dòng là "
           "số dòng trong tệp Excel/CSV của cơ quan." if vi else
           "Every file is checked against its data contract (Great Expectations). Rejected: the file is not used and "
           "must be corrected and resent. Warning: the file is used; the rows listed need checking. Row numbers are "
           "the rows of the agency's own Excel/CSV file.")
    return f"<h1>{esc(title)}</h1><p class=\"note\">{esc(how)}</p>"


def summary_section(ctx: QualityContext) -> str:
    """One line per dataset: files by verdict, rows accepted, agencies missing."""
    vi = ctx.lang == "vi"
    rows = []
    for ds in ctx.manifest["datasets"]:
        files = ds["files"]
        c = {k: sum(1 for f in files if f["verdict"] == k) for k in VERDICT}
        contract = load_contract(ds["dataset"])
        rows.append([contract.title_vi if vi else contract.title_en, str(len(files)), str(c["accepted"]),
                     str(c["accepted_with_warnings"]), str(c["rejected"]), str(len(ds["missing_submitters"])),
                     f"{ds['output_rows']:,}".replace(",", "." if vi else ",")])
    headers = (["Bộ dữ liệu", "Số tệp", "Hợp lệ", "Có cảnh báo", "Bị từ chối", "Chưa nộp", "Số dòng được dùng"] if vi else
               ["Dataset", "Files", "Accepted", "Warnings", "Rejected", "Missing", "Rows used"])
    return f"<h2>{'Tổng hợp' if vi else 'Summary'}</h2>" + table(headers, rows, numeric_cols=[1, 2, 3, 4, 5, 6])


def missing_section(ctx: QualityContext) -> str:
    """Agencies expected to submit but missing, per dataset."""
    vi = ctx.lang == "vi"
    rows = [[dataset_title(ds["dataset"], ctx.lang), _name(ctx, code)]
            for ds in ctx.manifest["datasets"] for code in ds["missing_submitters"]]
    h = "Cơ quan chưa nộp dữ liệu" if vi else "Agencies that have not submitted"
    if not rows:
        return f"<h2>{esc(h)}</h2><p>{esc('Không có.' if vi else 'None.')}</p>"
    return f"<h2>{esc(h)}</h2>" + table(["Bộ dữ liệu" if vi else "Dataset", "Cơ quan" if vi else "Agency"], rows)


def unexpected_section(ctx: QualityContext) -> str:
    """Folders and files under the quarter's raw folder that the plan does not expect this quarter: listed, not read."""
    vi = ctx.lang == "vi"
    found = ctx.manifest.get("unexpected") or []
    h = "Thư mục, tệp kế hoạch không dự kiến nhận trong quý" if vi else "Folders and files the plan does not expect"
    if not found:
        return f"<h2>{esc(h)}</h2><p>{esc('Không có.' if vi else 'None.')}</p>"
    note = ("Kế hoạch không dự kiến nhận các bộ dữ liệu này trong quý, nên không đọc và không tính. Kiểm tra tên thư mục "
            "(viết đúng tên bộ dữ liệu) hoặc quý nộp." if vi else
            "The plan does not expect these this quarter: they are not read and count for nothing. Check the folder's "
            "name (the dataset's name) or the quarter.")
    rows = [[u["name"], ("thư mục" if vi else "folder") if u["kind"] == "folder" else ("tệp" if vi else "file"),
             str(len(u["files"])), ", ".join(u["files"][:5]) + (" …" if len(u["files"]) > 5 else "")] for u in found]
    headers = (["Tên", "Loại", "Số tệp", "Tệp"] if vi else ["Name", "Kind", "Files", "File names"])
    return f"<h2>{esc(h)}</h2><p class=\"note\">{esc(note)}</p>" + table(headers, rows, numeric_cols=[2])


def _rule_statuses(contract_name: str, f: dict) -> tuple[list[str], list[str], list[str]]:
    """Rules passed, warned and failed by one file; a file that could not be read passed no rule."""
    issues = f["issues"]
    rules = applicable_rules(load_contract(contract_name))
    failed = sorted({i["rule"] for i in issues if i["severity"] == "reject"})
    warned = sorted({i["rule"] for i in issues if i["severity"] == "warn"} - set(failed))
    if not f.get("checked", True):
        return [], warned, failed
    passed = [r for r, _, _ in rules if r not in failed and r not in warned]
    return passed, warned, failed


def rule_label(contract_name: str, rule: str, lang: str) -> str:
    """A rule as reviewers read it (its sentence, not its id)."""
    for r, vi, en in applicable_rules(load_contract(contract_name)):
        if r == rule:
            return vi if lang == "vi" else en
    vi, en = RULE_TEXT.get(rule) or READER_RULES.get(rule) or (rule, rule)
    return vi if lang == "vi" else en


def agency_sections(ctx: QualityContext) -> str:
    """One section per agency: each file's verdict, pass/warn/fail per rule, and the offending rows."""
    vi = ctx.lang == "vi"
    by_agency: dict[str, list[tuple[str, dict]]] = {}
    for ds in ctx.manifest["datasets"]:
        for f in ds["files"]:
            by_agency.setdefault(f["agency"], []).append((ds["dataset"], f))
    order = {a: i for i, a in enumerate(ctx.plan.agencies)}
    out = [f"<h2>{'Theo từng cơ quan' if vi else 'By agency'}</h2>"]
    for code in sorted(by_agency, key=lambda c: (order.get(c, 10_000), c)):
        items = by_agency[code]
        worst = ("rejected" if any(f["verdict"] == "rejected" for _, f in items) else
                 "accepted_with_warnings" if any(f["verdict"] == "accepted_with_warnings" for _, f in items) else "accepted")
        cls, lvi, len_ = VERDICT[worst]
        out.append(f"<h3 id=\"{esc(code)}\">{esc(_name(ctx, code))} {badge(cls, lvi if vi else len_)}</h3>")
        rows, details = [], []
        for dataset, f in items:
            passed, warned, failed = _rule_statuses(dataset, f)
            vcls, v_vi, v_en = VERDICT[f["verdict"]]
            n_passed = str(len(passed)) if f.get("checked", True) else ("không kiểm tra được" if vi else "not checked")
            lang = "vi" if vi else "en"
            shown = badge(vcls, v_vi if vi else v_en)
            if f.get("superseded_by"):  # an earlier version, kept and listed: the resubmission counts
                new = esc(f["superseded_by"].rsplit("/", 1)[-1])
                shown += f" ({'đã thay bằng' if vi else 'replaced by'} {new})"
            rows.append([dataset_title(dataset, lang), f["path"].rsplit("/", 1)[-1], shown, str(f["rows_read"]),
                         n_passed, "; ".join(rule_label(dataset, r, lang) for r in warned) or "—",
                         "; ".join(rule_label(dataset, r, lang) for r in failed) or "—"])
            for i in f["issues"][:MAX_ROWS_SHOWN]:
                if i["severity"] == "info":
                    continue
                level = (badge("rejected", "Lỗi" if vi else "Fail") if i["severity"] == "reject" else
                         badge("ok", "Đã quyết định" if vi else "Decided") if i.get("decision") else
                         badge("warn", "Cảnh báo" if vi else "Warn"))
                details.append([dataset_title(dataset, lang), f["path"].rsplit("/", 1)[-1], level,
                                "" if i.get("row") is None else str(i["row"]), i.get("column", ""), i.get("value", ""),
                                (i["vi"] if vi else i["en"]) + decided_text(i, ctx.lang),
                                i.get("fix_vi" if vi else "fix_en", "")])
            if len(f["issues"]) > MAX_ROWS_SHOWN:
                more = len(f["issues"]) - MAX_ROWS_SHOWN
                details.append([dataset_title(dataset, lang), f["path"].rsplit("/", 1)[-1], "", "", "", "", "",
                                f"… {more} {'vấn đề khác, có đủ trong bản kê dữ liệu của quý' if vi else 'more in the quarter’s manifest'}"])
        h1 = (["Bộ dữ liệu", "Tệp", "Kết quả", "Số dòng", "Quy tắc đạt", "Cảnh báo", "Lỗi"] if vi else
              ["Dataset", "File", "Verdict", "Rows", "Rules passed", "Warnings", "Failures"])
        out.append(table(h1, rows, raw_cols=[2], numeric_cols=[3, 4]))
        if details:
            h2 = (["Bộ dữ liệu", "Tệp", "Mức", "Dòng", "Cột", "Giá trị", "Nội dung", "Cách sửa"] if vi else
                  ["Dataset", "File", "Level", "Row", "Column", "Value", "Message", "How to fix"])
            out.append(table(h2, details, raw_cols=[2]))
    return "\n".join(out)


def reconciliation_section(ctx: QualityContext) -> str:
    """Differences between the summary tables and the dossier-level data (summary − dossiers)."""
    vi = ctx.lang == "vi"
    h = "Đối chiếu bảng tổng hợp với dữ liệu từng hồ sơ" if vi else "Summary tables reconciled with dossier-level data"
    note = ("So sánh, cho từng cơ quan và cấp, bảng tổng hợp định kỳ (tthc_summary) với số tính từ dữ liệu từng hồ sơ "
            "(tthc_dossiers) của cùng quý. Chênh lệch = bảng tổng hợp − dữ liệu hồ sơ." if vi else
            "For each agency and level, the periodic summary table (tthc_summary) against the figures computed from the "
            "dossier-level data (tthc_dossiers) of the same quarter. Difference = summary − dossiers.")
    if ctx.reconciliation.empty:
        msg = "Hai nguồn khớp nhau (hoặc chưa có đủ hai nguồn)." if vi else "The two sources agree (or one is missing)."
        return f"<h2>{esc(h)}</h2><p class=\"note\">{esc(note)}</p><p>{esc(msg)}</p>"
    level = load_contract("tthc_summary").column("level").allowed()  # the label officers type, not the code
    rows = [[_name(ctx, r.agency_code), level.get(r.level, r.level) if vi else r.level,
             MEASURES[r.measure][0 if vi else 1], str(r.summary), str(r.dossiers),
             f"{r.difference:+d}"] for r in ctx.reconciliation.itertuples()]
    headers = (["Cơ quan", "Cấp", "Chỉ tiêu", "Bảng tổng hợp", "Dữ liệu hồ sơ", "Chênh lệch"] if vi else
               ["Agency", "Level", "Measure", "Summary", "Dossiers", "Difference"])
    return f"<h2>{esc(h)}</h2><p class=\"note\">{esc(note)}</p>" + table(headers, rows, numeric_cols=[3, 4, 5])


REVIEW_RULES = ("plausibility_rows", "plausibility_rate", "plausibility_direction", "duplicate_across_files",
                "inter_agency_counted")


def review_section(ctx: QualityContext) -> str:
    """Findings left to a person: plausibility warnings (values against the plan or their own history) and keys found
    in several files; the files are used, the figures flagged until someone confirms or corrects them."""
    vi = ctx.lang == "vi"
    h = "Cần người xem lại" if vi else "For review"
    note = ("Các tệp dưới đây vẫn được dùng; số liệu thay đổi bất thường so với quý trước, đi ngược hướng kế hoạch, "
            "hoặc mã hồ sơ có trong nhiều tệp cần được cơ quan hoặc người duyệt xác nhận." if vi else
            "These files are used; figures that moved sharply from the previous quarter or against the plan, and ids "
            "found in several files, need the agency or a reviewer to confirm them.")
    rows = []
    for ds in ctx.manifest["datasets"]:
        for f in ds["files"]:
            for i in f["issues"]:
                if i["rule"] in REVIEW_RULES and i["severity"] == "warn":
                    rows.append([_name(ctx, f["agency"]), f["path"].rsplit("/", 1)[-1],
                                 "" if i.get("row") is None else str(i["row"]), i.get("column", ""), i.get("value", ""),
                                 (i["vi"] if vi else i["en"]) + decided_text(i, ctx.lang)])
    if not rows:
        return f"<h2>{esc(h)}</h2><p>{esc('Không có.' if vi else 'None.')}</p>"
    headers = (["Cơ quan", "Tệp", "Dòng", "Chỉ tiêu / cột", "Giá trị", "Nội dung"] if vi else
               ["Agency", "File", "Row", "Measure / column", "Value", "Message"])
    return f"<h2>{esc(h)}</h2><p class=\"note\">{esc(note)}</p>" + table(headers, rows[:MAX_ROWS_SHOWN])


DECISION_WORDS = {"accept": ("chấp nhận số liệu", "value accepted"), "overrule": ("bỏ qua cảnh báo", "warning overruled")}


def decided_text(issue: dict, lang: str) -> str:
    """' — Đã quyết định: chấp nhận số liệu (who, date): why' for a finding a person decided, else ''."""
    d = issue.get("decision")
    if not d:
        return ""
    vi = lang == "vi"
    word = DECISION_WORDS[d["decision"]][0 if vi else 1]
    return f" — {'Đã quyết định' if vi else 'Decided'}: {word} ({d['who']}, {d['date']}): {d['why']}"


def decisions_section(ctx: QualityContext) -> str:
    """Reviewers' decisions of the quarter (data/decisions.yaml): what was decided, by whom and why; a decision that
    matches no warning is listed with the reason it was not applied."""
    vi = ctx.lang == "vi"
    h = "Quyết định của người duyệt" if vi else "Reviewers' decisions"
    rows = []
    for ds in ctx.manifest["datasets"]:
        for f in ds["files"]:
            for i in f["issues"]:
                if i.get("decision"):
                    d = i["decision"]
                    rows.append([f["path"].rsplit("/", 1)[-1], "" if i.get("row") is None else str(i["row"]),
                                 i["vi"] if vi else i["en"], DECISION_WORDS[d["decision"]][0 if vi else 1],
                                 d["who"], d["date"], d["why"]])
    for d in ctx.manifest.get("unmatched_decisions", []):
        rows.append([d["file"].rsplit("/", 1)[-1], "" if d.get("row") is None else str(d["row"]), d["rule"],
                     ("không áp dụng: " if vi else "not applied: ") + (d["reason_vi"] if vi else d["reason_en"]),
                     d["who"], d["date"], d["why"]])
    if not rows:
        return f"<h2>{esc(h)}</h2><p>{esc('Chưa có quyết định nào.' if vi else 'No decisions yet.')}</p>"
    headers = (["Tệp", "Dòng", "Phát hiện", "Quyết định", "Người quyết định", "Ngày", "Lý do"] if vi else
               ["File", "Row", "Finding", "Decision", "Decided by", "Date", "Reason"])
    return f"<h2>{esc(h)}</h2>" + table(headers, rows)


def communes_section(ctx: QualityContext) -> str:
    """Commune names in the dossier files checked against the plan year's commune list: the names that match no
    commune are findings for a person, and the communes of that district are judged together, per district."""
    from ..communes import MATCHED

    vi = ctx.lang == "vi"
    h = "Tên xã, phường, thị trấn trong dữ liệu hồ sơ" if vi else "Commune names in the dossier data"
    m = ctx.communes
    if m is None:
        msg = ("Chưa đối chiếu tên xã cho quý này." if vi else "Commune names not checked for this quarter yet.")
        return f"<h2>{esc(h)}</h2><p>{esc(msg)}</p>"
    bad = m[~m["status"].isin(MATCHED)]
    n_ok = int(m["status"].isin(MATCHED).sum())
    note = (f"{n_ok} tên khớp danh mục xã, phường, thị trấn năm {ctx.plan.year}; {len(bad)} tên không khớp. Xã có tên "
            "không khớp không được đánh giá riêng: các xã của huyện đó được đánh giá chung theo huyện cho đến khi tên "
            "được sửa." if vi else
            f"{n_ok} names match the {ctx.plan.year} list of communes; {len(bad)} do not. A commune whose name does not "
            "match is not judged on its own: that district's communes are judged together until the name is corrected.")
    if bad.empty:
        return f"<h2>{esc(h)}</h2><p class=\"note\">{esc(note)}</p>"
    rows = [[_name(ctx, r.agency_code), str(r.commune_text), str(int(r.n_dossiers)), str(int(r.first_row)),
             r.reason_vi if vi else r.reason_en] for r in bad.itertuples()]
    headers = (["Huyện", "Tên xã như đã ghi", "Số hồ sơ", "Dòng đầu tiên", "Cần sửa"] if vi else
               ["District", "Commune as typed", "Dossiers", "First row", "To fix"])
    return f"<h2>{esc(h)}</h2><p class=\"note\">{esc(note)}</p>" + table(headers, rows, numeric_cols=[2, 3])
