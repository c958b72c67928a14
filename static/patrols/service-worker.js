// Service worker of the patrol pages (scope __SCOPE__): pages come from the network when there is a
// signal and from the cache when there is none; a check-in page never seen before falls back to
// the offline check-in page, which keeps the check-in on the phone. Static files: cache first.
"use strict";
var CACHE = "jd-patrols-v1";
var OFFLINE = "__OFFLINE__";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.add(OFFLINE); }).catch(function () {}).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && url.pathname.indexOf("/check-in/") === -1) {
        var copy = response.clone();
        caches.open(CACHE).then(function (c) { c.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname).then(function (hit) {
        if (hit) { return hit; }
        if (url.pathname.indexOf("/check-in/") !== -1) { return caches.match(OFFLINE); }
        return Response.error();
      });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(url.pathname).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) { var copy = response.clone(); caches.open(CACHE).then(function (c) { c.put(url.pathname, copy); }); }
        return response;
      });
    }));
  }
});
