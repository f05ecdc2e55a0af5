/* Rank: the wait board's judgement, kept pure (no DOM) so that it reads, and is tested, alone.
 *
 * - distanceM(a, b): great-circle metres between [lat, lon] pairs.
 * - travelS(m): a cautious city pace (20 km/h door to door: bus, bicycle, a short walk).
 * - verdict(centre, queue, nowMs, travelS): is it worth going there for that queue now?
 *     closed     the centre is not open now
 *     no_window  open, but no window serves the queue (the estimate is null)
 *     too_late   arriving plus the wait runs past the end of the current opening period
 *     ok         with wait_s, the estimated wait, and total_s = travel + wait
 * - rankItem(centres, itemsByCentre, itemName, here, nowMs): the centres offering an item
 *   (matched by name, as each centre's catalogue names it), best first: ok ones by total time,
 *   then too_late, then no_window, then closed.
 */
(function (g) {
  "use strict";
  var EARTH_M = 6371008.8;
  var CITY_SPEED_MPS = 20000 / 3600;
  var ORDER = {ok: 0, too_late: 1, no_window: 2, closed: 3};

  function rad(x) { return x * Math.PI / 180; }

  function distanceM(a, b) {
    if (!a || !b) return null;
    var dLat = rad(b[0] - a[0]), dLon = rad(b[1] - a[1]);
    var h = Math.pow(Math.sin(dLat / 2), 2) + Math.cos(rad(a[0])) * Math.cos(rad(b[0])) * Math.pow(Math.sin(dLon / 2), 2);
    return 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  function travelS(m) { return m === null || m === undefined ? 0 : m / CITY_SPEED_MPS; }

  function verdict(centre, queue, nowMs, travel) {
    travel = travel || 0;
    if (!centre.open) return {kind: "closed", wait_s: null, total_s: null};
    if (queue.est_wait_s === null || queue.est_wait_s === undefined) return {kind: "no_window", wait_s: null, total_s: null};
    var total = travel + queue.est_wait_s;
    if (centre.closes_at && nowMs + total * 1000 > Date.parse(centre.closes_at)) {
      return {kind: "too_late", wait_s: queue.est_wait_s, total_s: total};
    }
    return {kind: "ok", wait_s: queue.est_wait_s, total_s: total};
  }

  function normalise(s) { return String(s || "").replace(/\s+/g, "").toLowerCase(); }

  function rankItem(centres, itemsByCentre, itemName, here, nowMs) {
    var want = normalise(itemName), out = [];
    centres.forEach(function (c) {
      var items = itemsByCentre[c.id] || [];
      var item = null;
      for (var i = 0; i < items.length; i++) {
        if (normalise(items[i].name) === want || (items[i].name_en && normalise(items[i].name_en) === want)) { item = items[i]; break; }
      }
      if (!item) return;
      var queue = null;
      for (var j = 0; j < c.queues.length; j++) if (c.queues[j].id === item.queue) queue = c.queues[j];
      if (!queue) return;
      var dist = here && c.location ? distanceM(here, c.location) : null;
      var travel = dist === null ? 0 : travelS(dist);
      var v = verdict(c, queue, nowMs, travel);
      out.push({centre: c, item: item, queue: queue, distance_m: dist, travel_s: dist === null ? null : travel,
                kind: v.kind, wait_s: v.wait_s, total_s: v.total_s});
    });
    out.sort(function (a, b) {
      if (ORDER[a.kind] !== ORDER[b.kind]) return ORDER[a.kind] - ORDER[b.kind];
      if (a.total_s !== null && b.total_s !== null && a.total_s !== b.total_s) return a.total_s - b.total_s;
      if (a.distance_m !== null && b.distance_m !== null) return a.distance_m - b.distance_m;
      return 0;
    });
    return out;
  }

  /* Every item name offered anywhere, each once (the chooser's list). */
  function itemNames(itemsByCentre, lang) {
    var seen = {}, out = [];
    Object.keys(itemsByCentre).forEach(function (cid) {
      (itemsByCentre[cid] || []).forEach(function (it) {
        var n = lang === "en" && it.name_en ? it.name_en : it.name;
        if (!seen[n]) { seen[n] = true; out.push(n); }
      });
    });
    return out.sort(function (a, b) { return a.localeCompare(b, lang === "en" ? "en" : "zh-CN"); });
  }

  g.Rank = {distanceM: distanceM, travelS: travelS, verdict: verdict, rankItem: rankItem, itemNames: itemNames};
})(window);
