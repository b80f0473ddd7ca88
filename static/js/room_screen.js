// The projector pages of the meeting room (check-in code, 扫码测评 turnout): they ask the server for the
// current state every few seconds and put each value where the page marks it:
//   <div data-room-screen data-poll-url="…?format=json" data-poll-seconds="5">
//     <span data-bind="attended"></span>            textContent ← state.attended
//     <div data-bind-html="qr_svg"></div>           innerHTML ← state.qr_svg (the server's own SVG)
//     <div data-when-state="closed" hidden></div>   shown only while state.state == "closed"
// Without script the page still shows the state it was rendered with, and a reload brings it up to date.
(function () {
  "use strict";
  var root = document.querySelector("[data-room-screen]");
  if (!root) return;
  var url = root.getAttribute("data-poll-url");
  var every = (parseInt(root.getAttribute("data-poll-seconds"), 10) || 5) * 1000;
  var status = root.querySelector("[data-poll-status]");

  function apply(state) {
    root.querySelectorAll("[data-bind]").forEach(function (el) {
      var value = state[el.getAttribute("data-bind")];
      if (value !== undefined && el.textContent !== String(value)) el.textContent = value;
    });
    root.querySelectorAll("[data-bind-html]").forEach(function (el) {
      var value = state[el.getAttribute("data-bind-html")];
      if (value !== undefined && el.getAttribute("data-current") !== value) {
        el.innerHTML = value;
        el.setAttribute("data-current", value);
      }
    });
    root.querySelectorAll("[data-when-state]").forEach(function (el) {
      el.hidden = el.getAttribute("data-when-state") !== state.state;
    });
    root.querySelectorAll("[data-unless-state]").forEach(function (el) {
      el.hidden = el.getAttribute("data-unless-state") === state.state;
    });
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (state) {
        apply(state);
        if (status) status.hidden = true;
        if (state.state !== "closed") window.setTimeout(poll, every);
      })
      .catch(function () {
        if (status) status.hidden = false;
        window.setTimeout(poll, every * 2);
      });
  }
  window.setTimeout(poll, every);
})();
