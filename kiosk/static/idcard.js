/* The ID-card reader's side of the kiosk page.

   The kiosk's agent reads a card and the hall pushes `id_card` over Socket.IO to this kiosk's own
   pages only (connected with its device token): the masked name, the age, what the card unlocks
   (today's booking, tickets already held, 绿色通道 by age) and a short-lived reference. The page
   never sees the ID number or the full name. A ticket taken while a card is on the page carries the
   reference; a 409 already_waiting becomes an offer to print that ticket again.
   Uses window.HallKiosk (js/main.js), the hall's catalogue (kiosk.idcard_*) and the vendored Socket.IO client. */
(function () {
  "use strict";
  var K = window.HallKiosk;
  if (!K) return;

  var words = window.Hall.text.scope("kiosk");
  var el = window.Hall.el;

  var card = null;          // the last id_card message, while it is valid
  var expireTimer = null;
  var reader = null;        // what the hall last heard of this kiosk's reader
  var box = null;

  function tx(key, params) {
    return key === "already_todo" ? words.list("idcard_" + key, params) : words.t("idcard_" + key, params);
  }

  function button(text, cls, onclick) {
    var b = el("button", cls, text);
    b.onclick = onclick;
    return b;
  }

  function draw() {
    if (!box) {
      box = el("section", "idcard-box");
      box.id = "idcard-box";
      var home = document.getElementById("view-home");
      home.insertBefore(box, home.firstChild);
    }
    box.innerHTML = "";
    box.hidden = false;
    if (!card) {
      if (reader !== "ok") { box.hidden = true; return; }
      box.className = "idcard-box prompt";
      box.appendChild(el("div", "idcard-icon", tx("icon")));
      var p = el("div", "idcard-text");
      p.appendChild(el("strong", "idcard-prompt", tx("prompt")));
      p.appendChild(el("small", null, tx("prompt_hint")));
      box.appendChild(p);
      return;
    }
    box.className = "idcard-box holder";
    var head = el("div", "idcard-head");
    head.appendChild(el("strong", "idcard-name", tx("hello", {name: card.name_masked})));
    head.appendChild(el("span", "idcard-age", tx("age", {age: card.age})));
    box.appendChild(head);
    var list = el("ul", "idcard-unlocked");
    if (card.elderly) list.appendChild(el("li", "green", tx("elderly", {age: card.elderly_age})));
    var b = card.booking;
    if (b && b.status === "booked") {
      var li = el("li", "booking", tx("booking", {slot: b.slot, queue: b.queue_name}));
      li.appendChild(button(tx("checkin"), "idcard-action", checkIn));
      list.appendChild(li);
    } else if (b && b.status === "checked_in") {
      list.appendChild(el("li", null, tx("booking_done", {queue: b.queue_name})));
    }
    (card.waiting || []).forEach(function (w) {
      var li = el("li", "waiting", tx("waiting", {number: w.number, queue: w.queue_name}));
      li.appendChild(button(tx("reprint"), "idcard-action", function () { reprint(w.number); }));
      list.appendChild(li);
    });
    if (!b || b.status !== "booked") list.appendChild(el("li", null, tx("bound")));
    box.appendChild(list);
    box.appendChild(button(tx("not_me"), "idcard-exit", function () { K.goHome(); }));
  }

  function onCard(msg) {
    if (!msg || typeof msg.ref !== "string") return;
    K.goHome();                      // a new person at the kiosk: whatever the last one left goes
    card = msg;
    clearTimeout(expireTimer);
    // a little before the hall stops honouring the reference
    expireTimer = setTimeout(clear, Math.max(5, (msg.expires_in_s || 120) - 5) * 1000);
    if (msg.elderly && !K.S.elderly) K.setElderly(true);
    document.body.dataset.idcard = "1";
    draw();
    K.armIdle();
  }

  function clear() {
    card = null;
    clearTimeout(expireTimer);
    delete document.body.dataset.idcard;
    if (box) draw();
  }

  function fail(r) {
    K.setBusy(false);
    var err = (r && r.data && r.data.error) || {};
    if (err.code === "id_card_expired") clear();
    K.refuse(err.code === "id_card_expired" ? tx("expired") : tx("failed", {why: err.message || (r && r.status)}),
             "", []);
  }

  function checkIn() {
    if (!card || K.S.busy) return;
    K.setBusy(true);
    K.call("POST", "/api/v1/centers/" + K.cid + "/tickets", {id_card: {ref: card.ref}},
           {"Idempotency-Key": "card-" + card.ref.slice(-16)})
      .then(function (r) {
        if (r.status === 201) return K.printTicket(r.data);
        fail(r);
      }).catch(function () { fail(null); });
  }

  function reprint(number) {
    if (!card || K.S.busy) return;
    K.setBusy(true);
    K.call("POST", "/kiosk/" + K.cid + "/reprint", {code: number, id_card: {ref: card.ref}}, {}, 20000)
      .then(function (r) {
        K.setBusy(false);
        if (r.status !== 200) return fail(r);
        document.getElementById("modal").hidden = true;
        K.S.item = null;
        K.S.answer = r.data;
        K.S.printerFault = !r.data.printed && !!r.data.fault;
        K.show("ticket");
      }).catch(function () { fail(null); });
  }

  function refreshReader() {
    if (!K.S.token) return;
    K.call("GET", "/kiosk/" + K.cid + "/me").then(function (r) {
      if (r.status === 200) {
        reader = r.data.id_reader;
        if (!card) draw();
      }
    }).catch(function () {});
  }

  function connect() {
    if (!K.S.token || typeof io !== "function") return false;
    var socket = io({auth: {center: K.cid, token: K.S.token}, transports: ["websocket"]});
    socket.on("id_card", onCard);
    return true;
  }

  // a language switch redraws the card's box in the new language
  new MutationObserver(function () { if (box) draw(); })
    .observe(document.documentElement, {attributes: true, attributeFilter: ["lang"]});

  // the page learns its token at boot (or on the setup screen): start once it has one
  var started = setInterval(function () {
    if (!K.S.token || !K.S.settings) return;
    clearInterval(started);
    connect();
    refreshReader();
    setInterval(refreshReader, 30000);
  }, 300);

  window.HallIdCard = {
    /* a ticket request from the kiosk page: add the card, and 绿色通道 for the elderly */
    extend: function (body) {
      if (!card) return;
      body.id_card = {ref: card.ref};
      if (card.elderly) body.priority = "priority";
    },
    /* a refused ticket request: true when this module answered it */
    refused: function (err) {
      if (err.code === "already_waiting" && card) {
        K.refuse(tx("already_title"), tx("already_text", {number: err.number}), tx("already_todo"));
        var list = document.getElementById("modal-list");
        var li = el("li", "idcard-offer");
        li.appendChild(button(tx("reprint"), "idcard-action", function () { reprint(err.number); }));
        list.appendChild(li);
        return true;
      }
      if (err.code === "id_card_required") {
        K.refuse(tx("card_required"), "", []);
        return true;
      }
      if (err.code === "id_card_expired") {
        clear();
        K.refuse(tx("expired"), "", []);
        return true;
      }
      return false;
    },
    clear: clear,
    redraw: function () { draw(); },
    current: function () { return card; }
  };
})();
