/* The district wait board: every centre's queues and waits, read from the public API every few
 * seconds (the browser revalidates with ETag, so an unchanged board costs a 304), sorted by
 * distance when the phone shares where it is, and a recommendation for a chosen service item. */
(function () {
  "use strict";
  var REFRESH_MS = 10000;
  var NEAR_LIMIT = 20;      /* with a position, the nearest centres only: a province has thousands */
  var state = {centres: [], items: {}, here: null, fetchedAt: null, itemsLoaded: false, itemsPending: false,
               locateKey: null};

  function $(id) { return document.getElementById(id); }

  /* The server is asked for the centres near a point rounded to 0.01° (about a kilometre): enough
   * to choose them, no more of where the phone is; distances shown are worked out here. */
  function centresUrl() {
    if (!state.here) return "/api/v1/centers";
    return "/api/v1/centers?near=" + state.here[0].toFixed(2) + "," + state.here[1].toFixed(2) +
      "&limit=" + NEAR_LIMIT;
  }

  function load() {
    return M.getJSON(centresUrl()).then(function (r) {
      if (r.status !== 200) throw new Error("HTTP " + r.status);
      state.centres = r.body.centers || [];
      state.fetchedAt = M.now();
      $("offline").hidden = true;
      render();
      loadItems();
    }).catch(function () {
      $("offline").hidden = false;
      if (!state.centres.length) $("centres").textContent = M.t("failed");
    });
  }

  /* Items of the centres shown that are not yet known (new ones come into view as the phone moves). */
  function loadItems() {
    var missing = state.centres.filter(function (c) { return !state.items.hasOwnProperty(c.id); });
    if (!missing.length || state.itemsPending) return;
    state.itemsPending = true;
    Promise.all(missing.map(function (c) {
      return M.getJSON("/api/v1/centers/" + encodeURIComponent(c.id) + "/items").then(function (r) {
        state.items[c.id] = r.status === 200 ? r.body.items : [];
      });
    })).then(function () {
      state.itemsPending = false;
      state.itemsLoaded = true;
      fillItems();
      renderRanking();
    }, function () { state.itemsPending = false; });
  }

  function fillItems() {
    var list = $("items");
    list.textContent = "";
    Rank.itemNames(state.items, M.lang()).forEach(function (n) {
      list.appendChild(M.el("option", {value: n}));
    });
  }

  function distanceText(c) {
    if (!state.here || !c.location) return null;
    var m = Rank.distanceM(state.here, c.location);
    return M.t("distance", {km: (m / 1000).toFixed(1), min: M.minutes(Rank.travelS(m))});
  }

  function waitText(q) {
    if (q.est_wait_s === null || q.est_wait_s === undefined) return M.t("no_window");
    var n = M.minutes(q.est_wait_s);
    return n ? M.t("minutes", {n: n}) : M.t("no_wait");
  }

  function render() {
    var now = M.now();
    $("updated").textContent = state.fetchedAt ? M.clock(state.fetchedAt) : "—";
    var centres = state.centres.slice();
    if (state.here) {
      centres.sort(function (a, b) {
        return (Rank.distanceM(state.here, a.location) || 1e12) - (Rank.distanceM(state.here, b.location) || 1e12);
      });
    }
    var box = $("centres");
    box.textContent = "";
    centres.forEach(function (c) {
      var card = M.el("article", "centre-card");
      card.dataset.center = c.id;
      var h = M.el("h2", null, M.name(c));
      h.appendChild(M.el("span", "badge " + (c.open ? "open" : "closed"),
                         M.t(c.open ? "open" : c.closed_today ? "closed_today" : "closed")));
      card.appendChild(h);
      var sub = [];
      if (c.open && c.closes_at) sub.push(M.t("until", {t: M.clock(Date.parse(c.closes_at), c.closes_at)}));
      if (!c.open) {
        // 今日休息 · 国庆节 (the holiday's name from the official calendar, in the reader's language),
        // then when it opens again
        var holiday = M.lang() === "en" ? c.holiday_en || c.holiday : c.holiday;
        var shut = M.el("p", "closed-notice", c.closed_today ? (holiday ? M.t("closed_holiday", {h: holiday})
                                                                        : M.t("closed_today")) : M.t("closed_now"));
        if (c.next_open) {
          var d = M.t("month_day", {m: +c.next_open.slice(5, 7), d: +c.next_open.slice(8, 10)});
          shut.appendChild(M.el("span", "next-open", " · " + M.t("next_open", {d: d, t: c.next_open.slice(11, 16)})));
        }
        card.appendChild(shut);
      }
      var d = distanceText(c);
      if (d) sub.push(d);
      if (sub.length) card.appendChild(M.el("p", "sub", sub.join(" · ")));
      var table = M.el("table", "queues");
      var travel = state.here && c.location ? Rank.travelS(Rank.distanceM(state.here, c.location)) : 0;
      c.queues.forEach(function (q) {
        var tr = M.el("tr");
        tr.dataset.queue = q.id;
        var name = M.el("td", "q", M.name(q));
        var v = Rank.verdict(c, q, now, travel);
        if (v.kind === "too_late") {
          name.appendChild(M.el("span", "warning", M.t("too_late", {t: M.clock(Date.parse(c.closes_at), c.closes_at)})));
        }
        tr.appendChild(name);
        tr.appendChild(M.el("td", "n", M.t("waiting_n", {n: q.waiting})));
        tr.appendChild(M.el("td", "w", c.open ? waitText(q) : "—"));
        table.appendChild(tr);
      });
      card.appendChild(table);
      box.appendChild(card);
    });
    renderRanking();
  }

  function renderRanking() {
    var chosen = $("item").value.trim();
    var panel = $("ranking");
    if (!chosen || !state.itemsLoaded) { panel.hidden = true; return; }
    var ranked = Rank.rankItem(state.centres, state.items, chosen, state.here, M.now());
    panel.hidden = false;
    var rec = $("recommend"), list = $("rank-list");
    list.textContent = "";
    if (!ranked.length) {
      rec.className = "recommend none";
      rec.textContent = M.t("no_item", {item: chosen});
      return;
    }
    var best = ranked[0];
    if (best.kind === "ok") {
      var min = M.minutes(best.wait_s);
      rec.className = "recommend";
      rec.textContent = min ? M.t("recommend", {centre: M.name(best.centre), min: min})
                            : M.t("recommend_now", {centre: M.name(best.centre)});
    } else {
      rec.className = "recommend none";
      rec.textContent = M.t("recommend_none", {item: chosen});
    }
    ranked.forEach(function (r) {
      var li = M.el("li");
      li.dataset.center = r.centre.id;
      li.appendChild(M.el("strong", null, M.name(r.centre)));
      var why;
      if (r.kind === "closed") why = M.t("rank_closed");
      else if (r.kind === "no_window") why = M.t("rank_no_window");
      else {
        why = M.t("rank_why", {wait: M.minutes(r.wait_s)});
        if (r.travel_s !== null) why += M.t("rank_travel", {travel: M.minutes(r.travel_s)});
        if (r.kind === "too_late") why += " · " + M.t("rank_late");
      }
      li.appendChild(M.el("span", "why", " " + why));
      list.appendChild(li);
    });
  }

  function locating(key) {
    state.locateKey = key;
    $("locate-status").textContent = key ? M.t(key) : "";
  }

  /* The position stays on the phone but for its rounded form in `centresUrl`. */
  function locate() {
    if (!navigator.geolocation) { locating("no_location"); return; }
    locating("locating");
    navigator.geolocation.getCurrentPosition(function (p) {
      state.here = [p.coords.latitude, p.coords.longitude];
      locating("located");
      render();
      load();
    }, function () {
      locating("no_location");
    }, {enableHighAccuracy: false, timeout: 10000, maximumAge: 300000});
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("locate").addEventListener("click", locate);
    $("item").addEventListener("input", renderRanking);
    $("item").addEventListener("change", renderRanking);
    M.onLang(function () { fillItems(); render(); locating(state.locateKey); });
    load();
    setInterval(load, REFRESH_MS);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) load(); });
  });
})();
