/* The kiosk's requests: the hall's one fetch helper (hall/static/fetch.js) with this kiosk's
 * device token and a deadline; resolves to {status, data, headers}, rejects when the network fails. */
import {S} from "./state.js";

export function call(method, url, body, extraHeaders, timeoutMs) {
  return window.Hall.request(method, url, {body: body, headers: extraHeaders, token: S.token,
                                           timeoutMs: timeoutMs || 8000});
}

// one intent, one key: a double tap or a retry after a time-out gets the same ticket
export function newKey() {
  const a = new Uint8Array(16);
  window.crypto.getRandomValues(a);
  return "kiosk-" + Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
}

// a request that may be retried safely (same key, same answer): three tries, a little apart
export function withRetries(once) {
  let attempt = 0;
  function tryOnce() {
    attempt += 1;
    return once().catch(function (e) {
      if (attempt < 3) return new Promise(function (res) { setTimeout(res, 700 * attempt); }).then(tryOnce);
      throw e;
    });
  }
  return tryOnce();
}
