// The menu and the page contents on a phone or tablet. The theme opens each as a modal dialog from
// its toggle button (pydata-sphinx-theme, setupMobileSidebarKeyboardHandlers); the course's layout
// leaves out the theme's second, hidden header (_templates/layout.html), so the buttons a reader
// sees are the ones the theme binds. What this adds:
// - a Close button at the top of each dialog (a touch screen has no Escape key, and the page
//   behind a modal dialog cannot be tapped), which is also where focus goes when it opens;
// - focus back on the button that opened it when it closes (the book theme blurs the button on
//   click, so the theme would otherwise return focus to the page's start).
(function () {
  "use strict";
  const dialogs = [
    [".primary-toggle", "pst-primary-sidebar-modal", "Close the menu"],
    [".secondary-toggle", "pst-secondary-sidebar-modal", "Close the page contents"],
  ];
  dialogs.forEach(function ([toggleSelector, dialogId, label]) {
    const toggle = document.querySelector(toggleSelector);
    const dialog = document.getElementById(dialogId);
    if (!toggle || !dialog) return;
    toggle.setAttribute("aria-haspopup", "dialog");
    let opener = null;
    // Capture phase: runs before the theme's own listeners (its blur, then its opening), while
    // the dialog is still empty, so the button ends up first in it.
    toggle.addEventListener("click", function () {
      if (window.matchMedia("(min-width: 992px)").matches && toggleSelector === ".primary-toggle") {
        return; // on a wide screen this button folds the sidebar away; no dialog
      }
      opener = toggle;
      const close = document.createElement("button");
      close.type = "button";
      close.className = "btn po-dialog-close";
      close.textContent = "Close";
      close.setAttribute("aria-label", label);
      close.addEventListener("click", () => dialog.close());
      dialog.prepend(close);
    }, true);
    dialog.setAttribute("aria-label", toggleSelector === ".primary-toggle" ? "Menu" : "Page contents");
    dialog.addEventListener("close", function () {
      // the theme moves the dialog's content back to the page's sidebar as it closes
      document.querySelectorAll(".po-dialog-close").forEach((button) => button.remove());
      if (opener) opener.focus();
      opener = null;
    });
  });
})();
