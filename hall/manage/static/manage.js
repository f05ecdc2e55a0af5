/* What every manager page shares: the session (a bearer token in localStorage), the API, the
 * header, the words in Chinese and English, and how durations read. Pages call HallManage.start(). */
(function (global) {
  "use strict";
  var DICT = {
    zh: {
      title: "管理看板", nav_dashboard: "实时看板", nav_alerts: "告警与好差评", nav_reports: "统计报表", nav_admin: "系统管理",
      logout: "退出", login: "管理人员登录", username: "用户名", password: "密码", login_button: "登录",
      pick_centre: "选择服务中心", need_manager: "此页面仅供管理人员使用", network: "网络错误，请重试",
      err_invalid_credentials: "用户名或密码错误", err_unauthorized: "登录已失效，请重新登录", err_forbidden: "无权进行此操作",
      live: "实时", offline: "连接中断", refused: "连接被拒绝", connecting: "连接中",
      sec: "{n}秒", min: "{n}分钟", hour_min: "{h}小时{m}分", none: "—",
      // dashboard
      waiting_total: "等候人数", windows_open: "在岗窗口", served_today: "今日办结", satisfaction_today: "今日满意率",
      alerts_tile: "告警（红/黄）", followups_tile: "差评待办（逾期）",
      queues: "业务队列", queue: "业务", waiting: "等候", longest: "最长等候", est: "预计等候", trend: "近一小时",
      open_windows: "窗口", windows: "窗口", alerts: "电子监察告警", recs: "调度建议", move: "批量转移",
      no_alerts: "暂无告警，一切正常", alerts_count: "红 {red} · 共 {n}", no_recs: "当前窗口安排合理，暂无建议", computed: "{t} 计算",
      apply: "一键调整", applied: "已调整：{text}", ack: "确认", acked: "已确认：{who}", resolve: "关闭",
      st_open: "服务中", st_paused: "暂停", st_closed: "关闭", idle_for: "空闲 {d}", serving_for: "已办理 {d}",
      called_for: "已叫号 {d}", served_n: "办结 {n}", no_window: "无窗口", no_wait: "无需等候", about_min: "约 {n} 分钟",
      from_q: "从", to_q: "转到", count: "人数（空＝全部）", take: "取", take_first: "最先来的", take_last: "最后来的",
      move_button: "转移", moved: "已把 {n} 人从 {from} 转到 {to}", confirm_move: "确定把 {what} 从 {from} 转到 {to} 吗？",
      all: "全部等候", n_people: "{n} 人",
      win_dialog: "{name} 调度", assign_queues: "办理业务（按勾选顺序叫号）", mode: "叫号方式",
      mode_ordered: "按业务顺序", mode_longest_wait: "等候最久优先", save_assign: "保存业务调整",
      act_open: "开窗", act_pause: "暂停", act_resume: "恢复", act_close: "关闭窗口", cancel: "取消",
      assigned: "{name} 现办理：{queues}", pick_one: "至少选择一项业务", home: "原业务：{queues}",
      // alert rules
      r_wait: "等候超时", r_length: "排队过长", r_service: "办理超时", r_idle: "窗口空闲", r_pause: "暂停过长",
      r_bad_rating: "差评", r_followup_overdue: "整改逾期", r_device_offline: "设备离线", r_device_fault: "设备故障",
      t_wait: "{queue} 最长已等候 {value}（规范 {limit}）", t_length: "{queue} 排队 {value} 人（上限 {limit}）",
      t_service: "{window} 办理 {number} 已 {value}（规范 {limit}）", t_idle: "{window} 空闲 {value}，{queue} 有群众等候",
      t_pause: "{window} 暂停已 {value}（上限 {limit}）", t_bad_rating: "{number} 在 {window} 得到 {value} 分评价，待核实",
      t_followup_overdue: "{number} 的差评整改已超过期限", t_device_offline: "设备 {device} 离线",
      t_device_fault: "设备 {device} 故障", level_red: "红色", level_yellow: "黄色",
      // alerts page
      active_alerts: "当前告警", history: "告警记录（近7天）", followups: "好差评整改", ev_alert_raised: "产生",
      ev_alert_escalated: "升级为红色", ev_alert_acknowledged: "确认", ev_alert_resolved: "解除",
      fu_open: "待核实", fu_verified: "已核实", fu_rectified: "已整改", fu_appealed: "申诉中", fu_closed: "已办结",
      s_opened: "差评", s_verified: "核实", s_rectified: "整改", s_replied: "回复群众", s_appealed: "申诉", s_reviewed: "复核",
      do_verify: "核实", do_rectify: "整改", do_reply: "回复群众", do_appeal: "申诉", do_review: "复核",
      note: "说明", finding_confirmed: "属实", finding_unfounded: "不属实", outcome_upheld: "维持差评",
      outcome_overturned: "撤销差评", deadline: "期限 {t}", overdue: "已逾期", overturned: "差评已撤销",
      no_followups: "暂无差评", score: "{n} 分", comment: "评价内容：{c}", step_done: "已记录",
      // reports
      period: "周期", day: "日", week: "周", month: "月", date: "日期", show: "查询", print: "打印",
      export_csv: "导出 CSV", export_xlsx: "导出 Excel", report_title: "{centre} 统计报表 {range}",
      k_issued: "取号", k_served: "办结", k_no_show_rate: "过号率", k_mean_wait: "平均等候", k_p90_wait: "P90 等候",
      k_mean_service: "平均办理", k_rating_rate: "评价率", k_satisfaction: "满意率", k_bad: "差评",
      by_queue: "按业务", by_window: "按窗口", by_staff: "按人员", by_day: "按日", heat_day: "到达时段热力图（按日）",
      heat_queue: "到达时段热力图（按业务）", chart_daily: "每日取号与办结", chart_wait: "各业务平均等候（分钟）",
      name: "名称", staff: "人员", called: "叫号", served: "办结", no_shows: "过号", rated: "评价", mean_score: "平均分",
      hour: "{h}时",
      // admin
      users: "人员账号", devices: "设备", catalog: "服务目录", audit: "操作日志",
      role: "角色", centre: "服务中心", staff_no: "工号", display_name: "姓名", role_staff: "窗口人员",
      role_manager: "管理人员", role_admin: "系统管理员", save: "保存", saved: "已保存：{name}", reset_pw: "重置密码",
      new_password: "新密码", device_name: "设备名", kind: "类型", kind_kiosk: "取号机", kind_display: "显示屏",
      kind_bridge: "硬件网关", add_device: "登记设备", token_once: "设备令牌（只显示这一次，请写入设备）：",
      upload: "上传 YAML 目录", loaded: "目录已载入：{ids}（有变化：{changed}）", download_yaml: "下载 YAML",
      from_t: "起", to_t: "止", window_n: "窗口号", ticket: "号码或编号", type: "类型", time: "时间", who: "操作人",
      event: "事件", facts: "内容", search: "查询", total: "共 {n} 条", add_user: "新增或修改人员",
    },
    en: {
      title: "Dashboard", nav_dashboard: "Live", nav_alerts: "Alerts & ratings", nav_reports: "Reports", nav_admin: "Admin",
      logout: "Log out", login: "Manager login", username: "User name", password: "Password", login_button: "Log in",
      pick_centre: "Choose a centre", need_manager: "This page is for managers", network: "Network error, try again",
      err_invalid_credentials: "Wrong user name or password", err_unauthorized: "Please log in again",
      err_forbidden: "Not allowed", live: "live", offline: "offline", refused: "refused", connecting: "connecting",
      sec: "{n} s", min: "{n} min", hour_min: "{h} h {m} min", none: "—",
      waiting_total: "Waiting", windows_open: "Windows open", served_today: "Served today",
      satisfaction_today: "Satisfaction today", alerts_tile: "Alerts (red/yellow)", followups_tile: "Bad ratings (overdue)",
      queues: "Queues", queue: "Queue", waiting: "Waiting", longest: "Longest", est: "Est. wait", trend: "Last hour",
      open_windows: "Windows", windows: "Windows", alerts: "Supervision alerts", recs: "Recommendations",
      move: "Move tickets", no_alerts: "No alerts: all is well", alerts_count: "{red} red · {n} in all", no_recs: "Windows are well placed: nothing to suggest",
      computed: "computed {t}", apply: "Apply", applied: "Applied: {text}", ack: "Acknowledge", acked: "Acknowledged: {who}",
      resolve: "Close", st_open: "open", st_paused: "paused", st_closed: "closed", idle_for: "idle {d}",
      serving_for: "serving {d}", called_for: "called {d}", served_n: "done {n}", no_window: "no window",
      no_wait: "no wait", about_min: "about {n} min", from_q: "From", to_q: "To", count: "How many (empty = all)",
      take: "Take", take_first: "first come", take_last: "last come", move_button: "Move",
      moved: "Moved {n} from {from} to {to}", confirm_move: "Move {what} from {from} to {to}?", all: "everyone waiting",
      n_people: "{n}", win_dialog: "{name}", assign_queues: "Queues (called in the order ticked)", mode: "Call order",
      mode_ordered: "queue order", mode_longest_wait: "longest wait first", save_assign: "Save queues",
      act_open: "Open", act_pause: "Pause", act_resume: "Resume", act_close: "Close", cancel: "Cancel",
      assigned: "{name} now serves {queues}", pick_one: "Tick at least one queue", home: "Catalogue: {queues}",
      r_wait: "Long wait", r_length: "Long queue", r_service: "Long service", r_idle: "Idle window", r_pause: "Long pause",
      r_bad_rating: "Bad rating", r_followup_overdue: "Follow-up overdue", r_device_offline: "Device offline",
      r_device_fault: "Device fault",
      t_wait: "{queue}: longest wait {value} (norm {limit})", t_length: "{queue}: {value} waiting (limit {limit})",
      t_service: "{window} serving {number} for {value} (norm {limit})", t_idle: "{window} idle {value} while {queue} waits",
      t_pause: "{window} paused {value} (limit {limit})", t_bad_rating: "{number} rated {value} at {window}: to verify",
      t_followup_overdue: "the follow-up of {number} is past its deadline", t_device_offline: "device {device} offline",
      t_device_fault: "device {device} fault", level_red: "red", level_yellow: "yellow",
      active_alerts: "Active alerts", history: "Alert history (7 days)", followups: "Bad-rating follow-ups",
      ev_alert_raised: "raised", ev_alert_escalated: "turned red", ev_alert_acknowledged: "acknowledged",
      ev_alert_resolved: "resolved", fu_open: "to verify", fu_verified: "verified", fu_rectified: "rectified",
      fu_appealed: "appealed", fu_closed: "closed", s_opened: "rated", s_verified: "verified", s_rectified: "rectified",
      s_replied: "replied", s_appealed: "appealed", s_reviewed: "reviewed", do_verify: "Verify", do_rectify: "Rectify",
      do_reply: "Reply", do_appeal: "Appeal", do_review: "Review", note: "Note", finding_confirmed: "founded",
      finding_unfounded: "unfounded", outcome_upheld: "uphold", outcome_overturned: "overturn", deadline: "due {t}",
      overdue: "overdue", overturned: "rating overturned", no_followups: "No bad ratings", score: "{n} / 5",
      comment: "Comment: {c}", step_done: "Recorded",
      period: "Period", day: "Day", week: "Week", month: "Month", date: "Date", show: "Show", print: "Print",
      export_csv: "CSV", export_xlsx: "Excel", report_title: "{centre} report {range}",
      k_issued: "Issued", k_served: "Served", k_no_show_rate: "No-shows", k_mean_wait: "Mean wait", k_p90_wait: "P90 wait",
      k_mean_service: "Mean service", k_rating_rate: "Rated", k_satisfaction: "Satisfaction", k_bad: "Bad ratings",
      by_queue: "By queue", by_window: "By window", by_staff: "By staff", by_day: "By day",
      heat_day: "Arrivals by hour (days)", heat_queue: "Arrivals by hour (queues)", chart_daily: "Issued and served per day",
      chart_wait: "Mean wait by queue (min)", name: "Name", staff: "Staff", called: "Called", served: "Served",
      no_shows: "No-shows", rated: "Rated", mean_score: "Mean score", hour: "{h}h",
      users: "Accounts", devices: "Devices", catalog: "Catalogue", audit: "Audit log", role: "Role", centre: "Centre",
      staff_no: "Staff no.", display_name: "Name", role_staff: "staff", role_manager: "manager", role_admin: "admin",
      save: "Save", saved: "Saved {name}", reset_pw: "Reset password", new_password: "New password",
      device_name: "Device", kind: "Kind", kind_kiosk: "kiosk", kind_display: "display", kind_bridge: "bridge",
      add_device: "Register device", token_once: "Device token (shown once; put it in the device):",
      upload: "Upload YAML catalogue", loaded: "Loaded {ids} (changed: {changed})", download_yaml: "Download YAML",
      from_t: "From", to_t: "To", window_n: "Window", ticket: "Ticket no. or id", type: "Type", time: "Time",
      who: "By", event: "Event", facts: "Facts", search: "Search", total: "{n} events", add_user: "Add or change a user",
    },
  };
  var i18n = global.HallI18n.create(DICT);
  var $ = function (id) { return document.getElementById(id); };
  var KEY = "hall.manage";
  var session = null;
  try { session = JSON.parse(global.localStorage.getItem(KEY) || "null"); } catch (e) { session = null; }

  function save(s) {
    session = s;
    if (s) global.localStorage.setItem(KEY, JSON.stringify(s)); else global.localStorage.removeItem(KEY);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.keys(v).forEach(function (d) { node.dataset[d] = v[d]; });
      else node.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach(function (c) { if (c !== null && c !== undefined) node.append(c); });
    return node;
  }

  var messageTimer = null;
  function say(text, kind) {
    var box = $("message");
    if (!box) return;
    box.textContent = text;
    box.dataset.kind = kind || "info";
    box.hidden = false;
    clearTimeout(messageTimer);
    messageTimer = setTimeout(function () { box.hidden = true; }, kind === "error" ? 10000 : 5000);
  }

  function refusal(err) {
    var known = DICT[i18n.lang()]["err_" + err.code];
    return known ? known + (err.message && i18n.lang() === "zh" ? "（" + err.message + "）" : "") : err.message;
  }

  function request(method, path, body, raw) {
    var headers = {};
    if (body !== undefined && !raw) headers["Content-Type"] = "application/json";
    if (raw) headers["Content-Type"] = "application/yaml";
    if (session && session.token) headers.Authorization = "Bearer " + session.token;
    return fetch("/api/v1" + path, {method: method, headers: headers,
                                      body: body === undefined ? undefined : (raw ? body : JSON.stringify(body))});
  }

  function api(method, path, body, raw) {
    return request(method, path, body, raw).then(function (r) {
      if (r.status === 204) return null;
      return r.json().then(function (data) {
        if (!r.ok) {
          var err = data && data.error ? data.error : {code: "http_" + r.status, message: r.statusText};
          err.status = r.status;
          if (r.status === 401) { save(null); showLogin(); }
          throw err;
        }
        return data;
      });
    }, function () { throw {code: "network", message: i18n.t("network")}; });
  }

  function duration(s) {
    if (s === null || s === undefined) return i18n.t("none");
    s = Math.max(0, Math.round(s));
    if (s < 60) return i18n.t("sec", {n: s});
    var m = Math.floor(s / 60);
    if (m < 60) return i18n.t("min", {n: m});
    return i18n.t("hour_min", {h: Math.floor(m / 60), m: m % 60});
  }

  function hhmm(epoch) {
    var d = new Date(epoch * 1000);
    return d.toLocaleTimeString("zh-CN", {hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "Asia/Shanghai"});
  }

  function stamp(epoch) {
    var d = new Date(epoch * 1000);
    return d.toLocaleString("zh-CN", {hour12: false, timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit",
                                      day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit"});
  }

  function waitText(s) { return global.HallI18n.waitText(i18n, s); }

  // --- login and the header ---
  var onReady = null;

  function showLogin() {
    if ($("login")) $("login").hidden = false;
    if ($("app")) $("app").hidden = true;
    if ($("who")) $("who").textContent = "";
  }

  function showApp() {
    if ($("login")) $("login").hidden = true;
    if ($("app")) $("app").hidden = false;
    if ($("who")) $("who").textContent = session.user.name + (session.user.staff_no ? "（" + session.user.staff_no + "）" : "");
  }

  function start(ready) {
    onReady = ready;
    i18n.apply();
    if ($("lang")) {
      $("lang").textContent = i18n.lang() === "en" ? "中文" : "EN";
      $("lang").addEventListener("click", function () {
        i18n.toggle();
        $("lang").textContent = i18n.lang() === "en" ? "中文" : "EN";
      });
    }
    if ($("logout")) $("logout").addEventListener("click", function () { save(null); showLogin(); });
    var form = $("login-form");
    if (form) form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var data = new FormData(form);
      api("POST", "/auth/login", {username: data.get("username"), password: data.get("password")}).then(function (r) {
        if (r.role !== "manager" && r.role !== "admin") { say(i18n.t("need_manager"), "error"); return; }
        save({token: r.token, role: r.role, center: r.center, user: {name: r.name, staff_no: r.staff_no}});
        enter();
      }, function (err) { say(refusal(err), "error"); });
    });
    var clock = $("clock");
    if (clock) {
      var tick = function () { clock.textContent = hhmm(Date.now() / 1000); };
      tick();
      setInterval(tick, 10000);
    }
    if (session && session.token) enter(); else showLogin();
  }

  function enter() {
    var page = document.body.dataset.center;
    if (page && session.role !== "admin" && session.center !== page) {
      global.location.href = "/manage/" + session.center;
      return;
    }
    showApp();
    if (onReady) onReady(session);
  }

  global.HallManage = {
    i18n: i18n, t: i18n.t, el: el, $: $, api: api, request: request, say: say, refusal: refusal,
    duration: duration, hhmm: hhmm, stamp: stamp, waitText: waitText, start: start,
    session: function () { return session; },
  };
})(window);
