/* The kiosk's screens: which one shows, going back and home, and drawing home, a list and an item.
 * Each <section id="view-NAME"> is one screen; show("NAME") switches to it. A module of its own
 * adds a screen with addView(name, draw) and clears its part of the state with onReset(fn). */
import {S, CID, $, el} from "./state.js";
import {t, name, lifeEvent, lifeGlyph, waitText, hoursText, setLang, setElderly} from "./text.js";
import {call, newKey} from "./api.js";
import {renderTicket} from "./ticket.js";
import {runSearch} from "./search.js";
import {renderCheckin} from "./checkin.js";
import {closeModal} from "./modal.js";

const views = {home: renderHome, list: renderList, item: renderItem, ticket: renderTicket, search: runSearch,
               checkin: renderCheckin};
const resets = [];

export function addView(view, draw) { views[view] = draw; }

export function onReset(fn) { resets.push(fn); }

export function show(view, remember) {
  if (remember !== false && S.view !== view && S.view !== "ticket") S.history.push(S.view);
  S.view = view;
  document.querySelectorAll(".view").forEach(function (v) { v.hidden = v.id !== "view-" + view; });
  $("btn-back").disabled = view === "home";
  document.querySelector("main").scrollTop = 0;
  render();
  armIdle();
}

export function back() {
  if (S.view === "ticket") return goHome();
  const prev = S.history.pop();
  show(prev || "home", false);
}

export function goHome() {
  S.history = [];
  S.item = null;
  S.intent = null;
  S.ticket = null;
  S.answer = null;
  S.code = "";
  S.guidePin = null;          // the guide has walked away: the next person is a citizen
  clearInterval(S.countdownTimer);
  resets.forEach(function (fn) { fn(); });
  closeModal();
  if (S.elderly) setElderly(false);
  if (S.lang !== "zh") setLang("zh");
  show("home", false);
  refreshCatalog();
}

export function render() {
  if (!S.catalog) return;
  const draw = views[S.view];
  if (draw) draw();
  renderBanner();
}

export function queueOf(item) {
  const qs = S.catalog.queues;
  for (let i = 0; i < qs.length; i++) if (qs[i].id === item.queue) return qs[i];
  return null;
}

function renderHome() {
  const items = S.catalog.items;
  const grid = $("event-grid");
  grid.innerHTML = "";
  S.catalog.life_events.forEach(function (ev) {
    const n = items.filter(function (it) { return it.life_events.indexOf(ev) >= 0; }).length;
    const b = el("button", "event-tile");
    b.dataset.event = ev;
    b.appendChild(el("span", "glyph", lifeGlyph(ev)));     // its colour: kiosk.css, by data-event
    b.appendChild(el("span", "label", S.lang === "en" ? lifeEvent(ev) : ev));
    b.appendChild(el("span", "count", t("items_count", {n: n})));
    b.onclick = function () { S.listSpec = {event: ev}; show("list"); };
    grid.appendChild(b);
  });
  const depts = $("dept-grid");
  depts.innerHTML = "";
  S.catalog.departments.forEach(function (d) {
    const n = items.filter(function (it) { return it.department === d; }).length;
    const b = el("button", "dept", d);
    b.dataset.department = d;
    b.appendChild(el("small", null, t("items_count", {n: n})));
    b.onclick = function () { S.listSpec = {department: d}; show("list"); };
    depts.appendChild(b);
  });
  const board = $("queue-board");
  board.innerHTML = "";
  S.catalog.queues.forEach(function (q) {
    const card = el("div", "queue-card");
    card.dataset.queue = q.id;
    card.appendChild(el("span", "q-prefix", q.prefix));
    const body = el("div", "q-body");
    body.appendChild(el("strong", null, name(q)));
    body.appendChild(el("span", null, t("queue_card", {n: q.waiting})));
    body.appendChild(el("span", null, waitText(q.est_wait_s)));
    card.appendChild(body);
    board.appendChild(card);
  });
  const booking = S.catalog.queues.some(function (q) { return !!q.appointments; });
  $("open-checkin").hidden = !booking;
  $("elderly-checkin").hidden = !booking;
  const notice = $("center-notice"), c = S.catalog.center;
  const noticeText = S.lang === "en" && c.notice_en ? c.notice_en : c.notice;
  notice.hidden = !noticeText;
  notice.textContent = noticeText ? t("notice_label") + noticeText : "";
  // elderly mode: the most asked-for services, one tap from home
  const popular = items.slice().sort(function (a, b) { return (b.weight || 0) - (a.weight || 0); }).slice(0, 6);
  const big = $("popular-grid");
  big.innerHTML = "";
  popular.forEach(function (it) {
    const b = el("button", "big-item", name(it));
    b.dataset.item = it.id;
    const q = queueOf(it);
    if (q) b.appendChild(el("small", null, t("waiting_now", {n: q.waiting, w: waitText(q.est_wait_s)})));
    b.onclick = function () { openItem(it); };
    big.appendChild(b);
  });
}

export function itemRow(it) {
  const b = el("button", "item-row");
  b.dataset.item = it.id;
  const left = el("span", null, name(it));
  const q = queueOf(it);
  left.appendChild(el("small", null, it.department + (q ? " · " + t("waiting_now", {n: q.waiting, w: waitText(q.est_wait_s)}) : "")));
  b.appendChild(left);
  b.appendChild(el("span", "chev", "›"));
  b.onclick = function () { openItem(it); };
  return b;
}

function renderList() {
  const spec = S.listSpec || {};
  const depts = $("list-depts");
  depts.hidden = !spec.all;
  if (spec.all) {
    // every department, as big buttons: the elderly path to what is not among the six
    $("list-title").textContent = t("all_departments");
    depts.innerHTML = "";
    $("item-list").innerHTML = "";
    S.catalog.departments.forEach(function (d) {
      const b = el("button", "dept", d);
      b.dataset.department = d;
      b.onclick = function () { S.listSpec = {department: d}; show("list"); };
      depts.appendChild(b);
    });
    return;
  }
  const items = S.catalog.items.filter(function (it) {
    return spec.event ? it.life_events.indexOf(spec.event) >= 0 : it.department === spec.department;
  });
  $("list-title").textContent = spec.event
    ? t("list_event", {e: S.lang === "en" ? lifeEvent(spec.event) : spec.event})
    : t("list_dept", {d: spec.department});
  const list = $("item-list");
  list.innerHTML = "";
  items.forEach(function (it) { list.appendChild(itemRow(it)); });
  if (!items.length) list.appendChild(el("p", "empty", t("no_results")));
}

export function openItem(it) {
  S.item = it;
  S.intent = newKey();        // one intent, one key: taps and retries on this page share it
  show("item");
  refreshCatalog();           // the waits of a minute ago are not the waits of now
}

function renderItem() {
  const it = S.item;
  if (!it) return;
  $("item-name").textContent = name(it);
  const q = queueOf(it);
  $("item-meta").textContent = it.department + (q ? " · " + name(q) : "");
  const full = q && q.daily_quota && q.issued_today >= q.daily_quota;
  $("item-wait").textContent = !q ? "" : full ? t("quota_title")
    : t("waiting_now", {n: q.waiting, w: waitText(q.est_wait_s)});
  $("item-wait").classList.toggle("full", !!full);
  const ol = $("item-materials");
  ol.innerHTML = "";
  (it.materials || []).forEach(function (m) { ol.appendChild(el("li", null, m)); });
  $("item-no-materials").hidden = (it.materials || []).length > 0;
  $("take").disabled = S.busy;
}

export function renderBanner() {
  const b = $("banner");
  if (S.catalog && !S.catalog.center.open) {
    b.textContent = t("closed_title") + " · " + hoursText();
    b.className = "banner closed";
    b.hidden = false;
  } else if (S.printerFault) {
    b.textContent = t("printer_banner");
    b.className = "banner";
    b.hidden = false;
  } else {
    b.hidden = true;
  }
}

// --- idle: back home by itself ---

export function armIdle() {
  clearTimeout(S.idleTimer);
  if (S.view === "home" || S.view === "ticket" || S.view === "setup") return;
  S.idleTimer = setTimeout(goHome, ((S.settings && S.settings.idle_s) || 45) * 1000);
}

// --- the catalogue: items, queues and their waits, the centre's hours ---

export function refreshCatalog() {
  return call("GET", "/kiosk/" + CID + "/catalog.json").then(function (r) {
    if (r.status !== 200) return;
    S.catalog = r.data;
    if (S.view === "home") renderHome();
    if (S.view === "item") renderItem();
    renderBanner();
  }).catch(function () {});
}
