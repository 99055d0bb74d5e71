/* StaticHtml (layouts/static_html.py): a part of a page that never changes once drawn, such as
   a table's rows, sent as one Dash component and drawn here straight with React.

   Dash's renderer does work for every component it is sent (its layout paths, props and
   callbacks), and from a few thousand components that work is most of a page's time in the
   browser. Rows of plain cells need none of it. Their content arrives as the JSON Dash would
   send for html components ({type: "Td", props: {children, className, ...}}), and is drawn
   as the same elements, or as rows of strings ([["header", "cell", ...], ...]), each drawn
   as <tr><th scope="row">header</th><td>cell</td>...</tr>.

   Only table and text elements, and only inert attributes, are drawn: no links, no styles, no
   event handlers, no raw HTML. Text is React's text, so it is escaped. */
(function () {
  var React = window.React;
  function named(names) {  // a set with nothing inherited ("constructor" is not in it)
    var set = Object.create(null);
    names.forEach(function (name) { set[name] = true; });
    return set;
  }
  var TAGS = named(["Table", "Caption", "Thead", "Tbody", "Tfoot", "Tr", "Th", "Td", "Div",
                    "Span", "Strong", "Em", "B", "Small", "Abbr", "P", "Br", "Time"]);
  var ATTRIBUTES = named(["id", "className", "scope", "colSpan", "rowSpan", "headers", "title",
                          "role", "abbr", "dateTime"]);

  function attributes(props) {
    var kept = {};
    Object.keys(props || {}).forEach(function (name) {
      if (ATTRIBUTES[name] || name.indexOf("data-") === 0 || name.indexOf("aria-") === 0) {
        kept[name] = props[name];
      }
    });
    return kept;
  }

  function draw(content, key) {
    if (content === null || content === undefined || typeof content === "boolean") {
      return null;
    }
    if (typeof content === "string" || typeof content === "number") { return content; }
    if (Array.isArray(content)) {
      return content.map(function (part, i) { return draw(part, i); });
    }
    if (!TAGS[content.type] || content.namespace !== "dash_html_components") {
      throw new Error("StaticHtml draws table and text elements only, not " + content.type);
    }
    var props = content.props || {};
    var kept = attributes(props);
    if (key !== undefined) { kept.key = key; }
    return React.createElement(content.type.toLowerCase(), kept, draw(props.children));
  }

  function row(cells, key) {
    return React.createElement("tr", {key: key}, cells.map(function (cell, i) {
      return i === 0 ? React.createElement("th", {key: i, scope: "row"}, String(cell))
                     : React.createElement("td", {key: i}, String(cell));
    }));
  }

  function StaticHtml(props) {
    return React.createElement(React.Fragment, null, draw(props.content),
                               (props.rows || []).map(row));
  }

  window.dashboard_static = {StaticHtml: StaticHtml};
})();
