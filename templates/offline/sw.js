/* Cunke service worker: the app shell and every lesson opened stay readable without signal. */
"use strict";
var SHELL = "cunke-shell-{{ version }}";
var PAGES = "cunke-pages";
var OFFLINE_URL = "{{ url_for('offline.offline_page') }}";
var SHELL_URLS = {{ shell_urls|tojson }};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(SHELL_URLS); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("cunke-shell-") === 0 && name !== SHELL;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(request, response) {
  if (response && response.ok && response.type === "basic") {
    var copy = response.clone();
    caches.open(PAGES).then(function (cache) { cache.put(request, copy); });
  }
  return response;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }

  if (request.method !== "GET") {
    if (url.pathname === "{{ url_for('accounts.logout') }}") { caches.delete(PAGES); }
    if (request.mode === "navigate") {
      // A form sent without signal: explain instead of showing the browser's error.
      event.respondWith(fetch(request).catch(function () {
        return caches.match(OFFLINE_URL + "?sent=0");
      }));
    }
    return;
  }

  if (url.pathname.indexOf("/assets/") === 0 || url.pathname.indexOf("/media/") > 0) {
    // Content-hashed names never change: the cache is always right.
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) { return keep(request, response); });
    }));
    return;
  }

  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      return url.pathname.indexOf("/courses/") === 0 || url.pathname === "/" ? keep(request, response) : response;
    }).catch(function () {
      return caches.match(request).then(function (hit) { return hit || caches.match(OFFLINE_URL); });
    }));
  }
});
