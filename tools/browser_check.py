"""Real-browser check of the rendered HTML reports, on Playwright for Python driving Debian's Chromium.

Kiểm tra báo cáo HTML bằng trình duyệt thật (Playwright điều khiển Chromium của Debian, không giao diện): liên kết,
ảnh, console, ảnh chụp màn hình ở hai khổ màn hình (máy tính 1366 px, điện thoại 390 px), bản in PDF, trợ năng cơ bản.

Two parts:

* a static link check (standard library ``html.parser``): every page reachable from the index by relative links to
  ``.html`` files inside the reports folder is parsed once (breadth-first, quarter-switcher links included); every
  relative link whose target file does not exist and every ``#fragment`` without a matching ``id`` is reported;
* a browser check: Playwright (``pip install playwright``; its wheel carries its own driver) launches the system
  Chromium (``/usr/bin/chromium`` from Debian, or ``$PARPLAN_CHROMIUM``; never a browser of Playwright's own, so
  ``playwright install`` is never needed) and opens every page of the index's quarter (index, overview, outlook,
  data-quality, method, every ``agencies/*.html``) at two viewports, desktop 1366×900 and phone 390×844 (device
  scale 2, mobile). On each it records console errors and page errors, images not loaded (``naturalWidth == 0``)
  or without ``alt``, a full-page screenshot (height capped) under ``<out>/<viewport>/<page>.png``, whether the
  body is wider than the viewport (and the widest element), whether the status column is visible without
  scrolling, the heading order (no jump of more than one level down), links without text and the colour contrast
  of every ``.badge`` (WCAG 2 ratio, at least 4.5:1). The overview is printed to PDF (A4, print media) and its pages
  are counted.

Status column: the cells with ``class="status"`` (``<th class="status">`` / ``<td class="status">``); a page that
marks none falls back to the columns whose body cells hold a status ``.badge`` (and their header cell).

Usage:  python tools/browser_check.py reports/2023Q2/index.html [--out reports/2023Q2/screenshots] [--json r.json]
Exit codes: 0 all good, 1 problems found, 2 bad arguments / browser failure, 3 Chromium or Playwright not installed.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

CHROMIUM_ENV = "PARPLAN_CHROMIUM"  # path of the browser binary; when set, nothing else is tried
DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--disable-sync", "--disable-quic", "--disable-extensions", "--disable-default-apps", "--mute-audio",
                 "--hide-scrollbars"]
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1366, "height": 900}, "device_scale_factor": 1, "is_mobile": False},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
              "has_touch": True},
}
MAX_SHOT_PIXELS = 8000  # screenshot height cap in device pixels (Chromium cannot capture very tall surfaces
# reliably, and 84 full-length screenshots would take minutes): 8000 px desktop, 4000 CSS px on the phone
MIN_CONTRAST = 4.5       # WCAG 2 AA, normal text
MAX_PDF_PAGES = 6        # issue 17: the printed overview fits in at most six A4 pages
PAGE_ORDER = ("index", "overview", "outlook", "data-quality", "method")
NOT_INSTALLED = "Không có Chromium / Chromium not installed: "
HOW_TO_INSTALL_CHROMIUM = ("cài bằng / install with `apt-get install -y chromium` (Debian) hoặc đặt / or set "
                           f"{CHROMIUM_ENV}=<đường dẫn / path>")
NO_PLAYWRIGHT = ("Không có gói Python playwright / Python package playwright not installed: chạy / run "
                 "`make browser-setup` (= `.venv/bin/python -m pip install -e '.[browser]'`). Trình duyệt là Chromium "
                 "của Debian / the browser is Debian's chromium (`apt-get install -y chromium`): không cần / do not run "
                 "`playwright install`.")


class ChromiumNotFound(RuntimeError):
    """No Chromium binary: install it with `apt-get install -y chromium` (or set PARPLAN_CHROMIUM)."""


class PlaywrightMissing(RuntimeError):
    """The playwright package is not installed: `make browser-setup` (pip install -e '.[browser]')."""


class BrowserError(RuntimeError):
    """Chromium started but driving it failed."""


# --------------------------------------------------------------------------------------------------------------
# Static link check
# --------------------------------------------------------------------------------------------------------------

class _PageParser(HTMLParser):
    """Collects ids / anchor names (fragment targets) and the URLs a page refers to."""

    REFS = {"a": "href", "area": "href", "link": "href", "img": "src", "iframe": "src", "script": "src",
            "source": "src", "embed": "src", "video": "src", "audio": "src"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, int]] = []  # (tag, url, line)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        attr = self.REFS.get(tag)
        if attr and attr in a:
            self.refs.append((tag, a[attr].strip(), self.getpos()[0]))

    handle_startendtag = handle_starttag


def _parse(path: Path) -> _PageParser:
    p = _PageParser()
    p.feed(path.read_text(encoding="utf-8", errors="replace"))
    p.close()
    return p


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc) or url.startswith("//")


def _fragment_ok(fragment: str, ids: set[str]) -> bool:
    # HTML: an empty fragment or "top" (ASCII case-insensitive) scrolls to the top without needing an id
    return fragment == "" or fragment.lower() == "top" or fragment in ids or unquote(fragment) in ids


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def check_links(index_html: Path, extra_pages: list[Path] | tuple[Path, ...] = (), root: Path | None = None
                ) -> dict[str, Any]:
    """Parse every page reachable from `index_html` (plus `extra_pages`) once, breadth-first.

    `root` is the reports folder (default: the folder above the quarter folder of the index); only .html pages
    inside it are followed, but every relative link (also to other files) is checked for existence.
    Returns pages (in visit order), broken_links, missing_fragments and agency_pages (in discovery order).
    """
    index_html = Path(index_html).resolve()
    root = Path(root).resolve() if root else index_html.parent.parent
    parsed: dict[Path, _PageParser] = {}

    def parsed_page(p: Path) -> _PageParser:
        if p not in parsed:
            parsed[p] = _parse(p)
        return parsed[p]

    queue: deque[Path] = deque()
    seen: set[Path] = set()
    for p in [index_html, *(Path(x).resolve() for x in extra_pages)]:
        if p not in seen:
            seen.add(p)
            queue.append(p)
    pages: list[Path] = []
    broken: list[dict[str, Any]] = []
    fragments: list[dict[str, Any]] = []
    agencies: list[Path] = []
    while queue:
        page = queue.popleft()
        if not page.is_file():
            broken.append({"page": None, "href": str(page), "target": _rel(page, root), "line": 0})
            continue
        pages.append(page)
        info = parsed_page(page)
        for tag, url, line in info.refs:
            if not url or _is_external(url):
                continue  # http(s):, mailto:, data: URIs ... are not files of the report folder
            path_part, fragment = urldefrag(url)
            path_part = urlsplit(path_part).path  # drop ?query
            target = (page.parent / unquote(path_part)).resolve() if path_part else page
            where = {"page": _rel(page, root), "href": url, "target": _rel(target, root), "line": line}
            if not target.exists():
                broken.append(where)
                continue
            is_html = target.is_file() and target.suffix.lower() in (".html", ".htm")
            if fragment and is_html and not _fragment_ok(fragment, parsed_page(target).ids):
                fragments.append({**where, "fragment": unquote(fragment)})
            if tag == "a" and is_html and target.is_relative_to(root):
                if target.parent.name == "agencies" and target not in agencies:
                    agencies.append(target)
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
    return {"root": str(root), "pages": [_rel(p, root) for p in pages], "page_paths": pages,
            "broken_links": broken, "missing_fragments": fragments, "agency_pages": agencies}


# --------------------------------------------------------------------------------------------------------------
# Chromium + Playwright
# --------------------------------------------------------------------------------------------------------------

def find_chromium() -> str:
    """Path of the Chromium binary ($PARPLAN_CHROMIUM, else Debian's /usr/bin/chromium, else PATH), or
    ChromiumNotFound with what was tried and how to install it."""
    forced = os.environ.get(CHROMIUM_ENV)
    if forced is not None:
        if forced and Path(forced).is_file() and os.access(forced, os.X_OK):
            return forced
        raise ChromiumNotFound(f"{CHROMIUM_ENV}={forced!r} không phải tệp chạy được / is not an executable file; "
                               f"{HOW_TO_INSTALL_CHROMIUM}")
    if Path(DEBIAN_CHROMIUM).is_file() and os.access(DEBIAN_CHROMIUM, os.X_OK):
        return DEBIAN_CHROMIUM
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumNotFound(f"không có / neither {DEBIAN_CHROMIUM} nor chromium, chromium-browser, google-chrome on "
                           f"PATH; {HOW_TO_INSTALL_CHROMIUM}")


def require_playwright() -> Any:
    """playwright.sync_api.sync_playwright, or PlaywrightMissing (bilingual, says how to install it)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        raise PlaywrightMissing(NO_PLAYWRIGHT) from e
    return sync_playwright


# One round trip per page: waits for the images, then measures everything the checks need. Called with the viewport
# width the context was created with: on a mobile viewport Chromium widens innerWidth to the content's width when
# the content overflows, so innerWidth cannot be the yardstick.
PROBE_JS = r"""async (W) => {
  const imgs = Array.from(document.images);
  imgs.forEach(i => { if (i.loading === 'lazy') i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null
      : new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
  const desc = el => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    const c = typeof el.className === 'string' ? el.className.trim() : '';
    if (c) s += '.' + c.split(/\s+/).join('.');
    return s;
  };
  const path = el => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && e !== document.documentElement && parts.length < 4; e = e.parentElement)
      parts.unshift(desc(e));
    return parts.join(' > ');
  };
  const text = el => (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 80);
  const sx = window.scrollX;
  const right = el => el.getBoundingClientRect().right + sx;
  const shown = el => { const r = el.getBoundingClientRect(); return r.width > 0 || r.height > 0; };
  // an element inside a box that clips or scrolls sideways does not widen the page
  const clipped = el => {
    for (let e = el.parentElement; e && e !== document.body && e !== document.documentElement; e = e.parentElement)
      if (getComputedStyle(e).overflowX !== 'visible') return true;
    return false;
  };

  const images = imgs.map(i => ({src: (i.currentSrc || i.src || '').slice(0, 120), alt: i.getAttribute('alt'),
                                 natural_width: i.naturalWidth, element: path(i)}));

  // page width: the element reaching furthest right (the outermost one of those that reach as far) and the
  // elements that stick out of a parent that does not
  let widest = null, widestRight = -1;
  const sticking = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el)) continue;
    const r = right(el);
    if (r <= W + 0.5 || clipped(el)) continue;
    const rect = el.getBoundingClientRect();
    const item = {element: path(el), right: Math.round(r), width: Math.round(rect.width), text: text(el)};
    if (r > widestRight + 0.5) { widest = item; widestRight = r; }
    const p = el.parentElement;
    if (p && right(p) <= W + 0.5 && sticking.length < 20) sticking.push(item);
  }

  // status column: cells marked class="status"; else the columns whose body cells hold a .badge
  let cells = Array.from(document.querySelectorAll('th.status, td.status'));
  const how = cells.length ? 'class' : 'badge';
  if (!cells.length) {
    for (const table of document.querySelectorAll('table')) {
      const cols = new Set();
      for (const row of table.rows) for (const c of row.cells)
        if (c.tagName === 'TD' && c.querySelector('.badge')) cols.add(c.cellIndex);
      for (const row of table.rows) for (const c of row.cells) if (cols.has(c.cellIndex)) cells.push(c);
    }
  }
  const headingBefore = el => {  // the text of the last heading before `el` in document order
    for (let e = el; e && e !== document.body; ) {
      if (e.previousElementSibling) {
        e = e.previousElementSibling;
        if (/^H[1-6]$/.test(e.tagName)) return text(e);
        const inner = e.querySelectorAll('h1, h2, h3, h4, h5, h6');
        if (inner.length) return text(inner[inner.length - 1]);
      } else e = e.parentElement;
    }
    return '';
  };
  const tables = new Map();
  for (const c of cells) {
    if (!shown(c)) continue;  // in a closed <details>: not on screen at all
    const t = c.closest('table');
    if (!tables.has(t)) {
      tables.set(t, {table: t ? path(t) : '', caption: t && t.caption ? text(t.caption) : headingBefore(t),
                     cells: 0, off_screen: 0, max_right: 0, first_off: ''});
    }
    const info = tables.get(t);
    const r = right(c);
    info.cells += 1;
    info.max_right = Math.max(info.max_right, Math.round(r));
    if (r > W + 0.5) { info.off_screen += 1; if (!info.first_off) info.first_off = text(c); }
  }

  const headings = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'))
      .map(h => ({level: +h.tagName[1], text: text(h)}));

  const emptyLinks = [];
  for (const a of document.querySelectorAll('a[href]')) {
    const name = ((a.getAttribute('aria-label') || '').trim() || (a.textContent || '').trim()
      || Array.from(a.querySelectorAll('img')).map(i => (i.getAttribute('alt') || '').trim()).join(' ').trim()
      || (a.getAttribute('title') || '').trim());
    if (!name) emptyLinks.push({href: a.getAttribute('href'), element: path(a)});
  }

  // badge colours as RGBA through a 1x1 canvas (any CSS colour syntax), with the background layers behind it
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const rgba = c => {
    ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = '#000'; ctx.fillStyle = c; ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], Math.round(d[3] / 255 * 1000) / 1000];
  };
  const badges = new Map();
  for (const b of document.querySelectorAll('.badge')) {
    if (!shown(b)) continue;
    const layers = [];
    for (let e = b; e; e = e.parentElement) {
      const bg = rgba(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    const fg = rgba(getComputedStyle(b).color);
    const key = b.className + '|' + fg.join(',') + '|' + layers.map(l => l.join(',')).join(';');
    if (!badges.has(key)) badges.set(key, {class: b.className, color: fg, backgrounds: layers, count: 0, text: text(b)});
    badges.get(key).count += 1;
  }

  return {images, scroll_width: document.documentElement.scrollWidth, inner_width: window.innerWidth,
          page_height: document.documentElement.scrollHeight, widest, sticking_out: sticking, status_how: how,
          status_tables: Array.from(tables.values()), headings, empty_links: emptyLinks,
          badges: Array.from(badges.values())};
}"""


def composite(layers: list[list[float]]) -> tuple[float, float, float]:
    """RGB of the RGBA `layers` (innermost first, as the probe lists them) painted over a white page."""
    r, g, b = 255.0, 255.0, 255.0
    for lr, lg, lb, a in reversed(layers):
        r, g, b = lr * a + r * (1 - a), lg * a + g * (1 - a), lb * a + b * (1 - a)
    return r, g, b


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0-255 channels)."""
    def lin(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: tuple[float, float, float], bg: tuple[float, float, float]) -> float:
    """WCAG 2 contrast ratio (1..21) of two sRGB colours."""
    a, b = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def hex_colour(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in rgb)


def heading_jumps(headings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Headings that go down more than one level from the one before (h2 -> h4); the first may be any h1/h2."""
    out = []
    prev = 0
    for h in headings:
        if prev and h["level"] > prev + 1 or not prev and h["level"] > 2:
            out.append({"from": prev, "to": h["level"], "text": h["text"]})
        prev = h["level"]
    return out


def pdf_page_count(data: bytes) -> int:
    """Pages of a PDF as Chromium writes it (page objects are not in compressed object streams)."""
    if not data.startswith(b"%PDF"):
        raise BrowserError("not a PDF")
    n = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))
    if n == 0:
        raise BrowserError("no /Type /Page object in the PDF (compressed object streams?)")
    return n


def quarter_pages(page_paths: list[Path], index_html: Path) -> list[tuple[str, Path]]:
    """(name, path) of the pages of the index's quarter in the index's language: the quarter folder and its
    agencies/ folder; named by their path inside the quarter folder without .html; the main pages first."""
    qdir = Path(index_html).resolve().parent
    mine = [p for p in page_paths if p.parent == qdir or p.parent == qdir / "agencies"]
    names = {p: p.relative_to(qdir).with_suffix("").as_posix() for p in mine}

    def key(p: Path) -> tuple[int, int, str]:
        n = names[p]
        if n in PAGE_ORDER:
            return (0, PAGE_ORDER.index(n), n)
        return (1 if p.parent == qdir else 2, 0, n)
    return [(names[p], p) for p in sorted(mine, key=key)]


class Browser:
    """Playwright's Chromium (the system binary, headless), one browser context per viewport."""

    def __init__(self, binary: str | None = None, timeout: float = 60.0,
                 viewports: tuple[str, ...] | list[str] = tuple(VIEWPORTS)) -> None:
        sync_playwright = require_playwright()
        self.binary = binary or find_chromium()
        self.timeout_ms = timeout * 1000
        self._pw = sync_playwright().start()  # Playwright's sync API: one instance per thread
        try:
            self.browser = self._pw.chromium.launch(executable_path=self.binary, headless=True, args=CHROMIUM_ARGS,
                                                    timeout=self.timeout_ms)
            self.contexts = {name: self.browser.new_context(**VIEWPORTS[name]) for name in viewports}
        except Exception as e:
            self._pw.stop()
            raise BrowserError(f"Chromium {self.binary} không khởi động được / did not start: {e}") from e
        for c in self.contexts.values():
            c.set_default_timeout(self.timeout_ms)

    def _open(self, viewport: str, page: Path) -> tuple[Any, list[dict[str, str]], list[str]]:
        p = self.contexts[viewport].new_page()
        console: list[dict[str, str]] = []
        errors: list[str] = []
        p.on("console", lambda m: console.append({"type": m.type, "text": m.text}))
        p.on("pageerror", lambda e: errors.append(str(e)))
        p.on("requestfailed", lambda r: console.append({"type": "error", "text": f"request failed: {r.url[:120]} "
                                                                                  f"{r.failure or ''}"}))
        p.goto(page.resolve().as_uri(), wait_until="load")
        return p, console, errors

    def inspect(self, viewport: str, page: Path, screenshot: Path | None) -> dict[str, Any]:
        """Open `page` at `viewport`; measure it (PROBE_JS), collect its console and page errors, save a screenshot."""
        width = VIEWPORTS[viewport]["viewport"]["width"]
        p, console, errors = self._open(viewport, page)
        try:
            info = p.evaluate(PROBE_JS, width)
            shot = None
            cap = MAX_SHOT_PIXELS // VIEWPORTS[viewport]["device_scale_factor"]
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                if info["page_height"] > cap:
                    p.screenshot(path=str(screenshot), full_page=True,
                                 clip={"x": 0, "y": 0, "width": max(width, info["scroll_width"]), "height": cap})
                else:
                    p.screenshot(path=str(screenshot), full_page=True)
                shot = str(screenshot)
            p.evaluate("document.readyState")  # a round trip: late console messages arrive before the page closes
        finally:
            p.close()
        return {**info, "viewport": viewport, "viewport_width": width, "url": page.resolve().as_uri(),
                "console": console, "exceptions": errors, "screenshot": shot,
                "screenshot_truncated": info["page_height"] > cap}

    def print_pdf(self, page: Path, out: Path) -> dict[str, Any]:
        """Print `page` with print media to an A4 PDF at `out`; its size and page count."""
        p, console, errors = self._open(next(iter(self.contexts)), page)
        try:
            p.emulate_media(media="print")
            data = p.pdf(format="A4", print_background=True)
        finally:
            p.close()
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        return {"path": str(out), "pages": pdf_page_count(data), "bytes": len(data), "console": console,
                "exceptions": errors}

    def close(self) -> None:
        try:
            self.browser.close()
        finally:
            self._pw.stop()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------------------------------------------
# The whole check
# --------------------------------------------------------------------------------------------------------------

CHECKS = {  # name -> (Vietnamese / English label)
    "links": "liên kết và neo # / links and #fragments",
    "console": "không lỗi console, không ngoại lệ JS / no console errors, no page errors",
    "images": "mọi ảnh tải được / every image loads",
    "alt": "mọi ảnh có alt / every image has alt text",
    "screenshots": "ảnh chụp màn hình / screenshots saved",
    "desktop_overflow": "trang không rộng hơn màn hình 1366 px / body not wider than the 1366 px viewport",
    "phone_overflow": "trang không rộng hơn màn hình 390 px / body not wider than the 390 px viewport",
    "desktop_status_column": "cột trạng thái thấy được ở 1366 px / status column visible at 1366 px",
    "phone_status_column": "cột trạng thái thấy được ở 390 px / status column visible at 390 px",
    "pdf_pages": f"bản in tổng quan ≤ {MAX_PDF_PAGES} trang A4 / printed overview ≤ {MAX_PDF_PAGES} A4 pages",
    "heading_order": "thứ tự tiêu đề / heading order",
    "link_text": "liên kết có chữ / link text not empty",
    "badge_contrast": f"tương phản nhãn ≥ {MIN_CONTRAST}:1 / badge contrast ≥ {MIN_CONTRAST}:1",
}


def check(index_html: Path, extra_pages: list[Path], out_dir: Path, *, browser: bool = True,
          root: Path | None = None, pdf: bool = True) -> dict[str, Any]:
    """Link check of everything reachable from `index_html` (+ `extra_pages`), then every page of the index's quarter
    (+ every extra page) in headless Chromium at each of VIEWPORTS, screenshots into `out_dir/<viewport>/`, and the
    overview printed to `out_dir/print/overview.pdf`.

    Raises ChromiumNotFound / PlaywrightMissing when `browser` is true and either is not installed.
    `result["checks"]` maps each of CHECKS to true (passes) or false; `result["ok"]` is true when all pass.
    """
    index_html = Path(index_html).resolve()
    out_dir = Path(out_dir)
    if browser:
        require_playwright()
        binary = find_chromium()
    links = check_links(index_html, extra_pages, root=root)
    base = Path(links["root"])
    result: dict[str, Any] = {k: links[k] for k in ("root", "pages", "broken_links", "missing_fragments")}
    targets = quarter_pages(links["page_paths"], index_html)
    for p in extra_pages:
        p = Path(p).resolve()
        if p.is_file() and p not in [t for _, t in targets]:
            name = p.stem
            while name in [n for n, _ in targets]:
                name += "_"
            targets.append((name, p))
    result["agency_pages"] = [_rel(p, base) for n, p in targets if n.startswith("agencies/")]
    result.update(browser_pages=[], screenshots={v: {} for v in VIEWPORTS}, console_errors=[], console_messages=[],
                  exceptions=[], missing_images=[], missing_alt=[], overflow=[], status_off_screen=[],
                  status_tables=[], heading_jumps=[], empty_link_text=[], badge_colours=[], low_contrast=[],
                  pdf=None)
    checks: dict[str, bool] = {"links": not (links["broken_links"] or links["missing_fragments"])}
    if browser:
        t0 = time.monotonic()
        overview = index_html.parent / "overview.html"
        print_it = overview if overview.is_file() and pdf else None

        def one_viewport(viewport: str) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
            with Browser(binary, viewports=[viewport]) as b:
                infos = [b.inspect(viewport, page, out_dir / viewport / f"{name}.png") for name, page in targets]
                printed = b.print_pdf(print_it, out_dir / "print" / "overview.pdf") \
                    if print_it and viewport == "desktop" else None
            return infos, printed

        # one browser per viewport, side by side (two cores: about half the time of one after the other)
        with ThreadPoolExecutor(max_workers=len(VIEWPORTS)) as pool:
            done = list(pool.map(one_viewport, VIEWPORTS))
        for infos, printed in done:
            for (name, page), info in zip(targets, infos, strict=True):
                _record(result, name, _rel(page, base), info)
            if printed:
                res = printed
                result["pdf"] = {"page": _rel(overview, base), **res}
                for m in res["console"]:
                    if m["type"] in ("error", "assert"):
                        result["console_errors"].append({"page": _rel(overview, base), "viewport": "print", **m})
                result["exceptions"] += [{"page": _rel(overview, base), "viewport": "print", "text": t}
                                         for t in res["exceptions"]]
        result["browser_seconds"] = round(time.monotonic() - t0, 1)
        shots = [Path(s) for v in result["screenshots"].values() for s in v.values()]
        checks.update(
            console=not (result["console_errors"] or result["exceptions"]),
            images=not result["missing_images"],
            alt=not result["missing_alt"],
            screenshots=bool(shots) and all(s.is_file() and s.stat().st_size > 0 for s in shots)
            and all(len(v) == len(targets) for v in result["screenshots"].values()),
            desktop_overflow=not [o for o in result["overflow"] if o["viewport"] == "desktop"],
            phone_overflow=not [o for o in result["overflow"] if o["viewport"] == "phone"],
            desktop_status_column=not [s for s in result["status_off_screen"] if s["viewport"] == "desktop"],
            phone_status_column=not [s for s in result["status_off_screen"] if s["viewport"] == "phone"],
            pdf_pages=result["pdf"] is not None and result["pdf"]["pages"] <= MAX_PDF_PAGES,
            heading_order=not result["heading_jumps"],
            link_text=not result["empty_link_text"],
            badge_contrast=bool(result["badge_colours"]) and not result["low_contrast"],
        )
    result["checks"] = checks
    result["ok"] = all(checks.values())
    return result


def _record(result: dict[str, Any], name: str, rel: str, info: dict[str, Any]) -> None:
    """Fold one page × viewport measurement into the result's problem lists."""
    vp = info["viewport"]
    where = {"page": rel, "viewport": vp}
    result["browser_pages"].append({"name": name, "page": rel, **{k: v for k, v in info.items()}})
    if info["screenshot"]:
        result["screenshots"][vp][name] = info["screenshot"]
    for m in info["console"]:
        result["console_messages"].append({**where, **m})
        if m["type"] in ("error", "assert"):
            result["console_errors"].append({**where, **m})
    result["exceptions"] += [{**where, "text": t} for t in info["exceptions"]]
    for img in info["images"]:
        if not img["natural_width"]:
            result["missing_images"].append({**where, **img})
        if not (img["alt"] or "").strip():
            result["missing_alt"].append({**where, **img})
    if info["scroll_width"] > info["viewport_width"]:
        result["overflow"].append({**where, "scroll_width": info["scroll_width"], "width": info["viewport_width"],
                                   "widest": info["widest"], "sticking_out": info["sticking_out"]})
    for t in info["status_tables"]:
        result["status_tables"].append({**where, "how": info["status_how"], **t})
        if t["off_screen"]:
            result["status_off_screen"].append({**where, "how": info["status_how"], **t})
    if vp == "desktop":  # the same DOM at both viewports: structure checked once
        result["heading_jumps"] += [{**where, **j} for j in heading_jumps(info["headings"])]
        result["empty_link_text"] += [{**where, **a} for a in info["empty_links"]]
    seen = {(c["page"], c["class"], c["color"], c["background"]) for c in result["badge_colours"]}
    for bd in info["badges"]:
        fg_rgba = bd["color"]
        bg = composite(bd["backgrounds"])
        fg = composite([fg_rgba, [*bg, 1]])
        item = {"page": rel, "class": bd["class"], "color": hex_colour(fg), "background": hex_colour(bg),
                "ratio": round(contrast_ratio(fg, bg), 2), "count": bd["count"], "text": bd["text"]}
        if (rel, item["class"], item["color"], item["background"]) in seen:
            continue
        seen.add((rel, item["class"], item["color"], item["background"]))
        result["badge_colours"].append(item)
        if item["ratio"] < MIN_CONTRAST:
            result["low_contrast"].append(item)


def summary(result: dict[str, Any]) -> str:
    """Bilingual (Vietnamese / English) text summary of a check() result."""
    out = [f"Trang đã kiểm tra liên kết / pages link-checked: {len(result['pages'])}"]
    out.append(f"Liên kết hỏng / broken links: {len(result['broken_links'])}")
    for b in result["broken_links"]:
        out.append(f"  {b['page']}:{b['line']}: {b['href']} -> {b['target']} (không tồn tại / does not exist)")
    out.append(f"Neo # không có id / missing #fragments: {len(result['missing_fragments'])}")
    for f in result["missing_fragments"]:
        out.append(f"  {f['page']}:{f['line']}: {f['href']} (không có id / no id) '{f['fragment']}'")
    if not result.get("browser_pages"):
        out.append("Không chạy trình duyệt / browser part skipped (--no-browser)")
    else:
        n_pages = len({p["page"] for p in result["browser_pages"]})
        out.append(f"Chromium: {n_pages} trang / pages × {len(VIEWPORTS)} khổ / viewports "
                   f"({', '.join(VIEWPORTS)}) in {result.get('browser_seconds', '?')} s")
        for m in result["console_errors"]:
            out.append(f"  console [{m['type']}] {m['viewport']} {m['page']}: {m['text']}")
        for e in result["exceptions"]:
            out.append(f"  Ngoại lệ JS / page error {e['viewport']} {e['page']}: {e['text']}")
        for m in result["missing_images"]:
            out.append(f"  Ảnh không tải được / image not loaded: {m['viewport']} {m['page']}: src={m['src']}")
        for m in result["missing_alt"]:
            out.append(f"  Ảnh thiếu alt / image without alt: {m['viewport']} {m['page']}: src={m['src']}")
        for o in result["overflow"]:
            w = o["widest"] or {}
            out.append(f"  Rộng hơn màn hình / wider than the viewport: {o['viewport']} {o['page']}: "
                       f"{o['scroll_width']} px > {o['width']} px; xa nhất / widest: {w.get('element')} "
                       f"(right {w.get('right')} px, '{w.get('text', '')[:40]}')")
        for s in result["status_off_screen"]:
            out.append(f"  Cột trạng thái ngoài màn hình / status column off-screen: {s['viewport']} {s['page']}: "
                       f"{s['off_screen']}/{s['cells']} ô / cells, right edge up to {s['max_right']} px "
                       f"({s['caption'][:50] or s['table']})")
        for j in result["heading_jumps"]:
            out.append(f"  Tiêu đề nhảy cấp / heading jump: {j['page']}: h{j['from']} -> h{j['to']} '{j['text'][:50]}'")
        for a in result["empty_link_text"]:
            out.append(f"  Liên kết không có chữ / link without text: {a['page']}: {a['href']} ({a['element']})")
        pairs = sorted({(c["class"], c["color"], c["background"], c["ratio"]) for c in result["badge_colours"]},
                       key=lambda x: x[3])
        out.append("Nhãn / badges (chữ / text on nền / background, tỉ lệ / ratio): "
                   + "; ".join(f"{c} {fg} on {bg} {r}:1" for c, fg, bg, r in pairs))
        if result["pdf"]:
            out.append(f"PDF {result['pdf']['page']}: {result['pdf']['pages']} trang A4 / A4 pages "
                       f"({result['pdf']['path']})")
        shots = sum(len(v) for v in result["screenshots"].values())
        out.append(f"Ảnh chụp / screenshots: {shots} (" + ", ".join(
            f"{v}: {len(s)}" for v, s in result["screenshots"].items()) + ")")
        trunc = [p for p in result["browser_pages"] if p.get("screenshot_truncated")]
        if trunc:
            out.append("  cắt chiều cao / height capped: " + ", ".join(
                f"{p['viewport']} {p['name']} ({p['page_height']} px)" for p in trunc))
    for name, ok in result["checks"].items():
        out.append(f"[{'ĐẠT / OK  ' if ok else 'LỖI / FAIL'}] {CHECKS[name]}")
    out.append("KẾT QUẢ / RESULT: " + ("ĐẠT / OK" if result["ok"] else "CÓ LỖI / PROBLEMS FOUND"))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index", type=Path, help="reports/<Q>/index.html")
    ap.add_argument("--out", type=Path, default=None,
                    help="folder for the screenshots and the PDF (default: <index dir>/screenshots)")
    ap.add_argument("--extra", type=Path, action="append", default=[], help="another page to check (repeatable)")
    ap.add_argument("--root", type=Path, default=None, help="reports folder (default: two levels above the index)")
    ap.add_argument("--no-browser", action="store_true", help="link check only (no Chromium needed)")
    ap.add_argument("--json", type=Path, default=None, help="also write the full result as JSON here")
    args = ap.parse_args(argv)
    if not args.index.is_file():
        print(f"Không có tệp / no such file: {args.index} (chạy / run `make quarterly`)", file=sys.stderr)
        return 2
    out = args.out or args.index.parent / "screenshots"
    try:
        result = check(args.index, args.extra, out, browser=not args.no_browser, root=args.root)
    except ChromiumNotFound as e:
        print(f"{NOT_INSTALLED}{e}", file=sys.stderr)
        return 3
    except PlaywrightMissing as e:
        print(str(e), file=sys.stderr)
        return 3
    except (BrowserError, OSError) as e:
        print(f"Lỗi trình duyệt / browser failure: {e}", file=sys.stderr)
        return 2
    print(summary(result))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
