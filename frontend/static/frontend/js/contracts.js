/* 众包 contract page: copy a delivered file's SHA-256 to the clipboard. An enhancement only:
   the full value is also in the code element's title. No inline handlers. */
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) { return; }
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    var label = button.firstChild ? button.firstChild.nodeValue : "";
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy") || "").then(function () {
        if (button.firstChild) { button.firstChild.nodeValue = button.getAttribute("data-copied") || label; }
        button.classList.add("is-copied");
        window.setTimeout(function () {
          if (button.firstChild) { button.firstChild.nodeValue = label; }
          button.classList.remove("is-copied");
        }, 2000);
      });
    });
  });
}());
