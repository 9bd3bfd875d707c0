// The explainer form's desk (articles/admin/presence.py, articles/admin/article.py):
// - asks before leaving a form with unsaved changes;
// - autosaves the form on the server a few seconds after typing stops;
// - says who else has the explainer open, without a reload;
// - shows a live preview beside the form, as readers will see it, unsaved;
// - names the publish button "Schedule" when the chosen time is still to come.
// Without JavaScript the form still works: Preview posts it, nothing is lost on save.
(function () {
  "use strict";

  const AUTOSAVE_DELAY_MS = 3000;
  const PREVIEW_DELAY_MS = 800;
  const PRESENCE_EVERY_MS = 20000;

  function csrfToken(form) {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function formBody(form) {
    const body = new FormData(form);
    // Files stay out of autosaves and previews: only a real save uploads them.
    for (const [name, value] of Array.from(body.entries())) {
      if (value instanceof File) {
        body.delete(name);
      }
    }
    return body;
  }

  function post(url, form, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(form) },
    });
  }

  function debounce(fn, wait) {
    let timer = null;
    return function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fn, wait);
    };
  }

  function init() {
    const desk = document.getElementById("desk");
    const form = desk && desk.closest("form");
    if (!form) {
      return;
    }
    const data = desk.dataset;
    let dirty = false;
    let submitting = false;

    // Leaving with unsaved changes asks first.
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    form.addEventListener("submit", function () {
      submitting = true;
    });

    // Autosave.
    const autosaveStatus = document.getElementById("desk-autosave-status");
    const autosave = debounce(async function () {
      try {
        const response = await post(data.autosaveUrl, form, formBody(form));
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        const saved = await response.json();
        if (autosaveStatus) {
          const time = new Date(saved.saved_at).toLocaleTimeString();
          autosaveStatus.textContent = "Autosaved at " + time + ".";
        }
      } catch (error) {
        if (autosaveStatus) {
          autosaveStatus.textContent = "Autosave failed (" + error.message + "); keep this tab open.";
        }
      }
    }, AUTOSAVE_DELAY_MS);

    // Live preview.
    const panel = document.getElementById("desk-preview");
    let frame = null;
    if (panel) {
      frame = document.createElement("iframe");
      frame.id = "desk-preview-frame";
      frame.title = panel.dataset.frameTitle;
      // The reader page's styles, none of its scripts.
      frame.setAttribute("sandbox", "allow-same-origin");
      panel.append(frame);
    }
    const toggle = document.getElementById("desk-preview-toggle");
    let latest = 0;
    async function renderPreview() {
      if (!panel || panel.hidden) {
        return;
      }
      const ticket = ++latest;
      try {
        const response = await post(data.previewUrl, form, formBody(form));
        const html = await response.text();
        if (ticket === latest) {
          frame.srcdoc = html;
        }
      } catch (error) {
        // The next keystroke tries again.
      }
    }
    const preview = debounce(renderPreview, PREVIEW_DELAY_MS);
    if (toggle && panel) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        panel.hidden = !panel.hidden;
        toggle.setAttribute("aria-expanded", String(!panel.hidden));
        document.body.classList.toggle("desk-previewing", !panel.hidden);
        renderPreview();
      });
    }

    function changed() {
      dirty = true;
      autosave();
      preview();
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);

    // "Schedule" when the chosen time is in the future.
    const publish = form.querySelector("button[name=_action][value=publish]");
    const date = form.querySelector("#id_publish_at_0");
    const time = form.querySelector("#id_publish_at_1");
    function label() {
      if (!publish || !date) {
        return;
      }
      const when = new Date((date.value || "") + "T" + ((time && time.value) || "00:00"));
      const later = date.value && !Number.isNaN(when.getTime()) && when > new Date();
      publish.textContent = later ? publish.dataset.scheduleLabel : publish.dataset.publishLabel;
    }
    if (date) {
      date.addEventListener("change", label);
      date.addEventListener("input", label);
      if (time) {
        time.addEventListener("change", label);
        time.addEventListener("input", label);
      }
      label();
    }

    // Who else has it open.
    const presence = document.getElementById("desk-presence");
    async function ping() {
      if (!data.presenceUrl || !presence) {
        return;
      }
      try {
        const response = await post(data.presenceUrl, form, new FormData());
        const others = (await response.json()).others;
        presence.replaceChildren();
        others.forEach(function (line) {
          const item = document.createElement("li");
          item.textContent = line;
          presence.append(item);
        });
        presence.hidden = others.length === 0;
      } catch (error) {
        // Shown again on the next ping.
      }
    }
    if (data.article) {
      window.setInterval(ping, PRESENCE_EVERY_MS);
      // Coming back to the tab: say so, and see who came meanwhile.
      window.addEventListener("focus", ping);
    }
  }

  // A small toolbar over the body for the common Markdown marks.
  const MARKS = [
    ["Heading", "## ", "", "Section heading"],
    ["B", "**", "**", "Bold"],
    ["I", "*", "*", "Italic"],
    ["Link", "[", "](https://)", "Link"],
    ["List", "- ", "", "Bulleted list"],
    ["Quote", "> ", "", "Quotation"],
    ["Note", "[^1]", "", "Footnote mark"],
  ];

  function wrap(textarea, before, after) {
    const start = textarea.selectionStart;
    const end = textarea.selectionEnd;
    const chosen = textarea.value.slice(start, end);
    textarea.setRangeText(before + chosen + after, start, end, "end");
    if (!chosen) {
      textarea.selectionStart = textarea.selectionEnd = start + before.length;
    }
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function addToolbar(textarea) {
    const bar = document.createElement("div");
    bar.className = "markdown-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Markdown");
    bar.setAttribute("aria-controls", textarea.id);
    MARKS.forEach(function (mark) {
      const control = document.createElement("button");
      control.type = "button";
      control.textContent = mark[0];
      control.title = mark[3];
      control.setAttribute("aria-label", mark[3]);
      control.addEventListener("click", function () {
        wrap(textarea, mark[1], mark[2]);
      });
      bar.append(control);
    });
    textarea.before(bar);
  }

  // The admin's autocomplete boxes (authors, topics) are drawn by select2, whose
  // inputs carry no label: give them their field's.
  function labelAutocompletes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      const label = document.querySelector("label[for='" + select.id + "']");
      const box = select.nextElementSibling;
      if (!label || !box) {
        return;
      }
      const name = label.textContent.replace(/:\s*$/, "").trim();
      box.querySelectorAll("[role=combobox], .select2-search__field, textarea, input").forEach(
        function (element) {
          element.setAttribute("aria-label", name);
        }
      );
    });
  }

  function start() {
    document.querySelectorAll("textarea[data-markdown-toolbar]").forEach(addToolbar);
    init();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  window.addEventListener("load", labelAutocompletes);
  document.addEventListener("focusin", function (event) {
    if (event.target.closest && event.target.closest(".select2")) {
      labelAutocompletes();
    }
  });
})();
