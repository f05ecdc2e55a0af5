/* Taking a ticket and printing it. Normal tickets come from the public API with this kiosk's
 * device token and one Idempotency-Key per intent (a double tap or a retry after a time-out gets
 * the same ticket); 绿色通道 ones from the kiosk blueprint, behind the guide's PIN. The kiosk
 * blueprint prints them and says what the screen must show when the printer fails. */
import {S, CID, CODE_LEN, $, el} from "./state.js";
import {t, list, name, waitText, hoursText} from "./text.js";
import {call, newKey, withRetries} from "./api.js";
import {show, goHome, queueOf, renderBanner} from "./screens.js";
import {refuse} from "./modal.js";
import {needSetup} from "./setup.js";
import {watchPrinter} from "./guide.js";

export function setBusy(on, text) {
  S.busy = on;
  $("busy").hidden = !on;
  $("busy-text").textContent = text || t("busy");
  $("take").disabled = on;
  $("take-priority").disabled = on;
  $("checkin-go").disabled = on || S.code.length !== CODE_LEN;
}

/* A ticket for the item on screen (S.item); with the guide's PIN, a 绿色通道 one. `extra` adds
 * fields to the request (what a card laid on the reader unlocked, say). */
export function take(priorityPin, extra) {
  if (S.busy || !S.item) return;
  const it = S.item;
  if (!S.intent) S.intent = newKey();
  const key = S.intent;
  setBusy(true);
  const url = priorityPin ? "/kiosk/" + CID + "/tickets" : "/api/v1/centers/" + CID + "/tickets";
  const body = Object.assign(priorityPin ? {item: it.id, pin: priorityPin} : {item: it.id}, extra || {});
  // the card laid on the reader, and 绿色通道 by age (idcard.js)
  if (!priorityPin && window.HallIdCard) window.HallIdCard.extend(body);
  // the answer may have been lost after the ticket was made: the same key gets the same ticket
  withRetries(function () { return call("POST", url, body, {"Idempotency-Key": key}); }).then(function (r) {
    if (r.status === 201) return printTicket(r.data);
    setBusy(false);
    if (r.status === 401) return needSetup(t("setup_bad"));
    const err = (r.data && r.data.error) || {};
    if (window.HallIdCard && window.HallIdCard.refused(err)) return;     // already_waiting: offer a reprint
    if (err.code === "bad_pin" || err.code === "pin_locked" || err.code === "no_pin" || err.code === "no_guide_pin") {
      return refuse(t("pin_title"), t(err.code === "bad_pin" ? "bad_pin" : err.code === "pin_locked" ? "pin_locked" : "no_pin"), []);
    }
    if (err.code === "closed") return refuse(t("closed_title"), t("closed_text"), list("closed_todo", {hours: hoursText()}));
    if (err.code === "quota_reached") {
      const q = queueOf(it);
      return refuse(t("quota_title"), t("quota_text", {q: q ? name(q) : name(it)}), list("quota_todo"));
    }
    refuse(t("error_title"), err.message || ("HTTP " + r.status), list("net_todo").slice(1));
  }).catch(function () {
    setBusy(false);
    refuse(t("net_title"), t("net_text"), list("net_todo"));
  });
}

/* Print a ticket just issued (whatever way it was), then show it: with the printer's answer, or
 * for a photo when the printer failed. */
export function printTicket(ticket) {
  S.ticket = ticket;
  setBusy(true, t("printing"));
  return call("POST", "/kiosk/" + CID + "/print/" + encodeURIComponent(ticket.id), {}, {}, 20000)
    .then(function (r) {
      if (r.status === 200 && r.data) return r.data;
      throw new Error("print answered " + r.status);
    })
    .catch(function () {
      // the ticket exists whatever happened to the print request: show it for a photo
      return {ticket: ticket, printed: false, fault: "error", needs_confirm: false,
              qr_url: "/kiosk/" + CID + "/tickets/" + encodeURIComponent(ticket.id) + "/qr.svg"};
    })
    .then(function (answer) {
      setBusy(false);
      S.answer = answer;
      S.printerFault = answer.printed === false && !!answer.fault;
      S.intent = null;
      show("ticket");
      if (S.printerFault) watchPrinter();
    });
}

export function renderTicket() {
  const a = S.answer;
  if (!a) return;
  const tk = a.ticket;
  const it = S.item;
  const fault = !a.printed && !!a.fault;
  const head = $("ticket-headline");
  $("ticket-headline-text").textContent = fault ? t("ticket_fault") : tk.appointment ? t("checkin_ok") : t("ticket_ok");
  head.className = "ticket-ok" + (fault ? " fault" : "");
  const what = it ? name(it) : a.item_name;
  $("ticket-item").textContent = what && what !== tk.queue_name ? what + " · " + tk.queue_name : tk.queue_name;
  $("ticket-number").textContent = tk.number;
  $("ticket-priority").hidden = tk.priority !== "priority";
  $("ticket-appointment").hidden = !tk.appointment;
  $("ticket-ahead").textContent = t("people", {n: tk.ahead});
  $("ticket-wait").textContent = waitText(tk.est_wait_s);
  const qr = $("ticket-qr");
  if (a.qr_svg) qr.innerHTML = a.qr_svg;
  else if (a.qr_url) qr.innerHTML = '<img alt="QR" src="' + a.qr_url + '">';
  const st = $("print-status");
  st.innerHTML = "";
  if (fault) {
    st.className = "print-status fault";
    st.appendChild(el("strong", null, t("fault_box")));
    const why = (S.lang === "en" ? (a.message_en || a.message) : a.message) || t("print_failed");
    st.appendChild(el("span", null, t("fault_detail", {why: why})));
    if (a.needs_confirm && a.confirm_within_s) {
      st.appendChild(el("div", null, t("fault_void", {m: Math.max(1, Math.round(a.confirm_within_s / 60))})));
    }
  } else if (a.printer === "none") {
    st.className = "print-status info";
    st.textContent = t("no_printer");
  } else {
    st.className = "print-status ok";
    st.textContent = t("printed");
  }
  $("fault-actions").hidden = !fault || a.confirmed;
  if (a.confirmed) {
    st.className = "print-status ok";
    st.textContent = t("confirmed");
  }
  // time to take a photo when there is no paper to take away
  const slow = (fault && !a.confirmed) || a.printer === "none";
  startCountdown(slow ? S.settings.fault_idle_s : S.settings.ticket_idle_s);
}

export function confirmNumber() {
  const a = S.answer;
  if (!a) return;
  call("POST", "/kiosk/" + CID + "/confirm/" + encodeURIComponent(a.ticket.id), {}).then(function (r) {
    if (r.status === 200) {
      a.confirmed = true;
      renderTicket();
    }
  }).catch(function () {});
}

export function printAgain() {
  const a = S.answer;
  if (!a || S.busy) return;
  setBusy(true, t("printing"));
  call("POST", "/kiosk/" + CID + "/print/" + encodeURIComponent(a.ticket.id), {again: true}, {}, 20000)
    .then(function (r) {
      setBusy(false);
      if (r.status === 200 && r.data) {
        S.answer = r.data;
        S.printerFault = !r.data.printed && !!r.data.fault;
        renderTicket();
        renderBanner();
      }
    }).catch(function () { setBusy(false); });
}

function startCountdown(seconds) {
  clearInterval(S.countdownTimer);
  let left = seconds || 20;
  const label = $("countdown");
  label.textContent = t("back_in", {s: left});
  S.countdownTimer = setInterval(function () {
    left -= 1;
    label.textContent = t("back_in", {s: Math.max(left, 0)});
    if (left <= 0) goHome();
  }, 1000);
}
