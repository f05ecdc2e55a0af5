"""The managers' pages in headless Chromium against a real `hall serve` (gevent, Socket.IO, the
background supervisor): move a window, see its next call; an alert appears and is acknowledged."""
import requests

from .conftest import login, shot


def text(page, selector):
    return page.inner_text(selector).strip()


def dashboard(pages, width=1920, height=1080):
    page = pages("/manage/east", width, height)
    login(page)
    page.wait_for_selector("#queues tr[data-queue=tax]")
    page.wait_for_function("window.hallLive && window.hallLive.version() !== null")
    return page


def test_a_manager_moves_a_window_and_the_dashboard_and_its_next_call_follow(pages, api, server):
    api.issue("tax")
    api.window("open", 3)                                   # window 3 serves 户籍业务 (police) only
    page = dashboard(pages)
    card = "#windows .window[data-window='3']"
    page.wait_for_function(f"document.querySelector(\"{card} .chips\")?.textContent === '户籍业务'")
    assert text(page, "#queues tr[data-queue=tax] .waiting") == "1"

    page.click(card)
    page.wait_for_selector("#window-dialog[open]")
    page.click("#wd-queues label:has-text('户籍业务') input")      # untick police
    page.click("#wd-queues label:has-text('税务') input")           # tick tax
    shot(page, "manage-window-dialog.png")
    page.click("#wd-save")
    page.wait_for_function(f"document.querySelector(\"{card} .chips\")?.textContent === '税务'")
    assert "3号窗口 现办理：税务" in text(page, "#message")
    assert page.get_attribute(f"{card} .chip", "class") == "chip moved"

    called = api.window("call-next", 3)                     # the window's staff presses 下一位
    assert called["number"] == "C001"
    page.wait_for_function(f"document.querySelector(\"{card} .w-ticket\")?.textContent.startsWith('C001')")
    page.wait_for_function("document.querySelector('#queues tr[data-queue=tax] .waiting').textContent === '0'")
    events = api("GET", "/centers/east/events?after=0", "manager-east")["events"]
    [assigned] = [e for e in events if e["type"] == "window_assigned"]
    assert assigned["by"] == "user:manager-east"
    assert assigned["queues"] == ["tax"] and assigned["previous"] == ["police"]
    shot(page, "manage-dashboard-moved.png")


def test_an_alert_appears_and_is_acknowledged(pages, api, server):
    page = dashboard(pages, 1366, 768)
    assert text(page, "#alerts") == "暂无告警，一切正常"
    r = requests.post(f"{server.url}/api/v1/centers/east/devices/status", json={"status": "fault", "detail": "缺纸"},
                      headers=server.headers("kiosk-east"), timeout=10)
    assert r.status_code == 200
    # the server's supervisor raises it within a second or two; the dashboard hears the event live
    page.wait_for_selector("#alerts .alert[data-rule=device_fault]", timeout=15000)
    alert = "#alerts .alert[data-rule=device_fault]"
    assert page.get_attribute(alert, "data-level") == "red"
    assert text(page, f"{alert} .a-title") == "设备故障"
    assert text(page, f"{alert} .a-text") == "设备 kiosk-east 故障"
    assert text(page, "#s-alerts") == "1 / 0"
    shot(page, "manage-alert.png")
    page.click(f"{alert} button:has-text('确认')")
    page.wait_for_function(f"document.querySelector('{alert} .a-acked')?.textContent.includes('manager-east')")
    assert page.query_selector(f"{alert} button") is None
    [a] = api("GET", "/centers/east/alerts?days=1", "manager-east")["active"]
    assert a["acknowledged_by"] == "user:manager-east"

    # fixed: the next supervision resolves it, and the dashboard empties
    requests.post(f"{server.url}/api/v1/centers/east/devices/status", json={"status": "ok"},
                  headers=server.headers("kiosk-east"), timeout=10)
    page.wait_for_function("document.querySelector('#alerts').textContent === '暂无告警，一切正常'", timeout=15000)


def test_a_recommendation_is_applied_in_one_click(pages, api, server):
    for n in (1, 2, 3):
        api.window("open", n)                               # 1: general+police, 2: general+tax, 3: police
    for _ in range(12):
        api.issue("general")
    api.window("call-next", 1)
    api.window("call-next", 2)
    page = dashboard(pages)
    page.wait_for_selector("#recs .rec[data-window='3']", timeout=15000)
    rec = text(page, "#recs .rec[data-window='3'] .r-text")
    assert rec.startswith(("把 3 号窗口从户籍业务调到综合受理：综合受理预计等候 −",
                           "让 3 号窗口兼办综合受理：综合受理预计等候 −")), rec
    shot(page, "manage-recommendation.png")
    page.click("#recs .rec[data-window='3'] button")
    page.wait_for_function("document.querySelector(\"#windows .window[data-window='3'] .chips\")"
                           "?.textContent.includes('综合受理')")
    assert api.window("call-next", 3)["queue"] == "general"


def test_bulk_move_from_the_dashboard(pages, api):
    for _ in range(3):
        api.issue("general")
    page = dashboard(pages, 1366, 768)
    page.click("#move-card summary")
    page.select_option("#move-from", "general")
    page.select_option("#move-to", "police")
    page.fill("#move-form input[name=count]", "2")
    page.select_option("#move-form select[name=take]", "last")
    page.once("dialog", lambda d: d.accept())
    page.click("#move-form button[type=submit]")
    page.wait_for_function("document.querySelector('#queues tr[data-queue=police] .waiting').textContent === '2'")
    assert "已把 2 人从 综合受理 转到 户籍业务：A002 A003" in text(page, "#message")


def test_a_bad_rating_is_followed_up_on_the_alerts_page(pages, api, server):
    t = api.issue("general")
    api.window("open", 1)
    api.window("call-next", 1)
    api.window("finish", 1)
    requests.post(f"{server.url}/api/v1/tickets/{t['id']}/evaluation",
                  json={"score": 1, "comment": "等太久", "options": ["inefficient", "many_trips"]}, timeout=10)
    page = pages("/manage/east/alerts", 1366, 768)
    login(page)
    fu = "#followups .fu"
    page.wait_for_selector(fu)
    assert page.get_attribute(fu, "data-status") == "open"
    assert "等太久" in text(page, fu) and "A001" in text(page, fu)
    assert "差评原因：办事效率低、多次跑动" in text(page, fu)
    page.wait_for_selector("#active .alert[data-level=red]", timeout=30000)       # the bad rating's alert
    page.fill(f"{fu} input[name=note]", "调阅录像，情况属实")
    page.click(f"{fu} form button[type=submit]")
    page.wait_for_function(f"document.querySelector('{fu}').dataset.status === 'verified'")
    assert "核实（属实） · manager-east：调阅录像，情况属实" in text(page, fu)
    page.select_option(f"{fu} select[name=step]", "rectify")
    page.fill(f"{fu} input[name=note]", "已对窗口人员进行提醒")
    page.click(f"{fu} form button[type=submit]")
    page.wait_for_function(f"document.querySelector('{fu}').dataset.status === 'rectified'")
    assert "待回访" in text(page, fu)
    # the return visit (回访): the citizen's answer after the rectification
    page.select_option(f"{fu} select[name=step]", "revisit")
    page.select_option(f"{fu} select[name=result]", "satisfied")
    page.fill(f"{fu} input[name=note]", "电话回访，群众表示满意")
    page.click(f"{fu} form button[type=submit]")
    page.wait_for_selector(f"{fu} .revisit[data-result=satisfied]")
    assert "回访（回访满意） · manager-east：电话回访，群众表示满意" in text(page, fu)
    shot(page, "manage-followup.png")


def test_reports_page_shows_figures_and_charts(pages, api):
    t = api.issue("general")
    api.issue("police")
    api.window("open", 1)
    api.window("call-next", 1)
    api.window("start", 1)
    api.window("finish", 1)
    requests.post(f"{api.server.url}/api/v1/tickets/{t['id']}/evaluation", json={"score": 5}, timeout=10)
    page = pages("/manage/east/reports", 1366, 768)
    login(page)
    page.wait_for_function("document.body.dataset.loaded && document.body.dataset.loaded.startsWith('day:')")
    assert text(page, "#kpis [data-kpi=k_issued] b") == "2"
    assert text(page, "#kpis [data-kpi=k_served] b") == "1"
    assert text(page, "#kpis [data-kpi=k_satisfaction] b") == "100.0%"
    assert text(page, "#kpis [data-kpi=k_open_days] b") == "1"
    assert page.evaluate("!!window.Chart && Chart.getChart(document.getElementById('chart-daily')) !== undefined")
    assert "综合受理" in text(page, "#t-queues") and "张敏" in text(page, "#t-staff")
    with page.expect_download() as d:
        page.click("#xlsx")
    assert d.value.suggested_filename.endswith(".xlsx")
    shot(page, "manage-reports.png", full_page=True)
    page.click("#lang")
    page.wait_for_function("document.querySelector('#kpis [data-kpi=k_issued] span').textContent === 'Issued'")


def test_admin_adds_a_staff_account_and_a_device(pages, api):
    page = pages("/manage/admin?center=east", 1366, 768)
    login(page)
    page.wait_for_selector("#users tr[data-user='staff-east']")
    page.fill("#user-form input[name=username]", "wangfang")
    page.fill("#user-form input[name=name]", "王芳")
    page.fill("#user-form input[name=staff_no]", "01010")
    page.fill("#user-form input[name=password]", "secret-123")
    page.click("#user-form button[type=submit]")
    page.wait_for_selector("#users tr[data-user='wangfang']")
    r = requests.post(f"{api.server.url}/api/v1/auth/login", json={"username": "wangfang", "password": "secret-123"},
                      timeout=10)
    assert r.status_code == 200 and r.json()["center"] == "east" and r.json()["role"] == "staff"
    page.click(".tabs button[data-tab=devices]")
    page.fill("#device-form input[name=name]", "kiosk-2")
    page.click("#device-form button[type=submit]")
    page.wait_for_selector("#token:not([hidden])")
    token = text(page, "#token-value")
    assert requests.get(f"{api.server.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"},
                        timeout=10).json()["name"] == "kiosk-2"
    page.click(".tabs button[data-tab=audit]")
    page.click("#audit-form button[type=submit]")
    page.wait_for_function("document.querySelector('#audit-total').textContent !== ''")
    shot(page, "manage-admin.png")
