"""A report as CSV (one table) or XLSX (a sheet per table), with Chinese headers."""
import csv
import io

from .reports import FIGURES

HEADERS = {
    "issued": "取号数", "called": "叫号数", "served": "办结数", "no_shows": "过号数", "no_show_rate": "过号率",
    "mean_wait_s": "平均等候(秒)", "p90_wait_s": "P90等候(秒)", "mean_service_s": "平均办理(秒)",
    "rated": "评价数", "rating_rate": "评价率", "satisfaction": "满意率(好评率)", "mean_score": "平均分",
    "bad_ratings": "差评数", "followups": "差评件数", "rectified_on_time": "按期整改数",
    "rectification_rate": "差评整改率",
    "revisited": "回访数", "revisit_rate": "回访率", "revisit_satisfaction": "回访满意率",
    "open_days": "开放天数", "issued_per_open_day": "日均取号", "served_per_open_day": "日均办结",
}
TABLES = {
    "centre": ("汇总", [("name", "服务中心")]),
    "queues": ("按业务", [("id", "业务编号"), ("name", "业务")]),
    "windows": ("按窗口", [("number", "窗口号"), ("name", "窗口")]),
    "staff": ("按人员", [("username", "用户名"), ("name", "姓名")]),
    "days": ("按日", [("day", "日期")]),
}


def rows(report, table, centre_name):
    """(header, rows) of one table of a report."""
    _, keys = TABLES[table]
    extra = ()
    if table == "centre":
        items = [{"name": centre_name, **report["totals"]}]
        extra = ("open_days", "issued_per_open_day", "served_per_open_day")
    else:
        items = report[table]
    figures = [f for f in FIGURES + extra if any(f in it for it in items)] if items else list(FIGURES)
    header = [label for _, label in keys] + [HEADERS[f] for f in figures]
    body = [[it.get(k) for k, _ in keys] + [it.get(f) for f in figures] for it in items]
    return header, body


def to_csv(report, table, centre_name):
    header, body = rows(report, table, centre_name)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    for row in body:
        w.writerow(["" if v is None else v for v in row])
    # a byte-order mark, so that spreadsheet programs read the Chinese as UTF-8
    return "\ufeff" + out.getvalue()


def to_xlsx(report, centre_name, title):
    from openpyxl import Workbook
    from openpyxl.styles import Font
    wb = Workbook()
    wb.remove(wb.active)
    for table in ("centre", "queues", "windows", "staff", "days"):
        sheet_name, _ = TABLES[table]
        ws = wb.create_sheet(sheet_name)
        header, body = rows(report, table, centre_name)
        ws.append([title])
        ws["A1"].font = Font(bold=True)
        ws.append(header)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in body:
            ws.append(row)
        for i, _ in enumerate(header, 1):
            ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = 14
    heat = report["heatmap"]
    ws = wb.create_sheet("到达热力图")
    ws.append([title])
    ws.append(["日期 / 业务"] + [f"{h}时" for h in heat["hours"]])
    for row in heat["by_day"] + heat["by_queue"]:
        ws.append([row["label"]] + row["counts"])
    closed = report.get("closed_days") or []
    if closed:
        ws = wb.create_sheet("闭馆日")
        ws.append([title])
        ws.append(["日期", "原因"])
        for c in closed:
            ws.append([c["day"], c["holiday"] or ("休息日" if c["holiday"] is None else "中心闭馆")])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
