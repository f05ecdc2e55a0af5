/* M: what every phone page shares — the words in both languages, the language switch, times.
 * Simplified Chinese first; English by the header's switch or ?lang=en (kept on this phone). */
(function (g) {
  "use strict";
  var DICT = {
    zh: {
      brand: "政务服务 · 排队助手", board_title: "各中心实时排队", book_link: "预约办事", updated: "更新于", offline: "网络中断，显示的是上次的数据",
      use_location: "使用我的位置", locating: "正在定位…", located: "已按距离排序", no_location: "无法获取位置，按默认顺序显示",
      choose_item: "要办什么事？", item_placeholder: "例如：居民身份证换领",
      open: "办理中", closed: "休息中", until: "办理至 {t}", waiting_n: "等候 {n} 人", minutes: "约 {n} 分钟",
      no_wait: "无需等候", no_window: "暂无窗口", too_late: "下班前可能轮不到（{t} 停止办理）",
      closed_now: "现在不办理，请在办公时间前往", distance: "{km} 公里 · 路程约 {min} 分钟",
      recommend: "推荐：{centre}，预计等候 {min} 分钟", recommend_now: "推荐：{centre}，现在去无需等候",
      recommend_none: "现在没有中心能办理「{item}」，请在办公时间再来", no_item: "没有中心办理「{item}」",
      rank_why: "等候约 {wait} 分钟", rank_travel: " + 路程约 {travel} 分钟", rank_closed: "休息中",
      rank_no_window: "暂无窗口办理", rank_late: "下班前可能轮不到",
      status: "状态", ahead: "前面还有", eta: "预计叫号", people: "{n} 人",
      st_waiting: "等候中", st_called: "已叫号", st_serving: "办理中", st_done: "已办结", st_no_show: "已过号",
      st_cancelled: "已取消", eta_at: "{t} 前后", eta_none: "暂无窗口",
      go: "请到 {w} 号窗口", go_again: "再次叫号：请到 {w} 号窗口", called_hint: "请持号到窗口办理，过号请到咨询台",
      live_on: "实时更新中", live_off: "连接中断，正在重连…",
      sound_on: "开启声音和振动提醒", sound_ready: "声音和振动提醒已开启",
      wechat_sub: "叫号前微信提醒我", sms_label: "短信提醒（选填）", sms_sub: "提醒我", subscribed: "已开启提醒：{to}",
      cancel: "取消排队", confirm_cancel: "取消后号码作废，确定取消吗？", yes_cancel: "确定取消", keep: "继续排队",
      cancelled: "已取消排队", cancel_failed: "取消失败：{m}", expired: "这张票已过期或不存在",
      missing_title: "没有找到这张票", missing_body: "票号只在取号当天有效。请核对二维码，或回到各中心排队情况。",
      to_board: "查看各中心排队", failed: "暂时无法获取数据，稍后自动重试"
    },
    en: {
      brand: "Service Centres · Queue", board_title: "Live waits at every centre", book_link: "Book a visit", updated: "Updated", offline: "Offline: showing the last data",
      use_location: "Use my location", locating: "Locating…", located: "Sorted by distance", no_location: "Location unavailable",
      choose_item: "What do you need to do?", item_placeholder: "e.g. ID card renewal",
      open: "Open", closed: "Closed", until: "open until {t}", waiting_n: "{n} waiting", minutes: "~{n} min",
      no_wait: "no wait", no_window: "no window open", too_late: "may not be reached before closing ({t})",
      closed_now: "closed now; come during opening hours", distance: "{km} km · ~{min} min away",
      recommend: "Recommended: {centre}, expected wait {min} min", recommend_now: "Recommended: {centre}, no wait now",
      recommend_none: "No centre can serve “{item}” right now; come during opening hours", no_item: "No centre offers “{item}”",
      rank_why: "wait ~{wait} min", rank_travel: " + ~{travel} min travel", rank_closed: "closed",
      rank_no_window: "no window open", rank_late: "may not be reached before closing",
      status: "Status", ahead: "Ahead of you", eta: "Expected call", people: "{n}",
      st_waiting: "Waiting", st_called: "Called", st_serving: "Being served", st_done: "Done", st_no_show: "Missed",
      st_cancelled: "Cancelled", eta_at: "around {t}", eta_none: "no window",
      go: "Please go to window {w}", go_again: "Called again: window {w}", called_hint: "Bring your ticket to the window",
      live_on: "Live", live_off: "Reconnecting…",
      sound_on: "Turn on sound and vibration", sound_ready: "Sound and vibration are on",
      wechat_sub: "Remind me on WeChat", sms_label: "SMS reminder (optional)", sms_sub: "Remind me", subscribed: "Reminders on: {to}",
      cancel: "Cancel my ticket", confirm_cancel: "The number will be void. Cancel?", yes_cancel: "Yes, cancel", keep: "Keep waiting",
      cancelled: "Ticket cancelled", cancel_failed: "Could not cancel: {m}", expired: "This ticket has expired or does not exist",
      missing_title: "Ticket not found", missing_body: "Tickets are valid on the day they are taken. Check the QR code, or see the waits.",
      to_board: "See the waits", failed: "Cannot load data now; retrying"
    }
  };

  var params = new URLSearchParams(g.location.search);
  var stored = null;
  try { stored = g.localStorage.getItem("hall.m.lang"); } catch (e) { stored = null; }
  var lang = params.get("lang") || stored || "zh";
  if (lang !== "en") lang = "zh";
  var listeners = [];

  function t(key, vars) {
    var s = (DICT[lang] && DICT[lang][key]) || DICT.zh[key] || key;
    return String(s).replace(/\{(\w+)\}/g, function (_, k) {
      return vars && vars[k] !== undefined && vars[k] !== null ? vars[k] : "";
    });
  }

  function apply() {
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t(el.getAttribute("data-i18n")); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (el) {
      el.setAttribute("placeholder", t(el.getAttribute("data-i18n-placeholder")));
    });
    var b = document.getElementById("lang");
    if (b) b.textContent = lang === "en" ? "中文" : "EN";
  }

  function setLang(l) {
    lang = l === "en" ? "en" : "zh";
    try { g.localStorage.setItem("hall.m.lang", lang); } catch (e) { /* private mode */ }
    apply();
    listeners.forEach(function (fn) { fn(lang); });
  }

  /* "HH:MM" of an epoch-ms instant in the UTC offset of an ISO time the server gave ("…+08:00"),
   * so a phone set to another zone still reads the centre's clock. */
  function clock(ms, isoWithOffset) {
    var m = /([+-])(\d\d):(\d\d)$/.exec(isoWithOffset || "");
    var offsetMin = m ? (m[1] === "-" ? -1 : 1) * (parseInt(m[2], 10) * 60 + parseInt(m[3], 10)) : -new Date(ms).getTimezoneOffset();
    var d = new Date(ms + offsetMin * 60000);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(d.getUTCHours()) + ":" + two(d.getUTCMinutes());
  }

  function minutes(seconds) { return seconds > 0 ? Math.max(1, Math.round(seconds / 60)) : 0; }

  function name(obj) { return lang === "en" && obj && obj.name_en ? obj.name_en : (obj ? obj.name : ""); }

  function getJSON(url, opts) {
    var o = {headers: {Accept: "application/json"}};
    if (opts && opts.cache) o.cache = opts.cache;
    return fetch(url, o).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) { return {status: r.status, body: body}; });
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // the hall's time: the page carries it, and a phone's own clock may be minutes (or days) off
  var skew = 0;
  function now() { return Date.now() + skew; }

  document.addEventListener("DOMContentLoaded", function () {
    var served = Date.parse(document.body.dataset.now || "");
    if (served) skew = served - Date.now();
    apply();
    var b = document.getElementById("lang");
    if (b) b.addEventListener("click", function () { setLang(lang === "en" ? "zh" : "en"); });
  });

  g.M = {t: t, apply: apply, lang: function () { return lang; }, onLang: function (fn) { listeners.push(fn); },
         clock: clock, minutes: minutes, name: name, getJSON: getJSON, el: el, now: now};
})(window);
