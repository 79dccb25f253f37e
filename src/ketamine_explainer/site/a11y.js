/* Accessibility of the explainer's controls in the exported pages and slides (inlined by the page templates).
 *
 * The widget renderer draws the controls; this keeps what a screen reader hears in step with what is shown:
 * - a slider handle is named by its label and says its value in words (aria-valuetext "4 hours", not "1");
 * - toggle buttons say which one is selected (aria-pressed), and the group is named by its label;
 * - when a control changes, one polite live region per chart says the new setting once (and, for a chart whose
 *   time mark is an overlay, the reading at that time), instead of the whole chart's description again.
 * Nothing here changes which frame is shown: the controls stay linked to the frames in the browser (jslink).
 */
(function () {
  "use strict";
  var uid = 0;

  function id(element) {
    if (!element.id) { element.id = "kx-a11y-" + (++uid); }
    return element.id;
  }

  function set(element, name, value) {
    if (element.getAttribute(name) !== value) { element.setAttribute(name, value); }
  }

  function labelOf(control) {
    var label = control.querySelector(":scope > .widget-label, :scope > label");
    return label && label.textContent.trim() ? label : null;
  }

  function visible(element) {
    return element.offsetParent !== null || element.getClientRects().length > 0;
  }

  /* The current setting of each control of a chart, as words: [[label, value], ...]. */
  function settings(explorer) {
    var out = [];
    explorer.querySelectorAll(".widget-slider, .widget-toggle-buttons, .widget-dropdown").forEach(function (control) {
      var label = labelOf(control), text = label ? label.textContent.trim() : "";
      var value = "";
      if (control.classList.contains("widget-slider")) {
        var readout = control.querySelector(".widget-readout");
        value = readout ? readout.textContent.trim() : "";
      } else if (control.classList.contains("widget-toggle-buttons")) {
        var active = control.querySelector("button.mod-active");
        value = active ? active.textContent.trim() : "";
      } else {
        var select = control.querySelector("select");
        value = select && select.selectedIndex >= 0 ? select.options[select.selectedIndex].text : "";
      }
      out.push([text, value]);
    });
    return out;
  }

  function live(explorer) {
    var region = explorer.querySelector(":scope > .kx-live");
    if (!region) {
      region = document.createElement("div");
      region.className = "kx-live kx-visually-hidden";
      region.setAttribute("aria-live", "polite");
      region.setAttribute("aria-atomic", "true");
      explorer.appendChild(region);
    }
    return region;
  }

  function syncExplorer(explorer) {
    explorer.querySelectorAll(".widget-slider").forEach(function (control) {
      var handle = control.querySelector(".noUi-handle"), readout = control.querySelector(".widget-readout");
      var label = labelOf(control);
      if (!handle) { return; }
      if (label) { set(handle, "aria-labelledby", id(label)); }
      if (readout && readout.textContent.trim()) { set(handle, "aria-valuetext", readout.textContent.trim()); }
      if (readout) { set(readout, "aria-hidden", "true"); }  // the handle already says the value
    });
    explorer.querySelectorAll(".widget-toggle-buttons").forEach(function (control) {
      var label = labelOf(control), group = control.querySelector(".widget-toggle-button") && control.querySelector(".widget-toggle-button").parentElement;
      if (group) {
        set(group, "role", "group");
        if (label) { set(group, "aria-labelledby", id(label)); }
      }
      control.querySelectorAll("button.widget-toggle-button").forEach(function (button) {
        set(button, "aria-pressed", button.classList.contains("mod-active") ? "true" : "false");
      });
    });
    explorer.querySelectorAll(".widget-dropdown").forEach(function (control) {
      var label = labelOf(control), select = control.querySelector("select");
      if (label && select && !select.labels.length) { set(select, "aria-labelledby", id(label)); }
    });
    var now = settings(explorer), key = JSON.stringify(now);
    if (explorer.kxSettings === undefined || !explorer.kxTouched) {
      live(explorer);
      explorer.kxSettings = key;  // rendering is not a change: only what follows a person's input is announced
    } else if (explorer.kxSettings !== key) {
      var before = JSON.parse(explorer.kxSettings), changed = now.filter(function (pair, i) {
        return !before[i] || before[i][1] !== pair[1];
      });
      explorer.kxSettings = key;
      var words = changed.map(function (pair) { return (pair[0] ? pair[0] + ": " : "") + pair[1] + "."; });
      // Said once, shortly after the frames have switched (several quick changes make one announcement).
      clearTimeout(explorer.kxTimer);
      explorer.kxTimer = setTimeout(function () {
        // A chart whose time mark is a transparent overlay: its alt text is the reading at that time (short).
        var layers = explorer.querySelectorAll(".widget-gridbox > *");
        if (layers.length > 1) {
          var shown = [].filter.call(layers[layers.length - 1].querySelectorAll("img"), visible);
          if (shown.length === 1 && shown[0].alt) { words.push(shown[0].alt); }
        }
        live(explorer).textContent = words.join(" ");
      }, 120);
    }
  }

  function syncQuiz(quiz) {
    var label = quiz.querySelector(".widget-radio .widget-label, .widget-radio > label");
    var box = quiz.querySelector(".widget-radio-box");
    if (box) {
      set(box, "role", "radiogroup");
      var question = quiz.querySelector(".kx-question");
      if (question) { set(box, "aria-labelledby", id(question)); }
      else if (label) { set(box, "aria-labelledby", id(label)); }
    }
  }

  var pending = false;
  function sync() {
    pending = false;
    document.querySelectorAll(".kx-explorer").forEach(syncExplorer);
    document.querySelectorAll(".kx-quiz").forEach(syncQuiz);
    // Slides (reveal.js): a slide that is not shown is aria-hidden, so its controls must not take focus either.
    document.querySelectorAll(".reveal .slides section").forEach(function (slide) {
      var hidden = slide.getAttribute("aria-hidden") === "true";
      if (hidden !== slide.hasAttribute("inert")) { slide.toggleAttribute("inert", hidden); }
    });
    // A table or chart wider than a phone scrolls inside its own box: reachable and scrollable by keyboard too.
    document.querySelectorAll(".jp-RenderedHTMLCommon table, .kx-explorer > .widget-gridbox, .kx-explorer > .widget-box, .jp-OutputArea-output.jp-RenderedHTMLCommon").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth + 1) { set(table, "tabindex", "0"); }
      else if (table.getAttribute("tabindex") === "0") { table.removeAttribute("tabindex"); }
    });
  }

  function schedule() {
    if (!pending) {
      pending = true;
      (window.queueMicrotask || function (f) { Promise.resolve().then(f); })(sync);
    }
  }

  function start() {
    new MutationObserver(schedule).observe(document.body, {
      subtree: true, childList: true, characterData: true, attributes: true,
      attributeFilter: ["class", "aria-valuenow", "aria-valuetext", "aria-hidden"]
    });
    ["keydown", "pointerdown", "change", "click"].forEach(function (type) {
      document.addEventListener(type, function (event) {
        var explorer = event.target.closest && event.target.closest(".kx-explorer");
        if (explorer) { explorer.kxTouched = true; }
        schedule();
      }, true);
    });
    window.addEventListener("resize", schedule);
    sync();
  }

  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
