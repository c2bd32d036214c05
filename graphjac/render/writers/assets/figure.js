(function () {
  "use strict";
  // graphjac's interactive figure: everything is looked up inside this figure's own <div>.
  var root = document.currentScript.parentElement;
  var data = JSON.parse(root.querySelector("script.gj-data").textContent);
  var steps = data.steps, details = data.details, shown = steps.length;
  var panel = root.querySelector(".gj-details"), counter = root.querySelector(".gj-step");
  var toggles = {values: root.querySelector(".gj-show-values"), grads: root.querySelector(".gj-show-grads"),
                 local: root.querySelector(".gj-show-local")};
  var items = {};
  root.querySelectorAll("[data-gj-item]").forEach(function (element) {
    (items[element.getAttribute("data-gj-item")] = items[element.getAttribute("data-gj-item")] || []).push(element);
  });
  var backward = {};      // the items the backward pass shows (gradients): the steps from data.backward on
  steps.forEach(function (step, k) {
    step.forEach(function (item) { if (k >= data.backward) backward[item] = true; });
  });

  function show(count) {
    shown = Math.max(0, Math.min(steps.length, count));
    var visible = {};
    steps.slice(0, shown).forEach(function (step) { step.forEach(function (item) { visible[item] = true; }); });
    var current = shown > 0 ? steps[shown - 1] : [];
    Object.keys(items).forEach(function (item) {
      var off = !visible[item] || (backward[item] ? !toggles.grads.checked : !toggles.values.checked);
      items[item].forEach(function (element) {
        element.classList.toggle("gj-hidden", off);
        if (element.hasAttribute("data-gj-detail")) element.setAttribute("tabindex", off ? "-1" : "0");
        element.classList.toggle("gj-current", current.indexOf(item) >= 0 && shown < steps.length);
      });
    });
    counter.textContent = shown === 0 ? "the given values" :
      "step " + shown + " of " + steps.length + (shown === steps.length ? " (all)" : "");
  }

  function number(x) {
    return x === null ? "—" : String(x);
  }
  function matrix(value) {
    if (value === null || value === undefined) return "<p>—</p>";
    var rows = Array.isArray(value) ? (Array.isArray(value[0]) ? value : [value]) : [[value]];
    if (Array.isArray(rows[0][0])) rows = rows.map(function (row) { return [JSON.stringify(row)]; });
    return "<table>" + rows.map(function (row) {
      return "<tr>" + row.map(function (x) { return "<td>" + escape(number(x)) + "</td>"; }).join("") + "</tr>";
    }).join("") + "</table>";
  }
  function escape(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function describe(id) {
    var entry = details[id];
    if (!entry) return;
    var parts = ["<h4>" + escape(entry.formula) + "</h4>"];
    if (entry.kind === "node") {
      parts.push("<h4>value" + (entry.sample !== null ? " (sample " + (entry.sample + 1) + ")" : "") + "</h4>",
                 "<div class='gj-value'>" + matrix(entry.value) + "</div>");
      parts.push("<h4>" + escape(entry.grad_of) + "</h4><div class='gj-grad'>" + matrix(entry.grad) + "</div>");
      if (entry.descent) {
        parts.push("<h4>descent: " + escape(entry.descent_step) + "</h4><label>η <input type='number' class='gj-rate' list='gj-rates-" + id + "' value='0.1' step='any'>" +
                   "</label><datalist id='gj-rates-" + id + "'>" + data.rates.map(function (r) {
                     return "<option value='" + r + "'>"; }).join("") + "</datalist> <span class='gj-new-J'></span>");
      }
    } else {
      parts.push("<h4>" + escape(entry.name) + "</h4><div class='gj-grad'>" + matrix(entry.grad) + "</div>");
      if (toggles.local.checked) {
        parts.push("<h4>local Jacobian " + escape(entry.local) + "</h4><div class='gj-jacobian'>" +
                   (entry.jacobian === null && entry.jacobian_size ?
                    "<p>" + entry.jacobian_size + " entries: too many to list (the gradient above is its product " +
                    "with " + escape(entry.upstream) + ")</p>" : matrix(entry.jacobian)) + "</div>");
      }
    }
    panel.innerHTML = parts.join("");
    var rate = panel.querySelector(".gj-rate");
    if (rate) {
      var update = function () { descend(entry, rate, panel.querySelector(".gj-new-J")); };
      rate.addEventListener("input", update);
      update();
    }
  }

  function descend(entry, input, out) {
    var rate = Number(input.value), found = null;
    entry.descent.forEach(function (pair) { if (Math.abs(pair[0] - rate) <= 1e-12 * Math.max(1, rate)) found = pair; });
    out.textContent = found === null ? "η one of " + data.rates.join(", ") + " (computed by the engine)"
      : "new " + entry.target + " = " + number(found[1]);
  }

  root.querySelectorAll("[data-gj-detail]").forEach(function (element) {
    var id = element.getAttribute("data-gj-detail");
    element.addEventListener("mouseenter", function () { describe(id); });
    element.addEventListener("focus", function () { describe(id); });
  });
  root.querySelector(".gj-first").addEventListener("click", function () { show(0); });
  root.querySelector(".gj-prev").addEventListener("click", function () { show(shown - 1); });
  root.querySelector(".gj-next").addEventListener("click", function () { show(shown + 1); });
  root.querySelector(".gj-last").addEventListener("click", function () { show(steps.length); });
  Object.keys(toggles).forEach(function (key) { toggles[key].addEventListener("change", function () { show(shown); }); });
  root.tabIndex = root.tabIndex >= 0 ? root.tabIndex : -1;
  // → and PageDown (a presenter's clicker) step forward, ← and PageUp back; the key stays with the
  // figure, so slides (reveal.js) do not move too, until the passes are done (or undone): then the
  // next press goes on to the slides
  root.addEventListener("keydown", function (event) {
    if (event.target.tagName === "INPUT") return;
    var forward = event.key === "ArrowRight" || event.key === "PageDown";
    var back = event.key === "ArrowLeft" || event.key === "PageUp";
    var to = forward ? shown + 1 : back ? shown - 1 : event.key === "Home" ? 0 : event.key === "End" ? steps.length : null;
    if (to === null || (forward && shown >= steps.length) || (back && shown <= 0)) return;
    show(to);
    event.preventDefault();
    event.stopPropagation();
  });
  show(0);
})();
