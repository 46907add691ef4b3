// Loaded on widget pages before the widget manager (see nb_ipywidgets_js in _config.yml).
// Points RequireJS at this site's own copies of the widget modules, so a page never asks a
// CDN for anything and works offline, from a server or from file://.
(function () {
  var vendor = document.currentScript.src.replace(/[^/]*$/, "") + "vendor/";
  window.require.config({
    paths: {
      // The widget manager asks for its icon fonts at @jupyter-widgets/html-manager/dist/.
      "@jupyter-widgets": vendor + "jupyter-widgets",
      anywidget: vendor + "anywidget/index",
    },
  });
})();
