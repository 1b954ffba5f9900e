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
