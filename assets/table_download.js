/* Export buttons under each table: ask the server for the table as CSV or Excel, for the team
   or for sharing (small-number rule). The server recomputes it for the signed-in user from the
   address shown, checks it like the page, and records the export (callbacks/export.py).
   While the file is prepared the group says so (a live region), and a refusal is shown in words. */
(function () {
  function statusOf(group) {
    var status = group.querySelector(".export-status");
    if (!status) {
      status = document.createElement("span");
      status.className = "export-status";
      status.setAttribute("role", "status");
      group.appendChild(status);
    }
    return status;
  }
  function filename(response, fallback) {
    var match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    return match ? match[1] : fallback;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".export-table") : null;
    if (!button || button.getAttribute("aria-busy") === "true") { return; }
    var group = button.closest(".table-exports") || button.parentNode;
    var status = statusOf(group);
    var query = new URLSearchParams({
      path: window.location.pathname,
      search: window.location.search,
      table: button.getAttribute("data-table"),
      format: button.getAttribute("data-format"),
      audience: button.getAttribute("data-audience")
    });
    if (button.getAttribute("data-run")) { query.set("run", button.getAttribute("data-run")); }
    button.setAttribute("aria-busy", "true");
    status.textContent = "Preparing the file…";
    fetch("/export?" + query.toString(), {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) {
          return response.text().then(function (text) { throw new Error(text); });
        }
        return response.blob().then(function (blob) {
          var link = document.createElement("a");
          link.href = URL.createObjectURL(blob);
          link.download = filename(response, "table");
          document.body.appendChild(link);
          link.click();
          link.remove();
          setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
          status.textContent = "Downloaded " + link.download + ".";
        });
      })
      .catch(function (error) {
        status.textContent = "Not exported: " + (error.message || "the server did not answer");
      })
      .then(function () { button.removeAttribute("aria-busy"); });
  });
})();
