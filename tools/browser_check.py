"""Real-browser check of the rendered HTML reports: links, #fragments, images, console, screenshots.

Kiểm tra báo cáo HTML bằng trình duyệt thật (Chromium không giao diện): liên kết, neo #, ảnh, console, ảnh chụp màn hình.

Two parts:

* a static link check (standard library ``html.parser``): every page reachable from the index by relative links to
  ``.html`` files inside the reports folder is parsed once (breadth-first, quarter-switcher links included); every
  relative link whose target file does not exist and every ``#fragment`` without a matching ``id`` is reported;
* a browser check: headless Chromium driven over the Chrome DevTools Protocol (CDP) opens the index, the overview
  and the first ``agencies/*.html`` page linked, collects console messages / JS exceptions / log entries, checks that
  every ``<img>`` loaded (``naturalWidth > 0``) and saves full-page PNG screenshots.

The CDP client uses only the standard library: Chromium is started with ``--remote-debugging-port=0``, the port
and browser websocket path are read from ``<user-data-dir>/DevToolsActivePort`` and a minimal RFC 6455 websocket
client (text frames, masked, no extensions) speaks JSON-RPC to the browser target; pages are driven through
flattened sessions (``Target.attachToTarget(flatten=True)``), so one socket serves every tab.

Usage:  python tools/browser_check.py reports/2023Q2/index.html --out reports/2023Q2/screenshots
Exit codes: 0 all good, 1 problems found, 2 bad arguments / browser failure, 3 Chromium not installed.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

CHROMIUM_ENV = "PARPLAN_CHROMIUM"  # path of the browser binary; when set, nothing else is tried
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                  "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars"]
VIEWPORT = (1280, 900)
MAX_SHOT_HEIGHT = 16000  # Chromium cannot capture taller surfaces reliably
NOT_INSTALLED = "Không có Chromium / Chromium not installed: "


class ChromiumNotFound(RuntimeError):
    """No Chromium binary: install it with `apt-get install -y chromium` (or set PARPLAN_CHROMIUM)."""


class BrowserError(RuntimeError):
    """Chromium started but the DevTools conversation failed."""


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
# Minimal websocket client (RFC 6455): client side, text frames, masking, no extensions
# --------------------------------------------------------------------------------------------------------------

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class WebSocket:
    """Just enough websocket for the DevTools protocol: send text frames, receive (possibly fragmented) messages."""

    def __init__(self, host: str, port: int, path: str, timeout: float = 30.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        # No Origin header: Chromium only checks --remote-allow-origins for requests that carry one.
        request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode("ascii"))
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if len(lines[0].split()) < 2 or lines[0].split()[1] != "101":
            raise BrowserError(f"websocket handshake refused: {lines[0]}")
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
        expected = base64.b64encode(hashlib.sha1((key + WS_GUID).encode("ascii")).digest()).decode("ascii")
        if headers.get("sec-websocket-accept") != expected:
            raise BrowserError("websocket handshake: bad Sec-WebSocket-Accept")

    def _fill(self) -> None:
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise BrowserError("websocket closed by the browser")
        self.buf += chunk

    def _read(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        n = len(payload)
        header = bytes([0x80 | opcode])
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        self.sock.sendall(header + mask + mask_bytes(payload, mask))

    def send(self, text: str) -> None:
        self._send_frame(0x1, text.encode("utf-8"))

    def recv(self) -> str:
        """Next complete text message (answers pings, raises BrowserError on close)."""
        parts: list[bytes] = []
        while True:
            b0, b1 = self._read(2)
            fin, opcode = b0 & 0x80, b0 & 0x0F
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else b""
            payload = self._read(n)
            if mask:
                payload = mask_bytes(payload, mask)
            if opcode == 0x9:  # ping -> pong
                self._send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            if opcode == 0x8:
                raise BrowserError("websocket closed by the browser")
            parts.append(payload)  # 0x1 text, 0x2 binary, 0x0 continuation
            if fin:
                return b"".join(parts).decode("utf-8")

    def close(self) -> None:
        try:
            self._send_frame(0x8, struct.pack("!H", 1000))
        except OSError:
            pass
        self.sock.close()


def mask_bytes(data: bytes, mask: bytes) -> bytes:
    """XOR `data` with the repeating 4-byte `mask` (fast: one big-integer XOR)."""
    if not data:
        return data
    n = len(data)
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")


# --------------------------------------------------------------------------------------------------------------
# Chromium + DevTools protocol
# --------------------------------------------------------------------------------------------------------------

def find_chromium() -> str:
    """Path of the Chromium binary, or ChromiumNotFound with what was tried."""
    forced = os.environ.get(CHROMIUM_ENV)
    if forced is not None:
        if forced and Path(forced).is_file() and os.access(forced, os.X_OK):
            return forced
        raise ChromiumNotFound(f"{CHROMIUM_ENV}={forced!r} is not an executable file "
                               "(apt-get install -y chromium)")
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    raise ChromiumNotFound("neither /usr/bin/chromium nor chromium/chromium-browser/google-chrome on PATH "
                           "(apt-get install -y chromium)")


class Browser:
    """Headless Chromium with one CDP websocket to the browser target; pages are flattened sessions."""

    def __init__(self, binary: str | None = None, timeout: float = 60.0) -> None:
        self.binary = binary or find_chromium()
        self.timeout = timeout
        self.profile = Path(tempfile.mkdtemp(prefix="parplan-chromium-"))
        self.log_path = self.profile.parent / (self.profile.name + ".log")
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.ws: WebSocket | None = None
        self.proc: subprocess.Popen | None = None
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [self.binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-port=0",
                 f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        active = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        lines: list[str] = []
        while time.monotonic() < deadline:
            if active.exists():
                lines = active.read_text().split()
                if len(lines) >= 2:
                    break
            if self.proc.poll() is not None:
                raise BrowserError(f"Chromium exited with code {self.proc.returncode}: {self._log_tail()}")
            time.sleep(0.05)
        else:
            raise BrowserError(f"Chromium did not open its DevTools port within {self.timeout:.0f} s: "
                               f"{self._log_tail()}")
        self.ws = WebSocket("127.0.0.1", int(lines[0]), lines[1], timeout=self.timeout)

    def _log_tail(self, n: int = 1500) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        """Send one command and wait for its answer; events received meanwhile are queued in self.events."""
        assert self.ws is not None
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')} {reply['error'].get('data', '')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)
        raise BrowserError(f"{method}: no answer within {self.timeout:.0f} s")

    def wait_event(self, method: str, session: str) -> dict[str, Any]:
        """Wait for an event of `session` (looks at the already-queued events first)."""
        assert self.ws is not None
        deadline = time.monotonic() + self.timeout
        while True:
            for ev in self.events:
                if ev.get("method") == method and ev.get("sessionId") == session and not ev.get("_seen"):
                    ev["_seen"] = True
                    return ev
            if time.monotonic() > deadline:
                raise BrowserError(f"no {method} within {self.timeout:.0f} s")
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self.events.append(msg)

    def inspect(self, page: Path, screenshot: Path | None) -> dict[str, Any]:
        """Open `page` in a new tab; return its console messages, exceptions and image sizes; save a screenshot."""
        url = page.resolve().as_uri()
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        try:
            for domain in ("Page", "Runtime", "Log"):
                self.send(f"{domain}.enable", session=session)
            self.send("Emulation.setDeviceMetricsOverride", {"width": VIEWPORT[0], "height": VIEWPORT[1],
                                                             "deviceScaleFactor": 1, "mobile": False}, session)
            first = len(self.events)
            nav = self.send("Page.navigate", {"url": url}, session)
            if nav.get("errorText"):
                raise BrowserError(f"{url}: {nav['errorText']}")
            self.wait_event("Page.loadEventFired", session)
            images = self.send("Runtime.evaluate", {
                "expression": """(async () => {
                    const imgs = Array.from(document.images);
                    imgs.forEach(i => { if (i.loading === 'lazy') i.loading = 'eager'; });
                    await Promise.all(imgs.map(i => i.complete ? null
                        : new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
                    return imgs.map(i => [i.alt, i.naturalWidth, i.src.slice(0, 80)]);
                })()""",
                "awaitPromise": True, "returnByValue": True}, session)
            if "exceptionDetails" in images:
                raise BrowserError(f"{url}: image probe failed: {images['exceptionDetails'].get('text')}")
            img_list = images["result"]["value"]
            # let late console messages / log entries arrive: a cheap round trip after the load
            self.send("Runtime.evaluate", {"expression": "document.readyState", "returnByValue": True}, session)
            shot, full_height = None, None
            if screenshot is not None:
                metrics = self.send("Page.getLayoutMetrics", session=session)
                size = metrics.get("cssContentSize") or metrics.get("contentSize")
                width = max(VIEWPORT[0], int(size["width"]))
                full_height = int(size["height"])
                height = min(MAX_SHOT_HEIGHT, max(VIEWPORT[1], full_height))
                data = self.send("Page.captureScreenshot", {
                    "format": "png", "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}}, session)["data"]
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                screenshot.write_bytes(base64.b64decode(data))
                shot = str(screenshot)
            messages, exceptions = _collect(self.events[first:], session)
            return {"url": url, "images": img_list, "console": messages, "exceptions": exceptions,
                    "screenshot": shot, "page_height": full_height,
                    "screenshot_truncated": bool(full_height and full_height > MAX_SHOT_HEIGHT)}
        finally:
            try:
                self.send("Target.closeTarget", {"targetId": target})
            except BrowserError:
                pass

    def close(self) -> None:
        if self.ws is not None:
            try:
                self.send("Browser.close")
            except (BrowserError, OSError, ValueError):
                pass
            self.ws.close()
            self.ws = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:  # only the process group this object started
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
            self.proc = None
        shutil.rmtree(self.profile, ignore_errors=True)
        self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _remote_object_text(arg: dict[str, Any]) -> str:
    if "value" in arg:
        return str(arg["value"])
    return str(arg.get("description") or arg.get("unserializableValue") or arg.get("type", ""))


def _collect(events: list[dict[str, Any]], session: str) -> tuple[list[dict[str, str]], list[str]]:
    """Console messages (console API calls + log entries) and exceptions of one session."""
    messages: list[dict[str, str]] = []
    exceptions: list[str] = []
    for ev in events:
        if ev.get("sessionId") != session:
            continue
        p = ev.get("params", {})
        if ev["method"] == "Runtime.consoleAPICalled":
            level = {"warning": "warning", "error": "error", "assert": "error"}.get(p.get("type", ""), "info")
            messages.append({"source": "console", "level": level, "type": p.get("type", ""),
                             "text": " ".join(_remote_object_text(a) for a in p.get("args", []))})
        elif ev["method"] == "Log.entryAdded":
            e = p.get("entry", {})
            messages.append({"source": e.get("source", "log"), "level": e.get("level", "info"),
                             "type": e.get("level", ""), "text": f"{e.get('text', '')} {e.get('url', '')}".strip()})
        elif ev["method"] == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            exceptions.append(f"{d.get('text', '')} {d.get('exception', {}).get('description', '')}".strip())
    return messages, exceptions


# --------------------------------------------------------------------------------------------------------------
# The whole check
# --------------------------------------------------------------------------------------------------------------

def _district_first(pages: list[Path]) -> list[Path]:
    """Agency pages with the district scorecards first (the screenshot reviewers look at is a district's)."""
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from parplan import catalogue

        kinds = {a.code: a.kind for y in catalogue.available_plans() for a in catalogue.load_plan(y).agencies.values()}
    except Exception:  # the checker also works outside the project
        return list(pages)
    return sorted(pages, key=lambda p: 0 if kinds.get(p.stem) == "district" else 1)


def check(index_html: Path, extra_pages: list[Path], out_dir: Path, *, browser: bool = True,
          root: Path | None = None) -> dict[str, Any]:
    """Link check of everything reachable from `index_html` (+ `extra_pages`), then a headless-Chromium check of the
    index, the overview and the first agency page linked (+ every extra page), screenshots into `out_dir`.

    Raises ChromiumNotFound when `browser` is true and no Chromium is installed. `result["ok"]` is false on any
    broken link, missing #fragment, image not loaded, console error or JS exception.
    """
    index_html = Path(index_html).resolve()
    out_dir = Path(out_dir)
    binary = find_chromium() if browser else None
    links = check_links(index_html, extra_pages, root=root)
    result: dict[str, Any] = {k: links[k] for k in ("root", "pages", "broken_links", "missing_fragments")}
    agency_pages = links["agency_pages"]
    own = [p for p in agency_pages if p.parent.parent == index_html.parent]  # prefer the index's own quarter
    candidates = own or agency_pages
    agency = (_district_first(candidates) or [None])[0]
    overview = index_html.parent / "overview.html"
    linked_overview = overview in links["page_paths"]
    targets: list[tuple[str, Path]] = [("index", index_html)]
    if linked_overview:
        targets.append(("overview", overview))
    if agency is not None:
        targets.append(("agency", agency))
    for p in extra_pages:
        p = Path(p).resolve()
        if p.is_file() and p not in [t for _, t in targets]:
            name = p.stem
            while name in [n for n, _ in targets]:
                name += "_"
            targets.append((name, p))
    result["agency_page"] = _rel(agency, Path(links["root"])) if agency else None
    result["browser_pages"] = {}
    result.update(missing_images=[], console_errors=[], console_messages=[], exceptions=[], screenshots={})
    if browser:
        with Browser(binary) as b:
            for name, page in targets:
                info = b.inspect(page, out_dir / f"{name}.png")
                rel = _rel(page, Path(links["root"]))
                result["browser_pages"][name] = {"page": rel, **info}
                result["screenshots"][name] = info["screenshot"]
                for alt, width, src in info["images"]:
                    if not width:
                        result["missing_images"].append({"page": rel, "alt": alt, "src": src})
                for m in info["console"]:
                    result["console_messages"].append({"page": rel, **m})
                    if m["level"] == "error":
                        result["console_errors"].append({"page": rel, **m})
                result["exceptions"] += [{"page": rel, "text": t} for t in info["exceptions"]]
    result["ok"] = not any(result[k] for k in ("broken_links", "missing_fragments", "missing_images",
                                               "console_errors", "exceptions"))
    return result


def summary(result: dict[str, Any]) -> str:
    """Bilingual (Vietnamese / English) text summary of a check() result."""
    out = [f"Trang đã kiểm tra / pages checked: {len(result['pages'])}"]
    for p in result["pages"]:
        out.append(f"  {p}")
    out.append(f"Liên kết hỏng / broken links: {len(result['broken_links'])}")
    for b in result["broken_links"]:
        out.append(f"  {b['page']}:{b['line']}: {b['href']} -> {b['target']} (không tồn tại / does not exist)")
    out.append(f"Neo # không có id / missing #fragments: {len(result['missing_fragments'])}")
    for f in result["missing_fragments"]:
        out.append(f"  {f['page']}:{f['line']}: {f['href']} (không có id / no id) '{f['fragment']}'")
    if result.get("browser_pages"):
        for name, info in result["browser_pages"].items():
            n_img = len(info["images"])
            ok_img = sum(1 for _, w, _ in info["images"] if w)
            out.append(f"Chromium [{name}] {info['page']}: ảnh / images {ok_img}/{n_img}, "
                       f"console {len(info['console'])}, ngoại lệ / exceptions {len(info['exceptions'])}, "
                       f"ảnh chụp / screenshot {info['screenshot']}"
                       + (f" (cắt ở / cut at {MAX_SHOT_HEIGHT} px of {info['page_height']} px)"
                          if info.get("screenshot_truncated") else ""))
        for m in result["missing_images"]:
            out.append(f"  Ảnh không tải được / image not loaded: {m['page']}: alt='{m['alt']}' src={m['src']}")
        for m in result["console_messages"]:
            out.append(f"  console [{m['level']}] {m['page']}: {m['text']}")
        for e in result["exceptions"]:
            out.append(f"  Ngoại lệ JS / JS exception {e['page']}: {e['text']}")
        if result.get("agency_page") is None:
            out.append("  (chưa có trang đơn vị agencies/*.html nào được liên kết / no agencies/*.html page linked yet)")
    else:
        out.append("Không chạy trình duyệt / browser part skipped (--no-browser)")
    out.append("KẾT QUẢ / RESULT: " + ("ĐẠT / OK" if result["ok"] else "CÓ LỖI / PROBLEMS FOUND"))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index", type=Path, help="reports/<Q>/index.html")
    ap.add_argument("--out", type=Path, default=None, help="folder for the screenshots (default: <index dir>/screenshots)")
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
    except (BrowserError, OSError) as e:
        print(f"Lỗi trình duyệt / browser failure: {e}", file=sys.stderr)
        return 2
    print(summary(result))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
