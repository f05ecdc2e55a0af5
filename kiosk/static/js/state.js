/* The kiosk's state: one object owned by the page, read and changed by every module.
 *
 * A feature in a module of its own (an ID-card reader, say) imports what it needs from here and
 * from screens.js (show, addView, onReset), ticket.js (take, printTicket), modal.js (refuse) and
 * api.js (call), and is imported once by main.js. */
export const CID = document.body.dataset.center;
export const TOKEN_KEY = "hall.kiosk.token." + CID;
export const CODE_LEN = 8;          // an appointment code's digits

export const S = {
  lang: "zh", elderly: false, catalog: null, settings: null, token: null,
  view: "home", history: [], item: null, intent: null, busy: false, ticket: null, answer: null,
  idleTimer: null, countdownTimer: null, printerFault: false, pin: "", pinResolve: null,
  listSpec: null, searchTimer: null, code: "", guidePin: null, printerWatch: null,
};

export function $(id) { return document.getElementById(id); }

export const el = window.Hall.el;
