/* Booking an appointment (预约) in five steps on one page: centre → service → day → time → name
 * and phone. Centres and their bookable queues come from the public API (`appointments` on a
 * queue); the places left from GET …/appointments; the centre's own day, time and booking rules
 * from the page (the phone's clock may be wrong). A booking made goes to its own page, which
 * shows the code and how to check in. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("config").textContent);
  var loadedAt = Date.now();
  var S = {centres: [], centre: null, queue: null, day: null, slot: null, slots: null, busy: false};

  function $(id) { return document.getElementById(id); }

  function rules() { return cfg.rules[S.centre.id]; }

  // the centre's minute of its day now: its clock at page load plus the time since
  function nowMin() { return rules().now_min + Math.floor((Date.now() - loadedAt) / 60000); }

  function bookable(c) {
    return (c.queues || []).filter(function (q) { return q.appointments && q.appointments.slots.length; });
  }

  function choice(cls, title, sub, selected) {
    var b = M.el("button", "choice " + cls + (selected ? " selected" : ""));
    b.type = "button";
    b.setAttribute("aria-pressed", selected ? "true" : "false");
    b.appendChild(M.el("strong", null, title));
    if (sub) b.appendChild(M.el("span", "sub", sub));
    return b;
  }

  function showStep(id, on) { $(id).hidden = !on; }

  function reveal(id) {
    var el = $(id);
    el.hidden = false;
    if (el.scrollIntoView) el.scrollIntoView({behavior: "smooth", block: "start"});
  }

  // --- my bookings on this phone ---

  function renderMine() {
    var list = B.mine().filter(function (b) {
      var r = cfg.rules[b.center];
      return !r || b.day >= r.today;
    });
    $("mine").hidden = !list.length;
    var ul = $("mine-list");
    ul.textContent = "";
    list.forEach(function (b) {
      var li = M.el("li");
      var a = M.el("a", null, (M.lang() === "en" && b.queue_name_en ? b.queue_name_en : b.queue_name) + " · "
        + B.dateText(b.day) + " " + b.slot);
      a.href = "/m/book/" + encodeURIComponent(b.center) + "/" + encodeURIComponent(b.code);
      li.appendChild(a);
      li.appendChild(M.el("span", "sub", B.t("code_label") + " " + b.code.slice(0, 4) + " " + b.code.slice(4)));
      ul.appendChild(li);
    });
  }

  // --- 1. centre ---

  function load() {
    return M.getJSON("/api/v1/centers").then(function (r) {
      if (r.status !== 200) throw new Error("HTTP " + r.status);
      S.centres = (r.body.centers || []).filter(function (c) { return cfg.rules[c.id] && bookable(c).length; });
      renderCentres();
      var pre = cfg.center && S.centres.filter(function (c) { return c.id === cfg.center; })[0];
      if (pre || S.centres.length === 1) chooseCentre(pre || S.centres[0]);
    }).catch(function () {
      $("centres").textContent = "";
      $("centres").appendChild(M.el("p", "muted", M.t("failed")));
      setTimeout(load, 5000);
    });
  }

  function renderCentres() {
    var box = $("centres");
    box.textContent = "";
    if (!S.centres.length) {
      box.appendChild(M.el("p", "muted", B.t("no_centres")));
      return;
    }
    S.centres.forEach(function (c) {
      var names = bookable(c).map(M.name).join(M.lang() === "en" ? ", " : "、");
      var b = choice("centre", M.name(c), B.t("bookable", {q: names}), S.centre && S.centre.id === c.id);
      b.dataset.center = c.id;
      if (c.address && M.lang() !== "en") b.appendChild(M.el("span", "sub", c.address));
      b.onclick = function () { chooseCentre(c); };
      box.appendChild(b);
    });
  }

  function chooseCentre(c) {
    S.centre = c;
    S.queue = S.day = S.slot = null;
    B.showRefusal(null);
    renderCentres();
    renderQueues();
    ["step-day", "step-slot", "step-form"].forEach(function (id) { showStep(id, false); });
    reveal("step-queue");
  }

  // --- 2. service (a queue that takes bookings) ---

  function renderQueues() {
    var box = $("queues");
    box.textContent = "";
    bookable(S.centre).forEach(function (q) {
      var slots = q.appointments.slots;
      var span = slots[0].split("-")[0] + "–" + slots[slots.length - 1].split("-")[1];
      var b = choice("queue", M.name(q), B.t("queue_span", {span: span, n: slots.length}), S.queue && S.queue.id === q.id);
      b.dataset.queue = q.id;
      b.onclick = function () { chooseQueue(q); };
      box.appendChild(b);
    });
  }

  function chooseQueue(q) {
    S.queue = q;
    S.day = S.slot = null;
    B.showRefusal(null);
    renderQueues();
    renderDays();
    ["step-slot", "step-form"].forEach(function (id) { showStep(id, false); });
    reveal("step-day");
  }

  // --- 3. day: today … days_ahead, the centre's closed days shown as such ---

  // a day's opening minutes: the hall's own answer by the official calendar (holidays, make-up days),
  // else the weekly hours
  function dayRanges(r, day) {
    return r.days && r.days[day] ? r.days[day].open : B.openRanges(r.hours, day);
  }

  function renderDays() {
    var r = rules();
    $("hours-line").textContent = B.t("hours", {h: B.hoursText(r.hours)});
    var box = $("days");
    box.textContent = "";
    for (var i = 0; i <= r.days_ahead; i++) {
      var day = B.addDays(r.today, i);
      var ranges = dayRanges(r, day);
      var closed = ranges !== null && !ranges.length;
      var b = M.el("button", "day" + (S.day === day ? " selected" : ""));
      b.type = "button";
      b.dataset.day = day;
      b.setAttribute("aria-pressed", S.day === day ? "true" : "false");
      var p = B.dayParts(day, r.today);
      b.appendChild(M.el("strong", null, p.rel || p.week));
      b.appendChild(M.el("span", null, p.date));
      if (closed) b.disabled = true;
      var named = r.days && r.days[day];
      var holiday = named && (M.lang() === "en" ? named.holiday_en || named.holiday : named.holiday);
      b.appendChild(M.el("em", null, closed ? holiday || B.t("day_closed") : p.rel ? p.week : ""));
      b.onclick = (function (d) { return function () { chooseDay(d); }; })(day);
      box.appendChild(b);
    }
  }

  function chooseDay(day) {
    S.day = day;
    S.slot = null;
    B.showRefusal(null);
    renderDays();
    showStep("step-form", false);
    reveal("step-slot");
    return loadSlots();
  }

  // --- 4. time: the places left in each slot ---

  function loadSlots() {
    var want = [S.centre.id, S.queue.id, S.day].join("/");
    $("slots").textContent = "";
    $("slots").appendChild(M.el("p", "muted", B.t("loading")));
    var url = "/api/v1/centers/" + encodeURIComponent(S.centre.id) + "/appointments?queue="
      + encodeURIComponent(S.queue.id) + "&day=" + S.day;
    return M.getJSON(url, {cache: "no-cache"}).then(function (r) {
      if ([S.centre.id, S.queue.id, S.day].join("/") !== want) return;
      if (r.status !== 200) {
        S.slots = null;
        $("slots").textContent = "";
        B.showRefusal(B.refusal(r));
        return;
      }
      S.slots = r.body.slots;
      renderSlots();
    }, function () {
      $("slots").textContent = "";
      $("slots").appendChild(M.el("p", "muted", B.t("slots_failed")));
    });
  }

  function slotState(s) {
    var start = B.minutes(s.slot.split("-")[0]);
    var ranges = dayRanges(rules(), S.day);
    if (ranges && !ranges.some(function (r) { return r[0] <= start && start < r[1]; })) return "shut";
    if (S.day === rules().today && start <= nowMin()) return "past";
    if (s.available <= 0) return "full";
    return "open";
  }

  function renderSlots() {
    var box = $("slots");
    box.textContent = "";
    var open = 0;
    (S.slots || []).forEach(function (s) {
      var st = slotState(s);
      if (st === "shut") return;                   // not a time the centre works that day
      var b = M.el("button", "slot " + st + (S.slot === s.slot ? " selected" : ""));
      b.type = "button";
      b.dataset.slot = s.slot;
      b.setAttribute("aria-pressed", S.slot === s.slot ? "true" : "false");
      b.appendChild(M.el("strong", null, s.slot));
      b.appendChild(M.el("span", null, st === "open" ? B.t("slot_left", {n: s.available}) : B.t("slot_" + st)));
      b.disabled = st !== "open";
      if (st === "open") open += 1;
      b.onclick = function () { chooseSlot(s.slot); };
      box.appendChild(b);
    });
    $("slots-note").textContent = open ? B.t("slots_hint")
      : B.t(S.day === rules().today ? "slots_none_today" : "slots_none");
  }

  function chooseSlot(slot) {
    S.slot = slot;
    B.showRefusal(null);
    renderSlots();
    renderSummary();
    reveal("step-form");
  }

  // --- 5. who: name and phone, with the privacy note ---

  function renderSummary() {
    if (!S.slot) return;
    $("summary").textContent = [M.name(S.centre), M.name(S.queue), B.dayText(S.day, rules().today), S.slot].join(" · ");
  }

  function phoneDigits(v) { return v.replace(/[\s-]/g, "").replace(/^\+86/, ""); }

  function validate() {
    var name = $("name").value.trim(), phone = phoneDigits($("phone").value), ok = true;
    $("name-error").textContent = name ? "" : B.t("err_name");
    $("phone-error").textContent = /^1\d{10}$/.test(phone) ? "" : B.t("err_phone");
    $("consent-error").textContent = $("consent").checked ? "" : B.t("err_consent");
    if (!name) { ok = false; $("name").focus(); }
    else if ($("phone-error").textContent) { ok = false; $("phone").focus(); }
    else if (!$("consent").checked) ok = false;
    return ok ? {name: name, phone: phone} : null;
  }

  function submit(ev) {
    ev.preventDefault();
    if (S.busy || !S.slot) return;
    var who = validate();
    if (!who) return;
    S.busy = true;
    $("submit").disabled = true;
    $("submit").textContent = B.t("submitting");
    B.showRefusal(null);
    var centre = S.centre, queue = S.queue, day = S.day, slot = S.slot;
    B.send("POST", "/api/v1/centers/" + encodeURIComponent(centre.id) + "/appointments",
           {queue: queue.id, day: day, slot: slot, name: who.name, phone: who.phone}).then(function (r) {
      if (r.status === 201) {
        B.remember({code: r.body.code, center: centre.id, queue_name: queue.name, queue_name_en: queue.name_en,
                    day: day, slot: slot});
        location.assign("/m/book/" + encodeURIComponent(centre.id) + "/" + encodeURIComponent(r.body.code) + "?new=1");
        return;
      }
      S.busy = false;
      $("submit").disabled = false;
      $("submit").textContent = B.t("submit");
      var why = B.refusal(r);
      B.showRefusal(why);
      // the places changed under us: show them as they are now
      if (why.code === "slot_full" || why.code === "slot_past") {
        S.slot = null;
        showStep("step-form", false);
        loadSlots();
      }
    });
  }

  function rerender() {
    renderMine();
    if (!S.centres.length) return;
    renderCentres();
    if (S.centre) renderQueues();
    if (S.queue) renderDays();
    if (S.slots) renderSlots();
    renderSummary();
  }

  $("book-form").addEventListener("submit", submit);
  // an error goes as soon as the citizen puts it right
  $("consent").addEventListener("change", function () { if ($("consent").checked) $("consent-error").textContent = ""; });
  ["name", "phone"].forEach(function (id) {
    $(id).addEventListener("input", function () { $(id + "-error").textContent = ""; });
  });
  M.onLang(rerender);
  renderMine();
  load();
})();
