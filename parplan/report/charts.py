"""Matplotlib charts for reports: one style and one colour-blind-safe palette, texts from the catalogue, embedded as
PNG data URIs with alt text.

Every chart: a legend, units on its axes, shares on an axis from 0, a unit's status shown by colour AND by a hatch
and its name in text, "no data" as no bar (no point) with the catalogue's label where it would be, and text that
stays readable when the image is scaled to a 390 px phone screen (a 5-inch figure, fonts of 9 pt and more).
"""
from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from cycler import cycler  # noqa: E402
from markupsafe import Markup  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from ..progress import STATUS_ORDER, at_level  # noqa: E402
from . import fmt, i18n  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7"}
GREY, LIGHT_GREY = "#7F7F7F", "#DDDDDD"
# the one palette every chart draws with: a status kind (STATUS_KIND) or a chart role -> colour
COLOURS = {"met": OKABE_ITO["bluish_green"], "not_met": OKABE_ITO["vermillion"], "no_data": GREY,
           "target": OKABE_ITO["black"], "baseline": OKABE_ITO["sky_blue"], "projection": OKABE_ITO["blue"],
           "published": GREY, "own": OKABE_ITO["blue"], "range": LIGHT_GREY, "mark": OKABE_ITO["vermillion"],
           "text": "#1B1F24"}
# a status kind is also drawn by its hatch (never by colour alone)
HATCHES = {"met": "", "not_met": "////", "no_data": ""}
MARKERS = {"met": "o", "not_met": "s", "no_data": "o"}
KINDS = ("met", "not_met", "no_data")

WIDTH = 5.0        # inches: at 110 dpi a 550 px image, so a 390 px phone screen shows it at 71 %
FONT, SMALL = 10.0, 9.0   # points: 9 pt at 110 dpi scaled to 390 px is still about 10 px high
DPI = 110
STYLE = {"font.family": "DejaVu Sans", "font.size": FONT, "axes.titlesize": FONT + 0.5, "axes.labelsize": FONT,
         "xtick.labelsize": SMALL, "ytick.labelsize": SMALL, "legend.fontsize": SMALL, "figure.titlesize": FONT + 0.5,
         "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "parplan", "figure.dpi": 100,
         "hatch.color": "white", "hatch.linewidth": 1.2, "axes.prop_cycle": cycler(color=list(OKABE_ITO.values()))}
LABEL_BOX = {"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none"}  # a label stays legible over a line
TITLE_CHARS = 58   # a title wider than the figure is wrapped (at FONT + 0.5 pt about 58 characters fit in WIDTH)


def figure(fig, alt: str, caption: str = "") -> dict[str, str]:
    """A figure as plain data for the `figure` macro: an embedded PNG data URI (no external file, deterministic
    bytes), its alt text and caption."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
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


def status_kind(status: str | None) -> str:
    """How a chart draws a unit's status (progress.at_level): 'met' (at the target's level), 'not_met' or
    'no_data' (no verdict: drawn as no bar)."""
    ok = at_level(status or "")
    return "no_data" if ok is None else "met" if ok else "not_met"


def wrap(text: str, width: int = TITLE_CHARS) -> str:
    """A chart title broken into lines that fit the figure's width."""
    return "\n".join(textwrap.wrap(text, width)) or text


def mark_axis_cut(ax, axis: str = "x") -> None:
    """Two slanted strokes at the start of an axis that does not start at 0 (a broken axis, drawn on the chart)."""
    kw = {"transform": ax.transAxes, "color": COLOURS["text"], "clip_on": False, "linewidth": 1}
    for d in (0.0, 0.012):
        if axis == "x":
            ax.plot([0.004 + d, 0.016 + d], [-0.02, 0.02], **kw)
        else:
            ax.plot([-0.02, 0.02], [0.004 + d, 0.016 + d], **kw)


def title_and_legend(fig, ax, title: str, handles: list) -> None:
    """A chart's title at the top (wrapped to the figure's width), then its legend, above the plot: what the colours,
    hatches and lines mean is read before the chart."""
    fig.legend(handles=handles, loc="outside upper left", frameon=False, title=wrap(title) if title else None,
               alignment="left", title_fontproperties={"size": FONT + 0.5})


def status_legend(statuses: Sequence[str], lang: str) -> list[Patch]:
    """Legend entries of the status kinds drawn: each kind's colour and hatch, labelled with the names of the
    statuses it stands for ('Có nguy cơ / Chậm tiến độ'), in the vocabulary's order."""
    out = []
    for kind in ("met", "not_met"):
        names = [i18n.t(f"status.{s}", lang) for s in _ordered(statuses) if status_kind(s) == kind]
        if names:
            out.append(Patch(facecolor=COLOURS[kind], hatch=HATCHES[kind], edgecolor=COLOURS[kind],
                             label=" / ".join(names)))
    return out


def _ordered(statuses: Sequence[str]) -> list[str]:
    seen = list(dict.fromkeys(s for s in statuses if s))
    return sorted(seen, key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else len(STATUS_ORDER))


def _nan(v: float | None) -> bool:
    return v is None or v != v


def threshold_bars(labels: list[str], values: list[float], threshold: float, statuses: list[str], title: str,
                   xlabel: str, threshold_label: str, lang: str = "vi", no_data: list[str] | None = None):
    """Horizontal bars on a 0–100 % axis, one per unit, each unit's name, value and status written above its bar,
    a dashed target line; colour and hatch from the unit's status (status_kind). A unit without a verdict or a
    value gets no bar: the text `no_data[i]` (default the catalogue's `charts.no_data`) stands where it would be."""
    n = len(labels)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 0.5 * n + 1.7), layout="constrained")
        for i, (label, v, s) in enumerate(zip(labels, values, statuses, strict=True)):
            kind = "no_data" if _nan(v) else status_kind(s)
            if kind == "no_data":
                note = (no_data[i] if no_data and no_data[i] else None) or i18n.t("charts.no_data", lang)
                head = str(label)
                ax.text(1, i, note, va="center", ha="left", fontsize=SMALL, style="italic", color=COLOURS["text"])
            else:
                head = i18n.t("charts.bar_label", lang, name=label, value=fmt.pct(v, lang),
                              status=i18n.t(f"status.{s}", lang).lower())
                ax.barh(i, v * 100, height=0.42, color=COLOURS[kind], hatch=HATCHES[kind], edgecolor=COLOURS[kind],
                        linewidth=0)
            ax.text(0, i - 0.27, head, va="bottom", ha="left", fontsize=SMALL, color=COLOURS["text"], bbox=LABEL_BOX)
        ax.axvline(threshold * 100, color=COLOURS["target"], linestyle="--", linewidth=1.2)
        ax.set_xlim(0, 100)
        ax.set_ylim(n - 0.5, -0.8)  # row 0 on top, room for its label
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.set_xlabel(xlabel)
        handles = status_legend([s for s, v in zip(statuses, values, strict=True) if not _nan(v)], lang)
        handles.append(Line2D([], [], color=COLOURS["target"], linestyle="--", linewidth=1.2, label=threshold_label))
        title_and_legend(fig, ax, title, handles)
    return fig


def trend_line(labels: list[str], values: list[float], title: str, ylabel: str, percent: bool = True,
               threshold: float | None = None, threshold_label: str = "", lang: str = "vi"):
    """One unit's value per quarter as a line with points (a gap and the catalogue's 'no data' where there is no
    value), a share on an axis from 0, an optional target line; a legend whenever there is a target."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 3.2), layout="constrained")
        scale = 100 if percent else 1
        ys = [float("nan") if _nan(v) else v * scale for v in values]
        ax.plot(range(len(labels)), ys, marker="o", color=COLOURS["projection"])
        for x, y in enumerate(ys):
            if y != y:
                ax.text(x, 0.5, i18n.t("charts.no_data", lang), transform=ax.get_xaxis_transform(), ha="center",
                        va="center", rotation=90, fontsize=SMALL, style="italic", color=COLOURS["text"])
        ax.set_xticks(range(len(labels)), labels)
        if percent:
            ax.set_ylim(0, 105)
        if threshold is not None:
            ax.axhline(threshold * scale, color=COLOURS["target"], linestyle="--", linewidth=1.2, label=threshold_label)
            ax.legend(loc="lower left", frameon=False)
        ax.set_ylabel(ylabel)
        ax.set_title(wrap(title), loc="left")
    return fig
