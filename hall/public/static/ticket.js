/* A citizen's own ticket, opened from the QR code printed on it.
 *
 * The ticket itself comes from the public API (GET /api/v1/tickets/<id>). Live news comes over
 * the centre's Socket.IO room: a `call` for this ticket's number turns the page into
 * 「请到 3 号窗口」 at once, with vibration and a sound; any news about its queue (`queue`), a
 * window showing its number, or a fresh `snapshot` makes the page read the ticket again. A slow
 * poll stays on as a safety net for a phone whose socket is asleep.
 */
(function () {
  "use strict";
  var POLL_MS = 20000;
  var cfg = JSON.parse(document.getElementById("config").textContent);
  var ticket = null, heardKey = null, quietUntil = 0, audio = null, refetchTimer = null;
  window.hallTicketAlerts = [];          // what the page did to get attention (for people and tests)

  function $(id) { return document.getElementById(id); }

  function load(live) {
    // after news from the socket, read past any cache: the news may come from another process
    return M.getJSON("/api/v1/tickets/" + encodeURIComponent(cfg.ticket), live ? {cache: "no-cache"} : null).then(function (r) {
      if (r.status === 404) { expired(); return; }
      if (r.status !== 200) return;
      ticket = r.body;
      render();
    }).catch(function () { /* offline: the socket's reconnect or the poll will bring it */ });
  }

  function soon() {                       // several messages of one command: read once
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(function () { load(true); }, 150);
  }

  function expired() {
    $("ticket").dataset.status = "expired";
    $("status").textContent = M.t("expired");
    $("cancel").hidden = true;
  }

  function render() {
    if (!ticket) return;
    var box = $("ticket");
    box.dataset.status = ticket.status;
    $("centre-name").textContent = ticket.center_name;
    $("number").textContent = ticket.number;
    $("queue-name").textContent = ticket.queue_name;
    $("status").textContent = M.status(ticket.status);
    var waiting = ticket.status === "waiting";
    $("ahead").textContent = waiting ? M.t("people", {n: ticket.ahead}) : "—";
    if (waiting && ticket.est_wait_s !== null) {
      var at = M.now() + ticket.est_wait_s * 1000;
      $("eta").textContent = M.t("eta_at", {t: M.clock(at, ticket.issued_at)});
    } else {
      $("eta").textContent = waiting ? M.t("eta_none") : "—";
    }
    var called = ticket.status === "called" && ticket.window !== null;
    $("called").hidden = !called;
    if (called) {
      $("go").textContent = M.t(ticket.recalls > 0 ? "go_again" : "go", {w: ticket.window});
      // a call learnt from a read (the page opened late, or the socket slept): alert once for it
      var key = callKey(ticket);
      if (key !== heardKey) {
        heardKey = key;
        if (Date.now() > quietUntil) alert(ticket.window);
      }
    }
    $("cancel").hidden = !waiting;
    $("alerts").hidden = !waiting && ticket.status !== "called";
    $("cancel-panel").hidden = !waiting && !$("cancel-status").textContent;
    if (!waiting) $("confirm").hidden = true;
    $("notify").hidden = !waiting || !cfg.channels.length;
    $("notify-sms").hidden = cfg.channels.indexOf("sms") < 0;
    $("notify-wechat").hidden = cfg.channels.indexOf("wechat") < 0 || !cfg.openid;
    // 好差评: a served ticket is rated here (from the QR code) until its rating window closes
    $("rate-panel").hidden = ticket.status !== "done";
    if (ticket.status === "done" && !levels) loadLevels();
  }

  /* The national levels and their options, in the page's language, from GET /api/v1/evaluation/options. */
  var levels = null, chosen = null;
  function loadLevels() {
    levels = [];
    M.getJSON("/api/v1/evaluation/options?lang=" + encodeURIComponent(M.lang())).then(function (r) {
      if (r.status !== 200) { levels = null; return; }
      levels = r.body.levels;
      var box = $("rate-levels");
      box.textContent = "";
      levels.forEach(function (lv) {
        var b = M.el("button", {type: "button", "class": "btn level", role: "radio"}, lv.name);
        b.dataset.score = lv.score;
        b.setAttribute("aria-checked", "false");
        b.addEventListener("click", function () { choose(lv); });
        box.appendChild(b);
      });
    });
  }

  function choose(lv) {
    chosen = lv;
    Array.prototype.forEach.call($("rate-levels").children, function (b) {
      b.setAttribute("aria-checked", String(Number(b.dataset.score) === lv.score));
    });
    var bad = lv.score <= 2;
    $("rate-options").hidden = false;
    $("rate-options-title").textContent = M.t(bad ? "rate_reasons" : "rate_good");
    var list = $("rate-option-list");
    list.textContent = "";
    lv.options.forEach(function (o) {
      var box = M.el("input", {type: "checkbox", value: o.code, name: "option"});
      list.appendChild(M.el("label", "option", [box, " " + o.text]));
    });
    $("rate-send").disabled = false;
    $("rate-status").textContent = "";
  }

  function sendRating(e) {
    e.preventDefault();
    if (!chosen) return;
    var options = Array.prototype.map.call(document.querySelectorAll("#rate-option-list input:checked"),
                                           function (i) { return i.value; });
    if (chosen.score <= 2 && !options.length) { $("rate-status").textContent = M.t("rate_need_reason"); return; }
    $("rate-send").disabled = true;
    M.send("POST", "/api/v1/tickets/" + encodeURIComponent(cfg.ticket) + "/evaluation",
           {score: chosen.score, options: options}).then(function (r) {
      if (r.status === 201) {
        $("rate").hidden = true;
        $("rate-status").textContent = M.t("rate_thanks");
        return;
      }
      $("rate-send").disabled = false;
      $("rate-status").textContent = M.t("rate_failed", {m: r.body.error ? r.body.error.message : r.status});
    });
  }

  function callKey(t) { return t.called_at + "#" + t.recalls; }     // a recall is a new call

  /* Get attention: vibration and three short tones. */
  function alert(windowNumber) {
    var vibrated = false, sounded = false;
    try { vibrated = !!(navigator.vibrate && navigator.vibrate([400, 150, 400, 150, 400])); } catch (e) { vibrated = false; }
    try { sounded = beep(); } catch (e) { sounded = false; }
    window.hallTicketAlerts.push({window: windowNumber, vibrated: vibrated, sounded: sounded, at: Date.now()});
  }

  function unlockAudio() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!audio) audio = new Ctx();
    if (audio.state === "suspended") audio.resume();
    return audio;
  }

  function beep() {
    var ctx = unlockAudio();
    if (!ctx) return false;
    var t0 = ctx.currentTime + 0.05;
    for (var i = 0; i < 3; i++) {
      var osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, t0 + i * 0.35);
      gain.gain.exponentialRampToValueAtTime(0.4, t0 + i * 0.35 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + i * 0.35 + 0.25);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0 + i * 0.35);
      osc.stop(t0 + i * 0.35 + 0.3);
    }
    return true;
  }

  function live(on) {
    $("live").textContent = M.t(on ? "live_on" : "live_off");
    $("live-dot").className = "dot" + (on ? " live" : "");
  }

  function connect() {
    if (typeof io !== "function") { live(false); return; }
    var socket = io({auth: {center: cfg.center}, reconnectionDelayMax: 5000});
    socket.on("connect", function () { live(true); load(true); });
    socket.on("disconnect", function () { live(false); });
    socket.on("connect_error", function () { live(false); });
    socket.on("snapshot", soon);
    socket.on("call", function (m) {
      if (!ticket || m.ticket !== ticket.number) { if (concerns(m)) soon(); return; }
      // show it now, from the message itself; the ticket read that follows confirms it
      ticket.status = "called";
      ticket.window = m.window;
      if (m.recall) ticket.recalls = (ticket.recalls || 0) + 1;
      ticket.called_at = ticket.called_at || m.at;
      $("called").hidden = false;
      $("go").textContent = M.t(m.recall ? "go_again" : "go", {w: m.window});
      alert(m.window);
      // the reads that follow know of this call: they must not alert for it again
      quietUntil = Date.now() + 5000;
      soon();
    });
    socket.on("queue", function (m) { if (concerns(m)) soon(); });
    socket.on("window", function (m) { if (concerns(m)) soon(); });
  }

  /* Does a centre message (a call, or a window's or a queue's view) touch this ticket's place
   * in line? */
  function concerns(m) {
    if (!ticket || !m) return true;
    if (m.ticket === ticket.number || m.queue === ticket.queue || m.id === ticket.queue) return true;
    return !!(m.queues && m.queues.indexOf(ticket.queue) >= 0);      // a window serving the queue
  }

  function cancel() {
    $("confirm").hidden = true;
    Hall.request("DELETE", "/api/v1/tickets/" + encodeURIComponent(cfg.ticket)).then(function (r) {
      var body = r.data || {};
      if (r.status === 200) { $("cancel-status").textContent = M.t("cancelled"); ticket = body; render(); }
      else $("cancel-status").textContent = M.t("cancel_failed", {m: body.error ? body.error.message : r.status});
    });
  }

  function subscribe(payload) {
    Hall.request("POST", "/m/tickets/" + encodeURIComponent(cfg.ticket) + "/subscribe", {body: payload}).then(function (r) {
      var body = r.data || {};
      $("notify-status").textContent = r.status === 201 ? M.t("subscribed", {to: body.to})
        : (body.error ? body.error.message : String(r.status));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("cancel").addEventListener("click", function () { $("confirm").hidden = false; });
    $("confirm-no").addEventListener("click", function () { $("confirm").hidden = true; });
    $("confirm-yes").addEventListener("click", cancel);
    $("sound").addEventListener("click", function () {
      unlockAudio();
      $("sound").textContent = M.t("sound_ready");
    });
    $("wechat-sub").addEventListener("click", function () { subscribe({openid: cfg.openid}); });
    $("notify-sms").addEventListener("submit", function (e) {
      e.preventDefault();
      subscribe({phone: $("phone").value});
    });
    $("rate").addEventListener("submit", sendRating);
    M.onLang(function () { levels = null; chosen = null; $("rate-options").hidden = true; render(); });
    live(false);
    load().then(connect);
    setInterval(load, POLL_MS);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) load(); });
  });
})();
