// The phone's queue of check-ins: kept in localStorage until the server has them, sent when the
// connection returns ("online" event) and retried every 30 s. The server ignores a check-in it
// already has (same client_id), so sending twice is harmless. Also registers the service worker
// on the patrol page and stores the pages it needs to open without a signal.
(function () {
  "use strict";
  var KEY = "jd-patrol-check-ins";
  var flushing = null;
  // whose queue this page may send: a shared phone never sends one person's check-ins as another's
  var marker = document.querySelector("[data-queue-user]");
  var USER = marker ? marker.getAttribute("data-queue-user") : null;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return []; }
  }
  function save(items) { localStorage.setItem(KEY, JSON.stringify(items)); render(); }
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) { return decodeURIComponent(m[1]); }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function render() {
    var box = document.querySelector("[data-queue-status]");
    if (!box) { return; }
    var n = load().filter(function (i) { return i.user === USER; }).length;
    box.hidden = n === 0 && !box.querySelector("[data-queue-refused]:not([hidden])");
    box.querySelector("[data-queue-count]").textContent = String(n);
  }

  function emit(name, detail) { document.dispatchEvent(new CustomEvent(name, { detail: detail })); }

  // Send everything queued; resolves with the server's results (or rejects when offline).
  function flush() {
    if (flushing) { return flushing; }
    var items = load().filter(function (i) { return i.user === USER; });
    if (!USER || !items.length) { return Promise.resolve([]); }
    var url = items[0].batchUrl;
    var batch = items.filter(function (i) { return i.batchUrl === url; }).slice(0, 100);
    var body = { check_ins: batch.map(function (i) { return i.data; }) };
    flushing = fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (payload) {
      var done = {};
      payload.results.forEach(function (r) { done[r.client_id] = r; });
      save(load().filter(function (i) { return !done[i.data.client_id]; }));
      var refused = payload.results.filter(function (r) { return r.status === "refused"; });
      var box = document.querySelector("[data-queue-refused]");
      if (box && refused.length) {
        box.hidden = false;
        box.textContent = refused.map(function (r) { return r.error; }).join(" ");
        render();
      }
      emit("patrol-queue-sent", payload.results);
      return payload.results;
    }).finally(function () { flushing = null; });
    return flushing;
  }

  function add(batchUrl, data) {
    data.client_id = data.client_id || uuid();
    var items = load();
    if (!items.some(function (i) { return i.data.client_id === data.client_id; })) {
      items.push({ batchUrl: batchUrl, user: USER, data: data });
      save(items);
    }
    return data.client_id;
  }

  window.patrolQueue = { add: add, flush: flush, load: load, uuid: uuid };

  function tryFlush() { flush().catch(function () {}); }
  window.addEventListener("online", tryFlush);
  setInterval(tryFlush, 30000);
  document.addEventListener("DOMContentLoaded", function () {
    render();
    var send = document.querySelector("[data-queue-send]");
    if (send) { send.addEventListener("click", tryFlush); }
    tryFlush();
  });

  // the patrol page: register the service worker and keep what the page needs to open offline
  var page = document.querySelector("[data-patrol-page]");
  if (page && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(page.dataset.swUrl).then(function () {
      if (!window.caches) { return; }
      var urls = [location.pathname, page.dataset.offlineUrl];
      document.querySelectorAll("script[src], link[rel=stylesheet][href]").forEach(function (el) {
        urls.push(el.getAttribute("src") || el.getAttribute("href"));
      });
      return caches.open("jd-patrols-v1").then(function (cache) {
        return Promise.all(urls.map(function (u) {
          return fetch(u, { credentials: "same-origin" }).then(function (r) {
            if (r.ok) { return cache.put(u, r); }
          }).catch(function () {});
        }));
      }).then(function () { page.setAttribute("data-offline-ready", "true"); });
    }).catch(function () {});
  }
})();
