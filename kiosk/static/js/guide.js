/* For the hall's guide, behind the PIN: 绿色通道 tickets, reprints, the printer. */
import {S, CID, $} from "./state.js";
import {t} from "./text.js";
import {call} from "./api.js";
import {show, renderBanner} from "./screens.js";
import {take} from "./ticket.js";
import {askPin, refuse} from "./modal.js";
import {needSetup} from "./setup.js";

export function takePriority() {
  askPin(t("pin_text")).then(function (pin) { if (pin) take(pin); });
}

export function openGuide() {
  askPin("").then(function (pin) {
    if (!pin) return;
    call("POST", "/kiosk/" + CID + "/pin", {pin: pin}).then(function (r) {
      if (r.status === 200) {
        S.guidePin = pin;
        show("guide");
        checkPrinter();
      } else if (r.status === 401) {
        needSetup(t("setup_bad"));
      } else {
        const code = r.data && r.data.error && r.data.error.code;
        refuse(t("pin_title"), t(code === "pin_locked" ? "pin_locked" : code === "no_guide_pin" ? "no_pin" : "bad_pin"), []);
      }
    }).catch(function () { refuse(t("net_title"), "", []); });
  });
}

export function reprint() {
  const code = $("reprint-code").value.trim().toUpperCase();
  if (!code) return;
  const out = $("reprint-result");
  out.textContent = t("printing");
  call("POST", "/kiosk/" + CID + "/reprint", {code: code, pin: S.guidePin || ""}, {}, 20000).then(function (r) {
    if (r.status === 200 && r.data.printed) out.textContent = t("reprint_done", {n: r.data.ticket.number});
    else if (r.status === 200) out.textContent = t("reprint_fault", {m: r.data.message || r.data.fault || ""});
    else out.textContent = (r.data && r.data.error && r.data.error.message) || ("HTTP " + r.status);
  }).catch(function () { out.textContent = t("net_title"); });
}

export function checkPrinter() {
  return call("GET", "/kiosk/" + CID + "/printer", undefined, {}, 15000).then(function (r) {
    if (r.status !== 200 || !r.data) return;
    const st = r.data.status;
    S.printerFault = st === "fault";
    const line = st === "ok" ? t("printer_ok") : st === "none" ? t("printer_none")
      : st === "fault" ? t("printer_fault", {m: r.data.message || r.data.fault || ""}) : st;
    $("printer-state").textContent = line;
    renderBanner();
  }).catch(function () {});
}

// while the printer is down, ask now and then: when it is back, the banner goes and tickets print again
export function watchPrinter() {
  if (S.printerWatch) return;
  S.printerWatch = setInterval(function () {
    if (!S.printerFault) {
      clearInterval(S.printerWatch);
      S.printerWatch = null;
      return;
    }
    checkPrinter();
  }, 15000);
}
