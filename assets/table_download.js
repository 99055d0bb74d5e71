/* "Download CSV" under each table: builds the file from the table shown, in the browser.
   Nothing is fetched: the file holds exactly the figures on the page. */
(function () {
  function cell(text) {
    var value = text.replace(/\s+/g, " ").trim();
    return /[",\n]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".download-csv") : null;
    if (!button) { return; }
    var table = document.getElementById(button.getAttribute("data-table"));
    if (!table) { return; }
    var lines = Array.prototype.map.call(table.querySelectorAll("tr"), function (row) {
      return Array.prototype.map.call(row.querySelectorAll("th, td"), function (c) {
        return cell(c.textContent);
      }).join(",");
    });
    var blob = new Blob([lines.join("\r\n") + "\r\n"], {type: "text/csv;charset=utf-8"});
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = button.getAttribute("data-filename") || "table.csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(link.href);
  });
})();
