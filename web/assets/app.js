"use strict";
(function () {
  var body = document.body, ev = body.dataset.event, qKey = "odq" + ev;
  var msg = document.getElementById("msg"), pending = {}, shown = {}, es = null, refreshing = null;

  function say(text, info) {
    var p = document.createElement("p");
    p.className = info ? "info" : "err";
    p.textContent = text;
    msg.appendChild(p);
    if (info) setTimeout(function () { p.remove(); }, 4000);
  }

  // Swap server-rendered parts in, keeping open dialogs open and never
  // replacing a part someone is typing in (applied when they leave it).
  // A part already shown as sent is left alone: the same change arrives
  // twice (the action's reply and the stream), and replacing a button
  // under a finger loses the tap.
  function apply(parts) {
    Object.keys(parts || {}).forEach(function (id) {
      var el = document.getElementById(id);
      if (!el || shown[id] === parts[id]) return;
      var a = document.activeElement;
      if (a && el.contains(a) && /TEXTAREA|SELECT|INPUT/.test(a.tagName)) { pending[id] = parts[id]; return; }
      var open = [].map.call(el.querySelectorAll("details[open]"), function (d) { return d.id; });
      if (el.matches("details[open]")) open.push(el.id);
      el.outerHTML = parts[id];
      shown[id] = parts[id];
      open.forEach(function (o) { var d = document.getElementById(o); if (d) d.open = true; });
    });
    markQueued();
  }
  document.addEventListener("focusout", function () {
    setTimeout(function () { var p = pending; pending = {}; apply(p); }, 0);
  });

  function refresh() {
    if (!refreshing) {
      refreshing = fetch("/api/auth/refresh", { method: "POST", credentials: "same-origin" })
        .then(function (r) { return r.ok; }, function () { return false; })
        .then(function (ok) { refreshing = null; return ok; });
    }
    return refreshing;
  }
  setInterval(refresh, 10 * 60 * 1000);

  // send posts one action; it resolves to "ok", "offline", or "failed".
  function send(a, retried) {
    return fetch(a.url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Opsdeck-Parts": "1" },
      body: JSON.stringify(a.body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (r.ok) { apply(j.parts); return "ok"; }
        if (r.status === 401 && !retried) {
          return refresh().then(function (ok) {
            if (ok) return send(a, true);
            say("Your sign-in has ended. Open your link again.");
            return "failed";
          });
        }
        say((a.queued ? "Not done while you were offline (" + a.label + "): " : "") + (j.message || a.label + " failed: " + r.statusText));
        if (j.parts) apply(j.parts);
        return "failed";
      });
    }, function () { return "offline"; });
  }

  function queue() { try { return JSON.parse(localStorage.getItem(qKey)) || []; } catch (e) { return []; } }
  function save(q) { localStorage.setItem(qKey, JSON.stringify(q)); markQueued(); }
  function markQueued() {
    var q = queue(), ids = {};
    q.forEach(function (a) { ids["i" + a.item] = 1; });
    [].forEach.call(document.querySelectorAll("li[id]"), function (li) { li.classList.toggle("queued", !!ids[li.id]); });
    var n = document.getElementById("offline");
    if (!q.length) { if (n) n.remove(); return; }
    if (!n) { n = document.createElement("p"); n.id = "offline"; n.className = "info"; msg.prepend(n); }
    n.textContent = "No signal: " + q.length + (q.length === 1 ? " action" : " actions") + " kept on this phone, sent when the connection returns.";
  }

  var replaying = false;
  function replay() {
    var q = queue();
    if (replaying || !q.length || !navigator.onLine) return;
    replaying = true;
    (function next() {
      var q = queue();
      if (!q.length) { replaying = false; markQueued(); return; }
      send(q[0]).then(function (res) {
        if (res === "offline") { replaying = false; return; }
        save(queue().slice(1));
        next();
      });
    })();
  }
  window.addEventListener("online", replay);
  setInterval(replay, 5000);

  document.addEventListener("submit", function (e) {
    var f = e.target, m = /^\/e\/\d+(\/.*)$/.exec(f.getAttribute("action") || "");
    if (!m) return;
    e.preventDefault();
    var data = {}, li = f.closest("li"), t = li && li.querySelector(".t");
    new FormData(f).forEach(function (v, k) { data[k] = k === "person_id" ? Number(v) : v; });
    var a = {
      url: "/api" + m[1], body: data, item: li ? li.id.slice(1) : "",
      label: m[1].split("/").pop() + (t ? " “" + t.textContent.trim() + "”" : "")
    };
    var b = f.querySelector("button");
    if (b) b.disabled = true;
    var go = navigator.onLine && !queue().length ? send(a) : Promise.resolve("offline");
    go.then(function (res) {
      if (b) b.disabled = false;
      if (res === "offline") { a.queued = true; var q = queue(); q.push(a); save(q); replay(); }
    });
  });

  function connect() {
    if (es) es.close();
    es = new EventSource("/api/events/" + ev + "/stream?v=" + body.dataset.v);
    es.addEventListener("change", function (m) {
      var j = JSON.parse(m.data);
      body.dataset.v = j.v;
      apply(j.parts);
    });
    // The server ends the stream of a revoked sign-in with this; the
    // browser must not reconnect.
    es.addEventListener("signedout", function (m) {
      es.close();
      say(JSON.parse(m.data).message);
    });
    es.onopen = function () { retryIn = 1000; replay(); };
    es.onerror = function () {
      if (es.readyState !== 2) return; // the browser reconnects by itself
      // Refused (the server's stream cap, a sign-in that no longer
      // works) or unreachable: try again later each time, up to a
      // minute, so a full server is not asked every second by every page.
      var wait = retryIn;
      retryIn = Math.min(retryIn * 2, 60000);
      refresh().then(function () { setTimeout(connect, wait); });
    };
  }
  var retryIn = 1000;
  connect();

  // span words a time ms milliseconds off by portfolio.Span's rules
  // (portfolio/when.go), and countdown picks the milestone as the server's
  // countdown (web/view.go) does; TestBrowserCountdownAgrees holds both
  // to the server's.
  function span(ms) {
    var m = Math.trunc(ms / 60000), a = Math.abs(m), d = Math.floor(a / 1440), h = Math.floor(a % 1440 / 60), mi = a % 60;
    var days = d + (d === 1 ? " day" : " days");
    if (!a) return "now";
    if (m < 0) return (d ? days : h ? h + " h" : mi + " min") + " ago";
    return "in " + (d ? days + (h ? " " + h + " h" : "") : h ? h + " h" + (mi ? " " + mi + " min" : "") : mi + " min");
  }
  var cd = document.getElementById("cd");
  function countdown(now) {
    var ms = cd.dataset.ms.split(" ").map(Number), names = cd.dataset.labels.split("|");
    for (var i = 0; i < ms.length; i++) {
      if (ms[i] - now > -60000) return names[i] + " " + span(ms[i] - now);
    }
    return "Finished " + span(ms[ms.length - 1] - now);
  }
  window.odSpan = span;
  window.odCountdown = countdown;
  function tick() { cd.textContent = countdown(Date.now()); }
  tick();
  setInterval(tick, 1000);
  markQueued();
})();
