/* One appointment's own page (/m/book/<centre>/<code>): the code, by when to check in and how,
 * its status (GET …/appointments/<code>: name and phone come masked), cancelling with the phone
 * number it was booked with, and checking in from the phone inside the check-in window, which
 * leads to the ticket's page. The window comes from the server in the centre's clock; the page
 * keeps the offset between the server's clock and the phone's, so a phone set wrong still
 * counts right. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("config").textContent);
  var skew = Date.parse(cfg.now) - Date.now();
  var opensMs = Date.parse(cfg.opens_at), untilMs = Date.parse(cfg.until);
  var today = cfg.now.slice(0, 10);
  var base = "/api/v1/centers/" + encodeURIComponent(cfg.center) + "/appointments/" + encodeURIComponent(cfg.code);
  var booking = null, busy = false, lapsed = false;

  function $(id) { return document.getElementById(id); }
  function now() { return Date.now() + skew; }
  function at(ms, iso) { return M.clock(ms, iso); }
  function en() { return M.lang() === "en"; }

  function status() {
    if (!booking) return "loading";
    // the server marks a lapsed booking at its next command: until then, the clock tells
    if (booking.status === "booked" && (lapsed || now() > untilMs)) return "late";
    return booking.status;
  }

  function inWindow() { return now() >= opensMs && now() <= untilMs; }

  function load() {
    return M.getJSON(base, {cache: "no-cache"}).then(function (r) {
      if (r.status === 200) {
        booking = r.body;
        render();
      } else if (r.status === 404) {
        B.showRefusal({key: "missing", title: B.t("missing_title"), todo: [B.t("missing_body")]});
      }
    }).catch(function () { /* offline: the next tick tries again */ });
  }

  function render() {
    var st = status();
    $("booking").dataset.status = st;
    $("d-centre").textContent = en() && cfg.center_name_en ? cfg.center_name_en : cfg.center_name;
    $("d-queue").textContent = en() && cfg.queue_name_en ? cfg.queue_name_en : cfg.queue_name;
    $("d-time").textContent = B.dayText(cfg.day, today) + " " + cfg.slot;
    $("d-address").textContent = cfg.address || "";
    if (booking) {
      $("d-name").textContent = booking.name;
      $("d-phone").textContent = booking.phone;
      $("d-status").textContent = B.t("st_" + st);
    }
    renderDeadline(st);
    var booked = st === "booked";
    $("keep-code").hidden = !(booked || st === "loading");
    $("check-in").hidden = !booked;
    $("check-in").disabled = busy || !inWindow();
    $("check-in-note").textContent = !booked ? "" : now() < opensMs
      ? B.t("not_yet", {day: B.dateText(cfg.day), opens: at(opensMs, cfg.opens_at)}) : "";
    $("how").hidden = !(booked || st === "loading" || st === "checked_in");
    $("how-title").hidden = $("how-list").hidden = st === "checked_in";
    $("cancel-panel").hidden = !(booked || st === "cancelled");
    $("cancel").hidden = !booked;
    if (!booked) $("cancel-form").hidden = true;
    var tl = $("ticket-link");
    tl.hidden = st !== "checked_in" || !booking.ticket;
    if (!tl.hidden) $("ticket-a").href = "/m/tickets/" + encodeURIComponent(booking.ticket);
  }

  function renderDeadline(st) {
    var box = $("deadline");
    box.textContent = "";
    box.className = "deadline " + st;
    if (st === "booked" || st === "loading") {
      box.appendChild(M.el("p", "big", B.t("deadline", {day: B.dateText(cfg.day), until: at(untilMs, cfg.until)})));
      box.appendChild(M.el("p", null, B.t("window", {opens: at(opensMs, cfg.opens_at), slot: cfg.slot})));
    } else if (st === "checked_in") {
      box.appendChild(M.el("p", "big", B.t("st_checked_in")));
    } else if (st === "cancelled") {
      box.appendChild(M.el("p", "big", B.t("st_cancelled")));
      var a = M.el("a", "btn", B.t("rebook"));
      a.href = "/m/book?center=" + encodeURIComponent(cfg.center);
      box.appendChild(a);
    } else {                                   // missed, or late and about to be marked missed
      box.appendChild(M.el("p", "big", B.t(st === "late" ? "st_late" : "st_missed")));
      box.appendChild(M.el("p", null, B.t("over")));
    }
  }

  function checkIn() {
    if (busy) return;
    busy = true;
    B.showRefusal(null);
    $("check-in").disabled = true;
    $("check-in").textContent = B.t("checking_in");
    B.send("POST", base + "/check-in").then(function (r) {
      if (r.status === 201) {
        location.assign("/m/tickets/" + encodeURIComponent(r.body.id));
        return;
      }
      busy = false;
      $("check-in").textContent = B.t("check_in");
      var why = B.refusal(r, {day: cfg.day, opens: at(opensMs, cfg.opens_at)});
      // the server's word over this phone's sense of time
      if (why.code === "appointment_missed") lapsed = true;
      B.showRefusal(why);
      load();
    });
  }

  function cancel(ev) {
    ev.preventDefault();
    if (busy) return;
    var phone = $("cancel-phone").value.replace(/[\s-]/g, "").replace(/^\+86/, "");
    if (!/^1\d{10}$/.test(phone)) {
      $("cancel-error").textContent = B.t("err_phone");
      $("cancel-phone").focus();
      return;
    }
    $("cancel-error").textContent = "";
    busy = true;
    $("cancel-yes").disabled = true;
    B.showRefusal(null);
    B.send("DELETE", base, {phone: phone}).then(function (r) {
      busy = false;
      $("cancel-yes").disabled = false;
      if (r.status === 200) {
        booking = r.body;
        $("cancel-form").hidden = true;
        $("cancel-status").textContent = B.t("cancelled_ok");
        B.forget(cfg.code);
        render();
        return;
      }
      B.showRefusal(B.refusal(r, {cancelling: true}));
      load();
    });
  }

  $("check-in").addEventListener("click", checkIn);
  $("cancel").addEventListener("click", function () {
    $("cancel-form").hidden = false;
    $("cancel").hidden = true;
    $("cancel-phone").focus();
  });
  $("cancel-no").addEventListener("click", function () {
    $("cancel-form").hidden = true;
    $("cancel-error").textContent = "";
    render();
  });
  $("cancel-form").addEventListener("submit", cancel);
  M.onLang(render);
  render();
  load();
  // the check-in window opens and closes while the page is open; the status may change elsewhere
  setInterval(function () { if (!busy) load(); }, 30000);
  setInterval(function () { if (!busy) render(); }, 5000);
})();
