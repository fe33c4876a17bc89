"""HTML building blocks for reports: escaping, tables, badges, banner and the page shell (no external resources)."""
from __future__ import annotations

import html as _html
from collections.abc import Sequence
from pathlib import Path

CSS_FILE = Path(__file__).with_name("report.css")

T = {
    "sample_banner": {"vi": "DỮ LIỆU MẪU — SAMPLE DATA: số liệu do máy sinh ra để thử nghiệm, không phải số liệu thật.",
                      "en": "DỮ LIỆU MẪU — SAMPLE DATA: generated test figures, not real data."},
}


# A file's validation verdict -> (badge class, Vietnamese label, English label); shared by every report.
VERDICT = {"accepted": ("ok", "Hợp lệ", "Accepted"), "accepted_with_warnings": ("warn", "Hợp lệ, có cảnh báo", "Accepted, warnings"),
           "rejected": ("rejected", "Bị từ chối", "Rejected")}


def esc(text: object) -> str:
    """HTML-escape any value (agency text is untrusted)."""
    return _html.escape("" if text is None else str(text), quote=True)


def badge(status: str, label: str) -> str:
    """A coloured status pill; the colour class comes from a fixed list, the label is escaped."""
    cls = status if status in {"met", "not_met", "no_data", "warn", "ok", "rejected"} else "neutral"
    return f'<span class="badge {cls}">{esc(label)}</span>'


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], caption: str = "", raw_cols: Sequence[int] = (),
          numeric_cols: Sequence[int] = ()) -> str:
    """An accessible table; cells are escaped except the column indexes listed in raw_cols (pre-built HTML)."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = []
    for r in rows:
        cells = []
        for j, c in enumerate(r):
            content = c if j in raw_cols else esc(c)
            cls = ' class="num"' if j in numeric_cols else ""
            cells.append(f"<td{cls}>{content}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f'<div class="table-wrap"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def sample_banner(lang: str = "vi") -> str:
    """The visible banner every report built from the shipped sample data carries."""
    return f'<div class="sample-banner" role="note">{esc(T["sample_banner"][lang])}</div>'


def page(title: str, body: str, lang: str = "vi", sample: bool = False, footer: str = "") -> str:
    """A complete, self-contained HTML page (inline CSS, no scripts, no external links)."""
    css = CSS_FILE.read_text(encoding="utf-8")
    banner = sample_banner(lang) if sample else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n{banner}\n<main>\n{body}\n{footer}\n</main>\n"
        f"{banner}\n</body>\n</html>\n"
    )
