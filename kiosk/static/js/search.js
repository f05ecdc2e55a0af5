/* Finding an item by name or pinyin initials, typed on an on-screen keyboard (the hall answers:
 * kiosk/search.py). */
import {S, CID, $, el} from "./state.js";
import {t} from "./text.js";
import {call} from "./api.js";
import {itemRow} from "./screens.js";

const LETTERS = "qwertyuiopasdfghjklzxcvbnm";

export function buildKeyboard(box, onKey, withDigits) {
  box.innerHTML = "";
  const keys = (withDigits ? "1234567890abcdefghijklmnopqrstuvwxyz" : LETTERS).split("");
  keys.forEach(function (k) {
    const b = el("button", "key", k);
    b.dataset.k = k;
    b.onclick = function () { onKey(k); };
    box.appendChild(b);
  });
  const del = el("button", "key wide", "⌫");
  del.dataset.k = "backspace";
  del.onclick = function () { onKey("backspace"); };
  box.appendChild(del);
}

export function searchKey(k) {
  const input = $("search-input");
  input.value = k === "backspace" ? input.value.slice(0, -1) : input.value + k;
  scheduleSearch();
}

export function scheduleSearch() {
  clearTimeout(S.searchTimer);
  S.searchTimer = setTimeout(runSearch, 150);
}

export function runSearch() {
  const q = $("search-input").value.trim();
  const box = $("search-results");
  if (!q) {
    box.innerHTML = "";
    box.appendChild(el("p", "empty", t("search_start")));
    return;
  }
  call("GET", "/kiosk/" + CID + "/search?q=" + encodeURIComponent(q)).then(function (r) {
    if ($("search-input").value.trim() !== q) return;       // a newer query is on its way
    box.innerHTML = "";
    const byId = {};
    S.catalog.items.forEach(function (it) { byId[it.id] = it; });
    const ids = (r.data && r.data.items) || [];
    ids.forEach(function (id) { if (byId[id]) box.appendChild(itemRow(byId[id])); });
    if (!ids.length) box.appendChild(el("p", "empty", t("no_results")));
  }).catch(function () {});
}
