"""Matplotlib charts for reports: one style, Vietnamese labels, embedded as PNG data URIs with alt text."""
from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from markupsafe import Markup  # noqa: E402

from . import fmt, i18n  # noqa: E402

COLOURS = {"met": "#1a7f37", "not_met": "#b42318", "no_data": "#8c959f", "target": "#1b1f24"}
STYLE = {"font.family": "DejaVu Sans", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
         "svg.hashsalt": "parplan", "figure.dpi": 100}


def figure(fig, alt: str, caption: str = "") -> dict[str, str]:
    """A figure as plain data for the `figure` macro: an embedded PNG data URI (no external file, deterministic
    bytes), its alt text and caption."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return {"src": "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii"), "alt": alt,
            "caption": caption}


def figure_html(fig, alt: str, caption: str = "", lang: str | None = None) -> Markup:
    """A figure rendered through the `figure` template (an <img> with alt text and an optional caption)."""
    from .layout import render

    return render("figure.html.j2", lang or i18n.default_language(), figure=figure(fig, alt, caption))


def axis_cut_note(lo: float, lang: str) -> str:
    """'(trục bắt đầu từ 90 %)' in the page's language (the catalogue's `charts.axis_cut`)."""
    return i18n.t("charts.axis_cut", lang, start=fmt.pct(lo / 100, lang, 0))


def threshold_bars(labels: list[str], values: list[float], threshold: float, met: list[bool | None],
                   title: str, xlabel: str, threshold_label: str, lang: str = "vi"):
    """Horizontal bars (one per agency) with a vertical target line; colour = met / not met / no data."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 0.28 * len(labels) + 1.2))
        ys = range(len(labels))
        cols = [COLOURS["no_data"] if m is None else COLOURS["met"] if m else COLOURS["not_met"] for m in met]
        vals = [0 if v != v else v * 100 for v in values]
        ax.barh(list(ys), vals, color=cols)
        ax.set_yticks(list(ys), labels)
        ax.invert_yaxis()
        lo = min([v for v in vals if v > 0] + [threshold * 100]) - 3
        ax.set_xlim(max(0, lo), 100.5)
        if lo > 0:  # a cut axis magnifies differences: say so on the chart itself
            xlabel = f"{xlabel} {axis_cut_note(lo, lang)}"
        ax.axvline(threshold * 100, color=COLOURS["target"], linestyle="--", linewidth=1)
        ax.text(threshold * 100, -0.8, threshold_label, ha="center", va="bottom", fontsize=8)
        ax.set_xlabel(xlabel)
        ax.set_title(title, loc="left", fontsize=10)
        fig.tight_layout()
    return fig


def trend_line(labels: list[str], values: list[float], title: str, ylabel: str, percent: bool = True,
               threshold: float | None = None, threshold_label: str = ""):
    """One unit's value per quarter as a line with points (a gap where there is no value), optional target line."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 3.2))
        scale = 100 if percent else 1
        ys = [v * scale if v == v and v is not None else float("nan") for v in values]
        ax.plot(range(len(labels)), ys, marker="o", color=COLOURS["target"])
        ax.set_xticks(range(len(labels)), labels)
        if threshold is not None:
            ax.axhline(threshold * scale, color=COLOURS["not_met"], linestyle="--", linewidth=1, label=threshold_label)
            ax.legend(loc="best", fontsize=8, frameon=False)
        ax.set_ylabel(ylabel)
        ax.set_title(title, loc="left", fontsize=10)
        fig.tight_layout()
    return fig
