// Makes every <pre> and wide table Redoc draws reachable by keyboard (a scrollable region must be
// focusable) and names it; Redoc re-renders a panel on every tab change, hence the observer.
new MutationObserver(function () {
  document.querySelectorAll("#redoc pre:not([tabindex])").forEach(function (pre) {
    pre.setAttribute("tabindex", "0");
    pre.setAttribute("role", "region");
    pre.setAttribute("aria-label", "Code");
  });
  document.querySelectorAll("#redoc .redoc-markdown table:not([tabindex])").forEach(function (table) {
    table.setAttribute("tabindex", "0");
  });
}).observe(document.getElementById("redoc"), { childList: true, subtree: true });
