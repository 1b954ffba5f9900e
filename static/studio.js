/* Course studio: small conveniences only. Every task works without this file. */
(function () {
  "use strict";

  // A problem's "file:line" link also puts the cursor on that line of the editor.
  var editor = document.querySelector("textarea[data-editor]");
  if (editor) {
    document.querySelectorAll("a[data-line]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var wanted = parseInt(link.dataset.line, 10);
        var lines = editor.value.split("\n");
        if (!(wanted >= 1 && wanted <= lines.length)) { return; }
        event.preventDefault();
        var start = 0;
        for (var i = 0; i < wanted - 1; i += 1) { start += lines[i].length + 1; }
        editor.focus();
        editor.setSelectionRange(start, start + lines[wanted - 1].length);
        var lineHeight = parseFloat(window.getComputedStyle(editor).lineHeight) || 20;
        editor.scrollTop = Math.max(0, (wanted - 3) * lineHeight);
        editor.scrollIntoView({ block: "center" });
      });
    });
  }
})();
