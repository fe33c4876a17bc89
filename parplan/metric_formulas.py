"""A metric's `formula` text, generated from its declaration in catalogue/metrics.yaml (tests fail when they differ).

Dossier metrics read in words (catalogue/metrics.yaml `dossier_terms`, Vietnamese and English: parplan.metrics);
the other declared metrics read as their expressions; a custom metric as its function's first docstring line.
"""
from __future__ import annotations

import inspect
from typing import Any

from .metrics import TERMS, is_dossier_metric
from .metrics import formula_text as dossier_formula_text
from .metrics_engine import DOSSIERS, Declaration, DeclarationError, Measure, custom_function

GROUP_WORDS = {"ratio_of_sums": "groups: ratio of sums", "sum": "groups: sum",
               "mean": "groups: mean of the units' values", "per_unit": "no group value (per unit only)"}
PER_WORDS = {"agency": "per agency", "province": "for the province",
             "agency_or_commune_group": "per agency (commune-level rows in their district's commune group XA_<district>)"}


def _measure(m: Measure) -> str:
    where = f" where {' and '.join(m.where)}" if m.where else ""
    expr = f"({m.expr})" if any(op in m.expr for op in " +-*/") else m.expr
    return f"count of rows{where}" if m.how == "count" else f"Σ {expr}{where}"


def _rows(d: Declaration) -> str:
    if d.kind == "stock":
        among = f", among rows where {' and '.join(d.among)}" if d.among else ""
        text = f"{d.dataset}: the latest report per {' + '.join(d.latest_per)} as of the period end (by {d.latest_by}{among}; stock)"
    else:
        once = f", each {d.one_row_per} once (its latest report)" if d.one_row_per else ""
        span = "the year to date's reports (for the Q row too)" if d.period == "YTD" else "the period's reports"
        text = f"{d.dataset}: {span}{once} (flow)"
    return text + (f", rows where {' and '.join(d.filters)}" if d.filters else "")


def declared_formula(d: Declaration) -> str:
    """The formula of a declared (non-dossier) metric."""
    if d.custom:
        doc = (inspect.getdoc(custom_function(d.custom)) or "").splitlines()[0]
        args = ", ".join(f"{k}={v}" for k, v in d.args.items())
        head = f"{doc} [{d.custom}({args})]"
    else:
        assert d.numerator is not None
        head = _measure(d.numerator) + (f" ÷ {_measure(d.denominator)}" if d.denominator else "")
        head += f"; {_rows(d)}"
    extra = [PER_WORDS[d.per], GROUP_WORDS[d.group]]
    if d.provisional == "until_year_end":
        extra.append("provisional until Q4")
    if d.as_of_column:
        extra.append(f"a target's as_of date reads the reports with {d.as_of_column} = as_of")
    if d.zero_when_none:
        extra.append("0 when the dataset has rows but none match")
    if "{baseline_year}" in " ".join(d.expressions()):
        extra.append("{baseline_year}: the target's baseline year")
    return "; ".join([head, *extra])


def formula_text(spec: dict[str, Any], lang: str = "en") -> str | None:
    """The `formula` (lang 'en') or `formula_vi` ('vi') a metrics.yaml entry must state; None: none generated."""
    if is_dossier_metric(spec):
        return dossier_formula_text(spec, lang)
    d = Declaration.of(spec) if lang == "en" else None
    return declared_formula(d) if d else None


def is_implemented(spec: dict[str, Any]) -> bool:
    """Whether parplan computes a metrics.yaml entry: a dossier metric of known terms or a declaration the engine reads."""
    if spec.get("dataset") == DOSSIERS and spec.get("numerator") and not is_dossier_metric(spec):
        raise DeclarationError(f"{spec['id']}: chỉ số hồ sơ chỉ dùng các điều kiện {', '.join(TERMS)} / a dossier "
                               f"metric's filters and numerator name only the terms {', '.join(TERMS)}")
    return is_dossier_metric(spec) or (spec.get("dataset") != DOSSIERS and Declaration.of(spec) is not None)
