// The theme's icons are drawn by its icon font (pydata-sphinx-theme.css). The theme's
// fontawesome.js (1.5 MB) used to redraw them as SVG and hide them from screen readers; the
// course leaves that script out (_templates/layout.html), so the hiding is done here.
document.querySelectorAll('i[class*="fa-"]:not([aria-hidden])').forEach(function (icon) {
  icon.setAttribute("aria-hidden", "true");
});
