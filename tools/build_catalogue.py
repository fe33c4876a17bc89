"""Bootstrap plans/2023/tasks.yaml from the appendix rows, the English translations and curated targets.

The YAML it writes is the source of truth afterwards (edit the YAML, not this script); kept for provenance:
  python tools/draft_catalogue.py plans/2023/sources/ke-hoach-2023.txt > tools/appendix_rows.json
  python tools/build_catalogue.py            # writes plans/2023/tasks.yaml
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from parplan.catalogue import _load_agencies, parse_schedule, resolve_agencies  # noqa: E402


def T(metric, scope, op, value, unit, direction, text_vi, **extra):
    d = {"metric": metric, "scope": scope, "op": op, "value": value, "unit": unit, "direction": direction,
         "text_vi": text_vi}
    d.update(extra)
    return d


FULL = ("fraction", "higher")
TARGETS: dict[str, list[dict]] = {
    "A.I.1": [T("cchc_plan_tasks_completed_share", "province", ">=", 1.0, *FULL, "100% nhiệm vụ đề ra tại Kế hoạch được hoàn thành")],
    "A.I.3": [
        T("inspected_agencies_share", "province", ">=", 0.30, *FULL, "kiểm tra ít nhất 30% số cơ quan, đơn vị trở lên"),
        T("inspection_plan_completion_share", "province", ">=", 1.0, *FULL, "Hoàn thành 100% Kế hoạch kiểm tra CCHC"),
        T("inspection_issues_handled_share", "province", ">=", 1.0, *FULL, "100% các vấn đề phát hiện qua kiểm tra được xử lý"),
    ],
    "A.I.4": [T("cchc_initiatives_count", "each_agency", ">=", 1, "count", "higher", "Mỗi cơ quan, đơn vị, địa phương có ít nhất 1 sáng kiến hoặc giải pháp mới trong CCHC")],
    "A.I.5": [T("gov_assigned_tasks_on_time_share", "each_agency", ">=", 1.0, *FULL, "100% nhiệm vụ được Chính phủ, Thủ tướng Chính phủ giao hoàn thành đúng tiến độ")],
    "A.I.6": [T("leader_survey_completion_share", "province", ">=", 1.0, *FULL, "Hoàn thành 100% phiếu khảo sát")],
    "A.III.1.a": [T("law_monitoring_activities_count", "province", ">=", 3, "count", "higher", "Thực hiện đầy đủ 03 hoạt động theo dõi tình hình thi hành pháp luật")],
    "A.III.2": [T("illegal_docs_handled_share", "province", ">=", 1.0, *FULL, "100% văn bản trái pháp luật do cơ quan có thẩm quyền kiểm tra kiến nghị được xử lý")],
    "A.IV.1.a": [T("tthc_ultra_vires_count", "province", "==", 0, "count", "zero", "không có TTHC ban hành trái thẩm quyền")],
    "A.IV.1.b": [T("tthc_reform_proposals_count", "province", ">=", 1, "count", "higher", "Trong năm tỉnh có các kiến nghị cải cách TTHC", note="'có các kiến nghị' read as at least one proposal")],
    "A.IV.2.1": [
        T("tthc_publication_lead_working_days", "each_record", ">=", 5, "working_days", "higher", "ban hành chậm nhất trước 05 ngày làm việc tính đến ngày VBQPPL có quy định về TTHC có hiệu lực thi hành"),
        T("tthc_publication_delay_days_shortened", "each_record", "<=", 3, "days", "lower", "chậm nhất là sau 03 ngày kể từ ngày công bố hoặc ký ban hành VBQPPL (trình tự rút gọn)"),
    ],
    "A.IV.2.2.a": [T("tthc_national_portal_delay_working_days", "each_record", "<=", 5, "working_days", "lower", "chậm nhất 5 ngày làm việc kể từ ngày quyết định công bố được ban hành")],
    "A.IV.2.2.b": [
        T("dept_websites_publishing_tthc_share", "department_group", ">=", 1.0, *FULL, "100% Trang thông tin điện tử của cơ quan chuyên môn cấp tỉnh công khai đầy đủ, kịp thời TTHC"),
        T("district_portals_publishing_tthc_share", "district_group", ">=", 1.0, *FULL, "100% Cổng/Trang thông tin điện tử của UBND cấp huyện công khai đầy đủ, kịp thời TTHC"),
    ],
    "A.IV.2.2.c": [T("tthc_published_at_one_stop_share", "province", ">=", 1.0, *FULL, "100% TTHC được công khai đầy đủ, kịp thời tại Bộ phận Một cửa các cấp")],
    "A.IV.2.3.a": [T("dossiers_synced_national_portal_share", "province", ">=", 1.0, *FULL, "100% hồ sơ TTHC được đồng bộ, công khai trên cổng DVC quốc gia")],
    "A.IV.2.3.b": [T("dossiers_published_provincial_portal_share", "province", ">=", 1.0, *FULL, "100% hồ sơ TTHC ... được công khai trên Cổng DVC của tỉnh")],
    "A.IV.3.1": [T("tthc_via_one_stop_share", "province", ">=", 1.0, *FULL, "100% TTHC thuộc thẩm quyền ... thực hiện tiếp nhận, giải quyết tại Bộ phận một cửa các cấp")],
    "A.IV.3.2": [T("vertical_tthc_via_one_stop_share", "province", ">=", 1.0, *FULL, "Thực hiện 100% TTHC theo danh mục TTHC được Thủ tướng Chính phủ phê duyệt")],
    "A.IV.4.1": [T("ontime_rate", "each_department", ">", 0.99, *FULL, "tỷ lệ hồ sơ giải quyết đúng hạn trên 99%")],
    "A.IV.4.2": [T("ontime_rate", "each_district", ">", 0.95, *FULL, "tỷ lệ hồ sơ giải quyết đúng hạn trên 95%")],
    "A.IV.4.3": [T("ontime_rate", "each_commune", ">", 0.95, *FULL, "tỷ lệ hồ sơ giải quyết đúng hạn trên 95%",
                   note="data may arrive per commune or as the communes of a district together (XA_<district>)")],
    "A.IV.4.4": [T("late_dossiers_count", "each_agency", "==", 0, "count", "zero", "từ ngày 01/6/2023 không phát sinh hồ sơ trễ hạn", from_date="2023-06-01")],
    "A.IV.4.6": [T("service_quality_good_share", "province", ">=", 0.80, *FULL, "Từ 80% - 100% CQCM cấp tỉnh, cấp huyện, cấp xã đạt điểm đánh giá từ tốt trở lên")],
    "A.IV.5.1": [T("pakn_handled_on_time_share", "each_agency", ">=", 1.0, *FULL, "100% số PAKN ... được xử lý kịp thời, đầy đủ theo quy định")],
    "A.IV.5.2": [T("pakn_answers_published_share", "province", ">=", 1.0, *FULL, "100% số PAKN đã xử lý, trả lời được công khai theo quy định")],
    "A.V.2": [T("leadership_structure_compliant_share", "province", ">=", 1.0, *FULL, "100% cơ quan, đơn vị, địa phương đảm bảo cơ cấu số lượng lãnh đạo theo quy định")],
    "A.V.3": [T("public_service_units_change", "province", "<", -0.10, "fraction", "lower", "Số lượng đơn vị sự nghiệp công lập giảm trên 10% so với năm 2021", baseline_year=2021)],
    "A.V.4": [T("staff_quota_change", "province", "<", 0.0, "fraction", "lower", "tỷ lệ biên chế giảm so với năm 2021 theo quy định", baseline_year=2021,
                note="the plan gives no figure ('theo quy định'); measured as any decrease vs 2021")],
    "A.V.5.3": [T("decentralisation_issues_handled_share", "province", ">=", 1.0, *FULL, "100% số vấn đề phát hiện qua kiểm tra đã được xử lý hoặc kiến nghị cấp có thẩm quyền xử lý")],
    "A.VI.2": [
        T("job_description_complete_share", "province", ">=", 1.0, *FULL, "100% cơ quan, tổ chức hoàn thành Bản mô tả công việc/Danh mục vị trí việc làm và Khung năng lực"),
        T("staff_in_approved_position_share", "province", ">=", 1.0, *FULL, "100% công chức, viên chức được bố trí đúng vị trí việc làm"),
    ],
    "A.VI.4": [T("training_plan_completion_share", "province", ">=", 1.0, *FULL, "Hoàn thành 100% kế hoạch")],
    "A.VI.5": [T("commune_officials_meeting_standards_share", "province", ">=", 1.0, *FULL, "100% Cán bộ, công chức cấp xã đáp ứng các tiêu chuẩn")],
    "A.VII.1.1": [T("disbursement_rate", "each_agency", ">=", 0.20, *FULL, "giải ngân đến hết ngày 30/4/2023 dưới 20% (bị nêu tên)", as_of="2023-04-30",
                    note="the criterion the plan uses to name laggards at 30/4/2023, not a year-end target; the year-end targets are in Kế hoạch 1118/KH-UBND")],
    "A.VII.1.3": [T("audit_conclusions_implemented_share", "each_agency", ">=", 0.80, *FULL, "Thực hiện tối thiểu 80% các kết luận thanh tra, kiểm tra, kiểm toán nhà nước")],
    "A.VII.2.2.b": [T("public_asset_rules_compliant_share", "province", ">=", 1.0, *FULL, "100% cơ quan, đơn vị thuộc phạm vi quản lý thực hiện đúng quy định về quản lý, sử dụng tài sản công")],
    "A.VII.2.4": [
        T("psu_full_self_financing_new_count", "province", ">=", 2, "count", "higher", "ít nhất 2 đơn vị sự nghiệp công lập được giao tự chủ ở mức tự đảm bảo chi thường xuyên"),
        T("psu_partial_self_financing_new_count", "province", ">=", 2, "count", "higher", "ít nhất 02 đơn vị sự nghiệp công lập được giao tự chủ ở mức tự đảm bảo một phần chi thường xuyên"),
    ],
    "A.VII.2.5": [T("direct_budget_to_psu_change", "province", "<", 0.0, "fraction", "lower", "Tỷ lệ giảm chi trực tiếp ngân sách cho đơn vị sự nghiệp so với năm 2022", baseline_year=2022,
                    note="no figure and no result text in the plan; measured as any decrease vs 2022")],
    "A.VIII.1.3": [T("lgsp_connected_apps_share", "province", ">=", 1.0, *FULL, "100% các ứng dụng có dữ liệu dùng chung được kết nối, sử dụng qua LGSP")],
    "A.VIII.2.1": [
        T("edoc_online_handling_rate", "each_department", ">=", 0.80, *FULL, "100% các sở, ngành ... có tỷ lệ xử lý văn bản, hồ sơ công việc trên môi trường mạng đạt từ 80% trở lên"),
        T("edoc_online_handling_rate", "each_district", ">=", 0.50, *FULL, "100% các phòng thuộc UBND cấp huyện ... đạt từ 50% trở lên",
          note="the plan sets it for each office of the district People's Committee; measured per district unless office-level data arrive"),
    ],
    "A.VIII.2.2": [T("edoc_4level_connected_share", "province", ">=", 1.0, *FULL, "100% sở, ngành, UBND cấp huyện, UBND cấp xã đã thực hiện kết nối")],
    "A.VIII.2.3": [T("reporting_system_connection_share", "province", ">=", 1.0, *FULL, "Tỷ lệ kết nối chế độ báo cáo ... đạt 100%")],
    "A.VIII.3.4": [
        T("online_payment_transaction_share", "province", ">=", 0.30, *FULL, "Tỷ lệ thanh toán trực tuyến trên Cổng Dịch vụ công quốc gia trên tổng số giao dịch của dịch vụ công đạt 30%"),
        T("fee_tthc_online_payment_share", "province", ">=", 0.60, *FULL, "Tỷ lệ TTHC có yêu cầu nghĩa vụ tài chính được thanh toán trực tuyến trên Cổng Dịch vụ công quốc gia đạt 60%"),
    ],
    "A.VIII.3.4.b": [T("online_dossier_share", "province", ">=", 0.70, *FULL, "Tỷ lệ hồ sơ giải quyết trực tuyến trên tổng số hồ sơ giải quyết TTHC của tỉnh đạt từ 70% trở lên")],
    "A.VIII.3.4.c": [T("online_payment_rate", "province", ">=", 0.80, *FULL, "tỷ lệ thực hiện thanh toán trực tuyến của tỉnh Quảng Nam đạt 80% trở lên")],
    "A.IX.1": [T("socioeconomic_targets_met_share", "province", ">=", 1.0, *FULL, "Hoàn thành 100% các mục tiêu, nhiệm vụ phát triển kinh tế - xã hội năm 2023")],
    "A.IX.2": [T("investment_capital_change", "province", ">", 0.0, "fraction", "higher", "Tổng số vốn thu hút đầu tư của tỉnh trong năm 2023 cao hơn năm 2022", baseline_year=2022)],
    "A.IX.3": [T("new_enterprises_change", "province", ">=", 0.20, "fraction", "higher", "Tỷ lệ doanh nghiệp thành lập mới trong năm 2023 cao hơn năm 2022 ít nhất 20%", baseline_year=2022)],
    "A.IX.4": [T("enterprise_budget_share_change", "province", ">", 0.0, "percentage_points", "higher", "Tỷ lệ đóng góp của khu vực doanh nghiệp vào thu ngân sách tỉnh năm 2023 cao hơn năm 2022", baseline_year=2022)],
    "A.IX.5": [T("grdp_change", "province", ">", 0.0, "fraction", "higher", "Tổng sản phẩm trên địa bàn tỉnh (GRDP) năm 2023 cao hơn năm 2022", baseline_year=2022)],
    "B.II.1": [T("tthc_process_compliant_share", "province", ">=", 1.0, *FULL, "100% cơ quan, đơn vị, địa phương thực hiện đúng quy định")],
    "B.V.2": [T("pakn_handled_on_time_share", "each_agency", ">=", 1.0, *FULL, "100% góp ý, phản ánh, kiến nghị ... được tiếp nhận, xử lý kịp thời và gửi thông báo kết quả")],
}
# Numbers printed in a row that are not thresholds (checked by tests/test_catalogue_vs_plan.py).
EXEMPT: dict[str, list[dict]] = {
    "A.IV.4.6": [{"number": "100%", "why": "upper end of the printed range '80% - 100%'; the threshold is 80%"}],
    "A.VIII.2.1": [{"number": "100%", "why": "'100% các sở' is the scope (every department), expressed by scope each_department"}],
    "A.I.3": [{"number": "100%", "why": "the two 100% results are the second and third targets of this row"}],
}

# Where alias matching over the printed text would mislead (monitoring agency named first, laggards inside the lead).
LEAD_OVERRIDE: dict[str, list[str]] = {
    "A.I.1": ["SNV"],
    "A.IV.4.4": ["STNMT", "ALL_DISTRICTS", "XA_NUI_THANH", "XA_PHU_NINH", "XA_NAM_GIANG", "XA_DONG_GIANG"],
}


def main() -> None:
    rows = json.loads((ROOT / "tools/appendix_rows.json").read_text(encoding="utf-8"))
    en_path = ROOT / "tools/translations_en.json"
    en = json.loads(en_path.read_text(encoding="utf-8")) if en_path.exists() else {}
    agencies, _ = _load_agencies(ROOT / "plans/2023")
    by_id = {r["id"]: r for r in rows}
    out = []
    for r in rows:
        rid = r["id"]
        index = "PAR" if rid.startswith("A") else "SIPAS"
        parts = rid.split(".")
        fld = parts[1] if len(parts) > 1 else None
        kind = "group" if not r["lead"] and not r["result"] else "task"
        sched = parse_schedule(r["schedule"])
        if sched["kind"] == "none" and kind == "task":
            p = r["parent"]
            while p and p in by_id:
                ps = parse_schedule(by_id[p]["schedule"])
                if ps["kind"] != "none":
                    sched = {**ps, "inherited_from": p}
                    break
                p = by_id[p]["parent"]
        lead = LEAD_OVERRIDE.get(rid) or resolve_agencies(r["lead"], agencies)
        coord = resolve_agencies(r["coord"], agencies)
        if kind == "task" and not lead:
            raise SystemExit(f"{rid}: lead not resolved: {r['lead']!r}")
        e = en.get(rid, {})
        d = {
            "id": rid, "index": index, "field": fld, "stt": r["stt"], "kind": kind, "parent": r["parent"],
            "task_vi": r["task"], "task_en": e.get("task_en", ""),
            "schedule_vi": r["schedule"], "schedule": sched,
            "lead_vi": r["lead"], "lead": lead, "coordinating_vi": r["coord"], "coordinating": coord,
            "result_vi": r["result"], "result_en": e.get("result_en", ""),
        }
        if rid in TARGETS:
            d["targets"] = TARGETS[rid]
        if rid in EXEMPT:
            d["exempt_numbers"] = EXEMPT[rid]
        out.append(d)
    missing = set(TARGETS) - set(by_id)
    if missing:
        raise SystemExit(f"targets for unknown ids: {missing}")
    header = (
        "# The plan's appendix, one entry per printed row (source: plans/2023/sources/ke-hoach-2023.txt).\n"
        "# Source of truth for tasks and targets; first drafted by tools/build_catalogue.py, edit here.\n"
        "# schedule.kind: due | recurring | external | none; 'inherited_from' when the row printed no schedule.\n"
        "# targets: metric (metrics.yaml), scope, op, value (fractions 0-1), unit, direction, baseline_year.\n"
    )
    text = yaml.safe_dump({"tasks": out}, allow_unicode=True, sort_keys=False, width=1000)
    (ROOT / "plans/2023/tasks.yaml").write_text(header + text, encoding="utf-8")
    print(f"wrote {len(out)} rows, {sum(len(v) for v in TARGETS.values())} targets")


if __name__ == "__main__":
    main()
