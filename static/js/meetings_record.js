/* The live meeting record (meetings:record), typed on a laptop in the meeting room.
 *
 * - One panel per speaker; Alt+↓ / Alt+↑ (or the list on the left) switch speakers, the choice survives
 *   a reload. Without JavaScript every panel is shown and every form posts normally.
 * - Entries (criticisms, problems claimed on the spot, commitments) go into a queue in localStorage
 *   first, each with a client_id made here, and are sent in order with fetch(); the server stores an
 *   entry once per client_id, so a retry after a dropped connection never duplicates it. Queued entries
 *   show as "待同步" and are re-sent when the connection returns, every few seconds, and after a reload.
 * - Enter adds the entry, Shift+Enter starts a new line.
 * - The counts of criticisms received, the criticisms a claim can refer to and the "no criticism yet"
 *   warning follow the lists as entries are added or removed.
 * Long texts (self-criticism, 讲评, 点评, closing statement, minutes) use meetings_autosave.js.
 */
(function () {
  "use strict";
  var app = document.getElementById("record-app");
  if (!app) return;
  var meetingId = app.getAttribute("data-meeting");
  var QUEUE_KEY = "branchlife:record:" + meetingId + ":queue";
  var SPEAKER_KEY = "branchlife:record:" + meetingId + ":speaker";
  var AGENDA_KEY = "branchlife:record:" + meetingId + ":agenda";
  var RETRY_MS = 5000;
  var MSG = {};
  try { MSG = JSON.parse(document.getElementById("record-messages").textContent); } catch (e) { MSG = {}; }
  var syncStatus = app.querySelector("[data-record-sync]");

  function load(key, fallback) {
    try { var v = JSON.parse(localStorage.getItem(key)); return v === null ? fallback : v; } catch (e) { return fallback; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full or private */ }
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // ------------------------------------------------------------------ speakers
  var panels = Array.prototype.slice.call(app.querySelectorAll("[data-speaker-panel]")).filter(function (p) {
    return p.getAttribute("data-speaker-panel") !== "always";
  });
  var buttons = Array.prototype.slice.call(app.querySelectorAll("[data-speaker-target]"));
  // A phone chooses the speaker from a <select> (the list of buttons is for wide screens).
  var select = app.querySelector("[data-speaker-select]");
  if (select) select.addEventListener("change", function () { showSpeaker(select.value, false); });
  function showSpeaker(id, focus) {
    var found = false;
    panels.forEach(function (p) {
      var on = p.getAttribute("data-speaker-panel") === String(id);
      p.classList.toggle("d-none", !on);
      if (on) found = true;
    });
    if (!found && panels.length) return showSpeaker(panels[0].getAttribute("data-speaker-panel"), focus);
    buttons.forEach(function (b) {
      var on = b.getAttribute("data-speaker-target") === String(id);
      b.classList.toggle("active", on);
      b.setAttribute("aria-selected", on ? "true" : "false");
    });
    if (select) select.value = String(id);
    save(SPEAKER_KEY, String(id));
    if (focus) {
      var panel = app.querySelector('[data-speaker-panel="' + id + '"]');
      var field = panel && panel.querySelector("form[data-record-entry] textarea, textarea");
      if (field) field.focus();
    }
  }
  buttons.forEach(function (b) {
    b.addEventListener("click", function () { showSpeaker(b.getAttribute("data-speaker-target"), true); });
  });
  app.querySelectorAll("[data-speaker-link]").forEach(function (a) {
    a.addEventListener("click", function (ev) { ev.preventDefault(); showSpeaker(a.getAttribute("data-speaker-link"), true); });
  });
  document.addEventListener("keydown", function (ev) {
    if (!ev.altKey || (ev.key !== "ArrowDown" && ev.key !== "ArrowUp")) return;
    ev.preventDefault();
    var ids = buttons.map(function (b) { return b.getAttribute("data-speaker-target"); });
    var i = ids.indexOf(load(SPEAKER_KEY, ids[0]));
    i = (i + (ev.key === "ArrowDown" ? 1 : -1) + ids.length) % ids.length;
    showSpeaker(ids[i], true);
  });
  var hash = (location.hash || "").replace("#speaker-", "");
  showSpeaker(hash && /^(\d+|committee)$/.test(hash) ? hash : load(SPEAKER_KEY, panels.length ? panels[0].getAttribute("data-speaker-panel") : ""), false);

  // ------------------------------------------------------------------ agenda
  function setAgenda(id) {
    app.querySelectorAll("[data-agenda]").forEach(function (b) {
      var on = b.getAttribute("data-agenda") === String(id);
      b.classList.toggle("btn-secondary", on);
      b.classList.toggle("btn-outline-secondary", !on);
    });
    app.querySelectorAll("[data-agenda-input]").forEach(function (input) { input.value = id || ""; });
    save(AGENDA_KEY, id || "");
  }
  app.querySelectorAll("[data-agenda]").forEach(function (b) {
    b.addEventListener("click", function () { setAgenda(b.getAttribute("data-agenda")); });
  });
  setAgenda(load(AGENDA_KEY, ""));

  // ------------------------------------------------------------------ the queue
  var queue = load(QUEUE_KEY, []);
  var sending = false;

  function updateStatus(error) {
    if (!syncStatus) return;
    if (error) { syncStatus.textContent = error; syncStatus.className = "small text-danger"; return; }
    if (queue.length) {
      syncStatus.textContent = queue.length + " " + (MSG.queued || "");
      syncStatus.className = "small text-warning-emphasis";
    } else {
      syncStatus.textContent = MSG.synced || "";
      syncStatus.className = "small text-success";
    }
  }

  function pendingItem(entry) {
    var li = document.createElement("li");
    li.className = "bl-entry bl-pending py-1 border-bottom";
    li.setAttribute("data-client-id", entry.client_id);
    li.textContent = "[" + (MSG.pending || "…") + "] " + entry.text;
    return li;
  }

  function showPending(entry) {
    var list = document.querySelector(entry.list);
    if (list && !list.querySelector('[data-client-id="' + entry.client_id + '"]')) list.appendChild(pendingItem(entry));
  }

  function flush() {
    if (sending || !queue.length) { updateStatus(); return; }
    if (navigator.onLine === false) { updateStatus(); return; }
    sending = true;
    var entry = queue[0];
    var body = new FormData();
    Object.keys(entry.fields).forEach(function (k) { body.append(k, entry.fields[k]); });
    fetch(entry.url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch", "Accept": "application/json" } })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (d) { return { status: r.status, data: d }; }); })
      .then(function (r) {
        sending = false;
        var pending = document.querySelector('[data-client-id="' + entry.client_id + '"]');
        if (r.status === 200 && r.data.ok) {
          queue.shift(); save(QUEUE_KEY, queue);
          if (pending) {
            var holder = document.createElement("ul");
            holder.innerHTML = r.data.html;
            pending.replaceWith(holder.firstElementChild);
          }
          flush();
        } else if (r.status === 400 || r.status === 403 || r.status === 404) {
          // The server refused it (bad input, meeting closed): drop it from the queue, say why, and
          // put the text back in its form so that nothing typed is lost.
          queue.shift(); save(QUEUE_KEY, queue);
          if (pending) pending.remove();
          var form = document.querySelector('form[data-list="' + entry.list + '"]');
          if (form) {
            var area = form.querySelector('[name="text"]');
            if (area && !area.value) area.value = entry.text;
            var err = form.querySelector("[data-entry-error]");
            if (err) err.textContent = (MSG.failed || "") + ":" + (r.data.error || r.status);
          }
          updateStatus();
          flush();
        } else {
          updateStatus();
        }
      })
      .catch(function () { sending = false; updateStatus(); });
  }

  app.addEventListener("submit", function (ev) {
    var form = ev.target.closest("form[data-record-entry]");
    if (!form) return;
    ev.preventDefault();
    var fields = {};
    new FormData(form).forEach(function (v, k) { if (typeof v === "string") fields[k] = v; });
    if (!(fields.text || "").trim() && !fields.criticism) { form.querySelector('[name="text"]').focus(); return; }
    fields.client_id = uuid();
    var entry = { url: form.getAttribute("action"), list: form.getAttribute("data-list"), client_id: fields.client_id, text: (fields.text || "").trim(), fields: fields };
    queue.push(entry); save(QUEUE_KEY, queue);
    showPending(entry);
    var err = form.querySelector("[data-entry-error]");
    if (err) err.textContent = "";
    var area = form.querySelector('[name="text"]');
    if (area) { area.value = ""; area.focus(); }
    flush();
  });

  app.addEventListener("keydown", function (ev) {
    var area = ev.target;
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && area.matches && area.matches("textarea[data-enter-submits]")) {
      ev.preventDefault();
      var form = area.closest("form");
      if (form.requestSubmit) form.requestSubmit(); else form.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true }));
    }
  });

  app.addEventListener("submit", function (ev) {
    var form = ev.target.closest("form[data-record-delete]");
    if (!form) return;
    ev.preventDefault();
    fetch(form.getAttribute("action"), { method: "POST", body: new FormData(form), credentials: "same-origin", headers: { "X-Requested-With": "fetch", "Accept": "application/json" } })
      .then(function (r) { if (r.ok) { var li = form.closest("li"); if (li) li.remove(); } })
      .catch(function () { updateStatus(MSG.failed); });
  });

  // ------------------------------------------------------------------ live counts
  // The badges counting each member's criticisms, the criticisms a claim can refer to and the "no
  // criticism yet" warning follow the criticism lists as entries are added or removed, without a reload.
  function refreshCriticisms(list) {
    var items = Array.prototype.slice.call(list.querySelectorAll("li.bl-entry"));
    var saved = items.filter(function (li) { return li.hasAttribute("data-entry-id"); });
    app.querySelectorAll('[data-count-of="' + list.id + '"]').forEach(function (badge) {
      badge.textContent = String(items.length);
      if (badge.hasAttribute("data-warn-empty")) {
        badge.classList.toggle("text-bg-warning", !items.length);
        badge.classList.toggle("text-bg-light", items.length > 0);
      }
    });
    var select = app.querySelector('select[data-claim-options="' + list.id + '"]');
    if (select) {
      var chosen = select.value;
      while (select.options.length > 1) select.remove(1);
      saved.forEach(function (li) {
        var option = document.createElement("option");
        option.value = li.getAttribute("data-entry-id");
        option.textContent = li.getAttribute("data-entry-text") || "";
        select.appendChild(option);
      });
      select.value = chosen;
      if (select.value !== chosen) select.value = "";
      var wrap = select.closest("[data-claim-wrap]");
      if (wrap) wrap.classList.toggle("d-none", !saved.length);
    }
    document.querySelectorAll('[data-no-criticism="' + list.id + '"]').forEach(function (name) {
      name.classList.toggle("d-none", items.length > 0);
      var warning = name.closest('[data-testid="no-criticism"]');
      if (!warning) return;
      var left = Array.prototype.slice.call(warning.querySelectorAll("[data-no-criticism]")).filter(function (n) {
        return !n.classList.contains("d-none");
      });
      warning.classList.toggle("d-none", !left.length);
      left.forEach(function (n, i) { n.querySelector(".bl-sep").classList.toggle("d-none", i === left.length - 1); });
    });
  }
  app.querySelectorAll('ul[id^="list-criticism-"]').forEach(function (list) {
    new MutationObserver(function () { refreshCriticisms(list); }).observe(list, { childList: true });
  });
  document.querySelectorAll('[data-testid="no-criticism"] [data-no-criticism]').forEach(function (name) {
    var list = document.getElementById(name.getAttribute("data-no-criticism"));
    if (list) refreshCriticisms(list);
  });

  queue.forEach(showPending);
  window.addEventListener("online", flush);
  setInterval(flush, RETRY_MS);
  flush();
})();
