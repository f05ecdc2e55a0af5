/* The way to a person: the bar above the dock, on every screen and in both modes, opens the
 * centre's help in the kiosk's dialog (咨询台, 帮办代办, 绿色通道). The bar itself is in the page. */
import {$} from "./state.js";
import {t, list} from "./text.js";
import {openModal} from "./modal.js";

export function openHelp() {
  openModal(t("help_title"), t("help_text"), list("help_todo"), false, "help");
}

export function wireHelp() {
  $("help-bar").onclick = openHelp;
}
