/* Alerts (active, with history) and the 好差评 follow-ups of bad ratings, step by step. */
(function () {
  "use strict";
  var M = window.HallManage, t = M.t, el = M.el, $ = M.$;
  var centre = document.body.dataset.center;
  var NEXT = {open: ["verify"], verified: ["rectify", "reply", "appeal"], rectified: ["reply", "appeal"],
              appealed: ["review"], closed: []};

  function who(by) { return (by || "").replace(/^(user|device):/, ""); }
  function wname(n) { return t("window_number", {n: n}); }

  function alertLine(a) {
    var subject = [a.queue_name, a.window_name, a.number, a.device].filter(Boolean).join(" · ");
    return subject;
  }

  function loadAlerts() {
    return M.api("GET", "/centers/" + centre + "/alerts?days=7").then(function (data) {
      var list = $("active");
      list.replaceChildren();
      $("active-count").textContent = data.active.length || "";
      if (!data.active.length) list.append(el("li", {class: "empty", text: t("no_alerts")}));
      data.active.forEach(function (a) {
        var acked = a.acknowledged_at !== null;
        var manual = ["bad_rating", "device_offline", "device_fault"].indexOf(a.rule) >= 0;
        list.append(el("li", {class: "alert", dataset: {level: a.level, alert: a.id}}, [
          el("div", {class: "a-head"}, [el("span", {class: "a-title", text: t("r_" + a.rule)}),
                                        el("span", {class: "a-age", text: M.duration(a.age_s)})]),
          el("div", {class: "a-text", text: alertLine(a)}),
          el("div", {class: "a-foot"}, [
            el("span", {text: acked ? t("acked", {who: who(a.acknowledged_by)}) + (a.note ? "：" + a.note : "") : ""}),
            acked ? null : el("button", {type: "button", class: "small primary", text: t("ack"),
                                         onclick: function () { act("acknowledge", a.id); }}),
            manual ? el("button", {type: "button", class: "small", text: t("resolve"),
                                   onclick: function () { act("resolve", a.id); }}) : null,
          ]),
        ]));
      });
      var body = $("history");
      body.replaceChildren();
      data.history.slice(0, 200).forEach(function (e) {
        body.append(el("tr", {}, [
          el("td", {class: "num", text: M.stamp(e.at)}),
          el("td", {text: t("ev_" + e.type)}),
          el("td", {text: t("r_" + e.rule)}),
          el("td", {text: [e.queue_name || e.queue, e.window ? wname(e.window) : null, e.number, e.device, e.note]
                          .filter(Boolean).join(" · ")}),
          el("td", {text: who(e.by)}),
        ]));
      });
    });
  }

  function act(action, id) {
    M.api("POST", "/centers/" + centre + "/alerts/" + action, {alert: id}).then(refresh, function (err) {
      M.say(M.refusal(err), "error");
    });
  }

  function stepForm(f) {
    var steps = NEXT[f.status].concat(f.revisit_due ? ["revisit"] : []);
    if (!steps.length) return null;
    var note = el("input", {name: "note", required: true, maxlength: 500, placeholder: t("note")});
    var extra = null;
    var step = el("select", {name: "step"}, steps.map(function (s) { return el("option", {value: s, text: t("do_" + s)}); }));
    var finding = el("select", {name: "finding"}, ["confirmed", "unfounded"].map(function (v) {
      return el("option", {value: v, text: t("finding_" + v)}); }));
    var outcome = el("select", {name: "outcome"}, ["upheld", "overturned"].map(function (v) {
      return el("option", {value: v, text: t("outcome_" + v)}); }));
    var result = el("select", {name: "result"}, ["satisfied", "unsatisfied"].map(function (v) {
      return el("option", {value: v, text: t("result_" + v)}); }));
    function sync() {
      finding.hidden = step.value !== "verify";
      outcome.hidden = step.value !== "review";
      result.hidden = step.value !== "revisit";
    }
    step.addEventListener("change", sync);
    sync();
    return el("form", {onsubmit: function (ev) {
      ev.preventDefault();
      var body = {followup: f.id, note: note.value};
      if (step.value === "verify") body.finding = finding.value;
      if (step.value === "review") body.outcome = outcome.value;
      if (step.value === "revisit") body.result = result.value;
      M.api("POST", "/centers/" + centre + "/followups/" + step.value, body).then(function () {
        M.say(t("step_done"), "ok");
        refresh();
      }, function (err) { M.say(M.refusal(err), "error"); });
    }}, [step, finding, outcome, result, note, extra, el("button", {type: "submit", class: "primary small", text: "✓"})]);
  }

  function loadFollowups() {
    return M.api("GET", "/centers/" + centre + "/followups").then(function (data) {
      var box = $("followups");
      box.replaceChildren();
      var open = data.followups.filter(function (f) { return f.status !== "closed"; }).length;
      $("fu-count").textContent = open || "";
      if (!data.followups.length) box.append(el("p", {class: "empty", text: t("no_followups")}));
      data.followups.forEach(function (f) {
        box.append(el("div", {class: "fu", dataset: {followup: f.id, status: f.status, overdue: String(f.overdue)}}, [
          el("div", {class: "fu-head"}, [
            el("b", {text: f.number}),
            el("span", {class: "stars", text: "★".repeat(f.score) + "☆".repeat(5 - f.score)}),
            el("span", {class: "status", dataset: {status: f.status}, text: t("fu_" + f.status)}),
            el("span", {text: [f.queue_name, f.window ? wname(f.window) : null, f.staff_name || f.staff].filter(Boolean).join(" · ")}),
            el("span", {class: f.overdue ? "late-red" : "muted",
                        text: f.overdue ? t("overdue") : t("deadline", {t: M.stamp(f.deadline).slice(0, 10)})}),
            f.overturned ? el("span", {class: "muted", text: t("overturned")}) : null,
            f.rectified ? el("span", {class: "muted", text: t("rectified_at", {t: f.rectified.slice(0, 16).replace("T", " ")})}) : null,
            f.revisit ? el("span", {class: "revisit", dataset: {result: f.revisit.result}, text: t("result_" + f.revisit.result)})
                      : f.revisit_due ? el("span", {class: "muted", text: t("revisit_due")}) : null,
          ]),
          f.reasons && f.reasons.length ? el("div", {class: "fu-reasons", text: t("reasons", {r: f.reasons.map(function (c) {
            return window.Hall.text.t("rating." + c);
          }).join("、")})}) : null,
          f.comment ? el("div", {text: t("comment", {c: f.comment})}) : null,
          el("ol", {}, f.history.map(function (h) {
            return el("li", {text: M.stamp(h.at) + " " + t("s_" + h.step) + (h.finding ? "（" + t("finding_" + h.finding) + "）" : "")
                                 + (h.outcome ? "（" + t("outcome_" + h.outcome) + "）" : "")
                                 + (h.result ? "（" + t("result_" + h.result) + "）" : "") + " · " + who(h.by)
                                 + (h.note ? "：" + h.note : "")});
          })),
          stepForm(f),
        ]));
      });
    });
  }

  function refresh() {
    loadAlerts().catch(function (err) { M.say(M.refusal(err), "error"); });
    loadFollowups().catch(function (err) { M.say(M.refusal(err), "error"); });
  }

  // a change in the centre (an alert raised, a rating, a step taken elsewhere) refreshes the page
  var timer = null;
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 500);
  }

  M.start(function (session) {
    refresh();
    setInterval(refresh, 30000);
    M.i18n.onChange(refresh);
    var live = window.HallLive.connect({center: centre, token: function () { return session.token; },
                                        handlers: {call: soon, window: soon, queue: soon, ticket: soon}});
    live.socket.on("seq", soon);
  });
})();
