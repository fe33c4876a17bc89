"""Issuing a quarter (parplan/issuing.py): the frozen copy, its manifest, reissuing, and the live pages' note."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from parplan import issuing
from parplan.cli import main
from parplan.report import layout

REPO = Path(__file__).resolve().parents[1]
Q = "2023Q2"
DAY = "2023-07-15"
PROV = {"rows": [{"label": "Mã nguồn", "value": "abc123"}]}


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def page(title: str, body: str, lang: str = "vi", prov: dict | None = None, **kw) -> str:
    return layout.page(title, body, lang, provenance=prov or PROV, **kw)


def kpis(value: float, status: str = "met") -> dict:
    return {"index": {"tasks": {"off_track": 3, "on_track": 10},
                      "units": {"SNV": {"name": "Sở Nội vụ", "status": "on_track"}}},
            "overview": {"kpis": {"ontime_rate": {"value": value, "status": status}}}}


@pytest.fixture
def proj(tmp_path):
    """A project with a rendered 2023Q2 (pages in the base layout, a document, a log, screenshots, English pages)."""
    root = tmp_path / "p"
    shutil.copytree(REPO / "params", root / "params")
    (root / "plans").mkdir()
    live = root / "reports" / Q
    (live / "agencies").mkdir(parents=True)
    (live / "index.html").write_text(page("Báo cáo quý", '<p><a href="overview.html">Tổng quan</a></p>'),
                                     encoding="utf-8")
    (live / "overview.html").write_text(page("Tổng quan", "<p>Đúng hạn 95,0 %</p>"), encoding="utf-8")
    (live / "method.html").write_text(page("Phương pháp", "<p>Cách đánh giá</p>"), encoding="utf-8")
    (live / "agencies" / "SNV.html").write_text(page("Sở Nội vụ", "<p>Thẻ điểm</p>", home="../"),
                                                encoding="utf-8")
    (live / "bao-cao.docx").write_bytes(b"PK\x03\x04 document")
    issuing.write_headlines(live, kpis(0.95))
    (live / "render.log").write_text("quarter=2023Q2 seconds=1.0\n", encoding="utf-8")
    (live / "screenshots" / "desktop").mkdir(parents=True)
    (live / "screenshots" / "desktop" / "index.png").write_bytes(b"\x89PNG")
    (live / "en").mkdir()
    (live / "en" / "index.html").write_text(page("Quarterly report", "<p>Overview</p>", "en"), encoding="utf-8")
    return root


def issued(root: Path, lang: str = "") -> Path:
    return root / "reports" / "issued" / Q / lang


def manifest(folder: Path) -> dict:
    return json.loads((folder / "issued.json").read_text(encoding="utf-8"))


def region(text: str) -> str:
    return issuing.REGION.search(text).group(0)


def test_layout_revision_region_is_backwards_compatible():
    plain = page("T", "<p>x</p>")
    assert plain == page("T", "<p>x</p>", revision=None)
    assert region(plain) == "<!-- parplan:revision -->\n<!-- /parplan:revision -->\n"
    note = {"changed": True, "date": DAY, "changes": [], "pages": [], "issued_href": "../issued/2023Q2/x.html"}
    noted = page("T", "<p>x</p>", revision=note)
    # a note written afterwards at the layout's markers gives the bytes the layout gives when handed it
    assert issuing.set_revision(plain, note, "vi") == noted
    assert issuing.strip_revision(noted) == plain
    assert issuing.content(noted) == issuing.content(plain)
    assert "Trang này đã thay đổi sau khi phát hành ngày 15/07/2023" in noted
    assert "Nội dung trang khác với bản đã phát hành." in noted  # no headline figure: the page changed


def test_issue_copies_the_pages_with_their_hashes(proj):
    issuing.issue(Q, root=proj, date=DAY, say=lambda s: None)
    out = issued(proj)
    m = manifest(out)
    names = [f["path"] for f in m["files"]]
    assert sorted(names) == sorted(["index.html", "overview.html", "method.html", "agencies/SNV.html",
                                    "bao-cao.docx", "headlines.json"])  # no log, screenshot or English page
    assert not (out / "render.log").exists() and not (out / "screenshots").exists() and not (out / "en").exists()
    assert all(f["sha256"] == sha(out / f["path"]) for f in m["files"])
    assert (m["quarter"], m["lang"], m["issued_on"], m["supersedes"]) == (Q, "vi", DAY, None)
    assert m["code"] is None  # the temp project is no git checkout
    for name in names:  # the date is in the manifest only; the issued pages are the rendered ones
        data = (out / name).read_bytes()
        assert b"2023-07-15" not in data and b"15/07/2023" not in data
        assert data == (proj / "reports" / Q / name).read_bytes() or name == "index.html"
    # the live index now says the quarter was issued and nothing changed; no other page carries a note
    live = proj / "reports" / Q
    assert "Báo cáo quý này đã phát hành ngày 15/07/2023; các trang không thay đổi" in \
        (live / "index.html").read_text(encoding="utf-8")
    for name in ("overview.html", "method.html", "agencies/SNV.html"):
        assert region((live / name).read_text(encoding="utf-8")).count("\n") == 2, name


def test_issue_without_date_records_today_in_the_manifest_only(proj):
    issuing.issue(Q, root=proj, say=lambda s: None)
    today = dt.date.today()
    assert manifest(issued(proj))["issued_on"] == today.isoformat()
    for f in manifest(issued(proj))["files"]:
        data = (issued(proj) / f["path"]).read_bytes()
        assert today.isoformat().encode() not in data and today.strftime("%d/%m/%Y").encode() not in data


def test_issuing_twice_refuses_in_both_languages_and_reissue_keeps_the_old_copy(proj):
    issuing.issue(Q, root=proj, date=DAY, say=lambda s: None)
    before = {p: p.read_bytes() for p in issued(proj).rglob("*") if p.is_file()}
    with pytest.raises(issuing.AlreadyIssued) as e:
        issuing.issue(Q, root=proj, date="2023-07-20", say=lambda s: None)
    assert "đã phát hành ngày 2023-07-15" in str(e.value) and "was issued on 2023-07-15" in str(e.value)
    assert "--reissue" in str(e.value)
    assert {p: p.read_bytes() for p in issued(proj).rglob("*") if p.is_file()} == before
    (proj / "reports" / Q / "overview.html").write_text(page("Tổng quan", "<p>Đúng hạn 90,0 %</p>"), encoding="utf-8")
    issuing.issue(Q, root=proj, date="2023-07-20", reissue=True, say=lambda s: None)
    old = issued(proj) / "superseded-1"
    assert {old / p.relative_to(issued(proj)): b for p, b in before.items()} == \
        {p: p.read_bytes() for p in old.rglob("*") if p.is_file()}  # moved whole, never deleted
    m = manifest(issued(proj))
    assert (m["issued_on"], m["supersedes"]) == ("2023-07-20", "superseded-1")
    assert "90,0 %" in (issued(proj) / "overview.html").read_text(encoding="utf-8")
    issuing.issue(Q, root=proj, date="2023-07-21", reissue=True, say=lambda s: None)
    assert manifest(issued(proj) / "superseded-2")["issued_on"] == "2023-07-20"
    assert manifest(old)["issued_on"] == DAY
    assert not (issued(proj) / "superseded-2" / "superseded-1").exists()


def test_languages_are_issued_separately(proj):
    issuing.issue(Q, root=proj, date=DAY, say=lambda s: None)
    issuing.issue(Q, "en", root=proj, date="2023-07-16", say=lambda s: None)
    en = manifest(issued(proj, "en"))
    assert [f["path"] for f in en["files"]] == ["index.html"] and en["lang"] == "en"
    assert [f["path"] for f in manifest(issued(proj))["files"] if f["path"].startswith("en/")] == []
    assert issuing.verify(issuing.Store(proj), issuing.Quarter.parse(Q), "vi") == []
    assert "This quarter&#39;s report was issued on" in (proj / "reports" / Q / "en" / "index.html").read_text("utf-8")


def test_live_pages_note_what_changed_since_issue(proj):
    issuing.issue(Q, root=proj, date=DAY, say=lambda s: None)
    live, out = proj / "reports" / Q, issued(proj)
    hashes = {f["path"]: f["sha256"] for f in manifest(out)["files"]}
    # a later run: the overview's figure and verdict changed; the method page only got a new code version
    (live / "overview.html").write_text(page("Tổng quan", "<p>Đúng hạn 91,3 %</p>"), encoding="utf-8")
    issuing.write_headlines(live, kpis(0.913, "not_met"))
    other = {"rows": [{"label": "Mã nguồn", "value": "def456"}]}
    (live / "method.html").write_text(page("Phương pháp", "<p>Cách đánh giá</p>", prov=other), encoding="utf-8")
    store, q = issuing.Store(proj), issuing.Quarter.parse(Q)
    assert issuing.annotate(store, q, "vi") == ["overview.html"]  # the index's own content did not change
    ov = (live / "overview.html").read_text(encoding="utf-8")
    note = region(ov)
    assert "Trang này đã thay đổi sau khi phát hành ngày 15/07/2023:" in note
    assert "Hồ sơ giải quyết đúng hạn (toàn tỉnh): 95,0 % → 91,3 %" in note
    assert "Hồ sơ giải quyết đúng hạn (toàn tỉnh), đánh giá: Đạt → Không đạt" in note
    assert 'href="../issued/2023Q2/overview.html"' in note
    assert ov == page("Tổng quan", "<p>Đúng hạn 91,3 %</p>", revision=issuing.notes(store, q, "vi")["overview.html"])
    idx = region((live / "index.html").read_text(encoding="utf-8"))
    assert "Báo cáo quý này đã phát hành ngày 15/07/2023; các trang sau đã thay đổi sau khi phát hành:" in idx
    assert '<a href="overview.html">Tổng quan</a> (<a href="../issued/2023Q2/overview.html">' in idx
    assert "Phương pháp" not in idx and "Sở Nội vụ" not in idx  # unchanged pages are not listed
    for name in ("method.html", "agencies/SNV.html"):  # unchanged (a new code version alone is no change): no note
        assert region((live / name).read_text(encoding="utf-8")).count("\n") == 2, name
    # the same files give the same bytes; the issued copy is untouched
    now = {p: p.read_bytes() for p in live.rglob("*") if p.is_file()}
    assert issuing.annotate(store, q, "vi") == ["overview.html"]
    assert {p: p.read_bytes() for p in live.rglob("*") if p.is_file()} == now
    assert {p: sha(out / p) for p in hashes} == hashes and issuing.verify(store, q, "vi") == []
    # a changed document and a new scorecard are listed on the index; an agency page gone is listed as removed
    (live / "bao-cao.docx").write_bytes(b"PK\x03\x04 document v2")
    (live / "agencies" / "SNV.html").unlink()
    (live / "agencies" / "SXD.html").write_text(page("Sở Xây dựng", "<p>Thẻ điểm</p>", home="../"), encoding="utf-8")
    issuing.annotate(store, q, "vi")
    idx = region((live / "index.html").read_text(encoding="utf-8"))
    assert "Báo cáo trình Ủy ban nhân dân tỉnh (tệp văn bản)" in idx
    assert '<a href="agencies/SXD.html">Sở Xây dựng</a> — trang mới, không có trong bản đã phát hành' in idx
    assert 'Sở Nội vụ — không còn trong báo cáo hiện hành (<a href="../issued/2023Q2/agencies/SNV.html">' in idx
    assert 'href="../../issued/2023Q2/agencies/SXD.html"' not in \
        (live / "agencies" / "SXD.html").read_text(encoding="utf-8")  # a new page has no issued copy to link


def test_headline_changes_compare_what_the_page_shows():
    same = issuing.headline_changes(kpis(0.95012), kpis(0.95049), "vi")  # both show 95,0 %
    assert same == {"overview.html": [], "index.html": []}
    old, new = kpis(0.95), kpis(0.95)
    new["index"]["tasks"] = {"off_track": 5, "on_track": 10, "overdue": 1}
    new["index"]["units"]["SNV"]["status"] = "off_track"
    got = issuing.headline_changes(old, new, "vi")["index.html"]
    assert got == [{"kind": "tasks", "status": "off_track", "old": 3, "new": 5},
                   {"kind": "tasks", "status": "overdue", "old": 0, "new": 1},
                   {"kind": "unit", "name": "Sở Nội vụ", "old": "on_track", "new": "off_track"}]


def test_cli_issue(proj, monkeypatch, capsys):
    monkeypatch.setenv("PARPLAN_ROOT", str(proj))
    assert main(["issue", Q, "--date", DAY]) == 0
    assert "đã phát hành 6 tệp" in capsys.readouterr().out
    assert main(["issue", Q, "--date", DAY]) == 2
    err = capsys.readouterr().err
    assert "dùng --reissue" in err and "use --reissue" in err
    assert main(["issue", Q, "--date", "15/07/2023", "--reissue"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert main(["issue", "2023Q3"]) == 2  # nothing rendered
    assert re.search(r"Chưa có báo cáo 2023Q3 .* no rendered reports of 2023Q3", capsys.readouterr().err)


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_issued_quarter_stays_frozen_and_live_pages_note_a_changed_input(tmp_path):
    """Acceptance: render 2023Q2, issue it, lose one district's dossier file, render again (two full renders)."""
    from parplan.pipeline import quarterly
    from parplan.render import strip_tags

    root = tmp_path / "quarter"
    shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    shutil.copytree(REPO / "params", root / "params")
    quiet = []
    quarterly(Q, root=root, say=quiet.append)
    issuing.issue(Q, root=root, date=DAY, say=quiet.append)
    out, live = issued(root), root / "reports" / Q
    frozen = snapshot(root / "reports" / "issued")
    hashes = {f["path"]: f["sha256"] for f in manifest(out)["files"]}
    assert {"index.html", "overview.html", "method.html", "headlines.json"} <= set(hashes) and len(hashes) > 40
    assert not [p for p in hashes if p.endswith(".log") or p.startswith(("screenshots/", "en/"))]

    (root / "data" / "raw" / Q / "tthc_dossiers" / "DIEN_BAN.csv").unlink()  # Điện Bàn's dossiers: 2023Q2 changed
    quarterly(Q, root=root, say=quiet.append)
    assert snapshot(root / "reports" / "issued") == frozen  # nothing written under reports/issued/
    assert {p: sha(out / p) for p in hashes} == hashes

    def shown(path: Path) -> str:
        return re.sub(r"\s+", " ", strip_tags(re.sub(r"<style>.*?</style>", "", path.read_text("utf-8"), flags=re.S)))

    ov = region((live / "overview.html").read_text(encoding="utf-8"))
    assert "Trang này đã thay đổi sau khi phát hành ngày 15/07/2023:" in ov
    m = re.search(r"<li>Hồ sơ giải quyết đúng hạn \(toàn tỉnh\): ([^<]+?) → ([^<]+?)</li>", ov)
    assert m and m.group(1) != m.group(2)
    assert m.group(1) in shown(out / "overview.html") and m.group(2) in shown(live / "overview.html")
    assert 'href="../issued/2023Q2/overview.html"' in ov
    idx = region((live / "index.html").read_text(encoding="utf-8"))
    assert 'href="../issued/2023Q2/overview.html"' in idx and "method.html" not in idx
    assert region((live / "method.html").read_text(encoding="utf-8")).count("\n") == 2  # unchanged: no note
    # the same inputs again (every page skipped by the render cache): the same bytes, notes included
    before = {p: b for p, b in snapshot(live).items() if p.suffix != ".log"}
    quarterly(Q, root=root, say=quiet.append)
    assert {p: b for p, b in snapshot(live).items() if p.suffix != ".log"} == before
    assert snapshot(root / "reports" / "issued") == frozen
