/* The kiosk's one dialog: a refusal in plain words with what to do instead, or the guide's PIN pad. */
import {S, $, el} from "./state.js";
import {t} from "./text.js";

export function refuse(title, text, todo) {
  openModal(title, text, todo, false);
}

/* `tone` "help" shows it as help rather than a refusal. */
export function openModal(title, text, todo, withPin, tone) {
  $("modal").dataset.tone = tone || "";
  $("modal-title").textContent = title;
  $("modal-text").textContent = text || "";
  const ul = $("modal-list");
  ul.innerHTML = "";
  (todo || []).forEach(function (s) { ul.appendChild(el("li", null, s)); });
  $("pin-pad").hidden = !withPin;
  $("modal-cancel").hidden = !withPin;
  $("modal").hidden = false;
}

export function closeModal() {
  $("modal").hidden = true;
  if (S.pinResolve) {
    const r = S.pinResolve;
    S.pinResolve = null;
    r(null);
  }
}

/* Resolves to the PIN typed, or null when the guide cancels. */
export function askPin(text) {
  S.pin = "";
  drawPin();
  openModal(t("pin_title"), text || "", [], true);
  return new Promise(function (resolve) { S.pinResolve = resolve; });
}

function drawPin() {
  const dots = $("pin-dots");
  dots.innerHTML = "";
  for (let i = 0; i < S.pin.length; i++) dots.appendChild(el("span"));
}

export function pinKey(k) {
  if (k === "⌫") S.pin = S.pin.slice(0, -1);
  else if (k === "✓") {
    const r = S.pinResolve, pin = S.pin;
    S.pinResolve = null;
    $("modal").hidden = true;
    if (r) r(pin);
    return;
  } else if (S.pin.length < 8) S.pin += k;
  drawPin();
}
