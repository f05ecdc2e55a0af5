/* The kiosk's device token (set once by whoever installs it) and starting up: a kiosk switched
 * on before the hall's server keeps trying until it answers. */
import {S, CID, TOKEN_KEY, $} from "./state.js";
import {t} from "./text.js";
import {call} from "./api.js";
import {show, refreshCatalog} from "./screens.js";
import {checkPrinter} from "./guide.js";

export function needSetup(message) {
  $("setup-error").textContent = message || "";
  $("setup-token").value = "";
  show("setup");
}

/* Resolves to true when the hall accepts the token (kept for next time), false when it refuses it. */
export function saveToken(token) {
  S.token = token;
  return call("GET", "/kiosk/" + CID + "/me").then(function (r) {
    if (r.status === 401 || r.status === 403) {
      S.token = null;
      needSetup(t("setup_bad"));
      return false;
    }
    if (r.status !== 200) throw new Error("the hall answered " + r.status);
    localStorage.setItem(TOKEN_KEY, token);
    document.body.dataset.ready = "1";
    S.settings = r.data.settings || {idle_s: 45, ticket_idle_s: 20, fault_idle_s: 90};
    if (r.data.settings_error) $("setup-error").textContent = r.data.settings_error;
    return true;
  });
}

export function boot(token) {
  refreshCatalog().then(function () {
    if (!S.catalog) return retryBoot(token);
    if (!token) return needSetup("");
    saveToken(token).then(function (ok) {
      if (ok) {
        show("home", false);
        checkPrinter();
      }
    }).catch(function () { retryBoot(token); });
  });
}

function retryBoot(token) {
  const b = $("banner");
  b.textContent = t("net_title") + " …";
  b.className = "banner closed";
  b.hidden = false;
  setTimeout(function () { boot(token); }, 5000);
}
