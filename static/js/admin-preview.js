// Live preview for Markdown fields in the explainer admin. Each textarea that
// carries data-markdown-preview gets a "Preview" button; the server renders the
// text exactly as saving would (markup.render, sanitized) and returns it as JSON.
(function () {
  "use strict";

  const DELAY_MS = 600;

  function csrfToken(textarea) {
    const form = textarea.form;
    const input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function attach(textarea) {
    const url = textarea.dataset.markdownPreview;
    const tools = document.createElement("div");
    tools.className = "markdown-preview-tools";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = "Preview this field";
    button.setAttribute("aria-expanded", "false");
    const status = document.createElement("span");
    status.className = "markdown-preview-status";
    status.setAttribute("aria-live", "polite");
    const pane = document.createElement("div");
    pane.className = "markdown-preview";
    pane.id = textarea.id + "-preview";
    pane.hidden = true;
    button.setAttribute("aria-controls", pane.id);
    tools.append(button, status);
    textarea.after(tools, pane);

    let timer = null;
    let latest = 0;

    async function render() {
      const ticket = ++latest;
      status.textContent = "Rendering…";
      const body = new FormData();
      body.append("text", textarea.value);
      try {
        const response = await fetch(url, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(textarea) },
        });
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        const data = await response.json();
        if (ticket === latest) {
          // Sanitized on the server by markup.render against the allowlist.
          pane.innerHTML = data.html;
          status.textContent = "";
        }
      } catch (error) {
        if (ticket === latest) {
          status.textContent = "Preview unavailable (" + error.message + ").";
        }
      }
    }

    button.addEventListener("click", function () {
      const opening = pane.hidden;
      pane.hidden = !opening;
      button.setAttribute("aria-expanded", String(opening));
      button.textContent = opening ? "Hide preview" : "Preview this field";
      if (opening) {
        render();
      }
    });

    textarea.addEventListener("input", function () {
      if (pane.hidden) {
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(render, DELAY_MS);
    });
  }

  function init() {
    document.querySelectorAll("textarea[data-markdown-preview]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
