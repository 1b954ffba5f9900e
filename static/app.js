/* Cunke: progressive enhancement only. Every task works without this file. */
(function () {
  "use strict";

  // Offline reading: the service worker keeps the app shell and every lesson opened.
  if ("serviceWorker" in navigator && document.documentElement.dataset.sw) {
    navigator.serviceWorker.register(document.documentElement.dataset.sw).catch(function () {});
  }

  // Signing out forgets the pages kept for offline reading on this phone.
  document.querySelectorAll("form[data-clears-offline]").forEach(function (form) {
    form.addEventListener("submit", function () {
      if (window.caches) { caches.delete("cunke-pages"); }
    });
  });

  // Ask before something that cannot be taken back (revoking, taking out of a workshop, throwing work away).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });

  // Quizzes need a connection: say so plainly instead of failing silently.
  document.querySelectorAll("form[data-needs-connection]").forEach(function (form) {
    var warning = form.querySelector(".offline-warning");
    function update() { if (warning) { warning.hidden = navigator.onLine; } }
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    update();
    form.addEventListener("submit", function (event) {
      if (!navigator.onLine) {
        event.preventDefault();
        update();
        if (warning) { warning.focus(); }
      }
    });
  });

  // Read aloud, in the lesson's language, only where the phone has such a voice.
  var reader = document.querySelector("[data-read-aloud]");
  var lesson = document.querySelector("[data-speech-lang]");
  if (reader && lesson && "speechSynthesis" in window) {
    var lang = lesson.dataset.speechLang;
    var speaking = false;
    var findVoice = function () {
      var prefix = lang.slice(0, 2).toLowerCase();
      return speechSynthesis.getVoices().filter(function (v) {
        return v.lang && v.lang.replace("_", "-").toLowerCase().indexOf(prefix) === 0;
      })[0];
    };
    var offer = function () { if (findVoice()) { reader.hidden = false; } };
    offer();
    speechSynthesis.addEventListener("voiceschanged", offer);
    reader.addEventListener("click", function () {
      if (speaking) {
        speechSynthesis.cancel();
        return;
      }
      var utterance = new SpeechSynthesisUtterance(lesson.innerText);
      utterance.lang = lang;
      utterance.voice = findVoice() || null;
      utterance.rate = 0.9;
      utterance.onend = utterance.onerror = function () {
        speaking = false;
        reader.textContent = reader.dataset.start;
        reader.setAttribute("aria-pressed", "false");
      };
      speaking = true;
      reader.textContent = reader.dataset.stop;
      reader.setAttribute("aria-pressed", "true");
      speechSynthesis.speak(utterance);
    });
  }

  // Show/hide beside every password field: the button stays hidden where this file does not run.
  document.querySelectorAll("[data-password-toggle]").forEach(function (toggle) {
    var input = document.getElementById(toggle.dataset.passwordToggle);
    if (!input) { return; }
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var showing = input.type === "password";
      input.type = showing ? "text" : "password";
      toggle.textContent = showing ? toggle.dataset.hide : toggle.dataset.show;
      toggle.setAttribute("aria-pressed", showing ? "true" : "false");
    });
  });

  // The offline page: the reader's language, the courses saved on this phone, a way back that needs no signal.
  var offlinePage = document.querySelector("[data-offline-page]");
  if (offlinePage) {
    var chosen = (document.cookie.match(/(?:^|;\s*)lang=([^;]+)/) || [])[1] ||
      ((navigator.languages && navigator.languages[0]) || navigator.language || "");
    var lang = /^zh/i.test(chosen) ? "zh" : "en";
    var sections = offlinePage.querySelectorAll("[data-message-lang]");
    var mine = offlinePage.querySelector('[data-message-lang="' + lang + '"]');
    if (mine) {
      sections.forEach(function (section) { section.hidden = section !== mine; });
      document.documentElement.lang = mine.getAttribute("lang");
      var heading = mine.querySelector("h2");
      if (heading && mine !== sections[0]) {
        var h1 = document.createElement("h1");
        h1.textContent = heading.textContent;
        heading.replaceWith(h1);
        var sub = mine.querySelector("h3");
        if (sub) { var h2 = document.createElement("h2"); h2.textContent = sub.textContent; sub.replaceWith(h2); }
      }
      document.title = mine.querySelector("h1").textContent;
    }
    mine = mine || sections[0];
    var back = mine.querySelector("[data-go-back]");
    if (back && window.history.length > 1) {
      back.addEventListener("click", function (event) { event.preventDefault(); window.history.back(); });
    }
    var list = mine.querySelector("[data-saved-courses]");
    var none = mine.querySelector("[data-no-saved-courses]");
    var showNone = function () { if (none) { none.hidden = false; } };
    if (!window.caches) { showNone(); } else {
      caches.open("cunke-pages").then(function (cache) { return cache.keys(); }).then(function (requests) {
        var courses = requests.filter(function (request) {
          return /^\/courses\/[^/]+\/$/.test(new URL(request.url).pathname);
        });
        if (!courses.length) { showNone(); return; }
        return Promise.all(courses.map(function (request) {
          return caches.match(request).then(function (response) { return response.text(); }).then(function (html) {
            var page = new DOMParser().parseFromString(html, "text/html");
            var title = page.querySelector("h1");
            var item = document.createElement("li");
            var link = document.createElement("a");
            link.href = new URL(request.url).pathname;
            link.textContent = title ? title.textContent.trim() : link.href;
            item.appendChild(link);
            list.appendChild(item);
          });
        }));
      }).catch(showNone);
    }
  }

  // "Save this course for offline": fetch every lesson and picture into the offline store.
  var saver = document.querySelector("[data-save-offline]");
  if (saver && window.caches && "serviceWorker" in navigator) {
    var status = document.querySelector("[data-save-status]");
    saver.hidden = false;
    saver.addEventListener("click", function () {
      saver.disabled = true;
      fetch(saver.dataset.saveOffline, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          return caches.open("cunke-pages").then(function (cache) {
            var done = 0;
            return Promise.all(data.urls.map(function (url) {
              return fetch(url, { credentials: "same-origin" }).then(function (response) {
                if (response.ok) { return cache.put(url, response); }
              }).then(function () {
                done += 1;
                status.textContent = saver.dataset.progress.replace("%(done)s", done).replace("%(total)s", data.urls.length);
              });
            }));
          });
        })
        .then(function () { status.textContent = saver.dataset.done; })
        .catch(function () { status.textContent = saver.dataset.failed; saver.disabled = false; });
    });
  }
})();
