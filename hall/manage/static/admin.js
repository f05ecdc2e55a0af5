/* Administration: staff accounts, devices (tokens shown once), the catalogue, the audit log. */
(function () {
  "use strict";
  var M = window.HallManage, t = M.t, el = M.el, $ = M.$;
  var params = new URLSearchParams(window.location.search);
  var centres = [];


  function tab(name) {
    document.querySelectorAll(".tabs button").forEach(function (b) { b.setAttribute("aria-selected", String(b.dataset.tab === name)); });
    document.querySelectorAll("[data-panel]").forEach(function (p) { p.hidden = p.dataset.panel !== name; });
    ({users: loadUsers, devices: loadDevices, catalog: loadCatalog, audit: function () {}})[name]();
  }

  function fillCentres(session) {
    var mine = session.role === "admin" ? centres : centres.filter(function (c) { return c.id === session.center; });
    document.querySelectorAll(".centre-select").forEach(function (sel) {
      sel.replaceChildren.apply(sel, mine.map(function (c) { return el("option", {value: c.id, text: c.name}); }));
      sel.value = params.get("center") || session.center || (mine[0] && mine[0].id);
    });
  }

  function loadUsers() {
    M.api("GET", "/users").then(function (data) {
      var body = $("users");
      body.replaceChildren();
      data.users.forEach(function (u) {
        body.append(el("tr", {dataset: {user: u.username}}, [
          el("td", {text: u.username}), el("td", {text: u.name || ""}), el("td", {text: u.staff_no || ""}),
          el("td", {text: t("role_" + u.role)}), el("td", {text: u.center || t("none")}),
          el("td", {}, [el("button", {type: "button", class: "small", text: t("reset_pw"), onclick: function () {
            var form = $("user-form");
            form.elements.username.value = u.username;
            form.elements.name.value = u.name || "";
            form.elements.staff_no.value = u.staff_no || "";
            form.elements.role.value = u.role;
            if (u.center) form.elements.center.value = u.center;
            form.elements.password.focus();
          }})]),
        ]));
      });
    }, function (err) { M.say(M.refusal(err), "error"); });
  }

  function loadDevices() {
    M.api("GET", "/devices").then(function (data) {
      var body = $("devices");
      body.replaceChildren();
      data.devices.forEach(function (d) {
        body.append(el("tr", {}, [el("td", {text: d.name}), el("td", {text: t("kind_" + d.kind)}), el("td", {text: d.center})]));
      });
    }, function (err) { M.say(M.refusal(err), "error"); });
  }

  function loadCatalog() {
    M.fetchFile("/catalog?format=yaml", "text").then(function (r) { return r.data; }).then(function (text) {
      $("catalog-text").textContent = text;
      $("catalog-download").href = URL.createObjectURL(new Blob([text], {type: "application/yaml"}));
      $("catalog-download").download = "catalog.yaml";
    });
  }

  function runAudit(ev) {
    if (ev) ev.preventDefault();
    var data = new FormData($("audit-form")), q = [];
    ["from", "to", "window", "staff", "ticket"].forEach(function (k) {
      if (data.get(k)) q.push(k + "=" + encodeURIComponent(data.get(k)));
    });
    M.api("GET", "/centers/" + data.get("center") + "/audit?" + q.join("&")).then(function (r) {
      $("audit-total").textContent = t("total", {n: r.total});
      var body = $("audit");
      body.replaceChildren();
      r.events.forEach(function (e) {
        var facts = Object.assign({}, e);
        ["type", "at", "by", "seq", "window"].forEach(function (k) { delete facts[k]; });
        var json = JSON.stringify(facts);
        body.append(el("tr", {dataset: {type: e.type}}, [
          el("td", {class: "num", text: M.stamp(e.at)}),
          el("td", {text: M.i18n.has("event_" + e.type) ? t("event_" + e.type) : e.type, title: e.type}),
          el("td", {text: e.window || ""}), el("td", {text: (e.by || "").replace(/^user:/, "")}),
          el("td", {class: "facts", text: json.length > 240 ? json.slice(0, 240) + "…" : json, title: json})]));
      });
    }, function (err) { M.say(M.refusal(err), "error"); });
  }

  M.start(function (session) {
    document.querySelectorAll(".tabs button").forEach(function (b) { b.addEventListener("click", function () { tab(b.dataset.tab); }); });
    M.api("GET", "/centers").then(function (data) {
      centres = data.centers;
      fillCentres(session);
    });
    $("user-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var data = new FormData(ev.target), body = {};
      ["username", "name", "staff_no", "role", "center", "password"].forEach(function (k) { if (data.get(k)) body[k] = data.get(k); });
      if (body.role === "admin") delete body.center;
      M.api("POST", "/users", body).then(function (u) {
        M.say(t("saved", {name: u.username}), "ok");
        ev.target.elements.password.value = "";
        loadUsers();
      }, function (err) { M.say(M.refusal(err), "error"); });
    });
    $("device-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var data = new FormData(ev.target);
      M.api("POST", "/devices", {name: data.get("name"), kind: data.get("kind"), center: data.get("center")}).then(function (d) {
        $("token").hidden = false;
        $("token-value").textContent = d.token;
        loadDevices();
      }, function (err) { M.say(M.refusal(err), "error"); });
    });
    $("catalog-file").addEventListener("change", function (ev) {
      var file = ev.target.files[0];
      if (!file) return;
      file.text().then(function (text) { return M.api("POST", "/catalog", text, true); }).then(function (r) {
        M.say(t("loaded", {ids: r.centers.join(", "), changed: r.changed.join(", ") || t("none")}), "ok");
        loadCatalog();
      }, function (err) { M.say(M.refusal(err), "error"); });
    });
    $("audit-form").addEventListener("submit", runAudit);
    tab(params.get("tab") || "users");
  });
})();
