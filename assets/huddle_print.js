/* The huddle list's "Print" button (no inline scripts: the content security policy forbids
   them). The print stylesheet in app.css lays the list out one sheet per 25 people. */
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".huddle-print") : null;
    if (button) { window.print(); }
  });
})();
