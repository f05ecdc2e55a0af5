/* The window screen (窗口屏): the window's name, the number at it, the staff on duty, and its state. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("page-config").textContent);
  var i18n = Hall.text.scope("display");
  var $ = function (id) { return document.getElementById(id); };
  var win = null, loaded = false, queueNames = {}, tz = "Asia/Shanghai";
  var skew = 0;           // the hall's clock minus this screen's
  var flashTimer = null;

  var voice = new HallVoice({enabled: cfg.voice, onStart: flash,
                             onSound: function (blocked) { $("sound").hidden = !(cfg.voice && blocked); }});
  window.hallVoice = voice;

  function render() {
    i18n.apply();
    if (!win) {
      if (!loaded) return;
      // the catalogue no longer has this window
      $("window-main").dataset.state = "closed";
      $("w-label").textContent = i18n.t("closed");
      $("w-number").textContent = "";
      $("w-detail").textContent = "";
      $("staff").hidden = true;
      return;
    }
    $("window-name").textContent = i18n.lang() === "en" ? i18n.t("window_name", {n: win.number}) : win.name;
    var state = win.state;
    var main = $("window-main");
    var label = "", number = "", detail = "";
    if (state === "open" && win.ticket) {
      var calling = win.ticket_status === "called";
      state = calling ? "calling" : "serving";
      label = i18n.t(state);
      number = win.ticket;
      detail = calling ? i18n.t("call_detail", {ticket: win.ticket}) : serves();
    } else if (state === "open") {
      state = "ready";
      label = i18n.t("ready");
      detail = i18n.t("ready_detail") + "  " + serves();
    } else if (state === "paused") {
      label = i18n.t("paused");
      detail = win.pause_reason ? i18n.t("paused_reason", {reason: win.pause_reason}) : i18n.t("paused_detail");
      number = win.ticket || "";
    } else {
      state = "closed";
      label = i18n.t("closed");
      detail = i18n.t("closed_detail");
    }
    main.dataset.state = state;
    $("w-label").textContent = label;
    $("w-number").textContent = number;
    $("w-detail").textContent = detail;
    var staff = win.staff && win.state !== "closed" ? win.staff : null;
    $("staff").hidden = !staff;
    $("staff-name").textContent = staff ? staff.name || "" : "";
    $("staff-no").textContent = staff && staff.staff_no ? i18n.t("staff_no", {no: staff.staff_no}) : "";
  }

  function serves() {
    var names = (win.queues || []).map(function (q) { return queueNames[q] ? queueNames[q][i18n.lang()] : q; });
    return names.length ? i18n.t("serves", {queues: names.join(i18n.t("sep"))}) : "";
  }

  function flash() {
    var main = $("window-main");
    main.classList.add("flash");
    clearTimeout(flashTimer);
    flashTimer = setTimeout(function () { main.classList.remove("flash"); }, 6000);
  }

  window.hallLive = HallLive.connect({
    center: cfg.center,
    window: cfg.window,
    handlers: {
      snapshot: function (s, info) {
        voice.configure(s.voice);
        tz = s.timezone || tz;
        if (typeof s.now === "number") skew = s.now * 1000 - Date.now();
        s.queues.forEach(function (q) { queueNames[q.id] = {zh: q.name, en: q.name_en || q.name}; });
        win = s.windows.filter(function (w) { return w.number === cfg.window; })[0] || null;
        loaded = true;
        render();
        info.missed.forEach(function (c) { voice.announce(c); });
      },
      window: function (m) { win = m; render(); },
      call: function (m) {
        if (win) { win.ticket = m.ticket; win.ticket_status = "called"; render(); }
        flash();
        voice.announce(m);
      },
      status: function (state, detail) {
        var box = $("conn");
        box.dataset.state = state;
        box.textContent = state === "live" ? "" : i18n.t(state, {detail: detail || ""});
      },
    },
  });

  $("lang").addEventListener("click", function () { i18n.toggle(); });
  i18n.onChange(render);
  $("sound").addEventListener("click", function () { voice.unlock(); $("sound").hidden = true; });
  document.addEventListener("click", function () { voice.unlock(); }, {once: true});
  function tick() {
    var now = new Date(Date.now() + skew);
    $("time").textContent = now.toLocaleTimeString("zh-CN", {timeZone: tz, hour: "2-digit", minute: "2-digit", hour12: false});
  }
  render();
  tick();
  setInterval(tick, 1000);
})();
