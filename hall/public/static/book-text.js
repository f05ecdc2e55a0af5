/* B: the words of the booking pages (预约) in both languages, on top of M (m.js), and what every
 * refusal means in plain words with what to do instead. Elements carry `data-bt` (text) or
 * `data-bt-placeholder`; they follow the header's language switch like the rest of /m/. */
(function (g) {
  "use strict";
  var WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  var DICT = {
    zh: {
      book_title: "预约办事", book_intro: "选好中心、业务和时段，到中心后签到即可优先叫号，不用排长队。",
      loading: "正在加载…", mine_title: "我的预约", step_centre: "选择办事中心", step_queue: "选择业务",
      step_day: "选择日期", step_slot: "选择时段", step_form: "填写预约人",
      no_centres: "现在没有中心开放网上预约，请直接到中心取号。", bookable: "可预约：{q}",
      queue_span: "预约时间 {span}，共 {n} 个时段",
      hours: "办公时间：{h}", hours_all: "全天办理", today: "今天", tomorrow: "明天", after: "后天",
      day_closed: "休息", slot_left: "余 {n} 个", slot_full: "已约满", slot_past: "已过", slot_shut: "不办理",
      slots_none_today: "今天的时段都已过，请选择其他日期。", slots_none: "这一天没有可约的时段，请选择其他日期。",
      slots_hint: "每个时段名额有限，约满为止。", slots_failed: "时段加载失败，请稍后再试。",
      name_label: "姓名", name_placeholder: "与身份证一致", phone_label: "手机号",
      privacy_title: "个人信息保护",
      privacy_text: "姓名和手机号只用于本次预约、核对取消和签到。页面和号票上只显示遮挡后的信息（如 张*、138****5678），不会对外公开，也不会用于其他用途。",
      consent: "我已阅读并同意以上说明", submit: "提交预约", submitting: "正在提交…",
      err_name: "请填写姓名", err_phone: "请填写 11 位手机号，例如 13812345678", err_consent: "请先勾选同意个人信息说明",
      to_board: "查看各中心实时排队", to_book: "预约首页",
      booked_ok: "预约成功", code_label: "预约号", keep_code: "请截图或记下预约号，签到时要用",
      deadline: "请于 {day} {until} 前到中心签到", window: "{opens} 起可签到 · 预约时段 {slot}",
      d_centre: "办事中心", d_queue: "业务", d_time: "预约时段", d_name: "预约人", d_phone: "手机号", d_status: "状态",
      st_booked: "已预约，待签到", st_checked_in: "已签到", st_cancelled: "已取消", st_missed: "已失约（未按时签到）",
      st_late: "签到时间已过",
      how_title: "怎样签到", how_kiosk: "到中心后，在自助取号机首页点「预约签到」，输入预约号，取走号票。",
      how_phone: "或者在签到时间内打开本页，点下面的「现在签到」。",
      how_after: "签到后按号票等候：预约的号在现场取号的群众之前叫。",
      check_in: "现在签到", checking_in: "正在签到…", to_ticket: "查看我的号票",
      not_yet: "还没到签到时间：{day} {opens} 起可以签到。", over: "这个预约不能再签到了。如需办理，请到中心现场取号。",
      cancel: "取消预约", cancel_phone: "请输入预约时填写的手机号", cancel_yes: "确定取消", cancel_no: "不取消",
      cancelled_ok: "预约已取消，名额已让给其他人。", rebook: "重新预约",
      missing_title: "没有找到这个预约",
      missing_body: "请核对预约号和中心。预约日过后，预约记录不再在这里显示；已取消的预约可以重新预约。",
      r_slot_full: "这个时段刚刚约满了", r_slot_full_do: ["请选择同一天的其他时段", "或者换一天预约", "也可以不预约，直接到中心取号"],
      r_slot_past: "这个时段已经开始，不能再预约", r_slot_past_do: ["请选择更晚的时段或其他日期"],
      r_already: "您这一天已经预约过这项业务",
      r_already_do: ["同一个手机号，同一天同一项业务只能预约一次", "要换时间，请先打开原来的预约（本机的「我的预约」里有）取消它，再重新预约"],
      r_blocked: "您多次预约后没有按时签到，{until} 前暂停网上预约",
      r_blocked_do: ["暂停期间可以直接到中心现场取号办理", "不能按时来时，请提前取消预约"],
      r_no_appointments: "这项业务现在不接受预约", r_no_appointments_do: ["请选择其他业务", "或者直接到中心现场取号"],
      r_gone: "没有找到这个中心或业务，可能刚刚调整过", r_gone_do: ["请刷新页面后重新选择"],
      r_day: "这一天不能预约", r_day_do: ["请在可选的日期里选择"],
      r_bad: "填写的信息有误：{m}", r_bad_do: ["请检查后重新提交"],
      r_rate: "操作太频繁了", r_rate_do: ["请等一会儿再试"],
      r_net: "网络不通，没有提交成功", r_net_do: ["请检查网络后再试一次"],
      r_busy: "系统繁忙", r_busy_do: ["请稍后再试"],
      r_too_early: "还没到签到时间", r_too_early_do: ["请在 {day} {opens} 之后签到", "可以先做别的事，到时在本页或取号机签到"],
      r_missed: "已经过了签到时间，这个预约作废了",
      r_missed_do: ["请到自助取号机或咨询台现场取号办理", "不能按时来时请提前取消预约，多次失约会暂停预约"],
      r_cancelled: "这个预约已经取消了", r_cancelled_do: ["如仍需办理，请重新预约或到中心现场取号"],
      r_closed: "中心现在不在办理时间", r_closed_do: ["请在中心办公时间内签到"],
      r_phone: "手机号和预约时填写的不一致",
      r_phone_do: ["请填写预约时用的手机号", "记不清了？请带身份证到中心咨询台办理"],
      r_checked: "已签到的预约不能取消", r_checked_do: ["不办了的话，请在号票页面点「取消排队」"],
      r_other: "暂时办不了：{m}", r_other_do: ["请稍后再试，或到中心咨询台咨询"],
      week: ["周一", "周二", "周三", "周四", "周五", "周六", "周日"], to: "至", date: "{m}月{d}日"
    },
    en: {
      book_title: "Book an appointment", book_intro: "Choose a centre, a service and a time; check in when you arrive "
        + "and you are called before walk-ins.",
      loading: "Loading…", mine_title: "My appointments", step_centre: "Choose a centre", step_queue: "Choose a service",
      step_day: "Choose a day", step_slot: "Choose a time", step_form: "Your details",
      no_centres: "No centre takes online bookings now: please take a ticket at the centre.", bookable: "Bookable: {q}",
      queue_span: "{n} times between {span}",
      hours: "Opening hours: {h}", hours_all: "open all day", today: "Today", tomorrow: "Tomorrow", after: "",
      day_closed: "closed", slot_left: "{n} left", slot_full: "full", slot_past: "past", slot_shut: "not offered",
      slots_none_today: "Today's times have all passed: choose another day.",
      slots_none: "No times can be booked that day: choose another day.",
      slots_hint: "Places per time are limited.", slots_failed: "Could not load the times; try again shortly.",
      name_label: "Name", name_placeholder: "as on your ID card", phone_label: "Mobile number",
      privacy_title: "Your personal data",
      privacy_text: "Your name and number are used only for this booking, to check a cancellation and to check in. "
        + "Pages and tickets show them masked (e.g. 张*, 138****5678); they are never published or used for anything else.",
      consent: "I have read and agree", submit: "Book", submitting: "Booking…",
      err_name: "Please enter your name", err_phone: "Please enter an 11-digit mobile number, e.g. 13812345678",
      err_consent: "Please tick the box to agree first",
      to_board: "See live waits at every centre", to_book: "Booking home",
      booked_ok: "Booked", code_label: "Appointment code", keep_code: "Take a screenshot or write the code down: you need it to check in",
      deadline: "Check in at the centre by {until} on {day}", window: "check-in opens {opens} · your time {slot}",
      d_centre: "Centre", d_queue: "Service", d_time: "Time", d_name: "Name", d_phone: "Mobile", d_status: "Status",
      st_booked: "Booked, not checked in", st_checked_in: "Checked in", st_cancelled: "Cancelled",
      st_missed: "Missed (not checked in)", st_late: "Check-in time is over",
      how_title: "How to check in", how_kiosk: "At the centre, tap “Appointment check-in” on a ticket kiosk, enter the code and take your ticket.",
      how_phone: "Or open this page during the check-in time and tap “Check in now” below.",
      how_after: "Then wait with your ticket: appointments are called before walk-ins.",
      check_in: "Check in now", checking_in: "Checking in…", to_ticket: "See my ticket",
      not_yet: "Check-in opens at {opens} on {day}.", over: "It can no longer be checked in: take a ticket at the centre instead.",
      cancel: "Cancel appointment", cancel_phone: "Enter the mobile number you booked with", cancel_yes: "Cancel it",
      cancel_no: "Keep it", cancelled_ok: "Cancelled: the place is free for someone else.", rebook: "Book again",
      missing_title: "Appointment not found",
      missing_body: "Check the code and the centre. Appointments are shown here until their day; a cancelled one can be booked again.",
      r_slot_full: "That time has just been fully booked", r_slot_full_do: ["Choose another time that day", "Or another day",
        "Or come without booking and take a ticket"],
      r_slot_past: "That time has already begun", r_slot_past_do: ["Choose a later time or another day"],
      r_already: "You already have an appointment for this service that day",
      r_already_do: ["One appointment per number, service and day", "To change the time, open the old one (under “My appointments” on this phone), cancel it, then book again"],
      r_blocked: "Online booking is suspended until {until} after missed appointments",
      r_blocked_do: ["You can still take a ticket at the centre", "If you cannot come, cancel in advance"],
      r_no_appointments: "This service takes no appointments now", r_no_appointments_do: ["Choose another service",
        "Or take a ticket at the centre"],
      r_gone: "That centre or service is no longer offered", r_gone_do: ["Reload the page and choose again"],
      r_day: "That day cannot be booked", r_day_do: ["Choose one of the days shown"],
      r_bad: "Something is wrong: {m}", r_bad_do: ["Check and try again"],
      r_rate: "Too many tries", r_rate_do: ["Please wait a little and try again"],
      r_net: "No connection: nothing was sent", r_net_do: ["Check your connection and try again"],
      r_busy: "The system is busy", r_busy_do: ["Please try again shortly"],
      r_too_early: "It is too early to check in", r_too_early_do: ["Check in after {opens} on {day}",
        "Do something else meanwhile; then check in here or at a kiosk"],
      r_missed: "The check-in time is over: this appointment has lapsed",
      r_missed_do: ["Take an ordinary ticket at a kiosk or the help desk",
        "Cancel in advance when you cannot come: repeated misses suspend booking"],
      r_cancelled: "This appointment was cancelled", r_cancelled_do: ["Book again, or take a ticket at the centre"],
      r_closed: "The centre is closed now", r_closed_do: ["Check in during opening hours"],
      r_phone: "That is not the number you booked with",
      r_phone_do: ["Enter the number you booked with", "Forgotten? Bring your ID card to the help desk"],
      r_checked: "A checked-in appointment cannot be cancelled", r_checked_do: ["If you no longer need it, cancel the ticket on its page"],
      r_other: "Cannot do that now: {m}", r_other_do: ["Try again later or ask at the help desk"],
      week: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], to: "–", date: "{d} {mon}",
      months: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    }
  };

  function raw(key) {
    var d = DICT[M.lang()] || DICT.zh;
    return d[key] !== undefined ? d[key] : DICT.zh[key];
  }

  function t(key, vars) {
    var s = raw(key);
    if (s === undefined) return M.t(key, vars);
    return String(s).replace(/\{(\w+)\}/g, function (_, k) {
      return vars && vars[k] !== undefined && vars[k] !== null ? vars[k] : "";
    });
  }

  function list(key, vars) {
    return (raw(key) || []).map(function (s) {
      return s.replace(/\{(\w+)\}/g, function (_, k) { return vars && vars[k] !== undefined ? vars[k] : ""; });
    });
  }

  function apply() {
    document.querySelectorAll("[data-bt]").forEach(function (el) { el.textContent = t(el.getAttribute("data-bt")); });
    document.querySelectorAll("[data-bt-placeholder]").forEach(function (el) {
      el.setAttribute("placeholder", t(el.getAttribute("data-bt-placeholder")));
    });
    var title = document.querySelector("h1[data-bt]");
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

  function send(method, url, body) {
    return fetch(url, {method: method, headers: {"Content-Type": "application/json", Accept: "application/json"},
                       body: body === undefined ? undefined : JSON.stringify(body)})
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (b) { return {status: r.status, body: b}; });
      }, function () { return {status: 0, body: {}}; });
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
         refusal: refusal, showRefusal: showRefusal, send: send, mine: mine, remember: remember, forget: forget};
})(window);
