"""Issuing a quarter: a frozen copy of its rendered pages, and on the live pages a note where they changed since.

`issue(q)` copies the quarter's rendered files of one language (reports/<Q>/ or reports/<Q>/<lang>/: every page,
the document, the headline figures; not screenshots, logs or the other languages' folders) to
reports/issued/<Q>/[<lang>/] with a manifest, issued.json: each file's path and SHA-256, the issue date and the
code's commit. The issue date is recorded there only; no issued file carries it. Issuing twice is refused unless
`reissue`, which moves the old copy to superseded-<n>/ beside it (never deleted).

The quarterly run writes only reports/<Q>/…; after rendering it calls `annotate`, which compares each live page
with its issued copy and writes the base layout's revision region of each live page (parplan/report/templates/
issuing/region.html.j2, between its marker comments): a changed page says so and what changed (the overview its
headline figures, the index its task counts, unit statuses and the list of changed pages), an unchanged page says
nothing, the index says when nothing changed. A page's content for this comparison is its body without that region
and without the provenance block (which names the code version and the software): a new commit or a new style sheet
alone does not make every page "changed". The note is computed from the files only, so the same inputs give the
same bytes; the render cache keys pages by their inputs, not their bytes, so a note never makes a page re-render.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .io import atomic_write, atomic_write_text
from .periods import Quarter
from .report import i18n
from .store import Params, Store, find_root

ISSUED = "issued"  # reports/issued/
MANIFEST = "issued.json"
HEADLINES = "headlines.json"  # the headline figures a quarter's pages show, written by the quarterly run
SUPERSEDED = "superseded-"
SKIP_DIRS = {"screenshots"}  # browser checks' output, not the report
SKIP_SUFFIXES = {".log", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf"}  # logs, screenshots, check prints

REGION = re.compile(r"<!-- parplan:revision -->\n.*?<!-- /parplan:revision -->\n", re.S)
PROVENANCE = re.compile(r'<footer class="provenance">.*?</footer>', re.S)
BODY = re.compile(r"<body>(.*)</body>", re.S)
TITLE = re.compile(r"<title>(.*?)</title>", re.S)


class AlreadyIssued(FileExistsError):
    """The quarter (in this language) has an issued copy; reissuing must be asked for."""


def languages() -> tuple[str, ...]:
    return i18n.languages()


def live_dir(store: Store, q: Quarter, lang: str) -> Path:
    """The quarter's rendered pages in one language: reports/<Q>/ (default language) or reports/<Q>/<lang>/."""
    return store.report_dir(q, lang, languages()[0])


def issued_dir(store: Store, q: Quarter, lang: str) -> Path:
    """Where the quarter's pages in one language are issued: reports/issued/<Q>/ or reports/issued/<Q>/<lang>/."""
    base = store.reports_root / ISSUED / str(q)
    return base if lang == languages()[0] else base / lang


def report_files(folder: Path) -> list[str]:
    """The files of a rendered quarter folder that are issued, as sorted relative POSIX paths: everything but the
    other languages' folders, screenshots, logs, check prints and hidden files (temporary files, caches)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    out = []
    for p in folder.rglob("*"):
        rel = p.relative_to(folder)
        if not p.is_file() or rel.parts[0] in languages() or rel.parts[0].startswith(SUPERSEDED):
            continue
        if set(rel.parts[:-1]) & SKIP_DIRS or any(x.startswith(".") for x in rel.parts):
            continue
        if p.suffix.lower() in SKIP_SUFFIXES or p.name == MANIFEST:
            continue
        out.append(rel.as_posix())
    return sorted(out, key=lambda r: (r.count("/"), r))  # the quarter's own pages first, then the scorecards


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def strip_revision(text: str) -> str:
    """A page with its revision region emptied (as rendered without a note)."""
    from .report.layout import revision_region

    lang = _page_lang(text)
    return REGION.sub(lambda _: revision_region(lang), text, count=1) if lang else text


def content(text: str) -> str:
    """What a page shows, for comparing it with its issued copy: its body without the revision region and the
    provenance block (code version, software)."""
    m = BODY.search(text)
    body = m.group(1) if m else text
    return PROVENANCE.sub("", REGION.sub("", body, count=1), count=1)


def set_revision(text: str, revision: dict[str, Any] | None, lang: str) -> str:
    """A page with its revision region holding this note (None: empty); a page without the region is returned as
    it is (rendered before the layout had one)."""
    from .report.layout import revision_region

    return REGION.sub(lambda _: revision_region(lang, revision), text, count=1)


def _page_lang(text: str) -> str | None:
    m = re.search(r'<html lang="([^"]+)">', text)
    return m.group(1) if m else None


def _title(text: str) -> str:
    m = TITLE.search(text)
    return html.unescape(m.group(1)).strip() if m else ""


def _commit(root: Path) -> dict[str, Any] | None:
    from .report.provenance import git_commit

    c = git_commit(root)
    return None if c is None else {"commit": c[0], "uncommitted_changes": c[1]}


def read_manifest(store: Store, q: Quarter, lang: str) -> dict[str, Any] | None:
    """The quarter's issued.json in one language, or None when it has not been issued."""
    f = issued_dir(store, q, lang) / MANIFEST
    return json.loads(f.read_text(encoding="utf-8")) if f.exists() else None


def verify(store: Store, q: Quarter, lang: str) -> list[str]:
    """The issued files whose bytes no longer match their hash in issued.json (missing ones too); [] when intact."""
    m = read_manifest(store, q, lang)
    if m is None:
        return []
    folder = issued_dir(store, q, lang)
    return [f["path"] for f in m["files"]
            if not (folder / f["path"]).is_file() or sha256_bytes((folder / f["path"]).read_bytes()) != f["sha256"]]


def _supersede(folder: Path, manifest: dict[str, Any]) -> str:
    """Move an issued copy (the files its manifest lists, and the manifest) to the next superseded-<n>/ beside it."""
    taken = [int(p.name[len(SUPERSEDED):]) for p in folder.glob(SUPERSEDED + "*")
             if p.name[len(SUPERSEDED):].isdigit()]
    dest = folder / f"{SUPERSEDED}{max(taken, default=0) + 1}"
    for rel in [f["path"] for f in manifest["files"]] + [MANIFEST]:
        src = folder / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dest / rel)
    return dest.name


def parse_date(date: dt.date | str | None) -> dt.date:
    """The issue date: a date, an ISO date (YYYY-MM-DD), or today when none is given."""
    if date is None or date == "":
        return dt.date.today()
    if isinstance(date, dt.date):
        return date
    try:
        return dt.date.fromisoformat(str(date))
    except ValueError:
        raise ValueError(f"Ngày phát hành phải có dạng YYYY-MM-DD / the issue date must be YYYY-MM-DD: {date!r}") \
            from None


def issue(quarter: Quarter | str, lang: str | None = None, root: Path | str | None = None,
          date: dt.date | str | None = None, reissue: bool = False, say: Callable[[str], None] = print) -> Path:
    """Issue a quarter's rendered pages in one language (default: the default language); the issued.json written.

    AlreadyIssued (vi/en) when it was issued before and `reissue` is not given; FileNotFoundError when the quarter
    has no rendered pages in that language."""
    q = Quarter.parse(quarter)
    lang = lang or languages()[0]
    if lang not in languages():
        raise ValueError(f"lang phải là một trong {', '.join(languages())} / lang must be one of "
                         f"{', '.join(languages())}, not {lang!r}")
    root = Path(root).resolve() if root is not None else find_root()  # as the quarterly run takes it
    store = Params.load(root / "params", q).store(root)
    day = parse_date(date)
    src, dst = live_dir(store, q, lang), issued_dir(store, q, lang)
    files = report_files(src)
    if "index.html" not in files:
        raise FileNotFoundError(f"Chưa có báo cáo {q} ({lang}) để phát hành ({store.relative(src)}): chạy make "
                                f"quarterly trước / no rendered reports of {q} ({lang}) to issue: run make quarterly "
                                f"first")
    old = read_manifest(store, q, lang)
    superseded = None
    if old is not None:
        where = store.relative(dst / MANIFEST)
        if not reissue:
            raise AlreadyIssued(f"{q} ({lang}) đã phát hành ngày {old['issued_on']} ({where}); dùng --reissue để phát "
                                f"hành lại (bản cũ được giữ trong {SUPERSEDED}<n>/) / {q} ({lang}) was issued on "
                                f"{old['issued_on']} ({where}): use --reissue to issue it again (the old copy is kept "
                                f"in {SUPERSEDED}<n>/)")
        superseded = _supersede(dst, old)
        say(f"{q} ({lang}): bản phát hành ngày {old['issued_on']} chuyển vào / the copy issued on {old['issued_on']} "
            f"moved to {store.relative(dst / superseded)}")
    entries = []
    for rel in files:
        data = (src / rel).read_bytes()
        if rel.endswith(".html"):  # an issued page carries no note of an earlier issue
            data = strip_revision(data.decode("utf-8")).encode("utf-8")
        atomic_write(dst / rel, lambda p, data=data: p.write_bytes(data))
        entries.append({"path": rel, "sha256": sha256_bytes(data)})
    manifest = {"quarter": str(q), "lang": lang, "issued_on": day.isoformat(), "code": _commit(root),
                "supersedes": superseded, "files": entries}
    atomic_write_text(dst / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    bad = verify(store, q, lang)
    if bad:
        raise RuntimeError(f"Bản phát hành không khớp mã băm / the issued copy does not match its hashes: {bad}")
    annotate(store, q, lang)
    say(f"{q} ({lang}): đã phát hành {len(entries)} tệp ngày {day.isoformat()} / issued {len(entries)} files on "
        f"{day.isoformat()} — {store.relative(dst / MANIFEST)}")
    return dst / MANIFEST


# ---------------------------------------------------------------- headline figures
def headlines(store: Store, q: Quarter, lang: str, summary: dict[str, Any], plan: Any,
              sample: bool = False) -> dict[str, Any]:
    """The headline figures and statuses of the quarter's index (task counts by status, each unit's status) and
    overview (its key figures and their verdicts), as plain data from the pages' views."""
    from .report import overview

    ctx = overview.load_context(str(q), lang, data_root=str(store.data_root), sample_data=sample, plan=plan)
    kpis = {k["metric"]: {"value": k["value"], "status": k["status"]} for k in overview.kpis_view(ctx)["items"]}
    units = {a["code"]: {"name": a["name"], "status": a["status"]} for a in summary.get("agencies", [])}
    return {"index": {"tasks": dict(summary.get("task_statuses") or {}), "units": units},
            "overview": {"kpis": kpis}}


def write_headlines(folder: Path, figures: dict[str, Any]) -> Path:
    out = Path(folder) / HEADLINES
    atomic_write_text(out, json.dumps(figures, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return out


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def headline_changes(old: dict[str, Any], new: dict[str, Any], lang: str) -> dict[str, list[dict[str, Any]]]:
    """What changed between two headlines.json, per page ('index.html', 'overview.html'): figures as shown (a
    share that rounds to the same percentage has not changed), statuses, counts."""
    from .report import fmt

    out: dict[str, list[dict[str, Any]]] = {"overview.html": [], "index.html": []}
    ok, nk = old.get("overview", {}).get("kpis", {}), new.get("overview", {}).get("kpis", {})
    for metric in list(nk) + [m for m in ok if m not in nk]:
        a, b = ok.get(metric, {}), nk.get(metric, {})
        if fmt.pct(a.get("value"), lang) != fmt.pct(b.get("value"), lang):
            out["overview.html"].append({"kind": "kpi", "metric": metric, "old": a.get("value"), "new": b.get("value")})
        if a.get("status") != b.get("status"):
            out["overview.html"].append({"kind": "kpi_status", "metric": metric, "old": a.get("status"),
                                         "new": b.get("status")})
    ot, nt = old.get("index", {}).get("tasks", {}), new.get("index", {}).get("tasks", {})
    for status in list(nt) + [s for s in ot if s not in nt]:
        if ot.get(status, 0) != nt.get(status, 0):
            out["index.html"].append({"kind": "tasks", "status": status, "old": ot.get(status, 0),
                                      "new": nt.get(status, 0)})
    ou, nu = old.get("index", {}).get("units", {}), new.get("index", {}).get("units", {})
    for code in list(nu) + [c for c in ou if c not in nu]:
        a, b = ou.get(code, {}), nu.get(code, {})
        if a.get("status") != b.get("status"):
            out["index.html"].append({"kind": "unit", "name": b.get("name") or a.get("name") or code,
                                      "old": a.get("status"), "new": b.get("status")})
    return out


# ---------------------------------------------------------------- the live pages' note
def _href(target: Path, page: Path) -> str:
    return Path(os.path.relpath(target, page.parent)).as_posix()


def _differs(live: Path, issued: Path, rel: str) -> bool:
    if not issued.is_file():
        return True
    if rel.endswith(".html"):
        return content(live.read_text(encoding="utf-8")) != content(issued.read_text(encoding="utf-8"))
    return live.read_bytes() != issued.read_bytes()


def _label(path: Path, rel: str, lang: str) -> str:
    return _title(path.read_text(encoding="utf-8")) if rel.endswith(".html") else i18n.t("issuing.document", lang)


def notes(store: Store, q: Quarter, lang: str) -> dict[str, dict[str, Any] | None]:
    """Each live page's revision note (None: no note) against the quarter's issued copy in that language; every
    page None when it has not been issued."""
    live, issued = live_dir(store, q, lang), issued_dir(store, q, lang)
    pages = [r for r in report_files(live) if r.endswith(".html")]
    manifest = read_manifest(store, q, lang)
    if manifest is None:
        return {r: None for r in pages}
    was = {f["path"] for f in manifest["files"]}
    now = report_files(live)
    changed = {r for r in now if r != HEADLINES and _differs(live / r, issued / r, r)}
    removed = [r for r in sorted(was, key=lambda r: (r.count("/"), r)) if r not in now and r != HEADLINES]
    figures = headline_changes(_read_json(issued / HEADLINES), _read_json(live / HEADLINES), lang)
    date = manifest["issued_on"]
    index = live / "index.html"
    listed = [{"title": _label(live / r, r, lang), "href": _href(live / r, index), "state": "changed" if r in was
               else "new", "issued_href": _href(issued / r, index)} for r in now if r in changed and r != "index.html"]
    listed += [{"title": _label(issued / r, r, lang), "href": "", "state": "removed",
                "issued_href": _href(issued / r, index)} for r in removed]
    out: dict[str, dict[str, Any] | None] = {}
    for r in pages:
        own = r in changed
        if r == "index.html":
            out[r] = {"changed": own, "date": date, "changes": figures["index.html"] if own else [],
                      "pages": listed, "issued_href": _href(issued / r, live / r) if r in was else ""}
        elif own:
            out[r] = {"changed": True, "date": date, "changes": figures.get(r, []), "pages": [],
                      "issued_href": _href(issued / r, live / r) if r in was else ""}
        else:
            out[r] = None  # unchanged: no note (the index says the quarter was issued)
    return out


def annotate(store: Store, q: Quarter, lang: str) -> list[str]:
    """Write each live page's revision region from `notes` (only pages whose bytes change are rewritten); the pages
    that carry a note that they changed since issue."""
    changed = []
    live = live_dir(store, q, lang)
    for rel, note in notes(store, q, lang).items():
        path = live / rel
        text = path.read_text(encoding="utf-8")
        new = set_revision(text, note, lang)
        if new != text:
            atomic_write_text(path, new)
        if note and note["changed"]:
            changed.append(rel)
    return changed
