"""Command line: `python -m parplan catalogue|quarterly|ingest|new-quarter|feedback|sample|coverage|templates|language-check|issue`."""
from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from .periods import QuarterError
from .render import LANGS

if TYPE_CHECKING:
    from .catalogue import Plan


def _plan(args: argparse.Namespace) -> Plan:
    """The plan a command works on: --year, else the year of --quarter, else of the default quarter."""
    from .periods import Quarter
    from .pipeline import plan_of
    from .store import Params, Store

    store = Store.at()
    if getattr(args, "year", None):
        return plan_of(Quarter(int(args.year), 1), store.root)
    return plan_of(Params.load(store.params_dir, getattr(args, "quarter", None) or None).quarter, store.root)


def _catalogue(args: argparse.Namespace) -> int:
    from . import catalogue

    cat = _plan(args)
    frame = catalogue.targets_frame(cat) if args.targets else catalogue.tasks_frame(cat)
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        json.dump(frame.to_dict(orient="records"), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    return 0


def _quarterly(args: argparse.Namespace) -> int:
    from .periods import Quarter
    from .pipeline import quarterly

    quarterly(Quarter.parse(args.quarter) if args.quarter else None, args.lang)  # parsed once, here
    return 0


def _ingest(args: argparse.Namespace) -> int:
    from .ingest import end_summary, ingest_quarter
    from .pipeline import expected_datasets
    from .store import Params, find_root

    root = find_root()
    params = Params.load(root / "params", args.quarter or None)
    store, plan = params.store(root), _plan(args)
    m = ingest_quarter(params.quarter, store, expected_datasets(params, plan), plan, force=args.force)
    page = store.relative(store.report_dir(params.quarter, "vi", LANGS[0]) / "data-quality.html")
    for line in end_summary(m, f"{page} (make quarterly)"):
        print(line)
    return 0


def _feedback(args: argparse.Namespace) -> int:
    from .feedback import write_feedback
    from .store import Params, find_root

    root = find_root()
    params = Params.load(root / "params", args.quarter or None)
    store = params.store(root)
    paths = write_feedback(params.quarter, store, _plan(args))
    print(f"{len(paths)} tệp phản hồi / feedback workbooks: {store.feedback_dir(params.quarter)}")
    return 0


def _sample(args: argparse.Namespace) -> int:
    """The sample generator is a repository tool, not part of the library: say how to run it instead."""
    given = "".join(f" --{k} {v}" for k, v in (("quarter", args.quarter), ("out", args.out)) if v)
    print(f"Bộ sinh dữ liệu mẫu đã chuyển ra khỏi thư viện; từ thư mục gốc của kho mã chạy: make sample, hoặc "
          f"python -m tools.sample{given} / The sample generator has left the library; from the repository root "
          f"run: make sample, or python -m tools.sample{given} (tools/sample/, faults in tools/sample/faults.yaml)",
          file=sys.stderr)
    return 2


def _coverage(args: argparse.Namespace) -> int:
    from .coverage import coverage_report, coverage_table

    plan = _plan(args)
    if args.format == "csv":
        coverage_table(plan).to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(coverage_report(plan))
    return 0


def _templates(args: argparse.Namespace) -> int:
    from .templates import main as write_templates

    return write_templates(args.out, _plan(args))


def _new_quarter(args: argparse.Namespace) -> int:
    from .periods import Quarter
    from .pipeline import write_new_quarter
    from .store import Store

    store = Store.at()
    out = write_new_quarter(Quarter.parse(args.quarter), store.root, force=args.force)
    print(f"Đã ghi / written: {store.relative(out)} — kiểm tra danh sách bộ dữ liệu và đơn vị nộp rồi chạy "
          f"make quarterly QUARTER={args.quarter.upper()} / check the datasets and submitters, then run make quarterly")
    return 0


def _language_check(args: argparse.Namespace) -> int:
    from .periods import Quarter
    from .report.language_check import check_quarter
    from .store import Store

    lines, code = check_quarter(Quarter.parse(args.quarter), [args.lang] if args.lang else list(LANGS), Store.at(),
                                _plan(args), LANGS)
    print("\n".join(lines))
    return code


def _issue(args: argparse.Namespace) -> int:
    from .issuing import issue
    from .periods import Quarter

    issue(Quarter.parse(args.quarter), args.lang, date=args.date or None, reissue=args.reissue)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    p = argparse.ArgumentParser(prog="parplan", description="Quảng Nam PAR INDEX / SIPAS plan tracker (plans/<year>/)")
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("catalogue", help="export the plan catalogue (tasks, or --targets)")
    c.add_argument("--year", default="", help="the plan's year (default: the default quarter's year)")
    c.add_argument("--format", choices=["csv", "json"], default="csv")
    c.add_argument("--targets", action="store_true", help="one row per quantitative target")
    c.set_defaults(fn=_catalogue)
    q = sub.add_parser("quarterly", help="validate, ingest and render a quarter")
    q.add_argument("--quarter", default="", help="YYYYQn (default: params/defaults.yaml)")
    q.add_argument("--lang", choices=list(LANGS), default=None,
                   help="report language (default vi: reports/<Q>/; others: reports/<Q>/<lang>/)")
    q.set_defaults(fn=_quarterly)
    i = sub.add_parser("ingest", help="validate and ingest a quarter (no reports)")
    i.add_argument("--quarter", default="")
    i.add_argument("--force", action="store_true")
    i.set_defaults(fn=_ingest)
    fb = sub.add_parser("feedback", help="one annotated workbook per agency with findings (feedback/<Q>/)")
    fb.add_argument("--quarter", default="")
    fb.set_defaults(fn=_feedback)
    s = sub.add_parser("sample", help="moved: the sample generator is python -m tools.sample (make sample)")
    s.add_argument("--quarter", default="", help="see python -m tools.sample --help")
    s.add_argument("--out", default="", help="see python -m tools.sample --help")
    s.set_defaults(fn=_sample)
    nq = sub.add_parser("new-quarter", help="write params/<Q>.yaml for a new quarter from its year's plan")
    nq.add_argument("quarter", help="YYYYQn: quarter n of year YYYY")
    nq.add_argument("--force", action="store_true", help="rewrite an existing params file")
    nq.set_defaults(fn=_new_quarter)
    cv = sub.add_parser("coverage", help="every target with the metric and dataset that measure it, or why not")
    cv.add_argument("--year", default="", help="the plan's year (default: the default quarter's year)")
    cv.add_argument("--format", choices=["text", "csv"], default="text")
    cv.set_defaults(fn=_coverage)
    t = sub.add_parser("templates", help="write one Excel template per dataset")
    t.add_argument("--out", default="templates")
    t.add_argument("--year", default="", help="the plan whose agencies and tasks the lists hold (default: the default "
                   "quarter's year)")
    t.set_defaults(fn=_templates)
    lc = sub.add_parser("language-check", help="scan a quarter's rendered pages for codes, file names and the other "
                        "language's words (docs/language-check.md); exit 1 on any hit")
    lc.add_argument("--quarter", required=True, help="YYYYQn")
    lc.add_argument("--lang", choices=list(LANGS), default=None, help="one language (default: every language)")
    lc.set_defaults(fn=_language_check)
    iss = sub.add_parser("issue", help="freeze a quarter's rendered pages in reports/issued/<Q>/ with their hashes "
                         "(issued.json); the live pages then note what changed since")
    iss.add_argument("quarter", help="YYYYQn")
    iss.add_argument("--lang", choices=list(LANGS), default=None, help="the pages' language (default vi)")
    iss.add_argument("--date", default="", help="the issue date, YYYY-MM-DD (default today; recorded in issued.json "
                     "only)")
    iss.add_argument("--reissue", action="store_true", help="issue again: the old copy moves to superseded-<n>/")
    iss.set_defaults(fn=_issue)
    args = p.parse_args(argv)
    try:
        return args.fn(args)
    except QuarterError as e:
        print(f"LỖI / ERROR: {e}", file=sys.stderr)
        return 2
    except (FileNotFoundError, FileExistsError, ValueError) as e:
        print(f"LỖI / ERROR: {e}", file=sys.stderr)
        return 2
