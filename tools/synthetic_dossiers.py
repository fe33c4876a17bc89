"""Large synthetic dossier files for the 200 000-row corpus case and the ingest benchmark (written, never shipped)."""
from __future__ import annotations

import csv
from pathlib import Path


def write_dossiers(path: Path, n: int, id_format: str = "TAM_KY-L{i:07d}", commune: str = "Phường An Mỹ") -> None:
    """n regular tthc_dossiers rows of TAM_KY in 2023Q2, cells written by column name (new contract columns stay empty)."""
    from parplan.contracts import load_contract

    cols = load_contract("tthc_dossiers").columns
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow([c.header_vi for c in cols])
        for i in range(n):
            level = "Huyện" if i % 3 else "Xã"
            day = 1 + i % 28
            r = {"dossier_id": id_format.format(i=i), "agency_code": "TAM_KY", "level": level,
                 "commune": commune if level == "Xã" else "", "procedure_code": "1.000001",
                 "received_date": f"{day:02d}/04/2023", "due_date": f"{day:02d}/05/2023",
                 "completed_date": f"{day:02d}/05/2023" if i % 5 else "",
                 "status": "Đã giải quyết" if i % 5 else "Đang giải quyết",
                 "channel": "Trực tuyến" if i % 2 else "Trực tiếp", "fully_online": "Không", "fee_required": "Không",
                 "paid_online": "Không", "digitised": "Có", "apology_letter": "Không"}
            w.writerow([r.get(c.name, "") for c in cols])
