/* The centre's voice on the dashboard: hear an announcement as the hall makes it, see which clips
 * are the centre's own recordings, the default pack's or missing, upload the centre's own pack (a
 * zip of clips, one folder per language, named as the manifest lists) or go back to the default.
 * Works through /api/v1/centers/{c}/voice (hall/manage/voice_api.py). */
(function () {
  "use strict";
  var M = window.HallManage, $ = M.$, el = M.el;
  var centre = document.body.dataset.center;
  function authHeaders() {
    var s = M.session();
    return s && s.token ? {Authorization: "Bearer " + s.token} : {};
  }

  function preview(ev) {
    if (ev) ev.preventDefault();
    var q = "?ticket=" + encodeURIComponent($("vp-ticket").value || "A001") +
            ($("vp-window").value ? "&window=" + encodeURIComponent($("vp-window").value) : "");
    return M.api("GET", "/centers/" + centre + "/voice" + q).then(function (v) {
      showClips(v);
      var player = $("vp-player");
      if (!v.audio) { M.say(M.t("vp_nothing"), "error"); return; }
      player.src = v.audio;
      player.hidden = false;
      return player.play().catch(function () { /* the manager presses play */ });
    }, function (err) { M.say(M.refusal(err), "error"); });
  }

  function showClips(v) {
    var list = $("vp-clips");
    list.replaceChildren();
    v.clips.forEach(function (c) {
      list.append(el("li", {"class": "vp-" + c.source, dataset: {clip: c.clip, source: c.source}}, [
        el("span", {"class": "vp-says", text: c.clip === "chime" ? M.t("vp_chime") : c.says}),
        el("small", {"class": "muted", text: " " + c.clip + " · " + M.t("vp_" + c.source)})]));
    });
    $("vp-engine").textContent = M.t("vp_engine", {engine: v.engine.engine});
  }

  function upload(ev) {
    ev.preventDefault();
    var file = $("vp-file").files[0];
    if (!file) { M.say(M.t("vp_no_file"), "error"); return; }
    fetch("/api/v1/centers/" + centre + "/voice/pack",
          {method: "PUT", headers: Object.assign({"Content-Type": "application/zip"}, authHeaders()), body: file})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (res) {
        if (!res.ok) { M.say(M.refusal(res.body.error || {message: "?"}), "error"); return; }
        var n = Object.keys(res.body.installed).reduce(function (a, k) { return a + res.body.installed[k]; }, 0);
        M.say(M.t("vp_uploaded", {n: n}), "ok");
        preview();
      }, function () { M.say(M.refusal({code: "network"}), "error"); });
  }

  function remove() {
    M.api("DELETE", "/centers/" + centre + "/voice/pack").then(function () {
      M.say(M.t("vp_removed"), "ok");
      preview();
    }, function (err) { M.say(M.refusal(err), "error"); });
  }

  function applyTexts() {
    document.querySelectorAll("[data-vp]").forEach(function (node) { node.textContent = M.t("vp_" + node.dataset.vp); });
  }

  var card = $("voice-card");
  if (!card || !centre) return;
  applyTexts();
  if (M.i18n.onChange) M.i18n.onChange(applyTexts);
  $("vp-form").addEventListener("submit", preview);
  $("vp-upload").addEventListener("submit", upload);
  $("vp-remove").addEventListener("click", remove);
  window.hallVoicePack = {preview: preview};
})();
