// Comments: post without a page reload and drop the new comment into place.
// The forms work as plain HTML posts; this only improves them when it can.
(function () {
  "use strict";

  function showErrors(form, messages) {
    var box = form.querySelector("[data-form-errors]");
    if (!box) return;
    box.textContent = "";
    messages.forEach(function (text) {
      var p = document.createElement("p");
      p.textContent = text;
      box.appendChild(p);
    });
    box.hidden = messages.length === 0;
  }

  function errorTexts(payload) {
    var out = [];
    var errors = (payload && payload.errors) || {};
    Object.keys(errors).forEach(function (field) {
      errors[field].forEach(function (e) { out.push(e.message || String(e)); });
    });
    return out.length ? out : ["Your comment could not be posted. Please try again."];
  }

  function insert(region, form, payload) {
    var holder = document.createElement("div");
    holder.innerHTML = payload.html;
    var item = holder.firstElementChild;
    if (!item) return;
    if (payload.parent) {
      var parent = region.querySelector("#comment-" + payload.parent);
      if (!parent) return;
      var replies = parent.querySelector("[data-comment-replies]");
      if (!replies) {
        replies = document.createElement("ol");
        replies.className = "comment-replies";
        replies.setAttribute("data-comment-replies", "");
        parent.appendChild(replies);
      }
      replies.appendChild(item);
      var details = form.closest("details");
      if (details) details.open = false;
    } else {
      var list = region.querySelector("[data-comment-list]");
      if (!list) {
        list = document.createElement("ol");
        list.className = "comment-list";
        list.setAttribute("data-comment-list", "");
        var empty = region.querySelector("[data-comments-empty]");
        if (empty) empty.replaceWith(list); else region.appendChild(list);
      }
      list.appendChild(item);
    }
    if (payload.status === "published") {
      var count = region.querySelector("[data-comment-count]");
      if (count) count.textContent = String(parseInt(count.textContent, 10) + 1);
    }
    item.setAttribute("tabindex", "-1");
    item.focus();
  }

  function enhance(region) {
    region.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches("[data-comment-form]") || !window.fetch) return;
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (payload) {
            return { ok: response.ok, payload: payload };
          });
        })
        .then(function (result) {
          if (!result.ok) {
            showErrors(form, errorTexts(result.payload));
            return;
          }
          showErrors(form, []);
          form.reset();
          insert(region, form, result.payload);
        })
        .catch(function () {
          // Fall back to an ordinary post if the enhanced one fails.
          form.submit();
        })
        .finally(function () {
          if (button) button.disabled = false;
        });
    });
  }

  document.querySelectorAll("[data-comments]").forEach(enhance);
})();
