// Image picker enhancement: opened from an explainer's body (window.opener), a
// button inserts the Markdown at the cursor there. Without it, copy and paste.
(function () {
  "use strict";
  var target = null;
  try {
    target = window.opener && window.opener.document.getElementById("id_body");
  } catch (error) {
    target = null;
  }
  document.querySelectorAll(".figure-snippet").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  if (!target) {
    return;
  }
  document.querySelectorAll(".figure-picker__insert").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = "\n\n" + button.dataset.snippet + "\n\n";
      var start = target.selectionStart, end = target.selectionEnd;
      target.value = target.value.slice(0, start) + text + target.value.slice(end);
      target.selectionStart = target.selectionEnd = start + text.length;
      target.dispatchEvent(new Event("input", { bubbles: true }));
      target.focus();
      window.close();
    });
  });
})();
