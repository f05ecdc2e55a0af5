/* B: the booking pages (预约) on top of M (m.js): their words (the catalogue's "book" namespace), days
 * and times in the centre's clock, and what every refusal means in plain words with what to do
 * instead. Elements carry data-text="book.…" and follow the header's language switch like all of /m/. */
(function (g) {
  "use strict";
  var WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  var book = Hall.text.scope("book");

  function raw(key) { return book.raw(key); }

  /* the booking pages' words, else the phone pages' (M) */
  function t(key, vars) { return book.has(key) ? book.t(key, vars) : M.t(key, vars); }

  function list(key, vars) { return book.list(key, vars); }

  function apply() {
    var title = document.querySelector("h1[data-text]");
    if (title) document.title = title.textContent;
  }

  // --- days and times, as strings in the centre's own clock (never the phone's time zone) ---

  function minutes(hhmm) {
    var p = hhmm.split(":");
    return parseInt(p[0], 10) * 60 + parseInt(p[1], 10);
  }

  function hhmm(min) {
    var h = Math.floor(min / 60), m = min % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }

  function parts(day) { return day.split("-").map(function (x) { return parseInt(x, 10); }); }

  function weekday(day) {                       // 0 = Monday, as the catalogue counts
    var p = parts(day);
    return (new Date(Date.UTC(p[0], p[1] - 1, p[2])).getUTCDay() + 6) % 7;
  }

  function addDays(day, n) {
    var p = parts(day);
    return new Date(Date.UTC(p[0], p[1] - 1, p[2] + n)).toISOString().slice(0, 10);
  }

  function dateText(day) {
    var p = parts(day);
    return t("date", {m: p[1], d: p[2], mon: (raw("months") || [])[p[1] - 1]});
  }

  /* {rel: 今天/明天/后天 or "", date: 11月27日, week: 周五} */
  function dayParts(day, today) {
    var rel = day === today ? t("today") : day === addDays(today, 1) ? t("tomorrow") : day === addDays(today, 2) ? t("after") : "";
    return {rel: rel, date: dateText(day), week: raw("week")[weekday(day)]};
  }

  function dayText(day, today) {
    var p = dayParts(day, today);
    return (p.rel ? p.rel + " " : "") + p.date + " " + p.week;
  }

  /* The opening ranges [[from, to] minutes] of a centre on a day; null when it is always open. */
  function openRanges(hours, day) {
    if (!hours) return null;
    var wd = weekday(day), out = [];
    Object.keys(hours).forEach(function (key) {
      var k = key.trim().toLowerCase(), days;
      if (k.indexOf("-") > 0) {
        var ab = k.split("-");
        days = [];
        for (var i = WEEKDAYS.indexOf(ab[0]); i >= 0 && i <= WEEKDAYS.indexOf(ab[1]); i++) days.push(i);
      } else {
        days = [WEEKDAYS.indexOf(k)];
      }
      if (days.indexOf(wd) < 0) return;
      (hours[key] || []).forEach(function (r) {
        var se = r.split("-");
        out.push([minutes(se[0]), minutes(se[1])]);
      });
    });
    return out;
  }

  function hoursText(hours) {
    if (!hours) return t("hours_all");
    var week = raw("week");
    return Object.keys(hours).map(function (key) {
      var days = key.split("-").map(function (d) { return week[WEEKDAYS.indexOf(d.trim().toLowerCase())] || d; });
      return days.join(t("to")) + " " + hours[key].join(M.lang() === "en" ? ", " : "、");
    }).join(M.lang() === "en" ? "; " : "；");
  }

  // --- refusals: plain words and what to do instead ---

  /* The server's message is "中文 / English": the half in the reader's language. */
  function serverText(message) {
    var halves = String(message || "").split(" / ");
    if (halves.length < 2) return halves[0];
    return M.lang() === "en" ? halves.slice(1).join(" / ") : halves[0];
  }

  var BY_CODE = {
    slot_full: "r_slot_full", slot_past: "r_slot_past", already_booked: "r_already", booking_blocked: "r_blocked",
    no_appointments: "r_no_appointments", unknown_queue: "r_gone", unknown_center: "r_gone", rate_limited: "r_rate",
    busy: "r_busy", too_early: "r_too_early", appointment_missed: "r_missed", appointment_cancelled: "r_cancelled",
    closed: "r_closed", appointment_checked_in: "r_checked"
  };

  /* {title, todo} for an API answer {status, body} (status 0: the network failed); `ctx` fills blanks. */
  function refusal(answer, ctx) {
    ctx = ctx || {};
    var err = (answer && answer.body && answer.body.error) || {};
    var key = BY_CODE[err.code];
    if (!answer || !answer.status) key = "r_net";
    else if (answer.status === 429) key = "r_rate";
    else if (err.code === "unknown_appointment" && ctx.cancelling) key = "r_phone";
    else if (!key && err.code === "bad_input" && /days ahead|from today/.test(err.message || "")) key = "r_day";
    else if (!key && err.code === "bad_input") key = "r_bad";
    if (!key) key = "r_other";
    var until = /(\d{4}-\d{2}-\d{2})/.exec(err.message || "");
    var vars = {m: serverText(err.message) || ("HTTP " + answer.status), until: until ? dateText(until[1]) : "",
                day: ctx.day ? dateText(ctx.day) : "", opens: ctx.opens || ""};
    return {key: key, code: err.code || null, title: t(key, vars), todo: list(key + "_do", vars)};
  }

  function showRefusal(r) {
    var box = document.getElementById("refusal");
    if (!r) { box.hidden = true; return; }
    box.dataset.code = r.code || r.key;
    document.getElementById("refusal-title").textContent = r.title;
    var ul = document.getElementById("refusal-todo");
    ul.textContent = "";
    r.todo.forEach(function (s) { ul.appendChild(M.el("li", null, s)); });
    box.hidden = false;
    box.scrollIntoView({block: "center"});
  }

  // --- the bookings this phone made (code, centre and what was booked; nothing personal) ---

  var MINE_KEY = "hall.m.bookings";

  function mine() {
    try { return JSON.parse(g.localStorage.getItem(MINE_KEY) || "[]"); } catch (e) { return []; }
  }

  function remember(b) {
    var kept = mine().filter(function (x) { return x.code !== b.code; });
    kept.unshift(b);
    try { g.localStorage.setItem(MINE_KEY, JSON.stringify(kept.slice(0, 6))); } catch (e) { /* private mode */ }
  }

  function forget(code) {
    try {
      g.localStorage.setItem(MINE_KEY, JSON.stringify(mine().filter(function (x) { return x.code !== code; })));
    } catch (e) { /* private mode */ }
  }

  document.addEventListener("DOMContentLoaded", apply);
  M.onLang(apply);

  g.B = {t: t, list: list, apply: apply, minutes: minutes, hhmm: hhmm, addDays: addDays, weekday: weekday,
         dateText: dateText, dayParts: dayParts, dayText: dayText, openRanges: openRanges, hoursText: hoursText, serverText: serverText,
         refusal: refusal, showRefusal: showRefusal, send: M.send, mine: mine, remember: remember, forget: forget};
})(window);
