// The projector's check-in page: a new QR code and short code every 30 seconds, and the live count.
// Without this script the page still works: the instructor reloads it.
(function () {
  "use strict";
  var box = document.getElementById("checkin-projector");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-state-url");
  var qr = box.querySelector("[data-qr]");
  var code = box.querySelector("[data-code]");
  var count = box.querySelector("[data-count]");
  var COUNT_EVERY = 5000;

  function refresh() {
    return fetch(url, {credentials: "same-origin", cache: "no-store"}).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    }).then(function (state) {
      if (code.textContent !== state.code) {
        qr.innerHTML = state.qr;  // segno's SVG from our own server
        code.textContent = state.code;
      }
      count.textContent = state.count;
      if (state.state !== "open") { window.location.reload(); return null; }
      return state.seconds_left;
    });
  }

  function schedule(secondsLeft) {
    // Wake at the next rotation or the next count, whichever is sooner.
    var wait = Math.min(COUNT_EVERY, Math.max(500, secondsLeft * 1000 + 200));
    window.setTimeout(function () {
      refresh().then(function (left) { if (left !== null) { schedule(left); } },
                     function () { schedule(5); });
    }, wait);
  }

  schedule(parseInt(box.getAttribute("data-seconds-left"), 10) || 30);
}());
