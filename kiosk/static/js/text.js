/* The kiosk's words (the catalogue's "kiosk" namespace, hall/static/text.js), its language and
 * elderly mode, and its clock. Every citizen starts in Chinese: the kiosk keeps no language. */
import {S, $} from "./state.js";
import {render} from "./screens.js";

const text = window.Hall.text;
const kiosk = text.scope("kiosk");

export const t = kiosk.t;           // words with {blanks} filled
export const list = kiosk.list;     // a list of words (what to do instead)
export const raw = kiosk.raw;       // a table as it is (the days of the week)

S.lang = text.lang();

export function name(obj) { return S.lang === "en" && obj.name_en ? obj.name_en : obj.name; }

export function lifeEvent(ev) { return (raw("life") || {})[ev] || ev; }

export function lifeGlyph(ev) { return (raw("life_glyph") || {})[ev] || ev.charAt(0); }

export function waitText(s) {
  if (s === null || s === undefined) return t("wait_none");
  const m = Math.ceil(s / 60);
  if (m <= 1) return t("wait_soon");
  if (m < 60) return t("wait_min", {m: m});
  return t("wait_hour", {h: Math.floor(m / 60), m: m % 60});
}

export function hoursText() {
  const h = S.catalog && S.catalog.center.hours;
  if (!h) return t("hours_none");
  const week = raw("week");
  return Object.keys(h).map(function (k) {
    const days = k.split("-").map(function (d) { return week[d] || d; }).join(t("to"));
    return days + " " + h[k].join("，");
  }).join("；");
}

export function applyText() {
  text.apply();
  const h1 = $("center-name");
  h1.textContent = S.lang === "en" ? h1.dataset.en : h1.dataset.zh;
  $("btn-elderly").textContent = S.elderly ? t("elderly_off") : t("elderly");
  document.title = h1.textContent;
}

export function setLang(lang) {
  S.lang = lang;
  text.set(lang);
  applyText();
  tickClock();                // the date in the new language now, not at the next tick
  render();
}

export function setElderly(on) {
  S.elderly = on;
  document.documentElement.classList.toggle("elderly", on);
  applyText();
  render();
}

export function tickClock() {
  const d = new Date();
  $("clock-time").textContent = ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  $("clock-date").textContent = S.lang === "en"
    ? d.toDateString()
    : t("clock_date", {m: d.getMonth() + 1, d: d.getDate(), w: raw("days")[d.getDay()]});
}
