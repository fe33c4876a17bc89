"""Real-browser check of the rendered reports (`make browser-test`; not part of `make test`).

The link-checker unit tests run anywhere; the Chromium tests render the quarterly reports first when they are
missing (`python -m parplan quarterly`, about 1.5 min) and are skipped when Chromium is not installed.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("browser_check", ROOT / "tools" / "browser_check.py")
bc = importlib.util.module_from_spec(_spec)
sys.modules["browser_check"] = bc
_spec.loader.exec_module(bc)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _quarter() -> str:
    from parplan.pipeline import load_params

    return str(load_params()["quarter"])


# ---------------------------------------------------------------------------------------------------------------
# Link checker on a tiny hand-made report folder (no Chromium needed)
# ---------------------------------------------------------------------------------------------------------------

def _page(body: str) -> str:
    return f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>t</title></head><body>{body}</body></html>'


@pytest.fixture()
def tiny_reports(tmp_path: Path) -> Path:
    r = tmp_path / "reports"
    (r / "2023Q2" / "agencies").mkdir(parents=True)
    (r / "2023Q1").mkdir()
    (r / "2023Q2" / "index.html").write_text(_page(
        '<nav><a href="../2023Q1/index.html">Quý I</a> <strong>Quý II</strong></nav>'
        '<a href="overview.html">overview</a> <a href="overview.html#ontime">on time</a> '
        '<a href="overview.html#khong-co">missing fragment</a> <a href="agencies/STC.html">STC</a> '
        '<a href="https://dichvucong.gov.vn/">external</a> <a href="mailto:a@b.vn">mail</a> '
        '<img alt="chart" src="data:image/png;base64,iVBORw0KGgo=">'), encoding="utf-8")
    (r / "2023Q2" / "overview.html").write_text(_page(
        '<h2 id="ontime">Đúng hạn</h2><a href="index.html">index</a> <a href="#ontime">self</a> '
        '<a href="#top">top</a> <a href="agencies/STC.html#tom-tat">STC summary</a>'), encoding="utf-8")
    (r / "2023Q2" / "agencies" / "STC.html").write_text(_page(
        '<section id="tom-tat">Sở Tài chính</section><a href="../index.html">back</a> '
        '<a href="../overview.html?lang=vi#ontime">overview</a> <a href="../../2023Q1/index.html">Q1</a>'),
        encoding="utf-8")
    (r / "2023Q1" / "index.html").write_text(_page(
        '<a href="../2023Q2/index.html">Quý II</a> <a href="data-quality.html">chất lượng dữ liệu</a>'),
        encoding="utf-8")
    return r


def test_link_checker_finds_one_broken_link_and_one_missing_fragment(tiny_reports: Path):
    res = bc.check_links(tiny_reports / "2023Q2" / "index.html")
    assert res["broken_links"] == [
        {"page": "2023Q1/index.html", "href": "data-quality.html", "target": "2023Q1/data-quality.html", "line": 1}]
    assert [(f["page"], f["href"], f["fragment"]) for f in res["missing_fragments"]] == [
        ("2023Q2/index.html", "overview.html#khong-co", "khong-co")]
    # breadth-first, each page once, quarter-switcher links followed
    assert res["pages"] == ["2023Q2/index.html", "2023Q1/index.html", "2023Q2/overview.html",
                            "2023Q2/agencies/STC.html"]
    assert [p.name for p in res["agency_pages"]] == ["STC.html"]


def test_link_checker_extra_pages_and_no_browser_check(tiny_reports: Path, tmp_path: Path):
    orphan = tiny_reports / "2023Q2" / "orphan.html"
    orphan.write_text(_page('<a href="nowhere.html">x</a>'), encoding="utf-8")
    res = bc.check(tiny_reports / "2023Q2" / "index.html", [orphan], tmp_path / "shots", browser=False)
    assert "2023Q2/orphan.html" in res["pages"]
    assert {b["href"] for b in res["broken_links"]} == {"data-quality.html", "nowhere.html"}
    assert res["agency_page"] == "2023Q2/agencies/STC.html"
    assert res["ok"] is False
    assert "Liên kết hỏng / broken links: 2" in bc.summary(res)


def test_cli_without_chromium_exits_3(tiny_reports: Path, tmp_path: Path):
    env = {**os.environ, bc.CHROMIUM_ENV: str(tmp_path / "no-chromium-here")}
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "browser_check.py"),
                        str(tiny_reports / "2023Q2" / "index.html"), "--out", str(tmp_path / "shots")],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 3
    assert "Không có Chromium / Chromium not installed:" in r.stderr


def test_websocket_masking_round_trip():
    data = "Báo cáo tiến độ — PAR INDEX".encode() * 50
    mask = b"\x01\x80\xfe\x37"
    masked = bc.mask_bytes(data, mask)
    assert masked != data and bc.mask_bytes(masked, mask) == data
    assert bc.mask_bytes(b"abc", mask) == bytes(x ^ m for x, m in zip(b"abc", mask, strict=False))


# ---------------------------------------------------------------------------------------------------------------
# The rendered reports in headless Chromium
# ---------------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser_result() -> dict:
    try:
        bc.find_chromium()
    except bc.ChromiumNotFound as e:
        pytest.skip(f"{bc.NOT_INSTALLED}{e}")
    q = _quarter()
    index = ROOT / "reports" / q / "index.html"
    if not index.exists():
        r = subprocess.run([sys.executable, "-m", "parplan", "quarterly", "--quarter", q], cwd=ROOT,
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    out = ROOT / "reports" / q / "screenshots"
    for old in out.glob("*.png"):
        old.unlink()
    res = bc.check(index, [], out)
    print(bc.summary(res))
    return res


def test_every_page_reachable_and_no_broken_links(browser_result):
    q = _quarter()
    pages = browser_result["pages"]
    assert pages[0] == f"{q}/index.html"
    for name in ("overview.html", "outlook.html", "data-quality.html"):
        assert f"{q}/{name}" in pages
    assert len(pages) == len(set(pages))
    assert browser_result["broken_links"] == []
    assert browser_result["missing_fragments"] == []


def test_images_loaded(browser_result):
    overview = browser_result["browser_pages"]["overview"]
    assert overview["images"], "the overview has charts"
    assert browser_result["missing_images"] == []


def test_no_console_errors_or_exceptions(browser_result):
    assert browser_result["console_errors"] == []
    assert browser_result["exceptions"] == []


def test_screenshots_are_pngs(browser_result):
    names = {"index", "overview"} | ({"agency"} if browser_result["agency_page"] else set())
    assert set(browser_result["screenshots"]) == names
    for name, path in browser_result["screenshots"].items():
        p = Path(path)
        assert p.name == f"{name}.png" and p.is_file()
        assert p.read_bytes()[:8] == PNG_MAGIC
        assert p.stat().st_size > 10_000, (name, p.stat().st_size)


def test_agency_screenshot_is_a_district_scorecard(browser_result):
    from parplan import catalogue

    page = browser_result["agency_page"]
    assert page, "no agency scorecard was rendered"
    code = Path(page).stem
    assert catalogue.plan_for(_quarter()).agencies[code].kind == "district", page


def test_overall_ok(browser_result):
    assert browser_result["ok"], bc.summary(browser_result)
