/* 好差评 at the kiosk (the kiosk channel): the number on the ticket (a queue's letter and three
 * digits), a level, its options — at least one reason for 不满意 and 非常不满意 — sent with the
 * kiosk's token. Levels and options come from the hall in the kiosk's language. The screen and its
 * entry on the home screen are built here, so the page's markup stays as it is. */
import {S, CID, $, el} from "./state.js";
import {t, list} from "./text.js";
import {call} from "./api.js";
import {show, addView, goHome, onReset} from "./screens.js";
import {refuse} from "./modal.js";

const DIGITS = 3;
const R = {prefix: "", digits: "", score: null, options: [], levels: {}, step: "number", sending: false, round: 0};

function reset() {
  R.prefix = ""; R.digits = ""; R.score = null; R.options = []; R.step = "number"; R.sending = false;
}

function words(textKey) {
  const b = el("span", null, t(textKey));
  b.dataset.text = "kiosk." + textKey;
  return b;
}

function install() {
  const link = el("link");
  link.rel = "stylesheet";
  link.href = new URL("../rate.css", import.meta.url).href;
  document.head.appendChild(link);
  const view = el("section", "view");
  view.id = "view-rate";
  view.hidden = true;
  document.querySelector("main").appendChild(view);
  const entry = el("button", "checkin-bar rate-bar");
  entry.id = "open-rate";
  const icon = el("span", "checkin-icon", "★");
  icon.setAttribute("aria-hidden", "true");
  const label = el("span", "checkin-text");
  label.appendChild(el("strong", null, t("rate_entry")));
  label.firstChild.dataset.text = "kiosk.rate_entry";
  label.appendChild(el("small", null, t("rate_entry_hint")));
  label.lastChild.dataset.text = "kiosk.rate_entry_hint";
  const chev = el("span", "chev", "›");
  chev.setAttribute("aria-hidden", "true");
  [icon, label, chev].forEach(function (x) { entry.appendChild(x); });
  entry.onclick = open;
  $("open-checkin").after(entry);
  // 长者模式 hides the normal home screen: its own big entry, below 「其他事项」
  const big = el("button", "big-other big-rate");
  big.id = "elderly-rate";
  big.appendChild(words("rate_entry"));
  const hint = el("small", null, t("rate_entry_hint"));
  hint.dataset.text = "kiosk.rate_entry_hint";
  big.appendChild(hint);
  big.onclick = open;
  $("elderly-more").after(big);
  addView("rate", render);
  onReset(reset);
}

function open() { reset(); show("rate"); }

function levels() {
  const lang = S.lang === "en" ? "en" : "zh-CN";
  if (R.levels[lang]) return Promise.resolve(R.levels[lang]);
  return call("GET", "/api/v1/evaluation/options?lang=" + lang).then(function (r) {
    if (r.status !== 200) throw new Error("HTTP " + r.status);
    R.levels[lang] = r.data.levels;
    return r.data.levels;
  });
}

function render() {
  const v = $("view-rate");
  v.replaceChildren();
  v.appendChild(el("h2", "view-title", t("rate_title")));
  if (R.step === "number") return renderNumber(v);
  levels().then(function (all) {
    if (S.view !== "rate") return;
    if (R.step === "level") renderLevels(v, all);
    else renderOptions(v, all.filter(function (l) { return l.score === R.score; })[0]);
  }).catch(function () { refuse(t("net_title"), t("rate_error_title"), list("rate_todo")); });
}

function renderNumber(v) {
  v.appendChild(el("p", "checkin-hint", t("rate_hint")));
  const boxes = el("div", "code-boxes");
  boxes.id = "rate-number";
  boxes.setAttribute("aria-live", "polite");
  const shown = [R.prefix].concat(R.digits.split(""));
  const at = R.prefix ? 1 + R.digits.length : 0;
  for (let i = 0; i < 1 + DIGITS; i++) boxes.appendChild(el("span", "code-box" + (i === at ? " next" : ""), shown[i] || ""));
  boxes.dataset.number = R.prefix + R.digits;
  v.appendChild(boxes);
  const prefixes = el("div", "numpad rate-prefixes");
  const seen = {};
  S.catalog.queues.forEach(function (q) {
    if (!q.prefix || seen[q.prefix]) return;
    seen[q.prefix] = true;
    const b = el("button", "num" + (R.prefix === q.prefix ? " on" : ""), q.prefix);
    b.dataset.prefix = q.prefix;
    b.setAttribute("aria-pressed", String(R.prefix === q.prefix));
    b.onclick = function () { R.prefix = q.prefix; render(); };
    prefixes.appendChild(b);
  });
  const keys = el("div", "rate-keys");              // one block, beside the number on a counter kiosk
  keys.appendChild(prefixes);
  v.appendChild(keys);
  const pad = el("div", "numpad");
  ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"].forEach(function (k) {
    const b = el("button", "num" + (k.length > 1 ? " fn" : ""), k === "back" ? "⌫" : k === "clear" ? t("key_clear") : k);
    b.dataset.k = k;
    if (k === "back") b.setAttribute("aria-label", t("rate_key_back"));
    b.onclick = function () {
      if (k === "back") R.digits = R.digits.slice(0, -1);
      else if (k === "clear") { R.digits = ""; R.prefix = ""; }
      else if (R.digits.length < DIGITS) R.digits += k;
      render();
    };
    pad.appendChild(b);
  });
  keys.appendChild(pad);
  const next = el("button", "take", t("rate_next"));
  next.id = "rate-next";
  next.disabled = !(R.prefix && R.digits.length === DIGITS);
  next.onclick = function () { R.step = "level"; render(); };
  v.appendChild(next);
}

function renderLevels(v, all) {
  v.appendChild(el("p", "checkin-hint", t("rate_level_hint", {n: R.prefix + R.digits})));
  const box = el("div", "rate-levels");
  all.forEach(function (l) {
    const b = el("button", "rate-level", "★".repeat(l.score) + " " + l.name);
    b.dataset.score = String(l.score);
    b.onclick = function () { R.score = l.score; R.options = []; R.step = "options"; render(); };
    box.appendChild(b);
  });
  v.appendChild(box);
}

function renderOptions(v, level) {
  const needed = R.score <= 2;
  v.appendChild(el("p", "checkin-hint", level.name + " · " + t(needed ? "rate_reason_needed" : "rate_options_hint")));
  const box = el("div", "rate-options");
  level.options.forEach(function (o) {
    const on = R.options.indexOf(o.code) >= 0;
    const b = el("button", "rate-option" + (on ? " on" : ""), o.text);
    b.dataset.option = o.code;
    b.setAttribute("aria-pressed", String(on));
    b.onclick = function () {
      R.options = on ? R.options.filter(function (c) { return c !== o.code; }) : R.options.concat([o.code]);
      render();
    };
    box.appendChild(b);
  });
  v.appendChild(box);
  const send = el("button", "take", t("rate_send"));
  send.id = "rate-send";
  send.disabled = R.sending || (needed && !R.options.length);
  send.onclick = submit;
  v.appendChild(send);
}

function submit() {
  if (R.sending) return;
  R.sending = true;
  const number = R.prefix + R.digits;
  call("POST", "/api/v1/centers/" + CID + "/evaluations", {number: number, score: R.score, options: R.options})
    .then(function (r) {
      R.sending = false;
      if (r.status === 201) return thanks();
      const code = (r.data && r.data.error && r.data.error.code) || "";
      const why = {unknown_ticket: "rate_unknown", already_rated: "rate_already", rating_closed: "rate_closed",
                   not_done: "rate_not_done"}[code] || (r.status === 404 ? "rate_unknown" : null);
      reset();
      render();
      if (why) return refuse(t(why + "_title"), t(why + "_text", {n: number}), list("rate_todo"));
      refuse(t("rate_error_title"), "HTTP " + r.status, list("rate_todo"));
    }, function () {
      R.sending = false;
      refuse(t("net_title"), t("rate_error_title"), list("rate_todo"));
    });
}

// The thanks stays as long as a printed ticket does (the kiosk's ticket_idle_s), counting down on
// screen: long enough to read in 长者模式, and the hall's to set, not a fixed few seconds.
function thanks() {
  const v = $("view-rate");
  const left = el("p", "rate-countdown");
  left.setAttribute("aria-live", "off");
  v.replaceChildren(el("h2", "view-title", t("rate_thanks")), el("p", "checkin-hint rate-thanks", t("rate_thanks_text")),
                    left);
  reset();
  R.step = "done";
  const round = ++R.round;                    // a later rating's thanks counts on its own
  let s = (S.settings && S.settings.ticket_idle_s) || 20;
  const tick = function () {
    if (S.view !== "rate" || R.step !== "done" || R.round !== round) return;
    if (s <= 0) return goHome();
    left.textContent = t("back_in", {s: s});
    s -= 1;
    setTimeout(tick, 1000);
  };
  tick();
}

install();
