/* Appointment check-in: the booking code on a keypad, then a ticket printed like any other. */
import {S, CID, CODE_LEN, $, el} from "./state.js";
import {t, list, name, hoursText} from "./text.js";
import {call, withRetries} from "./api.js";
import {show} from "./screens.js";
import {setBusy, printTicket} from "./ticket.js";
import {refuse} from "./modal.js";
import {needSetup} from "./setup.js";

export function openCheckin() {
  S.code = "";
  show("checkin");
}

export function checkinKey(k) {
  if (S.busy) return;
  if (k === "back") S.code = S.code.slice(0, -1);
  else if (k === "clear") S.code = "";
  else if (S.code.length < CODE_LEN) S.code += k;
  renderCheckin();
}

export function renderCheckin() {
  const boxes = $("checkin-boxes");
  boxes.innerHTML = "";
  for (let i = 0; i < CODE_LEN; i++) {
    boxes.appendChild(el("span", "code-box" + (i === S.code.length ? " next" : "") + (i === 4 ? " gap" : ""), S.code.charAt(i)));
  }
  boxes.dataset.code = S.code;
  $("checkin-go").disabled = S.busy || S.code.length !== CODE_LEN;
}

export function checkIn() {
  if (S.busy || S.code.length !== CODE_LEN) return;
  const code = S.code;
  setBusy(true, t("checking_in"));
  // checking in twice gives the same ticket, so a retry after a lost answer is safe
  withRetries(function () {
    return call("POST", "/api/v1/centers/" + CID + "/appointments/" + code + "/check-in", {});
  }).then(function (r) {
    if (r.status === 201) {
      S.item = null;
      return printTicket(r.data);
    }
    setBusy(false);
    if (r.status === 401) return needSetup(t("setup_bad"));
    return checkinRefused(code, (r.data && r.data.error) || {}, r.status);
  }).catch(function () {
    setBusy(false);
    refuse(t("net_title"), t("net_text"), list("net_todo"));
  });
}

function checkinRefused(code, err, status) {
  const spaced = code.slice(0, 4) + " " + code.slice(4);
  if (err.code === "unknown_appointment") {
    S.code = "";
    renderCheckin();
    return refuse(t("ci_unknown_title"), t("ci_unknown_text", {code: spaced}), list("ci_unknown_todo"));
  }
  if (err.code === "too_early") return tooEarly(code);
  if (err.code === "appointment_missed") return refuse(t("ci_missed_title"), t("ci_missed_text"), list("ci_missed_todo"));
  if (err.code === "appointment_cancelled") {
    return refuse(t("ci_cancelled_title"), t("ci_cancelled_text"), list("ci_cancelled_todo"));
  }
  if (err.code === "closed") return refuse(t("closed_title"), t("ci_closed_text"), list("closed_todo", {hours: hoursText()}));
  refuse(t("error_title"), serverText(err.message) || ("HTTP " + status), list("net_todo").slice(1));
}

/* Say when to come back: the booking's day and slot (public, by code), less the early check-in allowance. */
function tooEarly(code) {
  return call("GET", "/api/v1/centers/" + CID + "/appointments/" + code).then(function (r) {
    const b = r.status === 200 && r.data;
    if (!b) throw new Error("no booking");
    const early = Math.round(((S.catalog.booking && S.catalog.booking.early_s) || 0) / 60);
    const start = b.slot.split("-")[0].split(":");
    const opens = Math.max(0, parseInt(start[0], 10) * 60 + parseInt(start[1], 10) - early);
    const hm = ("0" + Math.floor(opens / 60)).slice(-2) + ":" + ("0" + (opens % 60)).slice(-2);
    const p = b.day.split("-");
    const day = t("date", {m: parseInt(p[1], 10), d: parseInt(p[2], 10)});
    let q = null;
    S.catalog.queues.forEach(function (x) { if (x.id === b.queue) q = x; });
    refuse(t("ci_early_title"), t("ci_early_text", {day: day, slot: b.slot, q: q ? name(q) : b.queue}),
           list("ci_early_todo", {day: day, opens: hm}));
  }).catch(function () {
    refuse(t("ci_early_title"), "", list("ci_early_todo", {day: "", opens: ""}).slice(1));
  });
}

/* The server's messages are "中文 / English": the half in the kiosk's language. */
function serverText(message) {
  const halves = String(message || "").split(" / ");
  return S.lang === "en" && halves.length > 1 ? halves.slice(1).join(" / ") : halves[0];
}
