/* The main hall screen (综合屏): latest calls big, a short history, every queue's wait, the notice. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("page-config").textContent);
  var i18n = Hall.text.scope("display"), el = Hall.el;
  var picture = null;     // the last snapshot, kept current by pushes
  var calls = [];         // newest first
  var announcing = null;  // the call being announced: the big panel shows it while the hall hears it
  var queueOrder = [], queues = {};
  var tz = "Asia/Shanghai";
  var skew = 0;           // the hall's clock minus this screen's: a screen's own clock drifts
  var $ = function (id) { return document.getElementById(id); };

  var voice = new HallVoice({enabled: cfg.voice, onStart: flash, onEnd: unflash, onSound: function () { updateSoundButton(); }});
  window.hallVoice = voice;

  function windowName(c) {
    return i18n.lang() === "en" ? i18n.t("window_name", {n: c.window}) : (c.window_name || i18n.t("window_number", {n: c.window}));
  }

  function queueName(q) {
    return i18n.lang() === "en" && q.name_en ? q.name_en : q.name;
  }

  function hhmm(epoch) {
    return new Date(epoch * 1000).toLocaleTimeString("zh-CN", {timeZone: tz, hour: "2-digit", minute: "2-digit",
                                                               hour12: false});
  }

  function renderCalls() {
    var first = announcing || calls[0];
    $("now-number").textContent = first ? first.ticket : "—";
    $("now-window").textContent = first ? i18n.t("go_to", {window: windowName(first)}) : i18n.t("none_yet");
    var latest = $("latest");
    latest.replaceChildren();
    calls.filter(function (c) { return !first || c.ticket !== first.ticket; }).slice(0, 3).forEach(function (c) {
      var li = el("li");
      li.append(el("span", "l-number", c.ticket), el("span", "l-arrow", "→"), el("span", "l-window", windowName(c)));
      latest.append(li);
    });
    var body = $("history");
    body.replaceChildren();
    calls.slice(0, 7).forEach(function (c) {
      var tr = el("tr");
      var num = el("td", "h-number", c.ticket);
      if (c.recall) num.append(el("small", "h-recall", i18n.t("recall")));
      tr.append(num, el("td", "h-window", windowName(c)), el("td", "h-time", hhmm(c.at)));
      body.append(tr);
    });
  }

  function renderQueues() {
    var grid = $("queues");
    grid.replaceChildren();
    queueOrder.forEach(function (id) {
      var q = queues[id];
      var card = el("div", "queue");
      card.dataset.queue = id;
      var head = el("div", "q-head");
      head.append(el("span", "q-prefix", q.prefix), el("span", "q-name", queueName(q)));
      var waiting = el("div", "q-waiting");
      waiting.append(el("b", "q-count", String(q.waiting)), el("span", "q-unit", i18n.t("people")));
      var est = el("div", "q-est", i18n.waitText(q.est_wait_s));
      if (q.est_wait_s === null || q.est_wait_s === undefined) card.classList.add("q-closed");
      var row = el("div", "q-row");
      row.append(waiting, est);
      card.append(head, row);
      grid.append(card);
    });
  }

  function renderNotice() {
    var name = picture ? (i18n.lang() === "en" && picture.name_en ? picture.name_en : picture.name) : "";
    $("centre-name").textContent = name;
    var notice = picture && (i18n.lang() === "en" && picture.notice_en ? picture.notice_en : picture.notice);
    var text = notice || i18n.t("default_notice", {name: name});
    var span = $("notice");
    if (span.textContent !== text) {
      span.textContent = text;
      // a steady reading speed whatever the notice's length
      span.style.animationDuration = Math.max(20, text.length * 0.45) + "s";
    }
  }

  function renderAll() {
    i18n.apply();
    renderNotice();
    renderCalls();
    renderQueues();
    tick();
  }

  function tick() {
    var now = new Date(Date.now() + skew);
    var parts = {};
    new Intl.DateTimeFormat("en-CA", {timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit",
                                      weekday: "short", hour: "2-digit", minute: "2-digit", second: "2-digit",
                                      hour12: false})
      .formatToParts(now).forEach(function (p) { parts[p.type] = p.value; });
    var wd = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday);
    var weekday = i18n.t("weekdays").split(",")[wd];
    var en = i18n.lang() === "en";
    $("date").textContent = i18n.t("date_long", {y: parts.year, m: en ? parts.month : +parts.month,
                                                 d: en ? parts.day : +parts.day, weekday: weekday});
    $("time").textContent = (parts.hour === "24" ? "00" : parts.hour) + ":" + parts.minute + ":" + parts.second;
  }

  function flash(item) {
    announcing = item.call;
    renderCalls();
    var box = $("now-call");
    box.classList.remove("flash");
    void box.offsetWidth;             // restart the animation for a call right after another
    box.classList.add("flash");
    updateSoundButton();
  }

  function unflash() {
    announcing = null;
    renderCalls();
    $("now-call").classList.remove("flash");
    updateSoundButton();
  }

  function updateSoundButton() {
    $("sound").hidden = !(cfg.voice && voice.soundBlocked());
  }

  function addCall(c) {
    calls = [c].concat(calls.filter(function (x) { return x.ticket !== c.ticket; })).slice(0, 12);
  }

  window.hallLive = HallLive.connect({
    center: cfg.center,
    handlers: {
      snapshot: function (s, info) {
        picture = s;
        tz = s.timezone || tz;
        if (typeof s.now === "number") skew = s.now * 1000 - Date.now();
        voice.configure(s.voice);
        calls = s.calls.slice();
        queueOrder = s.queues.map(function (q) { return q.id; });
        queues = {};
        s.queues.forEach(function (q) { queues[q.id] = q; });
        renderAll();
        info.missed.forEach(function (c) { voice.announce(c); });
      },
      call: function (m) {
        addCall(m);
        renderCalls();
        voice.announce(m);
      },
      queue: function (m) {
        if (!queues[m.id]) queueOrder.push(m.id);
        queues[m.id] = m;
        renderQueues();
      },
      window: function (m) {
        // a window's name may change with the catalogue; calls show what they were called with
        if (picture) picture.windows = picture.windows.map(function (w) { return w.number === m.number ? m : w; });
      },
      status: function (state, detail) {
        var box = $("conn");
        box.dataset.state = state;
        box.textContent = state === "live" ? "" : i18n.t(state, {detail: detail || ""});
      },
    },
  });

  $("lang").addEventListener("click", function () { i18n.toggle(); });
  i18n.onChange(renderAll);
  $("sound").addEventListener("click", function () { voice.unlock(); updateSoundButton(); });
  document.addEventListener("click", function () { voice.unlock(); updateSoundButton(); }, {once: true});
  renderAll();
  setInterval(tick, 1000);
})();
