/* HallI18n: simplified Chinese first, English as a switch (?lang=en, or the page's toggle, kept
 * in localStorage). Elements with data-i18n="key" get their text from the page's dictionary. */
(function (global) {
  "use strict";

  function create(dict, initial) {
    var params = new URLSearchParams(global.location.search);
    var stored = null;
    try { stored = global.localStorage.getItem("hall.lang"); } catch (e) { stored = null; }
    var lang = params.get("lang") || stored || initial || "zh";
    if (lang !== "en") lang = "zh";
    var listeners = [];

    function t(key, vars) {
      var table = dict[lang] || dict.zh;
      var s = table[key];
      if (s === undefined) s = dict.zh[key];
      if (s === undefined) return key;
      return String(s).replace(/\{(\w+)\}/g, function (_, k) {
        return vars && vars[k] !== undefined && vars[k] !== null ? vars[k] : "";
      });
    }

    function apply(root) {
      document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
      (root || document).querySelectorAll("[data-i18n]").forEach(function (el) {
        el.textContent = t(el.getAttribute("data-i18n"));
      });
      (root || document).querySelectorAll("[data-i18n-placeholder]").forEach(function (el) {
        el.setAttribute("placeholder", t(el.getAttribute("data-i18n-placeholder")));
      });
    }

    function set(next) {
      lang = next === "en" ? "en" : "zh";
      try { global.localStorage.setItem("hall.lang", lang); } catch (e) { /* private mode */ }
      apply();
      listeners.forEach(function (fn) { fn(lang); });
    }

    return {
      t: t, apply: apply, set: set,
      lang: function () { return lang; },
      toggle: function () { set(lang === "en" ? "zh" : "en"); },
      onChange: function (fn) { listeners.push(fn); },
    };
  }

  // "约 15 分钟" / "about 15 min"; null: no window serves the queue
  function waitText(i18n, seconds) {
    if (seconds === null || seconds === undefined) return i18n.t("no_window");
    if (seconds < 60) return i18n.t("no_wait");
    return i18n.t("about_min", {n: Math.round(seconds / 60)});
  }

  global.HallI18n = {create: create, waitText: waitText};
})(window);
