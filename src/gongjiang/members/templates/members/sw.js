/* Service worker of the phone home ({{ version }}): the shell (offline page, script, icon) is cached
   at install; pages always come from the network and, without one, the offline page answers.
   Personal pages are never stored on the phone (a shared or lost phone keeps nothing). */
"use strict";
var CACHE = "gj-members-{{ version }}";
var SHELL = {{ shell|safe }};
var OFFLINE = "{{ offline_url|escapejs }}";
self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("gj-members-") === 0 && k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate") {
    event.respondWith(fetch(req).catch(function () { return caches.match(OFFLINE); }));
    return;
  }
  if (SHELL.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(req).then(function (hit) { return hit || fetch(req); }));
  }
});
