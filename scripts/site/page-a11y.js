// Makes every <pre> and wide table Redoc draws reachable by keyboard (a scrollable region must be
// focusable) and names it; Redoc re-renders a panel on every tab change, hence the observer.
// A sidebar item is named by its visible text: Redoc's aria-label leaves out what an open item shows.
// A schema's "One of" choices get data-choice, read from Redoc's own colours (white text: selected),
// so that page.css can draw them for the dark theme.
new MutationObserver(function () {
  document.querySelectorAll("#redoc pre:not([tabindex])").forEach(function (pre) {
    pre.setAttribute("tabindex", "0");
    pre.setAttribute("role", "region");
    pre.setAttribute("aria-label", "Code");
  });
  document.querySelectorAll("#redoc .redoc-markdown table:not([tabindex])").forEach(function (table) {
    table.setAttribute("tabindex", "0");
  });
  document.querySelectorAll('#redoc li[role="menuitem"][aria-label]').forEach(function (item) {
    item.removeAttribute("aria-label");
  });
  document.querySelectorAll("#redoc span + div > button").forEach(function (button) {
    button.removeAttribute("data-choice");
    var selected = getComputedStyle(button).color === "rgb(255, 255, 255)";
    button.setAttribute("data-choice", selected ? "selected" : "other");
  });
}).observe(document.getElementById("redoc"), {
  childList: true,
  subtree: true,
  attributes: true,
  attributeFilter: ["aria-label", "class"],
});
