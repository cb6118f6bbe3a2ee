/* Kinerja Kapuas: the little the pages need beyond htmx. The Content Security Policy
   forbids inline scripts (and hx-on, which htmx evaluates), so it lives here. */
(function () {
  "use strict";
  // While htmx swaps a part (the list), say so to screen readers: aria-busy on its target.
  // The new content replaces the target, so only a failed request needs the flag removed.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target) target.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (target) target.removeAttribute("aria-busy");
  });
})();
