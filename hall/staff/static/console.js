/* The staff console: log in, take a window, call and serve. Every action is an /api/v1 call; what
 * the window and its queues look like comes live over Socket.IO (see displays/static/hall-live.js). */
(function () {
  "use strict";
  var DICT = {
    zh: {
      title: "窗口工作台", logout: "退出登录", login: "工作人员登录", username: "用户名", password: "密码",
      centre: "服务中心", login_button: "登录", pick_window: "选择窗口", pick_hint: "点击您所在的窗口，开始工作（开窗）。",
      queue: "业务", item: "事项", waited: "等候时长", at_window: "在窗口", call_next: "叫下一位", recall: "重呼",
      start: "开始办理", finish: "办结", no_show: "过号", transfer: "转移", pause: "暂停", resume: "恢复",
      close: "关闭窗口", call_one: "叫指定号", call_one_placeholder: "号码，如 A015", my_queues: "本窗口业务等候",
      waiting: "等候人数", est: "预计等候", transfer_title: "转移到其他业务", first: "排在最前", last: "排在最后",
      cancel: "取消", confirm: "确定", pause_title: "暂停服务", reason: "原因",
      no_window: "无窗口", no_wait: "无需等候", about_min: "约 {n} 分钟",
      state_open: "服务中", state_paused: "暂停中", state_closed: "已关闭", paused_because: "暂停中：{reason}",
      st_called: "已叫号，等候到窗", st_serving: "办理中", none: "当前无办理中的号码",
      min_sec: "{m} 分 {s} 秒", sec: "{s} 秒", total: "合计等候 {n} 人",
      window_staff: "{staff} 在岗", window_free: "空闲", take: "开窗", switch_window: "换窗口",
      called: "已叫 {ticket} 号到本窗口", recalled: "已重呼 {ticket} 号", started: "开始办理 {ticket}",
      finished: "{ticket} 已办结", no_showed: "{ticket} 已记为过号", transferred: "{ticket} 已转到 {queue}",
      paused_ok: "窗口已暂停", resumed_ok: "窗口已恢复服务", closed_ok: "窗口已关闭", opened_ok: "已开窗：{window}",
      nobody: "当前没有等候的群众", confirm_close: "确定关闭本窗口吗？", offline: "连接中断，正在重连…",
      live: "实时", refused: "实时连接被拒绝：{detail}", priority: "绿色通道", presets: "休息,会议,系统故障,业务咨询",
      need_login: "请先登录", network: "网络错误，请重试",
      err_invalid_credentials: "用户名或密码错误", err_unauthorized: "登录已失效，请重新登录",
      err_forbidden: "无权进行此操作", err_window_closed: "窗口已关闭，请先开窗",
      err_window_paused: "窗口暂停中，请先恢复服务", err_no_ticket: "本窗口当前没有号码",
      err_ticket_at_window: "当前号码尚未开始办理：请先开始办理或记为过号",
      err_ticket_serving: "该号码正在办理中", err_ticket_called: "该号码已叫号，尚未开始办理",
      err_not_waiting: "该号码不在等候中", err_unknown_ticket: "今天没有这个号码", err_unknown_queue: "没有这项业务",
      err_not_no_show: "只有过号的号码可以回呼", err_busy: "系统繁忙，请稍后再试",
      err_bad_input: "输入有误", err_not_found: "找不到",
    },
    en: {
      title: "Staff console", logout: "Log out", login: "Staff login", username: "User name", password: "Password",
      centre: "Centre", login_button: "Log in", pick_window: "Choose your window", pick_hint: "Click your window to start work (open it).",
      queue: "Queue", item: "Service", waited: "Waited", at_window: "At window", call_next: "Call next", recall: "Recall",
      start: "Start", finish: "Finish", no_show: "No-show", transfer: "Transfer", pause: "Pause", resume: "Resume",
      close: "Close window", call_one: "Call number", call_one_placeholder: "Number, e.g. A015", my_queues: "My queues",
      waiting: "Waiting", est: "Est. wait", transfer_title: "Transfer to another queue", first: "First in line",
      last: "Last in line", cancel: "Cancel", confirm: "OK", pause_title: "Pause the window", reason: "Reason",
      no_window: "no window", no_wait: "no wait", about_min: "about {n} min",
      state_open: "Open", state_paused: "Paused", state_closed: "Closed", paused_because: "Paused: {reason}",
      st_called: "Called, on the way", st_serving: "Being served", none: "No ticket at this window",
      min_sec: "{m} min {s} s", sec: "{s} s", total: "{n} waiting in all",
      window_staff: "{staff} on duty", window_free: "free", take: "Open", switch_window: "Change window",
      called: "Called {ticket} to this window", recalled: "Recalled {ticket}", started: "Serving {ticket}",
      finished: "{ticket} finished", no_showed: "{ticket} marked no-show", transferred: "{ticket} moved to {queue}",
      paused_ok: "Window paused", resumed_ok: "Window resumed", closed_ok: "Window closed", opened_ok: "Opened {window}",
      nobody: "Nobody is waiting", confirm_close: "Close this window?", offline: "Connection lost, reconnecting…",
      live: "live", refused: "Live connection refused: {detail}", priority: "priority", presets: "Break,Meeting,System fault,Enquiry",
      need_login: "Please log in", network: "Network error, try again",
    },
  };
  var i18n = HallI18n.create(DICT);
  var $ = function (id) { return document.getElementById(id); };
  var store = window.sessionStorage;
  var session = JSON.parse(store.getItem("hall.staff") || "null");   // {token, user, center, window}
  var picture = null, items = {}, queues = {}, windows = {}, tickets = {};
  var live = null;

  function save() { store.setItem("hall.staff", JSON.stringify(session)); }

  // --- messages: every refusal says why, in words a person at a window can act on ---
  var messageTimer = null;
  function say(text, kind) {
    var box = $("message");
    box.textContent = text;
    box.dataset.kind = kind || "info";
    box.hidden = false;
    clearTimeout(messageTimer);
    if (kind !== "error") messageTimer = setTimeout(function () { box.hidden = true; }, 6000);
  }

  function refusal(err) {
    var known = DICT[i18n.lang()]["err_" + err.code];
    var text = known ? known : err.message;
    if (known && i18n.lang() === "zh" && err.message) text += "（" + err.message + "）";
    return text;
  }

  function api(method, path, body) {
    var headers = {"Content-Type": "application/json"};
    if (session && session.token) headers.Authorization = "Bearer " + session.token;
    return fetch("/api/v1" + path, {method: method, headers: headers, body: body ? JSON.stringify(body) : undefined})
      .then(function (r) {
        if (r.status === 204) return null;
        return r.json().catch(function () { return null; }).then(function (data) {
          if (!r.ok || data === null) {
            var err = data && data.error ? data.error : {code: "http_" + r.status, message: "HTTP " + r.status + " " + r.statusText};
            err.status = r.status;
            throw err;
          }
          return data;
        });
      }, function () { throw {code: "network", message: i18n.t("network")}; });
  }

  // --- screens ---
  function show(which) {
    ["login", "pick", "work"].forEach(function (id) { $(id).hidden = id !== which; });
    $("logout").hidden = which === "login";
    $("who").hidden = which === "login";
  }

  function renderWho() {
    if (!session) return;
    $("who-centre").textContent = picture ? picture.name : session.center || "";
    var w = session.window ? windows[session.window] : null;
    $("who-window").textContent = w ? w.name : "";
    $("who-name").textContent = session.user.name + (session.user.staff_no ? "（" + session.user.staff_no + "）" : "");
  }

  function renderPick() {
    var list = $("windows");
    list.replaceChildren();
    Object.keys(windows).map(Number).sort(function (a, b) { return a - b; }).forEach(function (n) {
      var w = windows[n];
      var b = document.createElement("button");
      b.type = "button";
      b.className = "window-choice state-" + w.state;
      b.dataset.window = n;
      var name = document.createElement("b");
      name.textContent = w.name;
      var st = document.createElement("span");
      st.textContent = i18n.t("state_" + w.state) + " · " +
        (w.staff ? i18n.t("window_staff", {staff: w.staff.name}) : i18n.t("window_free"));
      b.append(name, st);
      b.addEventListener("click", function () { take(n); });
      list.append(b);
    });
  }

  function myTicket() {
    var w = windows[session.window];
    if (!w || !w.ticket) return null;
    var t = tickets[w.ticket];
    // the window's own push is the freshest word on the status
    return t && t.window === session.window ? Object.assign({}, t, {status: w.ticket_status || t.status})
      : {number: w.ticket, status: w.ticket_status};
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) return "—";
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 60) return i18n.t("sec", {s: seconds});
    return i18n.t("min_sec", {m: Math.floor(seconds / 60), s: seconds % 60});
  }

  var skew = 0;     // the hall's clock minus this PC's, from the last snapshot
  function since(iso) { return iso ? (Date.now() + skew - Date.parse(iso)) / 1000 : null; }

  function renderWork() {
    var w = windows[session.window];
    if (!w) return;
    var state = $("window-state");
    state.dataset.state = w.state;
    state.textContent = w.state === "paused" && w.pause_reason ? i18n.t("paused_because", {reason: w.pause_reason})
      : i18n.t("state_" + w.state);
    $("reopen").hidden = w.state !== "closed";
    var t = myTicket();
    $("ticket").dataset.status = t ? t.status : "none";
    $("t-number").textContent = t ? t.number : "—";
    $("t-status").textContent = t ? i18n.t("st_" + t.status) + (t.priority === "priority" ? " · " + i18n.t("priority") : "")
      : i18n.t("none");
    var q = t && t.queue ? queues[t.queue] : null;
    $("t-queue").textContent = q ? (i18n.lang() === "en" && q.name_en ? q.name_en : q.name) : (t && t.queue_name) || "—";
    var it = t && t.item ? items[t.item] : null;
    $("t-item").textContent = it ? (i18n.lang() === "en" && it.name_en ? it.name_en : it.name) : "—";
    $("t-waited").textContent = t && t.issued_at && t.called_at
      ? duration((Date.parse(t.called_at) - Date.parse(t.issued_at)) / 1000) : "—";
    $("t-at").textContent = t && t.called_at ? duration(since(t.started_at || t.called_at)) : "—";
    var body = $("queues");
    body.replaceChildren();
    var total = 0;
    (w.queues || []).forEach(function (id) {
      var qv = queues[id];
      if (!qv) return;
      total += qv.waiting;
      var tr = document.createElement("tr");
      tr.dataset.queue = id;
      [i18n.lang() === "en" && qv.name_en ? qv.name_en : qv.name, String(qv.waiting),
       HallI18n.waitText(i18n, qv.est_wait_s)].forEach(function (text, i) {
        var td = document.createElement("td");
        td.textContent = text;
        if (i === 1) td.className = "count";
        tr.append(td);
      });
      body.append(tr);
    });
    $("total").textContent = i18n.t("total", {n: total});
    renderWho();
  }

  function render() {
    i18n.apply();
    $("lang").textContent = i18n.lang() === "en" ? "中文" : "EN";
    if (!session) return show("login");
    if (!picture) return;
    if (!session.window || !windows[session.window]) { show("pick"); renderPick(); renderWho(); return; }
    show("work");
    renderWork();
  }

  // --- live ---
  function connectLive() {
    if (live) live.socket.close();
    live = window.hallLive = HallLive.connect({
      center: session.center,
      token: function () { return session && session.token; },
      handlers: {
        snapshot: function (s) {
          picture = s;
          if (typeof s.now === "number") skew = s.now * 1000 - Date.now();
          queues = {}; windows = {}; 
          s.queues.forEach(function (q) { queues[q.id] = q; });
          s.windows.forEach(function (w) { windows[w.number] = w; });
          if (s.tickets) { tickets = {}; s.tickets.forEach(function (t) { tickets[t.number] = t; }); }
          else if (s.prev !== undefined) live.resync();   // a pushed snapshot carries no ticket details
          render();
        },
        window: function (m) { windows[m.number] = m; render(); },
        queue: function (m) { queues[m.id] = m; render(); },
        ticket: function (m) { tickets[m.number] = m; render(); },
        status: function (state, detail) {
          var c = $("conn");
          c.dataset.state = state;
          c.textContent = i18n.t(state, {detail: detail || ""});
          if (state === "refused") say(i18n.t("refused", {detail: detail || ""}), "error");
        },
      },
    });
  }

  function loadItems() {
    api("GET", "/centers/" + encodeURIComponent(session.center) + "/items").then(function (data) {
      items = {};
      data.items.forEach(function (it) { items[it.id] = it; });
      render();
    }, function () { /* names only; the console works without them */ });
  }

  function begin() {
    connectLive();
    loadItems();
    render();
  }

  // --- actions ---
  var busy = false;
  function setBusy(on) {
    busy = on;
    document.body.dataset.busy = on ? "1" : "";    // the buttons dim while the hall answers
  }
  var DONE = {"call-next": "called", "call": "called", "recall": "recalled", "start": "started", "finish": "finished",
              "no-show": "no_showed", "transfer": "transferred", "pause": "paused_ok", "resume": "resumed_ok",
              "close": "closed_ok", "open": "opened_ok"};

  function act(action, body) {
    if (!session || !session.window || busy) return Promise.resolve(false);
    setBusy(true);
    var path = "/centers/" + encodeURIComponent(session.center) + "/windows/" + session.window + "/" + action;
    return api("POST", path, body || {}).then(function (result) {
      setBusy(false);
      if (result === null) { say(i18n.t("nobody"), "info"); return true; }
      if (result && result.number && result.id) tickets[result.number] = result;
      var qname = body && body.queue && queues[body.queue] ? queues[body.queue].name : "";
      say(i18n.t(DONE[action], {ticket: result && result.number, queue: qname,
                                window: windows[session.window] ? windows[session.window].name : ""}), "ok");
      if (action === "close") { session.window = null; save(); }
      render();
      return true;
    }, function (err) {
      setBusy(false);
      if (err.status === 401) { logout(); }
      say(refusal(err), "error");
      return false;
    });
  }

  function take(n) {
    session.window = n;
    save();
    act("open").then(function (ok) {
      if (!ok && session) { session.window = null; save(); }
      render();
    });
  }

  function transfer() {
    var dialog = $("transfer-dialog");
    var select = dialog.querySelector("select");
    select.replaceChildren();
    Object.keys(queues).forEach(function (id) {
      var o = document.createElement("option");
      o.value = id;
      o.textContent = queues[id].prefix + " " + (i18n.lang() === "en" && queues[id].name_en ? queues[id].name_en : queues[id].name);
      select.append(o);
    });
    dialog.returnValue = "";
    dialog.showModal();
  }

  function pause() {
    var dialog = $("pause-dialog");
    var presets = $("pause-presets");
    presets.replaceChildren();
    i18n.t("presets").split(",").forEach(function (p) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = p;
      b.addEventListener("click", function () { dialog.querySelector("input[name=reason]").value = p; });
      presets.append(b);
    });
    dialog.returnValue = "";
    dialog.showModal();
  }

  function run(action) {
    if (action === "transfer") return transfer();
    if (action === "pause") return pause();
    if (action === "close" && !window.confirm(i18n.t("confirm_close"))) return;
    act(action);
  }

  $("transfer-form").addEventListener("submit", function (e) {
    if (e.submitter && e.submitter.value !== "ok") return;
    var f = e.target;
    act("transfer", {queue: f.queue.value, position: f.querySelector("input[name=position]:checked").value});
  });
  $("pause-form").addEventListener("submit", function (e) {
    if (e.submitter && e.submitter.value !== "ok") return;
    var reason = e.target.reason.value.trim();
    act("pause", reason ? {reason: reason} : {});
  });

  $("actions").addEventListener("click", function (e) {
    var b = e.target.closest("button[data-action]");
    if (b) run(b.dataset.action);
  });

  $("call-one").addEventListener("submit", function (e) {
    e.preventDefault();
    var n = e.target.ticket.value.trim().toUpperCase();
    if (!n) return;
    act("call", {ticket: n}).then(function (ok) { if (ok) e.target.ticket.value = ""; });
  });

  var KEYS = {n: "call-next", r: "recall", s: "start", f: "finish", x: "no-show", t: "transfer", p: "pause",
              u: "resume", c: "close"};
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    var tag = (e.target && e.target.tagName) || "";
    if (/INPUT|SELECT|TEXTAREA/.test(tag) || document.querySelector("dialog[open]") || $("work").hidden) return;
    var action = KEYS[e.key.toLowerCase()];
    if (!action) return;
    e.preventDefault();
    run(action);
  });

  // --- login ---
  $("login-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var f = e.target;
    api("POST", "/auth/login", {username: f.username.value.trim(), password: f.password.value}).then(function (r) {
      var center = r.center || f.center.value;
      if (!center) {
        // an administrator belongs to every centre: ask which one
        return api("GET", "/centers").then(function (data) {
          var sel = f.center;
          sel.replaceChildren();
          data.centers.forEach(function (c) {
            var o = document.createElement("option");
            o.value = c.id; o.textContent = c.name;
            sel.append(o);
          });
          $("centre-pick").hidden = false;
        });
      }
      session = {token: r.token, center: center, window: null,
                 user: {username: f.username.value.trim(), name: r.name || f.username.value.trim(),
                        staff_no: r.staff_no, role: r.role}};
      save();
      f.password.value = "";
      $("message").hidden = true;
      begin();
    }, function (err) { say(refusal(err), "error"); });
  });

  function logout() {
    session = null;
    store.removeItem("hall.staff");
    if (live) live.socket.close();
    live = null; picture = null;
    render();
  }
  $("logout").addEventListener("click", logout);
  $("reopen").addEventListener("click", function () { act("open"); });
  $("switch").addEventListener("click", function () {
    // leaving the window as it is: the next person (or this one, elsewhere) takes it over
    session.window = null;
    save();
    render();
  });
  $("lang").addEventListener("click", function () { i18n.toggle(); });
  i18n.onChange(render);
  setInterval(function () { if (session && session.window && !$("work").hidden) renderWork(); }, 1000);

  if (session) begin(); else render();
})();
