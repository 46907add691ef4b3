// Shows the course's widgets in the built book, with no kernel and no network.
//
// Every course widget is an anywidget: its whole behaviour is an ES module (the `_esm` of its
// saved state, embedded in the page by the build, once per page: see `shared` below). In
// JupyterLab and Voila, anywidget's own front end runs that module against the live model.
// Here this script runs the same module against a model made from the saved state, offering
// the calls anywidget documents for a model (get, set, on, off, save_changes, send), so a
// widget behaves the same in both places.
//
// Why not the Jupyter widget manager: it is a 3.6 MB bundle (plus RequireJS) that every widget
// page had to download and parse before the first quiz answer could be clicked, to run
// modules that need none of it. Only pages that have widgets carry this script (myst-nb adds it
// to them, nb_ipywidgets_js in _config.yml), written into the page
// (sphinxext.inline_widget_host) as a classic script in the head, so that it runs while the
// page is parsed; text pages carry no widget code at all.
(function () {
  "use strict";
  var STATE_TYPE = "application/vnd.jupyter.widget-state+json";
  var VIEW_TYPE = "application/vnd.jupyter.widget-view+json";

  // A widget model backed by the saved state: changes live in the page and are announced to
  // the module's listeners ("change:<name>" and "change"), as a live model would announce them.
  function StaticModel(state) {
    this._state = Object.assign({}, state);
    this._listeners = {};
  }
  StaticModel.prototype.get = function (name) { return this._state[name]; };
  StaticModel.prototype.set = function (name, value) {
    var before = this._state[name];
    this._state[name] = value;
    if (JSON.stringify(before) !== JSON.stringify(value)) {
      this._emit("change:" + name, value);
      this._emit("change", value);
    }
  };
  StaticModel.prototype.on = function (event, callback) {
    (this._listeners[event] = this._listeners[event] || []).push(callback);
  };
  StaticModel.prototype.off = function (event, callback) {
    if (!event) { this._listeners = {}; return; }
    this._listeners[event] = callback ? (this._listeners[event] || []).filter(function (c) { return c !== callback; }) : [];
  };
  StaticModel.prototype.save_changes = function () { /* no kernel to send the changes to */ };
  StaticModel.prototype.send = function () { /* no kernel to receive a message */ };
  StaticModel.prototype._emit = function (event, value) {
    var self = this;
    (this._listeners[event] || []).slice().forEach(function (callback) { callback(self, value); });
  };

  // A page's build writes each module and CSS text once (peaceops/sphinxext.py,
  // shared_widget_code): a model then names it, SHARED + a digest, and the page registers it in
  // window.peaceopsShared, a module as a function returning its default export, before the first
  // widget that uses it. Such a module runs while the page is parsed; a module kept whole in the
  // state (a workbook's, or one not of the simple form) is imported.
  var SHARED = "peaceops-shared:";
  function isShared(value) { return typeof value === "string" && value.indexOf(SHARED) === 0; }
  function shared(name) {   // what the page registered under a shared name, or undefined
    var registry = window.peaceopsShared || {};
    var key = name.slice(SHARED.length);
    return Object.prototype.hasOwnProperty.call(registry, key) ? registry[key] : undefined;
  }

  var modules = {};   // module (source text or shared name) -> its loaded module (widgets share them)
  var styles = {};    // CSS text -> true once added to the page

  function loadModule(source) {
    if (!modules[source]) {
      var made;
      if (isShared(source)) {
        var factory = shared(source);
        made = typeof factory === "function" ? new Promise(function (resolve) { resolve(factory()); })
          : Promise.reject(new Error("its code is missing from this page"));
      } else {
        // A blob: URL is made in this page from text already in it: not a network request.
        var url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
        made = import(url).then(function (module) { return module.default; });
      }
      modules[source] = made.then(function (widget) {
        return typeof widget === "function" ? widget() : widget;   // anywidget accepts both
      });
    }
    return modules[source];
  }

  function addStyle(value) {
    var css = isShared(value) ? shared(value) : value;
    if (typeof css !== "string" || !css || styles[css]) return;
    styles[css] = true;
    var style = document.createElement("style");
    style.textContent = css;
    document.head.appendChild(style);
  }

  function note(el, text) {
    var p = document.createElement("p");
    p.className = "po-widget-unavailable";
    p.textContent = text;
    el.appendChild(p);
  }

  var saved = {};     // model id -> its saved model, from the widget-state scripts read so far
  var models = {};    // model id -> Promise of {model, widget}, each model initialised once

  function modelFor(id) {
    if (!models[id]) {
      var entry = saved[id];
      if (!entry || entry.model_module !== "anywidget" || typeof entry.state._esm !== "string") {
        return Promise.reject(new Error("this output needs a running Python kernel"));
      }
      var model = new StaticModel(entry.state);
      addStyle(entry.state._css);
      models[id] = loadModule(entry.state._esm).then(function (widget) {
        return Promise.resolve(widget.initialize && widget.initialize({ model: model, experimental: {} }))
          .then(function () { return { model: model, widget: widget }; });
      });
    }
    return models[id];
  }

  function show(script, id) {
    var el = document.createElement("div");
    el.className = "po-widget-view";
    script.parentNode.insertBefore(el, script);
    modelFor(id).then(function (found) {
      return found.widget.render({ model: found.model, el: el, experimental: {} });
    }).catch(function (error) {
      note(el, "This exercise could not be shown here (" + error.message + "). " +
        "Try reloading the page, or open the chapter's workbook in JupyterLab.");
      console.error("static-widgets:", id, error);
    });
  }

  // Each widget's state stands just before its view (sphinxext.state_beside_views), so a widget
  // is shown as soon as the parser has passed it: a quiz at the end of a long page is clickable
  // without waiting for the rest of the page, the theme's scripts or the other widgets.
  // Every script is read once, in page order (a state before the views that use it).
  var read = [];
  function scan() {
    var scripts = document.querySelectorAll('script[type="' + STATE_TYPE + '"], script[type="' + VIEW_TYPE + '"]');
    for (var i = 0; i < scripts.length; i++) {
      var script = scripts[i];
      if (read.indexOf(script) !== -1) continue;
      var data;
      try {
        data = JSON.parse(script.textContent);
      } catch (error) {
        // While the page is being parsed, a script's text may have arrived in part: no part of
        // a JSON object is JSON, so it is read once it is whole.
        if (document.readyState === "loading") return;
        console.error("static-widgets: an embedded widget script is not readable", error);
        read.push(script);   // the views it was meant for say they cannot be shown
        continue;
      }
      if (script.type === STATE_TYPE) {
        Object.assign(saved, data.state);
      } else if (!saved[data.model_id] && document.readyState === "loading") {
        return;   // its state is further down the page (an older page, or a shared model)
      } else {
        show(script, data.model_id);
      }
      read.push(script);
    }
  }

  scan();
  if (document.readyState === "loading") {   // in the head: the body is still to come
    var observer = new MutationObserver(scan);
    observer.observe(document.documentElement, { childList: true, characterData: true, subtree: true });
    document.addEventListener("DOMContentLoaded", function () {
      observer.disconnect();
      scan();
    });
  }
})();
