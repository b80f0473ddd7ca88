/* Autosave for long texts written on phones (self-reviews, meeting records).
 *
 * Every form with data-autosave-url is saved:
 *   - to localStorage on every keystroke (nothing is lost when the phone drops the connection or the
 *     browser is closed),
 *   - to the server with fetch() a few seconds after typing stops, every 15 s while there are unsaved
 *     changes, when a field loses focus, when the connection comes back, and (sendBeacon) when the page
 *     is hidden or closed.
 * The server answers JSON {ok, version, saved_at, hints}; 409 means another device saved a newer
 * version: the local copy is kept and the user is told to reload.
 *
 * Forms with a Django formset mark it with data-formset="<prefix>" and a <template id="<prefix>-template">
 * holding the empty form; rows carry data-formset-row, remove buttons data-formset-remove, and an add
 * button data-formset-add="<prefix>".
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 2500;
  var PERIOD_MS = 15000;

  function messages() {
    var el = document.getElementById("autosave-messages");
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  }
  var MSG = messages();

  // A random id for this browser, so the server can tell this device's own late saves from another's.
  function deviceId() {
    var key = "branchlife:device";
    var id = null;
    try { id = window.localStorage.getItem(key); } catch (e) { id = null; }
    if (!id) {
      id = "d" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
      try { window.localStorage.setItem(key, id); } catch (e) { /* ignore */ }
    }
    return id;
  }
  var DEVICE = deviceId();

  function storageGet(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function storageSet(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode or full */ }
  }
  function storageRemove(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
  }

  // ------------------------------------------------------------------ formsets
  function totalInput(form, prefix) {
    return form.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
  }

  function renumber(form, prefix) {
    var container = form.querySelector('[data-formset="' + prefix + '"]');
    if (!container) return;
    var rows = container.querySelectorAll("[data-formset-row]");
    var pattern = new RegExp("(" + prefix + "-)(\\d+|__prefix__)(-)");
    rows.forEach(function (row, i) {
      row.querySelectorAll("[name],[id],[for],[aria-describedby]").forEach(function (el) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
          var v = el.getAttribute(attr);
          if (v && pattern.test(v)) el.setAttribute(attr, v.replace(pattern, "$1" + i + "$3"));
        });
      });
      var hints = row.querySelector("[data-hints-for]");
      if (hints) hints.setAttribute("data-hints-for", String(i));
      var number = row.querySelector("[data-row-number]");
      if (number) number.textContent = String(i + 1);
    });
    var total = totalInput(form, prefix);
    if (total) total.value = String(rows.length);
  }

  function addRow(form, prefix) {
    var container = form.querySelector('[data-formset="' + prefix + '"]');
    var template = document.getElementById(prefix + "-template");
    if (!container || !template) return null;
    var index = container.querySelectorAll("[data-formset-row]").length;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    container.appendChild(row);
    renumber(form, prefix);
    return row;
  }

  function ensureRows(form, prefix, count) {
    var container = form.querySelector('[data-formset="' + prefix + '"]');
    if (!container) return;
    while (container.querySelectorAll("[data-formset-row]").length < count) {
      if (!addRow(form, prefix)) break;
    }
  }

  // ------------------------------------------------------------------ snapshot / restore
  function snapshot(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "device" || typeof value !== "string") return;
      fields.push([name, value]);
    });
    return fields;
  }

  function restore(form, fields) {
    var counts = {};
    fields.forEach(function (pair) {
      var m = /^(.+)-TOTAL_FORMS$/.exec(pair[0]);
      if (m) counts[m[1]] = parseInt(pair[1], 10) || 0;
    });
    Object.keys(counts).forEach(function (prefix) { ensureRows(form, prefix, counts[prefix]); });
    fields.forEach(function (pair) {
      if (/-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/.test(pair[0]) || pair[0] === "version") return;
      var el = form.elements.namedItem(pair[0]);
      if (!el) return;
      if (el.type === "checkbox") el.checked = pair[1] === "on" || pair[1] === el.value;
      else if (el.length && !el.tagName) { // RadioNodeList
        Array.prototype.forEach.call(el, function (r) { r.checked = r.value === pair[1]; });
      } else el.value = pair[1];
    });
  }

  // ------------------------------------------------------------------ hints
  function renderHints(form, hints) {
    if (!hints) return;
    form.querySelectorAll("[data-hints-for]").forEach(function (box) {
      var key = box.getAttribute("data-hints-for");
      var list = key === "measures" ? hints.measures : (hints.problems || {})[key];
      box.textContent = "";
      (list || []).forEach(function (h) {
        var div = document.createElement("div");
        div.className = "bl-hint " + (h.kind === "vague" ? "text-warning-emphasis" : "text-danger-emphasis");
        div.textContent = "⚠ " + h.message;
        box.appendChild(div);
      });
    });
  }

  // ------------------------------------------------------------------ one form
  function Autosave(form) {
    this.form = form;
    this.url = form.getAttribute("data-autosave-url");
    this.key = form.getAttribute("data-autosave-key") || "branchlife:autosave:" + this.url;
    this.versionInput = form.querySelector("[data-autosave-version-input]");
    this.status = form.querySelector("[data-autosave-status]") || document.querySelector("[data-autosave-status]");
    this.dirty = false;
    this.inflight = false;
    this.stale = false;
    this.timer = null;
    this.init();
  }

  Autosave.prototype.version = function () {
    return this.versionInput ? parseInt(this.versionInput.value, 10) || 0 : 0;
  };

  Autosave.prototype.say = function (text, cls) {
    if (!this.status) return;
    this.status.textContent = text;
    this.status.className = "bl-autosave-status " + (cls || "text-muted");
  };

  Autosave.prototype.keep = function () {
    storageSet(this.key, { fields: snapshot(this.form), version: this.version(), at: Date.now(), synced: false });
  };

  Autosave.prototype.changed = function () {
    this.dirty = true;
    this.keep();
    clearTimeout(this.timer);
    var self = this;
    this.timer = setTimeout(function () { self.save(); }, DEBOUNCE_MS);
  };

  Autosave.prototype.save = function () {
    var self = this;
    if (!this.dirty || this.inflight || this.stale) return;
    if (navigator.onLine === false) { this.say(MSG.offline || "offline", "text-warning-emphasis"); return; }
    this.inflight = true;
    this.dirty = false;
    this.say(MSG.saving || "…");
    var body = new FormData(this.form);
    body.set("version", String(this.version()));
    body.set("device", DEVICE);
    fetch(this.url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (r) {
        self.inflight = false;
        if (r.status === 200 && r.data.ok) {
          if (self.versionInput) self.versionInput.value = String(r.data.version);
          self.form.setAttribute("data-autosave-version", String(r.data.version));
          if (self.dirty) self.keep(); else storageSet(self.key, { fields: snapshot(self.form), version: r.data.version, at: Date.now(), synced: true });
          self.say((MSG.saved || "saved") + " " + (r.data.saved_at || ""), "text-success");
          renderHints(self.form, r.data.hints);
        } else if (r.status === 409) {
          self.stale = !!r.data.stale;
          self.dirty = true;
          self.keep();
          self.say(r.data.stale ? (MSG.stale || r.data.error) : (r.data.error || MSG.error), "text-danger");
        } else {
          self.dirty = true;
          self.keep();
          self.say(MSG.error || "error", "text-danger");
        }
      })
      .catch(function () {
        self.inflight = false;
        self.dirty = true;
        self.keep();
        self.say(MSG.offline || "offline", "text-warning-emphasis");
      });
  };

  Autosave.prototype.beacon = function () {
    if (!this.dirty || this.stale || !navigator.sendBeacon) return;
    var body = new FormData(this.form);
    body.set("version", String(this.version()));
    body.set("device", DEVICE);
    if (navigator.sendBeacon(this.url, body)) {
      // The answer is lost with the page; the local copy stays until the next load confirms the version.
      this.dirty = false;
    }
  };

  Autosave.prototype.init = function () {
    var self = this;
    var form = this.form;
    var stored = storageGet(this.key);
    var serverVersion = parseInt(form.getAttribute("data-autosave-version") || "0", 10);
    if (stored && !stored.synced && stored.fields) {
      if (stored.version >= serverVersion) {
        restore(form, stored.fields);
        this.dirty = true;
        this.say(MSG.restored || "restored", "text-primary");
        setTimeout(function () { self.save(); }, 500);
      } else {
        // The server moved on (a normal save, or another device): keep the old local text reachable.
        storageSet(this.key + ":older", stored);
        storageRemove(this.key);
      }
    }

    form.addEventListener("input", function () { self.changed(); });
    form.addEventListener("change", function () { self.changed(); });
    form.addEventListener("focusout", function () { if (self.dirty) { clearTimeout(self.timer); self.save(); } });
    var device = document.createElement("input");
    device.type = "hidden"; device.name = "device"; device.value = DEVICE;
    form.appendChild(device);
    form.addEventListener("submit", function () { self.keep(); clearTimeout(self.timer); self.dirty = false; self.stale = true; });
    form.addEventListener("click", function (event) {
      var add = event.target.closest("[data-formset-add]");
      if (add) {
        event.preventDefault();
        var row = addRow(form, add.getAttribute("data-formset-add"));
        if (row) { var first = row.querySelector("select,textarea,input"); if (first) first.focus(); }
        self.changed();
        return;
      }
      var remove = event.target.closest("[data-formset-remove]");
      if (remove) {
        event.preventDefault();
        var rowEl = remove.closest("[data-formset-row]");
        var container = rowEl && rowEl.parentElement;
        var prefix = container && container.getAttribute("data-formset");
        if (rowEl) rowEl.remove();
        if (prefix) renumber(form, prefix);
        self.changed();
      }
    });
    window.addEventListener("online", function () {
      // Only what was typed while offline (still unsynced in localStorage) goes out again.
      var kept = storageGet(self.key);
      if (self.dirty || (kept && !kept.synced)) { self.dirty = true; self.save(); }
    });
    window.addEventListener("offline", function () { self.say(MSG.offline || "offline", "text-warning-emphasis"); });
    window.addEventListener("pagehide", function () { self.beacon(); });
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") self.beacon(); });
    setInterval(function () { self.save(); }, PERIOD_MS);
  };

  function start() {
    document.querySelectorAll("form[data-autosave-url]").forEach(function (form) {
      form.branchlifeAutosave = new Autosave(form);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  window.BranchlifeAutosave = { Autosave: Autosave, snapshot: snapshot, restore: restore };
})();
