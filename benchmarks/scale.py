"""Scale benchmark for docs/scale.md (`make bench-scale`; needs the optional `scale` extra, i.e. DuckDB).

Generates processed dossier tables for 63 provinces (one Parquet file per province, the columns `ingest` writes),
then computes the quarter's dossier numerators and denominators (on time, online, online payment) per province and
unit two ways, each in its own process with its wall time and peak memory:

- pandas: parplan's own formula (`parplan.metrics.dossier_flags`), one province file at a time;
- DuckDB: the same formula as one SQL statement over all the files at once.

Both must give identical sums (the script stops otherwise). The figures go in docs/scale.md.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
PROVINCES = 63
QUARTER = "2023Q2"
START, END = "2023-04-01", "2023-06-30"


def generate(folder: Path, rows: int, seed: int = 7) -> None:
    """One Parquet file per province with `rows` dossiers in total (deterministic for a seed)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    per = rows // PROVINCES
    for p in range(PROVINCES):
        n = per + (1 if p < rows % PROVINCES else 0)
        received = pd.Timestamp("2023-01-02") + pd.to_timedelta(rng.integers(0, 170, n), unit="D")
        due = received + pd.to_timedelta(rng.integers(3, 30, n), unit="D")
        done = rng.random(n) < 0.9
        completed = (due + pd.to_timedelta(rng.integers(-10, 4, n), unit="D")).where(done, pd.NaT)
        level = rng.choice(np.array(["province", "district", "commune"]), n, p=[0.2, 0.4, 0.4])
        fee = rng.random(n) < 0.3
        frame = pd.DataFrame({
            "source_file": f"data/raw/{QUARTER}/tthc_dossiers/P{p:02d}.csv",
            "agency_code": pd.Series(rng.integers(0, 40, n)).map(lambda i, p=p: f"P{p:02d}_A{i:02d}"),
            "level": level,
            "status": np.where(done, "resolved", "pending"),
            "received_date": received, "due_date": due, "completed_date": completed,
            "channel": rng.choice(np.array(["online", "in_person", "post"]), n),
            "fee_required": fee, "paid_online": fee & (rng.random(n) < 0.6),
            "quarter": QUARTER,
        })
        frame.to_parquet(folder / f"province={p:02d}.parquet", index=False)


PANDAS_CODE = r"""
import json, sys
from pathlib import Path
import pandas as pd
from parplan.metrics import dossier_flags
start, end = pd.Timestamp(sys.argv[2]), pd.Timestamp(sys.argv[3])
out = []
for f in sorted(Path(sys.argv[1]).glob("province=*.parquet")):  # one province in memory at a time
    d = pd.read_parquet(f)
    d["quarter_end"] = end
    g = dossier_flags(d, start, end).groupby("unit")[["resolved", "ontime", "online", "fee", "paid"]].sum()
    g.insert(0, "province", f.stem.split("=")[1])
    out.append(g.reset_index())
t = pd.concat(out, ignore_index=True)
print("RESULT", json.dumps({"groups": len(t), **{c: int(t[c].sum()) for c in ["resolved", "ontime", "online", "fee", "paid"]}}))
"""

DUCKDB_CODE = r"""
import json, sys
import duckdb
con = duckdb.connect()
con.execute("SET threads TO 2")
con.execute("SET enable_progress_bar = false")
sql = '''
WITH d AS (
  SELECT regexp_extract(filename, 'province=(\d+)', 1) AS province,
         CASE WHEN level = 'commune' THEN 'XA_' || agency_code ELSE agency_code END AS unit,
         status = 'resolved' AND completed_date BETWEEN ?::TIMESTAMP AND ?::TIMESTAMP AS resolved,
         completed_date <= due_date AS on_due, channel = 'online' AS online,
         coalesce(fee_required, false) AS fee, coalesce(paid_online, false) AS paid
  FROM read_parquet(? , filename = true))
SELECT province, unit,
       sum(resolved::INT) AS resolved, sum((resolved AND on_due)::INT) AS ontime,
       sum((resolved AND online)::INT) AS online, sum((resolved AND fee)::INT) AS fee,
       sum((resolved AND fee AND paid)::INT) AS paid
FROM d GROUP BY ALL
'''
t = con.execute(sql, [sys.argv[2], sys.argv[3], sys.argv[1] + "/province=*.parquet"]).df()
print("RESULT", json.dumps({"groups": len(t), **{c: int(t[c].sum()) for c in ["resolved", "ontime", "online", "fee", "paid"]}}))
"""


def run(code: str, folder: Path) -> tuple[float, float, dict]:
    """Wall seconds, peak GB and the printed sums of one engine run (GNU time measures the process)."""
    cmd = ["/usr/bin/time", "-f", "%e %M", PY, "-c", code, str(folder), START, END]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    wall, peak_kb = p.stderr.strip().splitlines()[-1].split()
    return float(wall), int(peak_kb) / 1024 / 1024, json.loads(next(x for x in p.stdout.splitlines() if x.startswith("RESULT "))[7:])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20_000_000, help="dossier rows over all 63 provinces")
    args = ap.parse_args()
    try:
        import duckdb  # noqa: F401
    except ImportError:
        print("DuckDB không có: chạy `make bench-scale` (cài phần 'scale'). / DuckDB missing: run `make bench-scale` "
              "(installs the 'scale' extra).", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="parplan-scale-") as t:
        folder = Path(t)
        print(f"generating {args.rows:,} rows in {PROVINCES} province files ...", flush=True)
        generate(folder, args.rows)
        parquet_mb = sum(f.stat().st_size for f in folder.glob("*.parquet")) / 1e6
        p_wall, p_peak, p_sums = run(PANDAS_CODE, folder)
        d_wall, d_peak, d_sums = run(DUCKDB_CODE, folder)
    if p_sums != d_sums:
        print(f"engines disagree / hai cách tính khác nhau: pandas {p_sums} duckdb {d_sums}", file=sys.stderr)
        return 1
    per_100m = 100_000_000 / args.rows
    results = {
        "rows": args.rows, "parquet_mb": round(parquet_mb), "sums": d_sums,
        "pandas_per_province": {"wall_s": p_wall, "peak_gb": round(p_peak, 2),
                                "rows_per_s": round(args.rows / p_wall)},
        "duckdb_all_at_once": {"wall_s": d_wall, "peak_gb": round(d_peak, 2), "rows_per_s": round(args.rows / d_wall)},
        "linear_estimate_100M_rows_s": {"pandas": round(p_wall * per_100m), "duckdb": round(d_wall * per_100m)},
    }
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
