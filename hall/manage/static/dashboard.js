/* The live dashboard: the centre's picture from /api/v1/centers/{c}/board, refreshed whenever the
 * centre's Socket.IO room hears something (and every 15 s for the trends and the clocks), with
 * elapsed times ticking in between. Every change a manager makes is an /api/v1 call. */
(function () {
  "use strict";
  var M = window.HallManage, t = M.t, el = M.el, $ = M.$;
  var centre = document.body.dataset.center;
  var board = null, fetchedAt = 0, live = null;
  var timer = null, busy = false, again = false, last = 0;
  var MIN_GAP_MS = 700, POLL_MS = 15000;
  var editing = null, picked = [];

  function en() { return M.i18n.lang() === "en"; }
  function elapsed() { return Date.now() / 1000 - fetchedAt; }
  function queue(id) { return board ? board.queues.find(function (q) { return q.id === id; }) : null; }
  function qname(id) { var q = queue(id); return q ? M.i18n.name(q) : id; }
  function win(n) { return board ? board.windows.find(function (w) { return w.number === n; }) : null; }
  function wname(n) { var w = win(n); return w && !en() ? w.name : t("window_number", {n: n}); }

  // --- fetching ---
  function refresh() {
    busy = true;
    last = Date.now();
    return M.api("GET", "/centers/" + centre + "/board").then(function (b) {
      board = b;
      fetchedAt = Date.now() / 1000;
      render();
    }, function (err) { if (err.status !== 401) M.say(M.refusal(err), "error"); })
      .then(function () {
        busy = false;
        if (again) { again = false; soon(); }
      });
  }

  function soon() {
    if (busy) { again = true; return; }
    clearTimeout(timer);
    timer = setTimeout(refresh, Math.max(0, MIN_GAP_MS - (Date.now() - last)));
  }

  // --- rendering ---
  function render() {
    renderSummary();
    renderQueues();
    renderWindows();
    renderAlerts();
    renderRecs();
    renderMoveForm();
    tick();
  }

  function renderSummary() {
    var waiting = board.queues.reduce(function (n, q) { return n + q.waiting; }, 0);
    var open = board.windows.filter(function (w) { return w.state === "open"; }).length;
    var served = board.windows.reduce(function (n, w) { return n + w.served_today; }, 0);
    var red = board.alerts.filter(function (a) { return a.level === "red"; }).length;
    $("s-waiting").textContent = waiting;
    $("s-open").textContent = open + " / " + board.windows.length;
    $("s-served").textContent = served;
    var s = board.ratings.satisfaction;
    $("s-satisfaction").textContent = s === null ? t("none") : (s * 100).toFixed(1) + "%";
    $("s-alerts").textContent = red + " / " + (board.alerts.length - red);
    $("s-alerts-tile").className = "tile" + (red ? " red" : board.alerts.length ? " yellow" : "");
    $("s-followups").textContent = t("followups_count", {open: board.followups.open, overdue: board.followups.overdue});
    $("s-fu-tile").className = "tile" + (board.followups.overdue ? " red" : board.followups.open ? " yellow" : "");
  }

  function spark(values) {
    var w = 120, h = 28, max = Math.max.apply(null, values.concat([1]));
    var pts = values.map(function (v, i) {
      return (i * w / Math.max(1, values.length - 1)).toFixed(1) + "," + (h - 2 - v * (h - 4) / max).toFixed(1);
    });
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "spark");
    svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    svg.setAttribute("preserveAspectRatio", "none");
    var area = document.createElementNS(svg.namespaceURI, "polygon");
    area.setAttribute("class", "area");
    area.setAttribute("points", "0," + h + " " + pts.join(" ") + " " + w + "," + h);
    var line = document.createElementNS(svg.namespaceURI, "polyline");
    line.setAttribute("points", pts.join(" "));
    svg.append(area, line);
    var title = document.createElementNS(svg.namespaceURI, "title");
    title.textContent = values.join(" → ");
    svg.append(title);
    return svg;
  }

  function lateClass(seconds, norm) {
    if (!norm || !seconds) return "";
    return seconds >= 2 * norm ? "late-red" : seconds >= norm ? "late-yellow" : "";
  }

  function renderQueues() {
    var body = $("queues");
    body.replaceChildren();
    board.queues.forEach(function (q) {
      body.append(el("tr", {dataset: {queue: q.id}}, [
        el("td", {class: "q-name"}, [el("span", {class: "q-prefix", text: q.prefix}), el("b", {text: qname(q.id)})]),
        el("td", {class: "n waiting", text: q.waiting}),
        el("td", {class: "n longest", dataset: {base: q.longest_wait_s, norm: q.max_wait_s, waiting: q.waiting}}),
        el("td", {class: "n", text: q.waiting || q.open_windows ? M.waitText(q.est_wait_s) : t("none")}),
        el("td", {}, [spark(q.trend)]),
        el("td", {class: "n", text: q.open_windows}),
      ]));
    });
  }

  function alertLevels() {
    var byWindow = {};
    board.alerts.forEach(function (a) {
      if (a.window !== null && a.window !== undefined && byWindow[a.window] !== "red") byWindow[a.window] = a.level;
    });
    return byWindow;
  }

  function renderWindows() {
    var box = $("windows"), levels = alertLevels();
    box.replaceChildren();
    var open = 0;
    board.windows.forEach(function (w) {
      if (w.state === "open") open += 1;
      var home = w.home_queues.join(",") === w.queues.join(",");
      var chips = w.queues.map(function (q) { return el("span", {class: "chip" + (home ? "" : " moved"), text: qname(q)}); });
      var ticket = w.ticket ? [el("span", {text: w.ticket}), el("small", {text: qname(w.ticket_queue)})] : [];
      box.append(el("button", {type: "button", class: "window", dataset: {window: w.number, state: w.state,
                                                                            alert: levels[w.number] || ""},
                               onclick: function () { openDialog(w.number); }}, [
        el("div", {class: "w-head"}, [el("span", {class: "w-name", text: en() ? t("window_number", {n: w.number}) : w.name}),
                                      el("span", {class: "w-state", text: t("st_" + w.state) + (w.pause_reason ? "·" + w.pause_reason : "")})]),
        el("div", {class: "w-staff", text: w.staff ? w.staff.name + (w.staff.staff_no ? " " + w.staff.staff_no : "") : " "}),
        el("div", {class: "chips"}, chips),
        el("div", {class: "w-ticket"}, ticket),
        el("div", {class: "w-foot"}, [el("span", {class: "w-elapsed"}), el("span", {text: t("served_n", {n: w.served_today})})]),
      ]));
    });
    $("windows-count").textContent = open + " / " + board.windows.length;
  }

  function alertText(a) {
    var q = queue(a.queue), w = win(a.window), value = a.value, live_s = null;
    if (a.rule === "wait" && q) live_s = q.longest_wait_s;
    if (a.rule === "service" && w && w.in_service_s !== null) live_s = w.in_service_s;
    if (a.rule === "idle" && w && w.free_s !== null) live_s = w.free_s;
    if (a.rule === "pause" && w && w.state === "paused") live_s = w.state_s;
    var timed = ["wait", "service", "idle", "pause"].indexOf(a.rule) >= 0;
    return t("t_" + a.rule, {
      queue: a.queue ? qname(a.queue) : "", window: a.window !== null && a.window !== undefined ? wname(a.window) : "",
      number: a.number || "", device: a.device || "",
      value: timed ? "<v>" : value, limit: timed ? M.duration(a.limit) : a.limit,
    }).split("<v>").reduce(function (nodes, part, i) {
      if (i) nodes.push(el("span", {class: "live-v", dataset: {base: live_s !== null ? live_s : value}}));
      nodes.push(document.createTextNode(part));
      return nodes;
    }, []);
  }

  function renderAlerts() {
    var list = $("alerts");
    list.replaceChildren();
    var red = board.alerts.filter(function (a) { return a.level === "red"; }).length;
    $("alerts-count").textContent = board.alerts.length ? t("alerts_count", {red: red, n: board.alerts.length}) : "";
    if (!board.alerts.length) {
      list.append(el("li", {class: "empty", text: t("no_alerts")}));
      return;
    }
    board.alerts.forEach(function (a) {
      var acked = a.acknowledged_at !== null;
      list.append(el("li", {class: "alert", dataset: {level: a.level, rule: a.rule, alert: a.id}}, [
        el("div", {class: "a-head"}, [el("span", {class: "a-title", text: t("r_" + a.rule)}),
                                      el("span", {class: "a-age", dataset: {base: a.age_s}})]),
        el("div", {class: "a-text"}, alertText(a)),
        el("div", {class: "a-foot"}, [
          el("span", {class: "a-acked", text: acked ? t("acked", {who: (a.acknowledged_by || "").replace(/^user:/, "")})
                                                     + (a.note ? "：" + a.note : "") : ""}),
          acked ? null : el("button", {type: "button", class: "small primary", text: t("ack"),
                                       onclick: function () { acknowledge(a.id); }}),
        ]),
      ]));
    });
  }

  function acknowledge(id) {
    M.api("POST", "/centers/" + centre + "/alerts/acknowledge", {alert: id}).then(soon, function (err) {
      M.say(M.refusal(err), "error");
      soon();
    });
  }

  function recText(r) {
    var head;
    var names = function (qs) { return qs.map(qname).join(t("list_sep")); };
    var added = r.queues.filter(function (q) { return r.from.indexOf(q) < 0; });
    head = r.kind === "share" ? t("rec_share", {window: r.window, queues: names(added)})
      : r.kind === "restore" ? t("rec_restore", {window: r.window, queues: names(r.queues)})
        : t("rec_move", {window: r.window, from: names(r.from), queues: names(r.queues)});
    var parts = [document.createTextNode(head + t("colon"))];
    r.effects.forEach(function (e, i) {
      if (i) parts.push(document.createTextNode(t("comma")));
      var text, cls = "";
      if (e.after_s === null) text = t("no_window");
      else if (e.delta_s === null) text = t("rec_est", {wait: M.waitText(e.after_s)});
      else {
        var m = Math.round(e.delta_s / 60);
        cls = m < 0 ? "good" : m > 0 ? "bad" : "";
        text = m === 0 ? t("rec_same") : t("rec_delta", {sign: m > 0 ? "+" : "−", n: Math.abs(m)});
      }
      parts.push(document.createTextNode(t("rec_queue", {queue: qname(e.queue)})));
      parts.push(el("span", {class: cls, text: text}));
    });
    return parts;
  }

  function renderRecs() {
    var list = $("recs"), recs = board.recommendations;
    list.replaceChildren();
    $("recs-at").textContent = recs ? t("computed", {t: M.hhmm(recs.computed_at)}) : "";
    if (!recs || !recs.items.length) {
      list.append(el("li", {class: "empty", text: t("no_recs")}));
      return;
    }
    recs.items.forEach(function (r) {
      list.append(el("li", {class: "rec", dataset: {window: r.window}}, [
        el("div", {class: "r-text"}, recText(r)),
        el("button", {type: "button", class: "primary small", text: t("apply"), onclick: function () {
          assign(r.window, r.queues, r.mode).then(function () {
            M.say(t("applied", {text: recText(r).map(function (n) { return n.textContent; }).join("")}), "ok");
          });
        }}),
      ]));
    });
  }

  function renderMoveForm() {
    ["move-from", "move-to"].forEach(function (id) {
      var sel = $(id), keep = sel.value;
      sel.replaceChildren();
      board.queues.forEach(function (q) {
        sel.append(el("option", {value: q.id, text: qname(q.id) + "（" + q.waiting + "）"}));
      });
      if (keep) sel.value = keep;
      else if (id === "move-to" && board.queues.length > 1) sel.selectedIndex = 1;
    });
  }

  // elapsed times tick between refreshes
  function tick() {
    if (!board) return;
    var dt = elapsed();
    document.querySelectorAll("#queues td.longest").forEach(function (td) {
      var base = Number(td.dataset.base), waiting = Number(td.dataset.waiting);
      var s = waiting ? base + dt : 0;
      td.textContent = waiting ? M.duration(s) : t("none");
      td.className = "n longest " + lateClass(s, Number(td.dataset.norm));
    });
    board.windows.forEach(function (w) {
      var node = document.querySelector(".window[data-window='" + w.number + "'] .w-elapsed");
      if (!node) return;
      if (w.ticket && w.in_service_s !== null) {
        node.textContent = t(w.ticket_status === "called" ? "called_for" : "serving_for", {d: M.duration(w.in_service_s + dt)});
      } else if (w.free_s !== null) {
        node.textContent = t("idle_for", {d: M.duration(w.free_s + dt)});
      } else {
        node.textContent = "";
      }
    });
    document.querySelectorAll(".alert .a-age").forEach(function (n) { n.textContent = M.duration(Number(n.dataset.base) + dt); });
    document.querySelectorAll(".alert .live-v").forEach(function (n) { n.textContent = M.duration(Number(n.dataset.base) + dt); });
  }

  // --- changing things ---
  function assign(number, queues, mode) {
    return M.api("PUT", "/centers/" + centre + "/windows/" + number + "/queues", {queues: queues, mode: mode})
      .then(function (w) {
        M.say(t("assigned", {name: en() ? t("window_number", {n: number}) : w.name, queues: w.queues.map(qname).join(t("list_sep"))}), "ok");
        soon();
        return w;
      }, function (err) { M.say(M.refusal(err), "error"); throw err; });
  }

  function renderPick() {
    var box = $("wd-queues");
    box.replaceChildren();
    board.queues.forEach(function (q) {
      var i = picked.indexOf(q.id);
      var box1 = el("input", {type: "checkbox", name: "queue", value: q.id, checked: i >= 0, onchange: function () {
        var j = picked.indexOf(q.id);
        if (j >= 0) picked.splice(j, 1); else picked.push(q.id);
        renderPick();
      }});
      box.append(el("label", {}, [box1, el("span", {text: (i >= 0 ? (i + 1) + ". " : "") + qname(q.id) + "（" + q.waiting + "）"})]));
    });
  }

  function openDialog(number) {
    var w = win(number);
    if (!w) return;
    editing = number;
    picked = w.queues.slice();
    $("wd-title").textContent = t("win_dialog", {name: en() ? t("window_number", {n: number}) : w.name});
    $("wd-home").textContent = t("home", {queues: w.home_queues.map(qname).join(t("list_sep"))});
    $("wd-mode").value = w.mode;
    renderPick();
    document.querySelectorAll("#wd-actions button").forEach(function (b) {
      var act = b.dataset.act;
      b.disabled = (act === "open" && w.state === "open") || (act === "pause" && w.state !== "open")
        || (act === "resume" && w.state !== "paused") || (act === "close" && w.state === "closed");
    });
    $("window-dialog").showModal();
  }

  function windowAction(act) {
    var body = act === "pause" ? {reason: t("paused_by_manager")} : {};
    M.api("POST", "/centers/" + centre + "/windows/" + editing + "/" + act, body).then(function () {
      $("window-dialog").close();
      soon();
    }, function (err) { M.say(M.refusal(err), "error"); });
  }

  function wire() {
    document.querySelectorAll("#wd-actions button").forEach(function (b) {
      b.addEventListener("click", function () { windowAction(b.dataset.act); });
    });
    $("window-form").addEventListener("submit", function (ev) {
      if (ev.submitter && ev.submitter.value !== "ok") return;
      ev.preventDefault();
      if (!picked.length) { M.say(t("pick_one"), "error"); return; }
      assign(editing, picked.slice(), $("wd-mode").value).then(function () { $("window-dialog").close(); }, function () {});
    });
    $("move-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var data = new FormData(ev.target), body = {from: data.get("from"), to: data.get("to"), take: data.get("take")};
      var count = data.get("count");
      if (count) body.count = Number(count);
      var what = count ? t("n_people", {n: count}) : t("all");
      if (!window.confirm(t("confirm_move", {what: what, from: qname(body.from), to: qname(body.to)}))) return;
      M.api("POST", "/centers/" + centre + "/moves", body).then(function (r) {
        M.say(t("moved", {n: r.moved, from: qname(r.from), to: qname(r.to)}) + "：" + r.numbers.join(" "), "ok");
        ev.target.reset();
        soon();
      }, function (err) { M.say(M.refusal(err), "error"); });
    });
    M.i18n.onChange(function () { if (board) render(); });
  }

  function connect(session) {
    var conn = $("conn");
    conn.hidden = false;
    live = window.HallLive.connect({
      center: centre, token: function () { return session.token; },
      handlers: {
        snapshot: soon, call: soon, window: soon, queue: soon, ticket: soon,
        status: function (state) { conn.dataset.state = state; conn.textContent = t(state); },
      },
    });
    // what changes no screen (an alert about a queue, a rating, a device) arrives as `seq` only
    live.socket.on("seq", soon);
    window.hallLive = live;
  }

  M.start(function (session) {
    wire();
    refresh();
    connect(session);
    setInterval(soon, POLL_MS);
    setInterval(tick, 1000);
  });
})();
