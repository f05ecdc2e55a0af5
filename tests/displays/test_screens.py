"""The staff console calls; the main screen and the window screen show it; the hall hears it."""
import re

import requests

from .conftest import NOTICE, NOTICE_EN, live, login, press, shot, take_window


def text(page, selector):
    return page.inner_text(selector).strip()


def test_a_call_from_the_console_reaches_both_screens_and_the_voice(pages, kiosk):
    kiosk.issue()
    kiosk.issue()
    main = live(pages("/display/east"))
    window1 = live(pages("/display/east/windows/1", 1280, 720))
    console = pages("/staff", 1366, 768)
    take_window(console)
    console.wait_for_function("document.querySelector('#queues tr[data-queue=general] .count')?.textContent === '2'")
    assert text(main, "#centre-name") == "东区政务服务中心"
    assert text(window1, "#w-label") == "欢迎办理"

    press(console, "n")
    console.wait_for_function("document.querySelector('#t-number')?.textContent === 'A001'")
    assert text(console, "#t-item") == "结婚登记"
    assert text(console, "#t-queue") == "综合受理"
    # time at the window runs on the hall's clock (the browser's is days away from the test hall's)
    assert re.fullmatch(r"\d{1,2} 秒", text(console, "#t-at")), text(console, "#t-at")
    assert "已叫 A001 号到本窗口" in text(console, "#message")

    main.wait_for_function("document.querySelector('#now-number')?.textContent === 'A001'")
    assert text(main, "#now-window") == "请到 1号窗口 办理"
    assert text(main, "#history tr:first-child .h-number") == "A001"
    main.wait_for_function("document.querySelector('.queue[data-queue=general] .q-count')?.textContent === '1'")
    assert NOTICE in text(main, "#notice")

    window1.wait_for_function("document.querySelector('#w-number')?.textContent === 'A001'")
    assert text(window1, "#w-detail") == "请 A001 号到本窗口办理"
    assert text(window1, "#staff-name") == "张敏"
    assert text(window1, "#staff-no") == "工号 01007"

    [said] = main.evaluate("window.hallVoice.log")
    assert said["text"] == "请A001号到1号窗口办理"
    assert said["speech"] == "请A 零 零 一号到1号窗口办理"        # digits one by one, the letter as a letter
    assert said["lang"] == "zh-CN" and said["times"] == 2 and not said["recall"]
    assert said["mode"] in ("speech", "chime")                 # headless Chromium has no voice: a chime

    shot(main, "main-screen.png")
    shot(window1, "window-screen.png")
    shot(console, "staff-console.png")

    console.click("button[data-action=recall]")
    main.wait_for_function("window.hallVoice.log.length === 2")
    again = main.evaluate("window.hallVoice.log[1]")
    assert (again["text"], again["recall"]) == ("请A001号到1号窗口办理", True)
    window1.wait_for_function("window.hallVoice.log.length === 2")


def test_serving_finishing_and_window_states_show_plainly(pages, kiosk):
    kiosk.issue()
    window1 = live(pages("/display/east/windows/1", 1280, 720))
    console = pages("/staff", 1366, 768)
    take_window(console)
    press(console, "n")
    console.wait_for_function("document.querySelector('#t-number')?.textContent === 'A001'")
    press(console, "s")
    window1.wait_for_function("document.querySelector('#w-label')?.textContent === '正在办理'")
    assert text(window1, "#w-number") == "A001"
    console.wait_for_function("document.querySelector('#ticket').dataset.status === 'serving'")
    press(console, "f")
    window1.wait_for_function("document.querySelector('#w-label')?.textContent === '欢迎办理'")

    press(console, "p")
    console.click("#pause-presets button:has-text('会议')")
    console.click("#pause-form button[value=ok]")
    window1.wait_for_function("document.querySelector('#w-label')?.textContent === '暂停服务'")
    assert text(window1, "#w-detail") == "原因：会议"
    shot(window1, "window-screen-paused.png")
    press(console, "u")
    window1.wait_for_function("document.querySelector('#w-label')?.textContent === '欢迎办理'")

    console.once("dialog", lambda d: d.accept())
    press(console, "c")
    window1.wait_for_function("document.querySelector('#window-main').dataset.state === 'closed'")
    assert text(window1, "#w-detail") == "本窗口已关闭，请到其他窗口办理"
    assert window1.is_hidden("#staff")
    console.wait_for_selector("#pick:not([hidden])")


def test_every_refusal_says_why(pages, kiosk):
    console = pages("/staff", 1366, 768)
    login(console, password="wrong-password")
    console.wait_for_function("document.querySelector('#message').dataset.kind === 'error'")
    assert text(console, "#message").startswith("用户名或密码错误")

    take_window(console)
    press(console, "n")                                   # nobody waits: 204
    console.wait_for_function("document.querySelector('#message')?.textContent.includes('当前没有等候的群众')")
    press(console, "s")                                   # nothing to start: 409
    console.wait_for_function("document.querySelector('#message').dataset.kind === 'error'")
    message = text(console, "#message")
    assert message.startswith("本窗口当前没有号码") and "window 1 has no ticket to start" in message

    console.fill("#call-one input", "Z999")
    console.click("#call-one button")
    console.wait_for_function("document.querySelector('#message')?.textContent.startsWith('今天没有这个号码')")
    shot(console, "staff-console-refusal.png")


def test_transfer_moves_the_ticket_to_the_head_of_another_queue(pages, kiosk):
    kiosk.issue()
    kiosk.issue("id-card")
    main = live(pages("/display/east"))
    console = pages("/staff", 1366, 768)
    take_window(console)
    press(console, "n")
    console.wait_for_function("document.querySelector('#t-number')?.textContent === 'A001'")
    press(console, "t")
    console.select_option("#transfer-form select", "police")
    console.check("#transfer-form input[value=first]")
    console.click("#transfer-form button[value=ok]")
    console.wait_for_function("document.querySelector('#message')?.textContent.includes('A001 已转到 户籍业务')")
    main.wait_for_function("document.querySelector('.queue[data-queue=police] .q-count')?.textContent === '2'")
    press(console, "n")                # window 1 serves general then police: A001 now heads police
    console.wait_for_function("document.querySelector('#t-number')?.textContent === 'A001'")


def test_english_is_a_switch(pages, kiosk):
    kiosk.issue()
    main = live(pages("/display/east?lang=en"))
    assert text(main, ".now-label") == "Now calling"
    assert text(main, "#date").split()[0] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    assert text(main, "#notice") == NOTICE_EN
    main.click("#lang")
    assert text(main, ".now-label") == "正在叫号"
    assert text(main, "#notice") == NOTICE
    window1 = live(pages("/display/east/windows/1?lang=en", 1280, 720))
    window1.wait_for_function("document.querySelector('#w-label')?.textContent === 'Closed'")
    assert text(window1, "#window-name") == "Window 1"


def test_the_console_follows_a_call_made_on_the_window_keypad(pages, kiosk, server):
    console = pages("/staff", 1366, 768)
    take_window(console)
    kiosk.issue()
    console.wait_for_function("document.querySelector('#queues tr[data-queue=general] .count')?.textContent === '1'")
    r = requests.post(f"{server.url}/api/v1/centers/east/windows/1/call-next", headers=server.headers("bridge-east"),
                      timeout=10)
    assert r.status_code == 200
    console.wait_for_function("document.querySelector('#t-number')?.textContent === 'A001'")
    console.wait_for_function("document.querySelector('#t-item')?.textContent === '结婚登记'")  # from the staff room
    assert text(console, "#t-waited") != "—"
    console.reload()                                      # a reload keeps the login and the window
    console.wait_for_function("document.querySelector('#t-item')?.textContent === '结婚登记'")
