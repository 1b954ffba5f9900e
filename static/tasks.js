/* Sending work for a practical task from a phone on a weak signal.
 *
 * Without this script the form is a plain multipart post. With it: the photos chosen are shown
 * before sending, the upload shows its progress, the text is kept as a draft in localStorage
 * (so a reload or a dropped connection loses nothing), and when the connection drops the photos
 * stay chosen so the trainee can press "send" again when the signal is back.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-send-work]");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }

  var key = "cunke-draft-" + form.getAttribute("data-draft-key");
  var text = form.querySelector("textarea[name=text]");
  var link = form.querySelector("input[name=link]");
  var photos = form.querySelector("input[name=photos]");
  var previews = form.querySelector("[data-previews]");
  var bar = form.querySelector("[data-progress]");
  var status = form.querySelector("[data-status]");
  var button = form.querySelector("button[type=submit]");

  function store() {
    try {
      localStorage.setItem(key, JSON.stringify({ text: text ? text.value : "", link: link ? link.value : "" }));
    } catch (ignored) { /* private mode or full storage: the form still works */ }
  }
  function restore() {
    try {
      var draft = JSON.parse(localStorage.getItem(key) || "null");
      if (!draft) { return; }
      if (text && !text.value && draft.text) { text.value = draft.text; }
      if (link && !link.value && draft.link) { link.value = draft.link; }
    } catch (ignored) { /* a broken draft is forgotten */ }
  }
  restore();
  if (text) { text.addEventListener("input", store); }
  if (link) { link.addEventListener("input", store); }

  if (photos && previews && window.URL && URL.createObjectURL) {
    photos.addEventListener("change", function () {
      previews.textContent = "";
      Array.prototype.forEach.call(photos.files, function (file) {
        var item = document.createElement("li");
        var img = document.createElement("img");
        img.alt = file.name;
        img.src = URL.createObjectURL(file);
        img.onload = function () { URL.revokeObjectURL(img.src); };
        item.appendChild(img);
        previews.appendChild(item);
      });
    });
  }

  function say(words, failed) {
    status.textContent = words;
    status.classList.toggle("field-error", !!failed);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    store();
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", function (progress) {
      if (!progress.lengthComputable) { return; }
      var percent = Math.round(100 * progress.loaded / progress.total);
      bar.hidden = false;
      bar.value = percent;
      say(status.getAttribute("data-sending").replace("{p}", percent));
    });
    function failed() {
      button.disabled = false;
      bar.hidden = true;
      say(status.getAttribute("data-failed"), true);  // the photos stay chosen, the text stays typed
    }
    request.addEventListener("error", failed);
    request.addEventListener("abort", failed);
    request.addEventListener("timeout", failed);
    request.addEventListener("load", function () {
      var answer = {};
      try { answer = JSON.parse(request.responseText); } catch (ignored) { answer = {}; }
      if (request.status === 200 && answer.redirect) {
        try { localStorage.removeItem(key); } catch (ignored) { /* nothing kept */ }
        window.location.assign(answer.redirect);
        return;
      }
      if (request.status === 422 && answer.errors) {
        button.disabled = false;
        bar.hidden = true;
        var messages = Object.keys(answer.errors).map(function (field) { return answer.errors[field]; });
        say(messages.join(" "), true);
        return;
      }
      failed();
    });
    button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    request.send(new FormData(form));
  });
}());
