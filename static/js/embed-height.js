// The Key Facts card tells the page framing it how tall it is, so the host can size
// the iframe (docs/api.md, "oEmbed and the embed card", has the listener).
(function () {
  "use strict";
  if (window.parent === window) return;
  var card = document.querySelector(".embed-card");
  if (!card) return;

  function post() {
    var height = Math.ceil(card.getBoundingClientRect().height);
    // The height is not secret and the card cannot know its host: any origin.
    window.parent.postMessage(
      { type: "newsroom:embed-height", height: height, slug: card.dataset.slug },
      "*"
    );
  }

  window.addEventListener("load", post);
  if ("ResizeObserver" in window) {
    new ResizeObserver(post).observe(card);
  } else {
    window.addEventListener("resize", post);
  }
  post();
})();
