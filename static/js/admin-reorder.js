// Up/down buttons for ordered inlines (key facts, quick answers, FAQ). Moving a
// row renumbers every row's position field in screen order; the server saves the
// rows in the order of those numbers. Without JavaScript the numbers can be typed.
(function () {
  "use strict";

  const POSITION = "td.field-position input";

  function rowsOf(tbody) {
    return Array.from(tbody.querySelectorAll(":scope > tr.form-row:not(.empty-form)"));
  }

  function formIndex(row) {
    const number = parseInt(row.id.split("-").pop(), 10);
    return Number.isNaN(number) ? Infinity : number;
  }

  function positionOf(row) {
    const input = row.querySelector(POSITION);
    const value = input ? parseInt(input.value, 10) : NaN;
    return Number.isNaN(value) ? Infinity : value;
  }

  function place(tbody, rows) {
    const before = tbody.querySelector(":scope > tr.empty-form");
    rows.forEach(function (row) {
      tbody.insertBefore(row, before);
    });
  }

  function renumber(tbody) {
    rowsOf(tbody).forEach(function (row, index) {
      const input = row.querySelector(POSITION);
      if (input) {
        input.value = String(index);
      }
    });
  }

  function addButtons(row) {
    const cell = row.querySelector("td.field-position");
    if (!cell || cell.querySelector(".admin-reorder-buttons")) {
      return;
    }
    const box = document.createElement("span");
    box.className = "admin-reorder-buttons";
    [
      ["up", "↑", "Move up"],
      ["down", "↓", "Move down"],
    ].forEach(function (spec) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.move = spec[0];
      button.textContent = spec[1];
      button.title = spec[2];
      button.setAttribute("aria-label", spec[2]);
      box.append(button);
    });
    cell.append(box);
  }

  function move(button) {
    const row = button.closest("tr.form-row");
    const tbody = row && row.parentElement;
    if (!tbody || row.classList.contains("empty-form")) {
      return;
    }
    const rows = rowsOf(tbody);
    const at = rows.indexOf(row);
    const to = button.dataset.move === "up" ? at - 1 : at + 1;
    if (to < 0 || to >= rows.length) {
      return;
    }
    if (to < at) {
      tbody.insertBefore(row, rows[to]);
    } else {
      tbody.insertBefore(rows[to], row);
    }
    renumber(tbody);
    button.focus();
  }

  function init() {
    // The empty template row gets buttons too, so "Add another" copies them.
    document.querySelectorAll(POSITION).forEach(function (input) {
      addButtons(input.closest("tr"));
    });
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest(".admin-reorder-buttons button");
    if (button) {
      event.preventDefault();
      move(button);
      return;
    }
    // Django's inline script renumbers form names in screen order when a new row
    // is removed; put rows back in form order first so the names stay right.
    const remove = event.target.closest("a.inline-deletelink");
    const tbody = remove && remove.closest("tbody");
    if (tbody && tbody.querySelector(POSITION)) {
      place(tbody, rowsOf(tbody).sort(function (a, b) {
        return formIndex(a) - formIndex(b);
      }));
    }
  }, true);

  document.addEventListener("formset:removed", function (event) {
    const group = document.getElementById(event.detail.formsetName + "-group");
    const tbody = group && group.querySelector("tbody");
    if (!tbody || !tbody.querySelector(POSITION)) {
      return;
    }
    const rows = rowsOf(tbody);
    place(tbody, rows.slice().sort(function (a, b) {
      return positionOf(a) - positionOf(b) || formIndex(a) - formIndex(b);
    }));
    renumber(tbody);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
