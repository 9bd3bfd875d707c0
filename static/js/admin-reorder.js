// Reordering the annotation cards (key facts, quick answers, FAQ): drag a card by
// its handle, or use its up/down buttons (keyboard too). Every move renumbers each
// card's position field in screen order; the server saves the cards in the order
// of those numbers. Without JavaScript the numbers can be typed.
(function () {
  "use strict";

  const GROUP = ".inline-group:has(fieldset.ordered-cards)";
  const CARD = ":scope > fieldset > .inline-related:not(.empty-form)";
  const POSITION = "input[name$='-position']";

  function cardsOf(group) {
    return Array.from(group.querySelectorAll(CARD));
  }

  function formIndex(card) {
    const number = parseInt(card.id.split("-").pop(), 10);
    return Number.isNaN(number) ? Infinity : number;
  }

  function positionOf(card) {
    const input = card.querySelector(POSITION);
    const value = input ? parseInt(input.value, 10) : NaN;
    return Number.isNaN(value) ? Infinity : value;
  }

  function place(group, cards) {
    const before = group.querySelector(".inline-related.empty-form");
    cards.forEach(function (card) {
      before.parentElement.insertBefore(card, before);
    });
  }

  function renumber(group) {
    cardsOf(group).forEach(function (card, index) {
      const input = card.querySelector(POSITION);
      if (input) {
        input.value = String(index);
      }
    });
  }

  function button(move, text, label) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "card-move";
    element.dataset.move = move;
    element.textContent = text;
    element.title = label;
    element.setAttribute("aria-label", label);
    return element;
  }

  function addTools(card) {
    const heading = card.querySelector(":scope > h3");
    if (!heading || heading.querySelector(".card-tools")) {
      return;
    }
    const tools = document.createElement("span");
    tools.className = "card-tools";
    // A mouse handle only: keyboards use the buttons beside it.
    const handle = document.createElement("span");
    handle.className = "card-handle";
    handle.textContent = "⠿";
    handle.title = "Drag to reorder";
    handle.setAttribute("aria-hidden", "true");
    tools.append(handle, button("up", "↑", "Move up"), button("down", "↓", "Move down"));
    heading.prepend(tools);
    // The card's header is what a mouse drags; its fields stay selectable.
    heading.setAttribute("draggable", "true");
  }

  function move(control) {
    const card = control.closest(".inline-related");
    const group = card && card.closest(GROUP);
    if (!group || card.classList.contains("empty-form")) {
      return;
    }
    const cards = cardsOf(group);
    const at = cards.indexOf(card);
    const to = control.dataset.move === "up" ? at - 1 : at + 1;
    if (to < 0 || to >= cards.length) {
      return;
    }
    if (to < at) {
      card.parentElement.insertBefore(card, cards[to]);
    } else {
      card.parentElement.insertBefore(cards[to], card);
    }
    renumber(group);
    control.focus();
  }

  // Drag and drop: by the card's header (its handle shows where).
  let dragged = null;

  document.addEventListener("dragstart", function (event) {
    const heading = event.target.closest && event.target.closest("h3[draggable=true]");
    const card = heading && heading.closest(".inline-related");
    if (!card || !card.closest(GROUP)) {
      return;
    }
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
  });

  document.addEventListener("dragover", function (event) {
    const target = dragged && event.target.closest(".inline-related:not(.empty-form)");
    if (!target || target === dragged || target.parentElement !== dragged.parentElement) {
      return;
    }
    event.preventDefault();
    const box = target.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    target.parentElement.insertBefore(dragged, after ? target.nextSibling : target);
  });

  document.addEventListener("dragend", function () {
    if (!dragged) {
      return;
    }
    const group = dragged.closest(GROUP);
    dragged.classList.remove("is-dragging");
    dragged = null;
    if (group) {
      renumber(group);
    }
  });

  document.addEventListener("click", function (event) {
    const control = event.target.closest(".card-move");
    if (control) {
      event.preventDefault();
      move(control);
      return;
    }
    // Django's inline script renumbers form names in screen order when a new card
    // is removed; put cards back in form order first so the names stay right.
    const remove = event.target.closest("a.inline-deletelink");
    const group = remove && remove.closest(GROUP);
    if (group) {
      place(group, cardsOf(group).sort(function (a, b) {
        return formIndex(a) - formIndex(b);
      }));
    }
  }, true);

  document.addEventListener("formset:added", function (event) {
    const card = event.target;
    if (card && card.closest && card.closest(GROUP)) {
      addTools(card);
      renumber(card.closest(GROUP));
    }
  });

  document.addEventListener("formset:removed", function (event) {
    const group = document.getElementById(event.detail.formsetName + "-group");
    if (!group || !group.matches(GROUP)) {
      return;
    }
    place(group, cardsOf(group).sort(function (a, b) {
      return positionOf(a) - positionOf(b) || formIndex(a) - formIndex(b);
    }));
    renumber(group);
  });

  function init() {
    document.querySelectorAll(GROUP).forEach(function (group) {
      // A working copy's new cards come after its saved ones: show them in order.
      place(group, cardsOf(group).sort(function (a, b) {
        return positionOf(a) - positionOf(b) || formIndex(a) - formIndex(b);
      }));
      cardsOf(group).forEach(addTools);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
