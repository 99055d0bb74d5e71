/* Export buttons under each table: ask the server for the table as CSV or Excel, for the team
   or for sharing (small-number rule). The server recomputes it for the signed-in user from the
   address shown, checks it like the page, and records the export (callbacks/export.py). */
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".export-table") : null;
    if (!button) { return; }
    var query = new URLSearchParams({
      path: window.location.pathname,
      search: window.location.search,
      table: button.getAttribute("data-table"),
      format: button.getAttribute("data-format"),
      audience: button.getAttribute("data-audience")
    });
    var link = document.createElement("a");
    link.href = "/export?" + query.toString();
    document.body.appendChild(link);
    link.click();
    link.remove();
  });
})();
