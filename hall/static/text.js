/* Hall.text: the hall's one message catalogue in the browser, and the page's language.
 *
 * The page embeds the namespaces it uses once (<script id="hall-text" type="application/json">,
 * from hall/static/text/<lang>.json, see hall/assets.py). Simplified Chinese first; English by
 * ?lang=en or the page's switch, kept on this device under ONE key ("hall.lang") for every page.
 * A kiosk, shared by passers-by, sets <html data-lang-store="off">: it neither reads nor keeps it.
 *
 *   t("kiosk.take", {n: 3})   words with {blanks} filled; the key itself when the catalogue lacks it
 *   list(key, vars)           a list of words (what to do instead, …), blanks filled
 *   raw(key)                  the value as it is (a list, a table)
 *   scope("kiosk")            the same three, and the rest, for keys inside one namespace; its
 *                             waitText(seconds) says a queue's wait with the namespace's no_window,
 *                             no_wait and about_min ("约 15 分钟"; null: no window serves the queue)
 *   apply(root)               elements with data-text="ns.key" (and data-text-placeholder,
 *                             data-text-aria-label) get their words
 *   lang() "zh" | "en", set(lang), toggle(), onChange(fn)
 */
(function (g) {
  "use strict";
  var KEY = "hall.lang";
  var CODES = {zh: "zh-CN", en: "en"};
  var node = document.getElementById("hall-text");
  var catalogue = node ? JSON.parse(node.textContent) : {"zh-CN": {}, en: {}};
  var remember = document.documentElement.dataset.langStore !== "off";
  var listeners = [];

  function pick(v) { return v === "en" ? "en" : v === "zh" || v === "zh-CN" ? "zh" : null; }

  var stored = null;
  if (remember) { try { stored = g.localStorage.getItem(KEY); } catch (e) { stored = null; } }
  var lang = pick(new URLSearchParams(g.location.search).get("lang")) || pick(stored) || "zh";

  function find(table, key) {
    var dot = key.indexOf("."), ns = table[key.slice(0, dot)];
    return ns ? ns[key.slice(dot + 1)] : undefined;
  }

  function raw(key) {
    var v = find(catalogue[CODES[lang]] || {}, key);
    return v === undefined ? find(catalogue["zh-CN"] || {}, key) : v;
  }

  function fill(s, vars) {
    return String(s).replace(/\{(\w+)\}/g, function (_, k) {
      return vars && vars[k] !== undefined && vars[k] !== null ? vars[k] : "";
    });
  }

  function t(key, vars) {
    var v = raw(key);
    return v === undefined ? key : fill(v, vars);
  }

  function list(key, vars) {
    return (raw(key) || []).map(function (s) { return fill(s, vars); });
  }

  function apply(root) {
    root = root || document;
    if (root === document) document.documentElement.lang = CODES[lang];
    root.querySelectorAll("[data-text]").forEach(function (el) { el.textContent = t(el.dataset.text); });
    root.querySelectorAll("[data-text-placeholder]").forEach(function (el) {
      el.setAttribute("placeholder", t(el.dataset.textPlaceholder));
    });
    root.querySelectorAll("[data-text-aria-label]").forEach(function (el) {
      el.setAttribute("aria-label", t(el.dataset.textAriaLabel));
    });
  }

  function set(next) {
    lang = pick(next) || "zh";
    if (remember) { try { g.localStorage.setItem(KEY, lang); } catch (e) { /* private mode */ } }
    apply();
    listeners.forEach(function (fn) { fn(lang); });
  }

  var api = {
    t: t, list: list, raw: raw, apply: apply, set: set,
    lang: function () { return lang; },
    toggle: function () { set(lang === "en" ? "zh" : "en"); },
    onChange: function (fn) { listeners.push(fn); },
    // the name of a catalogue object (a centre, a queue, an item) in the page's language
    name: function (obj) { return obj ? (lang === "en" && obj.name_en ? obj.name_en : obj.name) : ""; },
    scope: function (ns) {
      var p = ns + ".";
      return Object.assign({}, api, {
        ns: ns,
        t: function (key, vars) { return t(p + key, vars); },
        list: function (key, vars) { return list(p + key, vars); },
        raw: function (key) { return raw(p + key); },
        has: function (key) { return raw(p + key) !== undefined; },
        waitText: function (seconds) {
          if (seconds === null || seconds === undefined) return t(p + "no_window");
          if (seconds < 60) return t(p + "no_wait");
          return t(p + "about_min", {n: Math.round(seconds / 60)});
        },
      });
    },
  };

  g.Hall = g.Hall || {};
  g.Hall.text = api;
})(window);
