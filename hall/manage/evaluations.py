"""The upward export of a period's 好差评 evaluations: one line per rating with the data items GB/T
39734-2020 and GB/T 39735-2020 ask a hall to report to the platform above it (评价编号, 事项, 办件,
部门, 窗口, 工作人员, 渠道, 时间, 等级, 选项, 内容, 整改, 回访). Pure: events and the catalogue in, rows out.

Every rating is a line, each with its channel; `counted` says whether it is the one the rates count
for its service (一次一评: the lowest score, `hall.core.ratings.counting`). The follow-up columns
(整改, 回访) are filled on the lines of a 差评 (score 1–2) from the follow-up of that service, as the
events up to the export's reading horizon tell it. Free text goes out with personal data masked.
"""
import csv
import io
from datetime import datetime

from ..core.clock import zone
from ..core.ratings import mask_personal

COLUMNS = (
    ("evaluation_id", "评价编号"), ("center", "中心编码"), ("center_name", "部门/中心"),
    ("item", "事项编码"), ("item_name", "事项名称"), ("queue", "业务编码"), ("queue_name", "业务名称"),
    ("ticket", "办件编号"), ("number", "取号号码"), ("service_day", "办件日期"),
    ("window", "窗口号"), ("window_name", "窗口名称"), ("staff_no", "工作人员工号"),
    ("channel", "评价渠道编码"), ("channel_name", "评价渠道"), ("rated_at", "评价时间"),
    ("score", "评价等级"), ("level", "评价等级名称"), ("options", "评价选项编码"), ("options_text", "评价选项"),
    ("comment", "评价内容"), ("counted", "计入统计"),
    ("followup_status", "整改状态"), ("deadline", "整改期限"), ("rectified_at", "整改时间"),
    ("rectified_on_time", "按期整改"), ("revisited_at", "回访时间"), ("revisit_result", "回访结果"),
)
CHANNELS = {"evaluator": "窗口评价器", "phone": "移动端(扫码/办件页)", "kiosk": "自助终端"}
STATUSES = {"open": "待核实", "verified": "已核实", "rectified": "已整改", "appealed": "申诉中", "closed": "已办结",
            "overturned": "已撤销(申诉成立)"}
RESULTS = {"satisfied": "满意", "unsatisfied": "不满意"}
MAX_SPAN_DAYS = 93
# follow-up events are read this long after the period's end: a 差评 put right and visited later than
# that shows the state it had then
HORIZON_DAYS = 62


def rows(events, config, words, start, end):
    """The lines of the ratings given start <= at < end, in the order given. `events` covers at least
    that span (events after it bring their follow-ups up to date); `config` is the centre's normalized
    catalogue entry; `words(code)` the Chinese text of `rating.<code>`."""
    tz = zone(config["timezone"])
    items = {i["id"]: i["name"] for i in config.get("items", [])}
    queues = {q["id"]: q["name"] for q in config["queues"]}
    windows = {w["number"]: w["name"] for w in config["windows"]}
    issued, loops, out = {}, {}, []

    def stamp(at):
        return None if at is None else datetime.fromtimestamp(at, tz).isoformat(timespec="seconds")

    for e in events:
        kind = e["type"]
        if kind == "ticket_issued":
            issued[e["ticket"]] = e.get("item")
        elif kind == "ticket_evaluated" and start <= e["at"] < end:
            item = e.get("item") or issued.get(e["ticket"])
            queue, window = e.get("queue"), e.get("window")
            out.append({
                "evaluation_id": f"{config['id']}-{e['seq']:08d}" if "seq" in e else None,
                "center": config["id"], "center_name": config["name"],
                "item": item, "item_name": items.get(item) if item else None,
                "queue": queue, "queue_name": queues.get(queue, queue),
                "ticket": e["ticket"], "number": e.get("number"), "service_day": e.get("day"),
                "window": window, "window_name": windows.get(window),
                "staff_no": e.get("staff_no"),
                "channel": e.get("channel") or "phone", "channel_name": CHANNELS.get(e.get("channel") or "phone"),
                "rated_at": stamp(e["at"]), "score": e["score"], "level": words(f"level_{e['score']}"),
                "options": ";".join(e.get("options") or ()),
                "options_text": "、".join(words(o) for o in e.get("options") or ()),
                "comment": mask_personal(e.get("comment")) or None,
                "counted": e.get("counts", True),
                "followup_status": None, "deadline": None, "rectified_at": None, "rectified_on_time": None,
                "revisited_at": None, "revisit_result": None,
            })
        elif kind == "followup_opened":
            loops[e["ticket"]] = {"status": "open", "deadline": e["deadline"], "number": e["number"]}
        elif kind.startswith("followup_") and e["ticket"] in loops:
            _step(loops[e["ticket"]], e)
    numbers = {t: f["number"] for t, f in loops.items()}
    for line in out:
        line["number"] = line["number"] or numbers.get(line["ticket"])
        f = loops.get(line["ticket"])
        if f is None or line["score"] > 2:
            continue
        settled = f.get("settled_at")
        line.update({"followup_status": STATUSES[f["status"]], "deadline": stamp(f["deadline"]),
                     "rectified_at": stamp(f.get("rectified_at")),
                     "rectified_on_time": None if settled is None else settled <= f["deadline"],
                     "revisited_at": stamp(f.get("revisited_at")),
                     "revisit_result": RESULTS.get(f.get("revisit_result"))})
    return out


def _step(f, e):
    kind, at = e["type"], e["at"]
    if kind == "followup_verified":
        f["status"], f["finding"] = "verified", e.get("finding")
    elif kind == "followup_rectified":
        f["status"], f["rectified_at"] = "rectified", at
        f.setdefault("settled_at", at)
    elif kind == "followup_replied":
        f["status"] = "closed"
        if f.get("finding") == "unfounded":
            f.setdefault("settled_at", at)
    elif kind == "followup_appealed":
        f["before"], f["status"] = f["status"], "appealed"
    elif kind == "followup_reviewed":
        f["status"] = "overturned" if e.get("outcome") == "overturned" else f.get("before", "verified")
    elif kind == "followup_revisited":
        f["revisited_at"], f["revisit_result"] = at, e.get("result")


def cell(value):
    if value is None:
        return ""
    if value is True or value is False:
        return "是" if value else "否"
    return value


def to_csv(lines):
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([title for _, title in COLUMNS])
    for line in lines:
        w.writerow([cell(line[k]) for k, _ in COLUMNS])
    # a byte-order mark, so that spreadsheet programs read the Chinese as UTF-8
    return "\ufeff" + out.getvalue()


def to_xlsx(lines, title):
    from openpyxl import Workbook
    from openpyxl.styles import Font
    wb = Workbook()
    ws = wb.active
    ws.title = "好差评评价明细"
    ws.append([title])
    ws["A1"].font = Font(bold=True)
    ws.append([t for _, t in COLUMNS])
    for c in ws[2]:
        c.font = Font(bold=True)
    for line in lines:
        ws.append([cell(line[k]) for k, _ in COLUMNS])
    for i in range(1, len(COLUMNS) + 1):
        ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = 16
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
