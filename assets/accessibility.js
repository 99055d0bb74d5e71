/* Accessibility repairs to Dash's own date range and dropdown components, which the app cannot
   make through their props (docs/accessibility.md). Applied to every one drawn, now or later:
   - the date range's wrapper carries aria-expanded but no role: it becomes a group (of the two
     date inputs), named by the field's visible label;
   - a dropdown's button is named by its value only: its visible label is put first;
   - a dropdown's hidden focus target (which takes Tab and hands focus to the button) leaves the
     Tab order while the button has focus, however it got it: otherwise, once the list has been
     used, Shift+Tab from the button stops on that invisible input and the next Tab skips the
     dropdown. The dropdown puts it back in the Tab order when the button loses focus. */
(function () {
  function nameByLabel(element, labelFor) {
    var label = document.querySelector('label[for="' + labelFor + '"]');
    var names = element.getAttribute("aria-labelledby") || "";
    if (!label) { return; }
    if (!label.id) { label.id = labelFor + "-label"; }
    if (names.split(" ").indexOf(label.id) < 0) {
      element.setAttribute("aria-labelledby", (label.id + " " + names).trim());
    }
  }
  function repair() {
    document.querySelectorAll(".dash-datepicker-input-wrapper[id$='-wrapper']").forEach(
      function (wrapper) {
        if (!wrapper.hasAttribute("role")) { wrapper.setAttribute("role", "group"); }
        nameByLabel(wrapper, wrapper.id.slice(0, -"-wrapper".length));
      });
    document.querySelectorAll("button.dash-dropdown[id]").forEach(function (button) {
      nameByLabel(button, button.id);
    });
  }
  new MutationObserver(repair).observe(document.documentElement,
                                       {childList: true, subtree: true});
  document.addEventListener("focusin", function (event) {
    var target = event.target.matches && event.target.matches("button.dash-dropdown")
      ? event.target.previousElementSibling : null;
    if (target && target.classList.contains("dash-dropdown-focus-target")) {
      target.tabIndex = -1;
    }
  });
})();
