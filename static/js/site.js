/* Small enhancements for reader pages; every page works without this file. */
(function () {
  "use strict";

  /* Open the FAQ entry named in the address (#faq-...), on load and on hashchange. */
  function openTargetDetails() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) return;
    var target = document.getElementById(id);
    if (!target) return;
    var details = target.closest("details");
    if (details && !details.open) {
      details.open = true;
      target.scrollIntoView();
    }
  }

  /* Copy each footnote beside the paragraph that cites it; CSS shows these side
     notes on wide screens only, and keeps the numbered list for phones and print. */
  function placeSideNotes() {
    var body = document.querySelector(".explainer__body");
    if (!body) return;
    var refs = body.querySelectorAll("a.footnote-ref");
    var placed = 0;
    refs.forEach(function (ref) {
      var noteId = decodeURIComponent(ref.getAttribute("href").slice(1));
      var note = document.getElementById(noteId);
      var block = ref.closest(".explainer__body > *");
      if (!note || !block || block.classList.contains("footnote")) return;
      var aside = document.createElement("aside");
      aside.className = "sidenote";
      aside.setAttribute("aria-hidden", "true");
      var number = document.createElement("span");
      number.className = "sidenote__number";
      number.textContent = ref.textContent;
      aside.appendChild(number);
      Array.prototype.forEach.call(note.childNodes, function (child) {
        aside.appendChild(child.cloneNode(true));
      });
      aside.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
      aside.querySelectorAll("a.footnote-backref").forEach(function (el) { el.remove(); });
      block.parentNode.insertBefore(aside, block);
      ref.sidenote = aside;
      placed += 1;
    });
    if (placed) {
      body.classList.add("has-sidenotes");
      body.addEventListener("click", highlightSideNote);
    }
  }

  /* On wide screens the side note is already beside the text: point to it instead
     of jumping to the list at the end. */
  function highlightSideNote(event) {
    var ref = event.target.closest("a.footnote-ref");
    if (!ref || !ref.sidenote || ref.sidenote.offsetParent === null) return;
    event.preventDefault();
    ref.sidenote.classList.remove("is-highlighted");
    void ref.sidenote.offsetWidth;
    ref.sidenote.classList.add("is-highlighted");
  }

  function ready() {
    placeSideNotes();
    openTargetDetails();
  }

  window.addEventListener("hashchange", openTargetDetails);
  /* Print every FAQ answer, not only the open ones. */
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (details) {
      details.open = true;
    });
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
