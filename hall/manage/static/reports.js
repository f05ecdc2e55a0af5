/* Reports: a day, week or month of the centre from its event log; charts (vendored Chart.js),
 * tables by queue, window and staff, arrival heatmaps, CSV/XLSX export and a printable page. */
(function () {
  "use strict";
  var M = window.HallManage, t = M.t, el = M.el, $ = M.$;
  var centre = document.body.dataset.center;
  var report = null, charts = [];

  function pct(x) { return x === null || x === undefined ? t("none") : (x * 100).toFixed(1) + "%"; }
  function mins(s) { return s === null || s === undefined ? t("none") : (s / 60).toFixed(1); }
  function query() {
    var data = new FormData($("report-form"));
    return "period=" + data.get("period") + "&date=" + data.get("date");
  }

  function table(rows, first) {
    var cols = [[t("called"), "called"], [t("served"), "served"], [t("no_shows"), "no_show_rate", pct],
                [t("k_mean_wait"), "mean_wait_s", M.duration], [t("k_p90_wait"), "p90_wait_s", M.duration],
                [t("k_mean_service"), "mean_service_s", M.duration], [t("rated"), "rating_rate", pct],
                [t("k_satisfaction"), "satisfaction", pct], [t("mean_score"), "mean_score"],
                [t("k_rectification"), "rectification_rate", pct], [t("k_revisit"), "revisit_rate", pct]];
    if (rows.length && rows[0].issued !== null) cols.unshift([t("k_issued"), "issued"]);
    var head = el("tr", {}, [el("th", {text: first})].concat(cols.map(function (c) { return el("th", {class: "n", text: c[0]}); })));
    var body = rows.map(function (r) {
      return el("tr", {}, [el("td", {text: r.label})].concat(cols.map(function (c) {
        var v = r[c[1]];
        return el("td", {class: "n", text: v === null || v === undefined ? t("none") : c[2] ? c[2](v) : v});
      })));
    });
    return el("table", {}, [el("thead", {}, [head]), el("tbody", {}, body)]);
  }

  function heat(rows, hours) {
    var max = 1;
    rows.forEach(function (r) { r.counts.forEach(function (c) { max = Math.max(max, c); }); });
    var head = el("tr", {}, [el("th", {})].concat(hours.map(function (h) { return el("th", {text: t("hour", {h: h})}); })));
    var body = rows.map(function (r) {
      return el("tr", {}, [el("td", {class: "label", text: r.label})].concat(r.counts.map(function (c) {
        var a = c / max;
        return el("td", {text: c || "", style: "background: rgba(21,101,192," + (0.08 + 0.8 * a).toFixed(2) + ");color:"
                                                 + (a > 0.55 ? "#fff" : "inherit")});
      })));
    });
    return el("table", {class: "heat"}, [el("thead", {}, [head]), el("tbody", {}, body)]);
  }

  function render() {
    var r = report, tt = r.totals;
    var range = r.from === r.to ? r.from : r.from + " — " + r.to;
    $("report-title").textContent = t("report_title", {centre: r.center_name, range: range});
    $("print-title").textContent = t("report_title", {centre: r.center_name, range: range});
    var kpis = [["k_issued", tt.issued], ["k_served", tt.served], ["k_no_show_rate", pct(tt.no_show_rate)],
                ["k_mean_wait", M.duration(tt.mean_wait_s)], ["k_p90_wait", M.duration(tt.p90_wait_s)],
                ["k_mean_service", M.duration(tt.mean_service_s)], ["k_rating_rate", pct(tt.rating_rate)],
                ["k_satisfaction", pct(tt.satisfaction)], ["k_bad", tt.bad_ratings],
                ["k_rectification", pct(tt.rectification_rate)], ["k_revisit", pct(tt.revisit_rate)],
                ["k_open_days", tt.open_days]];
    $("kpis").replaceChildren.apply($("kpis"), kpis.map(function (k) {
      return el("div", {dataset: {kpi: k[0]}}, [el("b", {text: k[1] === null ? t("none") : k[1]}), el("span", {text: t(k[0])})]);
    }));
    // the days the centre was closed (holidays by name): not days without service
    var closed = $("closed-days") || $("kpis").parentNode.appendChild(el("p", {id: "closed-days", class: "muted"}));
    closed.textContent = (r.closed_days || []).length ? t("closed_days", {days: r.closed_days.map(function (c) {
      return c.day.slice(5) + (c.holiday ? " " + c.holiday : "");
    }).join("、")}) : "";
    $("t-queues").replaceChildren(table(r.queues.map(function (q) { return Object.assign({label: q.name}, q); }), t("queue")));
    $("t-windows").replaceChildren(table(r.windows.map(function (w) { return Object.assign({label: w.name}, w); }), t("windows")));
    var names = {};
    r.staff.forEach(function (s) { names[s.name] = (names[s.name] || 0) + 1; });
    $("t-staff").replaceChildren(table(r.staff.map(function (s) {
      return Object.assign({label: names[s.name] > 1 && s.name !== s.username ? s.name + "（" + s.username + "）" : s.name}, s);
    }), t("staff")));
    $("heat-day").replaceChildren(heat(r.heatmap.by_day, r.heatmap.hours));
    $("heat-queue").replaceChildren(heat(r.heatmap.by_queue, r.heatmap.hours));
    drawCharts();
  }

  function drawCharts() {
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    if (!window.Chart) return;
    var font = {family: getComputedStyle(document.documentElement).fontFamily};
    window.Chart.defaults.font.family = font.family;
    window.Chart.defaults.animation = false;
    charts.push(new window.Chart($("chart-daily"), {
      type: "bar",
      data: {labels: report.days.map(function (d) { return d.day.slice(5); }),
             datasets: [{label: t("k_issued"), data: report.days.map(function (d) { return d.issued; }), backgroundColor: "#90caf9"},
                        {label: t("k_served"), data: report.days.map(function (d) { return d.served; }), backgroundColor: "#1565c0"}]},
      options: {responsive: true, maintainAspectRatio: false},
    }));
    charts.push(new window.Chart($("chart-wait"), {
      type: "bar",
      data: {labels: report.queues.map(function (q) { return q.name; }),
             datasets: [{label: t("k_mean_wait"), data: report.queues.map(function (q) { return q.mean_wait_s === null ? 0 : +mins(q.mean_wait_s); }),
                         backgroundColor: "#ef6c00"},
                        {label: t("k_p90_wait"), data: report.queues.map(function (q) { return q.p90_wait_s === null ? 0 : +mins(q.p90_wait_s); }),
                         backgroundColor: "#ffcc80"}]},
      options: {responsive: true, maintainAspectRatio: false, indexAxis: "y"},
    }));
  }

  function load() {
    return M.api("GET", "/centers/" + centre + "/reports?" + query()).then(function (r) {
      report = r;
      // no date asked: the hall answered for its own today (this PC's calendar may be off)
      if (!$("report-form").elements.date.value) $("report-form").elements.date.value = r.from;
      render();
      document.body.dataset.loaded = r.period + ":" + r.from;
    }, function (err) { M.say(M.refusal(err), "error"); });
  }

  function download(format) {
    // a fetch with the token, then a link to the blob: the download keeps the Authorization header
    var q = query() + "&format=" + format + (format === "csv" ? "&table=queues" : "");
    M.fetchFile("/centers/" + centre + "/reports?" + q, "blob").then(function (r) {
      if (!r.ok) throw (r.data && r.data.error) || {code: "http_" + r.status, message: r.statusText};
      var name = (r.headers.get("Content-Disposition") || "").replace(/.*filename="([^"]+)".*/, "$1");
      var a = el("a", {href: URL.createObjectURL(r.data), download: name || "report." + format});
      document.body.append(a);
      a.click();
      a.remove();
    }).catch(function (err) { M.say(M.refusal(err), "error"); });
  }

  M.start(function () {
    var form = $("report-form");
    var params = new URLSearchParams(window.location.search);
    form.elements.date.value = params.get("date") || "";
    form.elements.period.value = params.get("period") || "day";
    form.addEventListener("submit", function (ev) { ev.preventDefault(); load(); });
    $("csv").addEventListener("click", function () { download("csv"); });
    $("xlsx").addEventListener("click", function () { download("xlsx"); });
    $("print").addEventListener("click", function () { window.print(); });
    M.i18n.onChange(function () { if (report) render(); });
    load();
  });
})();
