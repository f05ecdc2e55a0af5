"""A report as CSV (one table) or XLSX (a sheet per table), with Chinese headers."""
import csv
import io

from .reports import FIGURES

HEADERS = {
    "issued": "取号数", "called": "叫号数", "served": "办结数", "no_shows": "过号数", "no_show_rate": "过号率",
    "mean_wait_s": "平均等候(秒)", "p90_wait_s": "P90等候(秒)", "mean_service_s": "平均办理(秒)",
    "rated": "评价数", "rating_rate": "评价率", "satisfaction": "满意率(好评率)", "mean_score": "平均分",
    "bad_ratings": "差评数",
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
    if table == "centre":
        items = [{"name": centre_name, **report["totals"]}]
    else:
        items = report[table]
    figures = [f for f in FIGURES if any(f in it for it in items)] if items else list(FIGURES)
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
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
