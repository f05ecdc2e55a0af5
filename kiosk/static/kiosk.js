/* The touch kiosk of one centre. Plain script, no framework, nothing from outside the hall's LAN.
   Normal tickets are taken through the public API with this kiosk's device token and one
   Idempotency-Key per intent (a double tap or a retry after a time-out gets the same ticket);
   the kiosk blueprint prints them and says what the screen must show when the printer fails. */
(function () {
  "use strict";

  var CID = document.body.dataset.center;
  var TOKEN_KEY = "hall.kiosk.token." + CID;
  var LIFE_COLORS = {"出生": "#e0607e", "上学": "#e98a15", "工作": "#1f6fd1", "结婚": "#c8161d",
                     "退休": "#12805c", "其他": "#6b5bb5"};
  var LIFE_GLYPH = {"出生": "生", "上学": "学", "工作": "工", "结婚": "婚", "退休": "退", "其他": "他"};
  var LIFE_EN = {"出生": "Birth", "上学": "School", "工作": "Work", "结婚": "Marriage", "退休": "Retirement",
                 "其他": "Other"};
  var KEYS = "qwertyuiopasdfghjklzxcvbnm".split("");

  var TEXT = {
    zh: {
      subtitle: "自助取号 · 一次告知 · 只跑一次", search_hint: "搜索事项：输入名称或拼音首字母，如 jhdj（结婚登记）",
      by_event: "按人生事件办理", by_department: "按部门办理", queues_now: "当前排队", all_departments: "全部业务",
      queue_card: "等候 {n} 人", notice_label: "温馨提示：", elderly_greeting: "您好！请点选要办的事",
      elderly_more: "其他业务 ›", green_hint: "年满65周岁、残疾人、孕妇、军人可请引导员开通绿色通道优先办理",
      search_title: "搜索事项", search_placeholder: "输入拼音首字母或事项名称", clear: "清空",
      materials_title: "请备齐以下材料（一次性告知）", no_materials: "本事项无需另备材料，请携带本人有效身份证件。",
      take: "取 号", take_priority: "绿色通道（请引导员协助）", priority_badge: "绿色通道", ahead: "前面等候",
      wait: "预计等候", qr_hint: "用手机扫码，随时查看排队进度", confirm: "我已拍照 / 记下号码",
      print_again: "再试打印", done: "完成", setup_title: "本机设置",
      setup_text: "请输入本机的设备令牌（由 hall devices add 生成）。", save: "保存", guide_title: "引导员服务",
      reprint_title: "补打号票", reprint: "补打", printer_title: "打印机", printer_check: "检查打印机",
      back: "‹ 返回", home: "首页", elderly: "长者模式", elderly_off: "标准模式", lang: "English", guide: "引导员",
      cancel: "取消", ok: "知道了", busy: "正在取号，请稍候…", printing: "正在打印…",
      people: "{n} 人", items_count: "{n} 项", waiting_now: "当前等候 {n} 人 · 预计{w}",
      wait_none: "待窗口开放", wait_soon: "即将叫号", wait_min: "约 {m} 分钟", wait_hour: "约 {h} 小时 {m} 分",
      ticket_ok: "取号成功", ticket_fault: "号码已取，但号票未能打印", printed: "请取走下方打印的号票，留意叫号",
      no_printer: "本机不打印号票：请拍照或扫码保存号码", fault_box: "请拍照留存",
      fault_detail: "{why}。号码有效，请拍下本页或记下号码，然后点击下方「我已拍照」。",
      fault_void: "如不确认，号码将在 {m} 分钟后作废。", confirmed: "已确认。请在等候区留意叫号。",
      back_in: "{s} 秒后返回首页", no_results: "没有找到，请换个写法，或到咨询台咨询",
      search_start: "点下方字母输入拼音首字母", list_event: "{e} · 相关事项", list_dept: "{d}",
      closed_title: "现在不在办理时间", closed_text: "本中心现在不办理业务。",
      closed_todo: ["请在办理时间内再来：{hours}", "可用手机扫描大厅二维码，在网上办理或预约", "如有急事请到咨询台咨询"],
      quota_title: "今日号源已取完", quota_text: "「{q}」今天的号已经取完了。",
      quota_todo: ["请明天早些来取号", "可用手机在网上预约或办理", "到咨询台问问能否在其他窗口办理"],
      net_title: "网络暂时不通", net_text: "没有取到号，请稍后再试。",
      net_todo: ["等几秒再点「取号」（不会重复取号）", "或到咨询台人工取号"],
      error_title: "暂时无法取号", pin_title: "请引导员输入密码",
      pin_text: "绿色通道适用于老年人、残疾人、孕妇、军人等。", bad_pin: "密码不正确，请重试",
      pin_locked: "密码错误次数过多，请5分钟后再试", no_pin: "本机未设置引导员密码，请到咨询台办理",
      setup_bad: "令牌无效，请检查后重新输入", printer_ok: "打印机正常", printer_fault: "打印机故障：{m}",
      printer_none: "本机未连接打印机", printer_banner: "打印机暂停：号码会显示在屏幕上，请拍照留存",
      reprint_done: "已补打 {n} 号", reprint_fault: "补打失败：{m}", hours_none: "全天",
      week: {"mon": "周一", "tue": "周二", "wed": "周三", "thu": "周四", "fri": "周五", "sat": "周六", "sun": "周日"},
      to: "至", days: ["日", "一", "二", "三", "四", "五", "六"],
      checkin_entry: "预约签到", checkin_entry_hint: "已在网上预约？输入预约号取号，优先叫号",
      checkin_title: "预约签到", checkin_hint: "请输入 8 位预约号（在预约成功的页面或「我的预约」里）",
      checkin_go: "签到取号", checkin_walk_in: "没有预约也可以办：点下方「首页」选择事项取号",
      key_clear: "清空", checking_in: "正在签到，请稍候…", checkin_ok: "签到成功", appointment_badge: "预约 · 优先叫号",
      ci_unknown_title: "没有找到这个预约号", ci_unknown_text: "您输入的是 {code}。",
      ci_unknown_todo: ["请核对 8 位预约号后重新输入", "预约号在手机上预约成功的页面和「我的预约」里",
                        "找不到预约号，请到咨询台求助，或回首页直接取号"],
      ci_early_title: "还没到签到时间", ci_early_text: "您预约的是 {day} {slot} 的「{q}」。",
      ci_early_todo: ["请在 {day} {opens} 以后再来签到", "现在就要办理的话，可以回首页直接取号排队"],
      ci_missed_title: "预约时间已过", ci_missed_text: "这个预约已经过了签到时间，不能再签到。",
      ci_missed_todo: ["请点下方「首页」，选择要办的事项，取一张普通号", "以后不能按时来时，请提前在手机上取消预约"],
      ci_cancelled_title: "这个预约已取消", ci_cancelled_text: "已取消的预约不能签到。",
      ci_cancelled_todo: ["请点下方「首页」，选择要办的事项取号"],
      ci_closed_text: "现在不在办理时间，暂时不能签到。", date: "{m}月{d}日"
    },
    en: {
      subtitle: "Self-service tickets", search_hint: "Search: type a name or the pinyin initials, e.g. jhdj",
      by_event: "By life event", by_department: "By department", queues_now: "Queues now",
      all_departments: "All services", queue_card: "{n} waiting", notice_label: "Note: ", elderly_greeting: "Hello! Tap what you came for",
      elderly_more: "Other services ›", green_hint: "Seniors (65+), disabled people, pregnant women and veterans: "
        + "ask a guide for a priority ticket",
      search_title: "Search services", search_placeholder: "Pinyin initials or a name", clear: "Clear",
      materials_title: "Please bring these documents", no_materials: "Nothing else to bring: just your ID card.",
      take: "Take a ticket", take_priority: "Priority ticket (with a guide)", priority_badge: "Priority",
      ahead: "People ahead", wait: "Estimated wait", qr_hint: "Scan to follow your ticket on your phone",
      confirm: "I have taken a photo", print_again: "Print again", done: "Done", setup_title: "Kiosk settings",
      setup_text: "Enter this kiosk's device token (from hall devices add).", save: "Save",
      guide_title: "Guide desk", reprint_title: "Reprint a ticket", reprint: "Reprint", printer_title: "Printer",
      printer_check: "Check printer", back: "‹ Back", home: "Home", elderly: "Large text", elderly_off: "Standard",
      lang: "中文", guide: "Guide", cancel: "Cancel", ok: "OK", busy: "Getting your ticket…", printing: "Printing…",
      people: "{n}", items_count: "{n} services", waiting_now: "{n} waiting · {w}",
      wait_none: "when a window opens", wait_soon: "very soon", wait_min: "about {m} min",
      wait_hour: "about {h} h {m} min", ticket_ok: "Here is your ticket",
      ticket_fault: "Your number is valid, but the ticket could not be printed",
      printed: "Please take your printed ticket below", no_printer: "This kiosk does not print: take a photo or scan",
      fault_box: "Please take a photo of this screen",
      fault_detail: "{why}. Your number is valid: take a photo or write it down, then tap the green button.",
      fault_void: "Unconfirmed numbers are cancelled after {m} minutes.", confirmed: "Confirmed. Please wait to be called.",
      back_in: "Back to the start in {s} s", no_results: "Nothing found. Try other letters or ask at the help desk",
      search_start: "Type the pinyin initials below", list_event: "{e}", list_dept: "{d}",
      closed_title: "The centre is closed now", closed_text: "No tickets are issued outside opening hours.",
      closed_todo: ["Come back during opening hours: {hours}", "Use your phone to apply or book online",
                    "Ask at the help desk if it is urgent"],
      quota_title: "No tickets left today", quota_text: "Today's tickets for \"{q}\" are all taken.",
      quota_todo: ["Come back early tomorrow", "Book or apply online on your phone",
                   "Ask at the help desk whether another window can help"],
      net_title: "No connection", net_text: "No ticket was issued. Please try again.",
      net_todo: ["Wait a moment and tap again (you will not get two tickets)", "Or ask at the help desk"],
      error_title: "Cannot issue a ticket", pin_title: "Guide PIN",
      pin_text: "Priority service for seniors, disabled people, pregnant women and veterans.",
      bad_pin: "Wrong PIN, please try again", pin_locked: "Too many wrong PINs: try again in 5 minutes",
      no_pin: "No guide PIN on this kiosk: please ask at the help desk", setup_bad: "That token is not valid",
      printer_ok: "Printer ready", printer_fault: "Printer fault: {m}", printer_none: "No printer on this kiosk",
      printer_banner: "Printer paused: your number is shown on screen, please take a photo",
      reprint_done: "Reprinted {n}", reprint_fault: "Reprint failed: {m}", hours_none: "all day",
      week: {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"},
      to: "–", days: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
      checkin_entry: "Appointment check-in", checkin_entry_hint: "Booked online? Enter your code: you are called first",
      checkin_title: "Appointment check-in", checkin_hint: "Enter your 8-digit appointment code (shown when you booked)",
      checkin_go: "Check in", checkin_walk_in: "No appointment? Tap Home and choose a service to take a ticket",
      key_clear: "Clear", checking_in: "Checking in…", checkin_ok: "Checked in: here is your ticket", appointment_badge: "Appointment · called first",
      ci_unknown_title: "Appointment code not found", ci_unknown_text: "You entered {code}.",
      ci_unknown_todo: ["Check the 8 digits and enter them again", "The code is on your phone, under “My appointments”",
                        "Cannot find it? Ask at the help desk, or take an ordinary ticket"],
      ci_early_title: "Too early to check in", ci_early_text: "Your appointment: {q}, {day} {slot}.",
      ci_early_todo: ["Please check in after {opens} on {day}", "To be served now, take an ordinary ticket from Home"],
      ci_missed_title: "Your appointment time has passed", ci_missed_text: "The check-in time for this appointment is over.",
      ci_missed_todo: ["Tap Home, choose your service and take an ordinary ticket",
                       "Next time, cancel on your phone if you cannot come"],
      ci_cancelled_title: "This appointment was cancelled", ci_cancelled_text: "A cancelled appointment cannot be checked in.",
      ci_cancelled_todo: ["Tap Home and choose a service to take a ticket"],
      ci_closed_text: "The centre is closed: check-in is not possible now.", date: "{d}/{m}"
    }
  };

  var S = {
    lang: "zh", elderly: false, catalog: null, settings: null, token: null,
    view: "home", history: [], item: null, intent: null, busy: false, ticket: null, answer: null,
    idleTimer: null, countdownTimer: null, printerFault: false, pin: "", pinResolve: null,
    listSpec: null, searchTimer: null, code: ""
  };

  // --- small helpers ---

  function $(id) { return document.getElementById(id); }

  function t(key, params) {
    var s = TEXT[S.lang][key];
    if (s === undefined) s = TEXT.zh[key];
    if (typeof s !== "string") return s;
    return s.replace(/\{(\w+)\}/g, function (_, k) { return params && params[k] !== undefined ? params[k] : ""; });
  }

  function tl(key, params) {
    return (t(key) || []).map(function (s) {
      return s.replace(/\{(\w+)\}/g, function (_, k) { return params && params[k] !== undefined ? params[k] : ""; });
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function name(obj) { return S.lang === "en" && obj.name_en ? obj.name_en : obj.name; }

  function newKey() {
    var a = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(a);
    return "kiosk-" + Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function waitText(s) {
    if (s === null || s === undefined) return t("wait_none");
    var m = Math.ceil(s / 60);
    if (m <= 1) return t("wait_soon");
    if (m < 60) return t("wait_min", {m: m});
    return t("wait_hour", {h: Math.floor(m / 60), m: m % 60});
  }

  // fetch with a deadline; resolves to {status, data, headers} or rejects on network failure
  function call(method, url, body, extraHeaders, timeoutMs) {
    var ctrl = new AbortController();
    var timer = setTimeout(function () { ctrl.abort(); }, timeoutMs || 8000);
    var headers = {"Accept": "application/json"};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (S.token) headers["Authorization"] = "Bearer " + S.token;
    for (var k in (extraHeaders || {})) headers[k] = extraHeaders[k];
    return fetch(url, {method: method, headers: headers, signal: ctrl.signal,
                       body: body === undefined ? undefined : JSON.stringify(body)})
      .then(function (r) {
        return r.text().then(function (txt) {
          var data = null;
          try { data = txt ? JSON.parse(txt) : null; } catch (e) { data = null; }
          return {status: r.status, data: data, headers: r.headers};
        });
      })
      .finally(function () { clearTimeout(timer); });
  }

  // --- language, elderly mode, clock ---

  function applyText() {
    document.documentElement.lang = S.lang === "en" ? "en" : "zh-CN";
    document.querySelectorAll("[data-t]").forEach(function (e) { e.textContent = t(e.dataset.t); });
    document.querySelectorAll("[data-t-placeholder]").forEach(function (e) {
      e.placeholder = t(e.dataset.tPlaceholder);
    });
    var h1 = $("center-name");
    h1.textContent = S.lang === "en" ? h1.dataset.en : h1.dataset.zh;
    $("btn-elderly").textContent = S.elderly ? t("elderly_off") : t("elderly");
    document.title = h1.textContent;
  }

  function setLang(lang) {
    S.lang = lang;
    applyText();
    render();
  }

  function setElderly(on) {
    S.elderly = on;
    document.documentElement.classList.toggle("elderly", on);
    applyText();
    render();
  }

  function tickClock() {
    var d = new Date();
    $("clock-time").textContent = ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
    $("clock-date").textContent = S.lang === "en"
      ? d.toDateString()
      : (d.getMonth() + 1) + "月" + d.getDate() + "日 星期" + TEXT.zh.days[d.getDay()];
  }

  // --- views ---

  function show(view, remember) {
    if (remember !== false && S.view !== view && S.view !== "ticket") S.history.push(S.view);
    S.view = view;
    document.querySelectorAll(".view").forEach(function (v) { v.hidden = v.id !== "view-" + view; });
    $("btn-back").disabled = view === "home";
    document.querySelector("main").scrollTop = 0;
    render();
    armIdle();
  }

  function back() {
    if (S.view === "ticket") return goHome();
    var prev = S.history.pop();
    show(prev || "home", false);
  }

  function goHome() {
    S.history = [];
    S.item = null;
    S.intent = null;
    S.ticket = null;
    S.answer = null;
    S.code = "";
    S.guidePin = null;          // the guide has walked away: the next person is a citizen
    if (window.HallIdCard) window.HallIdCard.clear();     // and so has the card holder
    clearInterval(S.countdownTimer);
    closeModal();
    if (S.elderly) setElderly(false);
    if (S.lang !== "zh") setLang("zh");
    show("home", false);
    refreshCatalog();
  }

  function render() {
    if (!S.catalog) return;
    if (S.view === "home") renderHome();
    if (S.view === "list") renderList();
    if (S.view === "item") renderItem();
    if (S.view === "ticket") renderTicket();
    if (S.view === "search") runSearch();
    if (S.view === "checkin") renderCheckin();
    renderBanner();
  }

  function queueOf(item) {
    var qs = S.catalog.queues;
    for (var i = 0; i < qs.length; i++) if (qs[i].id === item.queue) return qs[i];
    return null;
  }

  function renderHome() {
    var items = S.catalog.items;
    var grid = $("event-grid");
    grid.innerHTML = "";
    S.catalog.life_events.forEach(function (ev) {
      var n = items.filter(function (it) { return it.life_events.indexOf(ev) >= 0; }).length;
      var b = el("button", "event-tile");
      b.dataset.event = ev;
      var g = el("span", "glyph", LIFE_GLYPH[ev] || ev.charAt(0));
      g.style.background = LIFE_COLORS[ev] || "#1f6fd1";
      b.appendChild(g);
      b.appendChild(el("span", "label", S.lang === "en" ? (LIFE_EN[ev] || ev) : ev));
      b.appendChild(el("span", "count", t("items_count", {n: n})));
      b.onclick = function () { S.listSpec = {event: ev}; show("list"); };
      grid.appendChild(b);
    });
    var depts = $("dept-grid");
    depts.innerHTML = "";
    S.catalog.departments.forEach(function (d) {
      var n = items.filter(function (it) { return it.department === d; }).length;
      var b = el("button", "dept", d);
      b.dataset.department = d;
      b.appendChild(el("small", null, t("items_count", {n: n})));
      b.onclick = function () { S.listSpec = {department: d}; show("list"); };
      depts.appendChild(b);
    });
    var board = $("queue-board");
    board.innerHTML = "";
    S.catalog.queues.forEach(function (q) {
      var card = el("div", "queue-card");
      card.dataset.queue = q.id;
      card.appendChild(el("span", "q-prefix", q.prefix));
      var body = el("div", "q-body");
      body.appendChild(el("strong", null, name(q)));
      body.appendChild(el("span", null, t("queue_card", {n: q.waiting})));
      body.appendChild(el("span", null, waitText(q.est_wait_s)));
      card.appendChild(body);
      board.appendChild(card);
    });
    var booking = S.catalog.queues.some(function (q) { return !!q.appointments; });
    $("open-checkin").hidden = !booking;
    $("elderly-checkin").hidden = !booking;
    var notice = $("center-notice"), c = S.catalog.center;
    var noticeText = S.lang === "en" && c.notice_en ? c.notice_en : c.notice;
    notice.hidden = !noticeText;
    notice.textContent = noticeText ? t("notice_label") + noticeText : "";
    // elderly mode: the most asked-for services, one tap from home
    var popular = items.slice().sort(function (a, b) { return (b.weight || 0) - (a.weight || 0); }).slice(0, 6);
    var big = $("popular-grid");
    big.innerHTML = "";
    popular.forEach(function (it) {
      var b = el("button", "big-item", name(it));
      b.dataset.item = it.id;
      var q = queueOf(it);
      if (q) b.appendChild(el("small", null, t("waiting_now", {n: q.waiting, w: waitText(q.est_wait_s)})));
      b.onclick = function () { openItem(it); };
      big.appendChild(b);
    });
  }

  function itemRow(it) {
    var b = el("button", "item-row");
    b.dataset.item = it.id;
    var left = el("span", null, name(it));
    var q = queueOf(it);
    left.appendChild(el("small", null, it.department + (q ? " · " + t("waiting_now", {n: q.waiting, w: waitText(q.est_wait_s)}) : "")));
    b.appendChild(left);
    b.appendChild(el("span", "chev", "›"));
    b.onclick = function () { openItem(it); };
    return b;
  }

  function renderList() {
    var spec = S.listSpec || {};
    var depts = $("list-depts");
    depts.hidden = !spec.all;
    if (spec.all) {
      // every department, as big buttons: the elderly path to what is not among the six
      $("list-title").textContent = t("all_departments");
      depts.innerHTML = "";
      $("item-list").innerHTML = "";
      S.catalog.departments.forEach(function (d) {
        var b = el("button", "dept", d);
        b.dataset.department = d;
        b.onclick = function () { S.listSpec = {department: d}; show("list"); };
        depts.appendChild(b);
      });
      return;
    }
    var items = S.catalog.items.filter(function (it) {
      return spec.event ? it.life_events.indexOf(spec.event) >= 0 : it.department === spec.department;
    });
    $("list-title").textContent = spec.event
      ? t("list_event", {e: S.lang === "en" ? (LIFE_EN[spec.event] || spec.event) : spec.event})
      : t("list_dept", {d: spec.department});
    var list = $("item-list");
    list.innerHTML = "";
    items.forEach(function (it) { list.appendChild(itemRow(it)); });
    if (!items.length) list.appendChild(el("p", "empty", t("no_results")));
  }

  function openItem(it) {
    S.item = it;
    S.intent = newKey();        // one intent, one key: taps and retries on this page share it
    show("item");
    refreshCatalog();           // the waits of a minute ago are not the waits of now
  }

  function renderItem() {
    var it = S.item;
    if (!it) return;
    $("item-name").textContent = name(it);
    var q = queueOf(it);
    $("item-meta").textContent = it.department + (q ? " · " + name(q) : "");
    var full = q && q.daily_quota && q.issued_today >= q.daily_quota;
    $("item-wait").textContent = !q ? "" : full ? t("quota_title")
      : t("waiting_now", {n: q.waiting, w: waitText(q.est_wait_s)});
    $("item-wait").classList.toggle("full", !!full);
    var ol = $("item-materials");
    ol.innerHTML = "";
    (it.materials || []).forEach(function (m) { ol.appendChild(el("li", null, m)); });
    $("item-no-materials").hidden = (it.materials || []).length > 0;
    $("take").disabled = S.busy;
  }

  function renderBanner() {
    var b = $("banner");
    if (S.catalog && !S.catalog.center.open) {
      b.textContent = t("closed_title") + " · " + hoursText();
      b.className = "banner closed";
      b.hidden = false;
    } else if (S.printerFault) {
      b.textContent = t("printer_banner");
      b.className = "banner";
      b.hidden = false;
    } else {
      b.hidden = true;
    }
  }

  function hoursText() {
    var h = S.catalog && S.catalog.center.hours;
    if (!h) return t("hours_none");
    var week = t("week");
    return Object.keys(h).map(function (k) {
      var days = k.split("-").map(function (d) { return week[d] || d; }).join(t("to"));
      return days + " " + h[k].join("，");
    }).join("；");
  }

  // --- search ---

  function buildKeyboard(box, onKey, withDigits) {
    box.innerHTML = "";
    var keys = (withDigits ? "1234567890abcdefghijklmnopqrstuvwxyz" : KEYS.join("")).split("");
    keys.forEach(function (k) {
      var b = el("button", "key", k);
      b.dataset.k = k;
      b.onclick = function () { onKey(k); };
      box.appendChild(b);
    });
    var del = el("button", "key wide", "⌫");
    del.dataset.k = "backspace";
    del.onclick = function () { onKey("backspace"); };
    box.appendChild(del);
  }

  function searchKey(k) {
    var input = $("search-input");
    input.value = k === "backspace" ? input.value.slice(0, -1) : input.value + k;
    scheduleSearch();
  }

  function scheduleSearch() {
    clearTimeout(S.searchTimer);
    S.searchTimer = setTimeout(runSearch, 150);
  }

  function runSearch() {
    var q = $("search-input").value.trim();
    var box = $("search-results");
    if (!q) {
      box.innerHTML = "";
      box.appendChild(el("p", "empty", t("search_start")));
      return;
    }
    call("GET", "/kiosk/" + CID + "/search?q=" + encodeURIComponent(q)).then(function (r) {
      if ($("search-input").value.trim() !== q) return;       // a newer query is on its way
      box.innerHTML = "";
      var byId = {};
      S.catalog.items.forEach(function (it) { byId[it.id] = it; });
      var ids = (r.data && r.data.items) || [];
      ids.forEach(function (id) { if (byId[id]) box.appendChild(itemRow(byId[id])); });
      if (!ids.length) box.appendChild(el("p", "empty", t("no_results")));
    }).catch(function () {});
  }

  // --- taking a ticket ---

  function setBusy(on, text) {
    S.busy = on;
    $("busy").hidden = !on;
    $("busy-text").textContent = text || t("busy");
    $("take").disabled = on;
    $("take-priority").disabled = on;
    $("checkin-go").disabled = on || S.code.length !== CODE_LEN;
  }

  function take(priorityPin) {
    if (S.busy || !S.item) return;
    var it = S.item;
    if (!S.intent) S.intent = newKey();
    var key = S.intent;
    setBusy(true);
    var url, body;
    if (priorityPin) {
      url = "/kiosk/" + CID + "/tickets";
      body = {item: it.id, pin: priorityPin};
    } else {
      url = "/api/v1/centers/" + CID + "/tickets";
      body = {item: it.id};
      if (window.HallIdCard) window.HallIdCard.extend(body);    // the card laid, and 绿色通道 by age
    }
    var attempt = 0;
    function tryOnce() {
      attempt += 1;
      return call("POST", url, body, {"Idempotency-Key": key}).catch(function (e) {
        // the answer may have been lost after the ticket was made: the same key gets the same ticket
        if (attempt < 3) return new Promise(function (res) { setTimeout(res, 700 * attempt); }).then(tryOnce);
        throw e;
      });
    }
    tryOnce().then(function (r) {
      if (r.status === 201) return printTicket(r.data);
      setBusy(false);
      if (r.status === 401) return needSetup(t("setup_bad"));
      var err = (r.data && r.data.error) || {};
      if (window.HallIdCard && window.HallIdCard.refused(err)) return;   // already_waiting: offer a reprint
      if (err.code === "bad_pin" || err.code === "pin_locked" || err.code === "no_pin" || err.code === "no_guide_pin") {
        return refuse(t("pin_title"), t(err.code === "bad_pin" ? "bad_pin" : err.code === "pin_locked" ? "pin_locked" : "no_pin"), []);
      }
      if (err.code === "closed") {
        return refuse(t("closed_title"), t("closed_text"), t("closed_todo").map(function (s) {
          return s.replace("{hours}", hoursText());
        }));
      }
      if (err.code === "quota_reached") {
        var q = queueOf(it);
        return refuse(t("quota_title"), t("quota_text", {q: q ? name(q) : name(it)}), t("quota_todo"));
      }
      refuse(t("error_title"), err.message || ("HTTP " + r.status), t("net_todo").slice(1));
    }).catch(function () {
      setBusy(false);
      refuse(t("net_title"), t("net_text"), t("net_todo"));
    });
  }

  function printTicket(ticket) {
    S.ticket = ticket;
    setBusy(true, t("printing"));
    return call("POST", "/kiosk/" + CID + "/print/" + encodeURIComponent(ticket.id), {}, {}, 20000)
      .then(function (r) {
        if (r.status === 200 && r.data) return r.data;
        throw new Error("print answered " + r.status);
      })
      .catch(function () {
        // the ticket exists whatever happened to the print request: show it for a photo
        return {ticket: ticket, printed: false, fault: "error", message: "打印出错", message_en: "printing failed",
                needs_confirm: false, qr_url: "/kiosk/" + CID + "/tickets/" + encodeURIComponent(ticket.id) + "/qr.svg"};
      })
      .then(function (answer) {
        setBusy(false);
        S.answer = answer;
        S.printerFault = answer.printed === false && !!answer.fault;
        S.intent = null;
        show("ticket");
        if (S.printerFault) watchPrinter();
      });
  }

  function renderTicket() {
    var a = S.answer;
    if (!a) return;
    var tk = a.ticket;
    var it = S.item;
    var fault = !a.printed && !!a.fault;
    var head = $("ticket-headline");
    $("ticket-headline-text").textContent = fault ? t("ticket_fault") : tk.appointment ? t("checkin_ok") : t("ticket_ok");
    head.className = "ticket-ok" + (fault ? " fault" : "");
    var what = it ? name(it) : a.item_name;
    $("ticket-item").textContent = what && what !== tk.queue_name ? what + " · " + tk.queue_name : tk.queue_name;
    $("ticket-number").textContent = tk.number;
    $("ticket-priority").hidden = tk.priority !== "priority";
    $("ticket-appointment").hidden = !tk.appointment;
    $("ticket-ahead").textContent = t("people", {n: tk.ahead});
    $("ticket-wait").textContent = waitText(tk.est_wait_s);
    var qr = $("ticket-qr");
    if (a.qr_svg) qr.innerHTML = a.qr_svg;
    else if (a.qr_url) qr.innerHTML = '<img alt="QR" src="' + a.qr_url + '">';
    var st = $("print-status");
    st.innerHTML = "";
    if (fault) {
      st.className = "print-status fault";
      st.appendChild(el("strong", null, t("fault_box")));
      var why = S.lang === "en" ? (a.message_en || a.message) : a.message;
      st.appendChild(el("span", null, t("fault_detail", {why: why})));
      if (a.needs_confirm && a.confirm_within_s) {
        st.appendChild(el("div", null, t("fault_void", {m: Math.max(1, Math.round(a.confirm_within_s / 60))})));
      }
    } else if (a.printer === "none") {
      st.className = "print-status info";
      st.textContent = t("no_printer");
    } else {
      st.className = "print-status ok";
      st.textContent = t("printed");
    }
    $("fault-actions").hidden = !fault || a.confirmed;
    if (a.confirmed) {
      st.className = "print-status ok";
      st.textContent = t("confirmed");
    }
    // time to take a photo when there is no paper to take away
    var slow = (fault && !a.confirmed) || a.printer === "none";
    startCountdown(slow ? S.settings.fault_idle_s : S.settings.ticket_idle_s);
  }

  function confirmNumber() {
    var a = S.answer;
    if (!a) return;
    call("POST", "/kiosk/" + CID + "/confirm/" + encodeURIComponent(a.ticket.id), {}).then(function (r) {
      if (r.status === 200) {
        a.confirmed = true;
        renderTicket();
      }
    }).catch(function () {});
  }

  function printAgain() {
    var a = S.answer;
    if (!a || S.busy) return;
    setBusy(true, t("printing"));
    call("POST", "/kiosk/" + CID + "/print/" + encodeURIComponent(a.ticket.id), {again: true}, {}, 20000)
      .then(function (r) {
        setBusy(false);
        if (r.status === 200 && r.data) {
          S.answer = r.data;
          S.printerFault = !r.data.printed && !!r.data.fault;
          renderTicket();
          renderBanner();
        }
      }).catch(function () { setBusy(false); });
  }

  function startCountdown(seconds) {
    clearInterval(S.countdownTimer);
    var left = seconds || 20;
    var label = $("countdown");
    label.textContent = t("back_in", {s: left});
    S.countdownTimer = setInterval(function () {
      left -= 1;
      label.textContent = t("back_in", {s: Math.max(left, 0)});
      if (left <= 0) goHome();
    }, 1000);
  }

  // --- appointment check-in: the booking code on a keypad, then a ticket printed like any other ---

  var CODE_LEN = 8;

  function openCheckin() {
    S.code = "";
    show("checkin");
  }

  function checkinKey(k) {
    if (S.busy) return;
    if (k === "back") S.code = S.code.slice(0, -1);
    else if (k === "clear") S.code = "";
    else if (S.code.length < CODE_LEN) S.code += k;
    renderCheckin();
  }

  function renderCheckin() {
    var boxes = $("checkin-boxes");
    boxes.innerHTML = "";
    for (var i = 0; i < CODE_LEN; i++) {
      var b = el("span", "code-box" + (i === S.code.length ? " next" : "") + (i === 4 ? " gap" : ""), S.code.charAt(i));
      boxes.appendChild(b);
    }
    boxes.dataset.code = S.code;
    $("checkin-go").disabled = S.busy || S.code.length !== CODE_LEN;
  }

  function checkIn() {
    if (S.busy || S.code.length !== CODE_LEN) return;
    var code = S.code;
    setBusy(true, t("checking_in"));
    // checking in twice gives the same ticket, so a retry after a lost answer is safe
    var attempt = 0;
    function tryOnce() {
      attempt += 1;
      return call("POST", "/api/v1/centers/" + CID + "/appointments/" + code + "/check-in", {}).catch(function (e) {
        if (attempt < 3) return new Promise(function (res) { setTimeout(res, 700 * attempt); }).then(tryOnce);
        throw e;
      });
    }
    tryOnce().then(function (r) {
      if (r.status === 201) {
        S.item = null;
        return printTicket(r.data);
      }
      setBusy(false);
      if (r.status === 401) return needSetup(t("setup_bad"));
      return checkinRefused(code, (r.data && r.data.error) || {}, r.status);
    }).catch(function () {
      setBusy(false);
      refuse(t("net_title"), t("net_text"), t("net_todo"));
    });
  }

  function checkinRefused(code, err, status) {
    var spaced = code.slice(0, 4) + " " + code.slice(4);
    if (err.code === "unknown_appointment") {
      S.code = "";
      renderCheckin();
      return refuse(t("ci_unknown_title"), t("ci_unknown_text", {code: spaced}), t("ci_unknown_todo"));
    }
    if (err.code === "too_early") return tooEarly(code);
    if (err.code === "appointment_missed") return refuse(t("ci_missed_title"), t("ci_missed_text"), t("ci_missed_todo"));
    if (err.code === "appointment_cancelled") {
      return refuse(t("ci_cancelled_title"), t("ci_cancelled_text"), t("ci_cancelled_todo"));
    }
    if (err.code === "closed") {
      return refuse(t("closed_title"), t("ci_closed_text"), t("closed_todo").map(function (s) {
        return s.replace("{hours}", hoursText());
      }));
    }
    refuse(t("error_title"), serverText(err.message) || ("HTTP " + status), t("net_todo").slice(1));
  }

  /* Say when to come back: the booking's day and slot (public, by code), less the early check-in allowance. */
  function tooEarly(code) {
    return call("GET", "/api/v1/centers/" + CID + "/appointments/" + code).then(function (r) {
      var b = r.status === 200 && r.data;
      if (!b) throw new Error("no booking");
      var early = Math.round(((S.catalog.booking && S.catalog.booking.early_s) || 0) / 60);
      var start = b.slot.split("-")[0].split(":");
      var opens = Math.max(0, parseInt(start[0], 10) * 60 + parseInt(start[1], 10) - early);
      var hm = ("0" + Math.floor(opens / 60)).slice(-2) + ":" + ("0" + (opens % 60)).slice(-2);
      var p = b.day.split("-");
      var day = t("date", {m: parseInt(p[1], 10), d: parseInt(p[2], 10)});
      var q = null;
      S.catalog.queues.forEach(function (x) { if (x.id === b.queue) q = x; });
      refuse(t("ci_early_title"), t("ci_early_text", {day: day, slot: b.slot, q: q ? name(q) : b.queue}),
             tl("ci_early_todo", {day: day, opens: hm}));
    }).catch(function () {
      refuse(t("ci_early_title"), "", tl("ci_early_todo", {day: "", opens: ""}).slice(1));
    });
  }

  /* The server's messages are "中文 / English": the half in the kiosk's language. */
  function serverText(message) {
    var halves = String(message || "").split(" / ");
    return S.lang === "en" && halves.length > 1 ? halves.slice(1).join(" / ") : halves[0];
  }

  // --- refusals and the guide's PIN ---

  function refuse(title, text, todo) {
    openModal(title, text, todo, false);
  }

  function openModal(title, text, todo, withPin) {
    $("modal-title").textContent = title;
    $("modal-text").textContent = text || "";
    var ul = $("modal-list");
    ul.innerHTML = "";
    (todo || []).forEach(function (s) { ul.appendChild(el("li", null, s)); });
    $("pin-pad").hidden = !withPin;
    $("modal-cancel").hidden = !withPin;
    $("modal").hidden = false;
  }

  function closeModal() {
    $("modal").hidden = true;
    if (S.pinResolve) {
      var r = S.pinResolve;
      S.pinResolve = null;
      r(null);
    }
  }

  function askPin(text) {
    S.pin = "";
    drawPin();
    openModal(t("pin_title"), text || "", [], true);
    return new Promise(function (resolve) { S.pinResolve = resolve; });
  }

  function drawPin() {
    var dots = $("pin-dots");
    dots.innerHTML = "";
    for (var i = 0; i < S.pin.length; i++) dots.appendChild(el("span"));
  }

  function pinKey(k) {
    if (k === "⌫") S.pin = S.pin.slice(0, -1);
    else if (k === "✓") {
      var r = S.pinResolve, pin = S.pin;
      S.pinResolve = null;
      $("modal").hidden = true;
      if (r) r(pin);
      return;
    } else if (S.pin.length < 8) S.pin += k;
    drawPin();
  }

  function takePriority() {
    askPin(t("pin_text")).then(function (pin) { if (pin) take(pin); });
  }

  function openGuide() {
    askPin("").then(function (pin) {
      if (!pin) return;
      call("POST", "/kiosk/" + CID + "/pin", {pin: pin}).then(function (r) {
        if (r.status === 200) {
          S.guidePin = pin;
          show("guide");
          checkPrinter();
        } else if (r.status === 401) {
          needSetup(t("setup_bad"));
        } else {
          var code = r.data && r.data.error && r.data.error.code;
          refuse(t("pin_title"), t(code === "pin_locked" ? "pin_locked" : code === "no_guide_pin" ? "no_pin" : "bad_pin"), []);
        }
      }).catch(function () { refuse(t("net_title"), "", []); });
    });
  }

  function reprint() {
    var code = $("reprint-code").value.trim().toUpperCase();
    if (!code) return;
    var out = $("reprint-result");
    out.textContent = t("printing");
    call("POST", "/kiosk/" + CID + "/reprint", {code: code, pin: S.guidePin || ""}, {}, 20000).then(function (r) {
      if (r.status === 200 && r.data.printed) out.textContent = t("reprint_done", {n: r.data.ticket.number});
      else if (r.status === 200) out.textContent = t("reprint_fault", {m: r.data.message || r.data.fault || ""});
      else out.textContent = (r.data && r.data.error && r.data.error.message) || ("HTTP " + r.status);
    }).catch(function () { out.textContent = t("net_title"); });
  }

  function checkPrinter() {
    return call("GET", "/kiosk/" + CID + "/printer", undefined, {}, 15000).then(function (r) {
      if (r.status !== 200 || !r.data) return;
      var st = r.data.status;
      S.printerFault = st === "fault";
      var line = st === "ok" ? t("printer_ok") : st === "none" ? t("printer_none")
        : st === "fault" ? t("printer_fault", {m: r.data.message || r.data.fault || ""}) : st;
      $("printer-state").textContent = line;
      renderBanner();
    }).catch(function () {});
  }

  // while the printer is down, ask now and then: when it is back, the banner goes and tickets print again
  function watchPrinter() {
    if (S.printerWatch) return;
    S.printerWatch = setInterval(function () {
      if (!S.printerFault) {
        clearInterval(S.printerWatch);
        S.printerWatch = null;
        return;
      }
      checkPrinter();
    }, 15000);
  }

  // --- setup: the device token ---

  function needSetup(message) {
    $("setup-error").textContent = message || "";
    $("setup-token").value = "";
    show("setup");
  }

  function saveToken(token) {
    S.token = token;
    return call("GET", "/kiosk/" + CID + "/me").then(function (r) {
      if (r.status === 401 || r.status === 403) {
        S.token = null;
        needSetup(t("setup_bad"));
        return false;
      }
      if (r.status !== 200) throw new Error("the hall answered " + r.status);
      localStorage.setItem(TOKEN_KEY, token);
      document.body.dataset.ready = "1";
      S.settings = r.data.settings || {idle_s: 45, ticket_idle_s: 20, fault_idle_s: 90};
      if (r.data.settings_error) $("setup-error").textContent = r.data.settings_error;
      return true;
    });
  }

  // --- idle: back home by itself ---

  function armIdle() {
    clearTimeout(S.idleTimer);
    if (S.view === "home" || S.view === "ticket" || S.view === "setup") return;
    S.idleTimer = setTimeout(goHome, ((S.settings && S.settings.idle_s) || 45) * 1000);
  }

  // --- catalogue ---

  function refreshCatalog() {
    return call("GET", "/kiosk/" + CID + "/catalog.json").then(function (r) {
      if (r.status !== 200) return;
      S.catalog = r.data;
      if (S.view === "home") renderHome();
      if (S.view === "item") renderItem();
      renderBanner();
    }).catch(function () {});
  }

  // --- start ---

  function wire() {
    $("btn-home").onclick = goHome;
    $("btn-back").onclick = back;
    $("btn-elderly").onclick = function () { setElderly(!S.elderly); if (S.view !== "home") show("home", false); };
    $("btn-lang").onclick = function () { setLang(S.lang === "zh" ? "en" : "zh"); };
    $("btn-guide").onclick = openGuide;
    $("open-search").onclick = function () { $("search-input").value = ""; show("search"); };
    $("elderly-more").onclick = function () { S.listSpec = {all: true}; show("list"); };
    $("search-input").addEventListener("input", scheduleSearch);
    $("search-clear").onclick = function () { $("search-input").value = ""; runSearch(); };
    $("take").onclick = function () { take(null); };
    $("take-priority").onclick = takePriority;
    $("confirm-number").onclick = confirmNumber;
    $("print-again").onclick = printAgain;
    $("ticket-done").onclick = goHome;
    $("modal-ok").onclick = closeModal;
    $("modal-cancel").onclick = closeModal;
    $("setup-save").onclick = function () {
      var v = $("setup-token").value.trim();
      if (v) saveToken(v).then(function (ok) { if (ok) goHome(); }).catch(function () {
        $("setup-error").textContent = t("net_title");
      });
    };
    $("reprint-go").onclick = reprint;
    $("open-checkin").onclick = openCheckin;
    $("elderly-checkin").onclick = openCheckin;
    $("checkin-go").onclick = checkIn;
    var numpad = $("checkin-pad");
    ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"].forEach(function (k) {
      var b = el("button", "num" + (k.length > 1 ? " fn" : ""), k === "back" ? "⌫" : k === "clear" ? "" : k);
      b.dataset.k = k;
      if (k === "clear") b.dataset.t = "key_clear";
      b.onclick = function () { checkinKey(k); };
      numpad.appendChild(b);
    });
    $("printer-check").onclick = checkPrinter;
    $("open-setup").onclick = function () { needSetup(""); };
    buildKeyboard($("keyboard"), searchKey, false);
    buildKeyboard($("reprint-keys"), function (k) {
      var i = $("reprint-code");
      i.value = k === "backspace" ? i.value.slice(0, -1) : (i.value + k).toUpperCase();
    }, true);
    var pad = $("pin-keys");
    "123456789⌫0✓".split("").forEach(function (k) {
      var b = el("button", null, k);
      b.dataset.k = k;
      b.onclick = function () { pinKey(k); };
      pad.appendChild(b);
    });
    ["pointerdown", "keydown"].forEach(function (ev) { document.addEventListener(ev, armIdle, true); });
  }

  function start() {
    wire();
    applyText();
    tickClock();
    setInterval(tickClock, 10000);
    setInterval(function () { if (S.view === "home") refreshCatalog(); }, 30000);
    // a token passed once in the address is kept, then removed from the address bar
    var params = new URLSearchParams(location.search);
    var token = params.get("token") || localStorage.getItem(TOKEN_KEY);
    if (params.has("token")) history.replaceState(null, "", location.pathname);
    boot(token);
  }

  // a kiosk switched on before the hall's server keeps trying until it answers
  function boot(token) {
    refreshCatalog().then(function () {
      if (!S.catalog) return retryBoot(token);
      if (!token) return needSetup("");
      saveToken(token).then(function (ok) {
        if (ok) {
          show("home", false);
          checkPrinter();
        }
      }).catch(function () { retryBoot(token); });
    });
  }

  function retryBoot(token) {
    var b = $("banner");
    b.textContent = t("net_title") + " …";
    b.className = "banner closed";
    b.hidden = false;
    setTimeout(function () { boot(token); }, 5000);
  }

  // what kiosk/static/idcard.js (the ID-card reader's side of the page) may use
  window.HallKiosk = {S: S, cid: CID, t: t, call: call, show: show, goHome: goHome, setElderly: setElderly,
                      printTicket: printTicket, setBusy: setBusy, refuse: refuse, armIdle: armIdle};
  start();
})();
