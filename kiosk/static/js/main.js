/* The touch kiosk of one centre: ES modules, no build step, nothing from outside the hall's LAN.
 * This module wires the page's buttons and starts; the others each hold one part:
 *   state.js   the state (S), the centre, $ and el
 *   text.js    words (the hall's catalogue), language, elderly mode, the clock
 *   api.js     requests to the hall with the device token; retries; idempotency keys
 *   screens.js which screen shows; home, lists, items; the catalogue; going home when idle
 *   search.js  the keyboard and the search
 *   ticket.js  taking a ticket, printing it, the ticket screen
 *   checkin.js appointment check-in
 *   rate.js    好差评 at the kiosk: a served ticket's number, a level and its options
 *   modal.js   refusals and the PIN pad
 *   guide.js   the guide's services and the printer
 *   help.js    the way to a person (咨询台, 帮办代办), on every screen
 *   setup.js   the device token and starting up
 * A new feature goes in a module of its own, imported below. */
import {S, CID, TOKEN_KEY, $, el} from "./state.js";
import {t, applyText, setLang, setElderly, tickClock} from "./text.js";
import {show, back, goHome, armIdle, refreshCatalog, onReset} from "./screens.js";
import {buildKeyboard, searchKey, scheduleSearch, runSearch} from "./search.js";
import {take, confirmNumber, printAgain, printTicket, setBusy} from "./ticket.js";
import {openCheckin, checkinKey, checkIn} from "./checkin.js";
import {closeModal, pinKey, refuse} from "./modal.js";
import {takePriority, openGuide, reprint, checkPrinter} from "./guide.js";
import {needSetup, saveToken, boot} from "./setup.js";
import {wireHelp} from "./help.js";
import {call} from "./api.js";
import "./rate.js";

function wire() {
  $("btn-home").onclick = goHome;
  $("btn-back").onclick = back;
  $("btn-elderly").onclick = function () { setElderly(!S.elderly); if (S.view !== "home") show("home", false); };
  $("btn-lang").onclick = function () { setLang(S.lang === "zh" ? "en" : "zh"); };
  $("btn-guide").onclick = openGuide;
  wireHelp();
  $("open-search").onclick = function () { $("search-input").value = ""; show("search"); };
  $("elderly-more").onclick = function () { S.listSpec = {all: true}; show("list"); };
  $("search-input").addEventListener("input", scheduleSearch);
  $("search-clear").onclick = function () { $("search-input").value = ""; runSearch(); };
  $("take").onclick = function () { take(null); };
  $("take-priority").onclick = takePriority;
  $("confirm-number").onclick = confirmNumber;
  $("print-again").onclick = printAgain;
  $("ticket-done").onclick = goHome;
  $("modal-ok").onclick = closeModal;
  $("modal-cancel").onclick = closeModal;
  $("setup-save").onclick = function () {
    const v = $("setup-token").value.trim();
    if (v) saveToken(v).then(function (ok) { if (ok) goHome(); }).catch(function () {
      $("setup-error").textContent = t("net_title");
    });
  };
  $("reprint-go").onclick = reprint;
  $("open-checkin").onclick = openCheckin;
  $("elderly-checkin").onclick = openCheckin;
  $("checkin-go").onclick = checkIn;
  const numpad = $("checkin-pad");
  ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"].forEach(function (k) {
    const b = el("button", "num" + (k.length > 1 ? " fn" : ""), k === "back" ? "⌫" : k === "clear" ? "" : k);
    b.dataset.k = k;
    if (k === "clear") b.dataset.text = "kiosk.key_clear";
    b.onclick = function () { checkinKey(k); };
    numpad.appendChild(b);
  });
  $("printer-check").onclick = checkPrinter;
  $("open-setup").onclick = function () { needSetup(""); };
  buildKeyboard($("keyboard"), searchKey, false);
  buildKeyboard($("reprint-keys"), function (k) {
    const i = $("reprint-code");
    i.value = k === "backspace" ? i.value.slice(0, -1) : (i.value + k).toUpperCase();
  }, true);
  const pad = $("pin-keys");
  "123456789⌫0✓".split("").forEach(function (k) {
    const b = el("button", null, k);
    b.dataset.k = k;
    b.onclick = function () { pinKey(k); };
    pad.appendChild(b);
  });
  ["pointerdown", "keydown"].forEach(function (ev) { document.addEventListener(ev, armIdle, true); });
}

function start() {
  wire();
  applyText();
  tickClock();
  setInterval(tickClock, 10000);
  setInterval(function () { if (S.view === "home") refreshCatalog(); }, 30000);
  // a token passed once in the address is kept, then removed from the address bar
  const params = new URLSearchParams(location.search);
  const token = params.get("token") || localStorage.getItem(TOKEN_KEY);
  if (params.has("token")) history.replaceState(null, "", location.pathname);
  boot(token);
}

// what the ID-card reader's side of the page (idcard.js, a deferred script run after this module) may use
window.HallKiosk = {S: S, cid: CID, t: t, call: call, show: show, goHome: goHome, setElderly: setElderly,
                    printTicket: printTicket, setBusy: setBusy, refuse: refuse, armIdle: armIdle};
onReset(function () { if (window.HallIdCard) window.HallIdCard.clear(); });    // the card holder has gone too

start();
