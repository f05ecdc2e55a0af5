/* What every manager page shares: the session (a bearer token in localStorage), the API, the
 * header, the words (the catalogue's "manage" namespace), and how durations read. Pages call
 * HallManage.start(). */
(function (global) {
  "use strict";
  var i18n = global.Hall.text.scope("manage"), el = global.Hall.el;
  var $ = function (id) { return document.getElementById(id); };
  var KEY = "hall.manage";
  var session = null;
  try { session = JSON.parse(global.localStorage.getItem(KEY) || "null"); } catch (e) { session = null; }

  function save(s) {
    session = s;
    if (s) global.localStorage.setItem(KEY, JSON.stringify(s)); else global.localStorage.removeItem(KEY);
  }

  var messageTimer = null;
  function say(text, kind) {
    var box = $("message");
    if (!box) return;
    box.textContent = text;
    box.dataset.kind = kind || "info";
    box.hidden = false;
    clearTimeout(messageTimer);
    messageTimer = setTimeout(function () { box.hidden = true; }, kind === "error" ? 10000 : 5000);
  }

  function refusal(err) {
    var known = i18n.has("err_" + err.code) ? i18n.t("err_" + err.code) : null;
    return known ? known + (err.message && i18n.lang() === "zh" ? "（" + err.message + "）" : "") : err.message;
  }

  // an answer that is not JSON (a YAML file, a spreadsheet): `as` is "text" or "blob"
  function fetchFile(path, as) {
    return global.Hall.request("GET", "/api/v1" + path, {as: as, token: session && session.token});
  }

  function api(method, path, body, raw) {
    return global.Hall.request(method, "/api/v1" + path, {
      body: body, raw: raw, token: session && session.token,
      headers: raw ? {"Content-Type": "application/yaml"} : {},
    }).then(function (r) {
      if (r.status === 204) return null;
      if (!r.ok) {
        var err = r.data && r.data.error ? r.data.error : {code: "http_" + r.status, message: r.statusText};
        err.status = r.status;
        if (r.status === 401) { save(null); showLogin(); }
        throw err;
      }
      return r.data;
    }, function () { throw {code: "network", message: i18n.t("network")}; });
  }

  function duration(s) {
    if (s === null || s === undefined) return i18n.t("none");
    s = Math.max(0, Math.round(s));
    if (s < 60) return i18n.t("sec", {n: s});
    var m = Math.floor(s / 60);
    if (m < 60) return i18n.t("min", {n: m});
    return i18n.t("hour_min", {h: Math.floor(m / 60), m: m % 60});
  }

  function hhmm(epoch) {
    var d = new Date(epoch * 1000);
    return d.toLocaleTimeString("zh-CN", {hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "Asia/Shanghai"});
  }

  function stamp(epoch) {
    var d = new Date(epoch * 1000);
    return d.toLocaleString("zh-CN", {hour12: false, timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit",
                                      day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit"});
  }

  // --- login and the header ---
  var onReady = null;

  function showLogin() {
    if ($("login")) $("login").hidden = false;
    if ($("app")) $("app").hidden = true;
    if ($("who")) $("who").textContent = "";
  }

  function showApp() {
    if ($("login")) $("login").hidden = true;
    if ($("app")) $("app").hidden = false;
    if ($("who")) $("who").textContent = session.user.name + (session.user.staff_no ? "（" + session.user.staff_no + "）" : "");
  }

  function start(ready) {
    onReady = ready;
    i18n.apply();
    if ($("lang")) $("lang").addEventListener("click", i18n.toggle);
    if ($("logout")) $("logout").addEventListener("click", function () { save(null); showLogin(); });
    var form = $("login-form");
    if (form) form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var data = new FormData(form);
      api("POST", "/auth/login", {username: data.get("username"), password: data.get("password")}).then(function (r) {
        if (r.role !== "manager" && r.role !== "admin") { say(i18n.t("need_manager"), "error"); return; }
        save({token: r.token, role: r.role, center: r.center, user: {name: r.name, staff_no: r.staff_no}});
        enter();
      }, function (err) { say(refusal(err), "error"); });
    });
    var clock = $("clock");
    if (clock) {
      var tick = function () { clock.textContent = hhmm(Date.now() / 1000); };
      tick();
      setInterval(tick, 10000);
    }
    if (session && session.token) enter(); else showLogin();
  }

  function enter() {
    var page = document.body.dataset.center;
    if (page && session.role !== "admin" && session.center !== page) {
      global.location.href = "/manage/" + session.center;
      return;
    }
    showApp();
    if (onReady) onReady(session);
  }

  global.HallManage = {
    i18n: i18n, t: i18n.t, el: el, $: $, api: api, fetchFile: fetchFile, say: say, refusal: refusal,
    duration: duration, hhmm: hhmm, stamp: stamp, waitText: i18n.waitText, start: start,
    session: function () { return session; },
  };
})(window);
