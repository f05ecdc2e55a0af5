/* The centre's voice on the dashboard: hear an announcement as the hall makes it, see which clips
 * are the centre's own recordings, the default pack's or missing, upload the centre's own pack (a
 * zip of clips, one folder per language, named as the manifest lists) or go back to the default.
 * Works through /api/v1/centers/{c}/voice (hall/manage/voice_api.py). */
(function () {
  "use strict";
  var M = window.HallManage, $ = M.$, el = M.el;
  var centre = document.body.dataset.center;
  var TEXT = {
    zh: {title: "语音播报", number: "号码", window: "窗口", listen: "试听", upload: "上传", remove: "恢复默认语音包",
         upload_label: "上传本中心语音包（zip：每种语言一个文件夹，片段按清单命名）",
         chime: "提示音", own: "本中心录音", "default": "默认语音包", missing: "缺少", clips: "本次播报用到的片段",
         uploaded: "已上传语音包：{n} 个片段", removed: "已恢复默认语音包", no_file: "请先选择 zip 文件",
         nothing: "无法生成播报（没有可用的语音片段）", engine: "默认语音包由 {engine} 在本机生成"},
    en: {title: "Voice announcements", number: "Number", window: "Window", listen: "Listen", upload: "Upload",
         remove: "Back to the default pack", upload_label: "Upload the centre's own pack (zip: a folder per language, clips named as the manifest says)",
         chime: "chime", own: "own recording", "default": "default pack", missing: "missing", clips: "Clips of this announcement",
         uploaded: "Pack uploaded: {n} clips", removed: "Back to the default pack", no_file: "Choose a zip file first",
         nothing: "No announcement could be made (no clips)", engine: "Default pack made on this machine by {engine}"},
  };
  function t(key, vars) {
    var s = TEXT[M.i18n.lang() === "en" ? "en" : "zh"][key];
    Object.keys(vars || {}).forEach(function (k) { s = s.replace("{" + k + "}", vars[k]); });
    return s;
  }
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
      if (!v.audio) { M.say(t("nothing"), "error"); return; }
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
        el("span", {"class": "vp-says", text: c.clip === "chime" ? t("chime") : c.says}),
        el("small", {"class": "muted", text: " " + c.clip + " · " + t(c.source)})]));
    });
    $("vp-engine").textContent = t("engine", {engine: v.engine.engine});
  }

  function upload(ev) {
    ev.preventDefault();
    var file = $("vp-file").files[0];
    if (!file) { M.say(t("no_file"), "error"); return; }
    fetch("/api/v1/centers/" + centre + "/voice/pack",
          {method: "PUT", headers: Object.assign({"Content-Type": "application/zip"}, authHeaders()), body: file})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (res) {
        if (!res.ok) { M.say(M.refusal(res.body.error || {message: "?"}), "error"); return; }
        var n = Object.keys(res.body.installed).reduce(function (a, k) { return a + res.body.installed[k]; }, 0);
        M.say(t("uploaded", {n: n}), "ok");
        preview();
      }, function () { M.say(M.refusal({code: "network"}), "error"); });
  }

  function remove() {
    M.api("DELETE", "/centers/" + centre + "/voice/pack").then(function () {
      M.say(t("removed"), "ok");
      preview();
    }, function (err) { M.say(M.refusal(err), "error"); });
  }

  function applyTexts() {
    document.querySelectorAll("[data-vp]").forEach(function (node) { node.textContent = t(node.dataset.vp); });
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
