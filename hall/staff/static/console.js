/* The staff console: log in, take a window, call and serve. Every action is an /api/v1 call; what
 * the window and its queues look like comes live over Socket.IO (see displays/static/hall-live.js). */
(function () {
  "use strict";
  var i18n = Hall.text.scope("staff"), el = Hall.el;
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
    var known = i18n.has("err_" + err.code) ? i18n.t("err_" + err.code) : null;
    var text = known ? known : err.message;
    if (known && i18n.lang() === "zh" && err.message) text += "（" + err.message + "）";
    return text;
  }

  function api(method, path, body) {
    return Hall.request(method, "/api/v1" + path, {body: body || undefined, token: session && session.token})
      .then(function (r) {
        if (r.status === 204) return null;
        var data = r.data;
        if (!r.ok || data === null) {
          var err = data && data.error ? data.error : {code: "http_" + r.status, message: "HTTP " + r.status + " " + r.statusText};
          err.status = r.status;
          throw err;
        }
        return data;
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
      var b = el("button", {type: "button", class: "window-choice state-" + w.state, dataset: {window: n},
                            onclick: function () { take(n); }}, [
        el("b", null, w.name),
        el("span", null, i18n.t("state_" + w.state) + " · " +
          (w.staff ? i18n.t("window_staff", {staff: w.staff.name}) : i18n.t("window_free")))]);
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
    $("t-status").textContent = t ? (i18n.has("st_" + t.status) ? i18n.t("st_" + t.status) : Hall.text.t("status." + t.status)) + (t.priority === "priority" ? " · " + i18n.t("priority") : "")
      : i18n.t("none");
    var q = t && t.queue ? queues[t.queue] : null;
    $("t-queue").textContent = q ? i18n.name(q) : (t && t.queue_name) || "—";
    var it = t && t.item ? items[t.item] : null;
    $("t-item").textContent = it ? i18n.name(it) : "—";
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
      body.append(el("tr", {dataset: {queue: id}}, [
        el("td", null, i18n.name(qv)), el("td", "count", String(qv.waiting)), el("td", null, i18n.waitText(qv.est_wait_s))]));
    });
    $("total").textContent = i18n.t("total", {n: total});
    renderWho();
  }

  function render() {
    i18n.apply();
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
      select.append(el("option", {value: id, text: queues[id].prefix + " " + i18n.name(queues[id])}));
    });
    dialog.returnValue = "";
    dialog.showModal();
  }

  function pause() {
    var dialog = $("pause-dialog");
    var presets = $("pause-presets");
    presets.replaceChildren();
    i18n.t("presets").split(",").forEach(function (p) {
      presets.append(el("button", {type: "button", text: p,
                                   onclick: function () { dialog.querySelector("input[name=reason]").value = p; }}));
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
            sel.append(el("option", {value: c.id, text: c.name}));
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
