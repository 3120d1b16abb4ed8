/* 众包 web app: the task and bid forms. Progressive enhancement only: without this file the
   posting form is one long page with section headings, every formset row has a "Remove"
   checkbox and blank rows are ignored; the server checks everything either way.
   No inline handlers; text is written with textContent. Money is parsed from strings into
   integer fen here for the running totals, never with floating point arithmetic. */
(function () {
  "use strict";

  function $(root, selector) { return root.querySelector(selector); }
  function $all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

  /* ---------- amounts: "12,000.5" -> 1200050 fen (or null), and back ---------- */
  var FULL_WIDTH = /[\uFF10-\uFF19\uFF0E]/g;
  function toFen(text) {
    var raw = String(text || "").replace(FULL_WIDTH, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    }).replace(/[,，\s]/g, "");
    var match = /^([0-9]{1,13})(?:\.([0-9]{1,2}))?$/.exec(raw);
    if (!match) { return null; }
    var frac = (match[2] || "").concat("00").slice(0, 2);
    return parseInt(match[1], 10) * 100 + parseInt(frac, 10);
  }
  function fenToText(fen) {
    var whole = Math.floor(fen / 100);
    var cents = fen % 100;
    return cents ? whole + "." + (cents < 10 ? "0" : "") + cents : String(whole);
  }
  function groupDigits(fen) {
    var whole = String(Math.floor(fen / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = fen % 100;
    return whole + "." + (cents < 10 ? "0" : "") + cents;
  }
  /* A share typed in percent ("33.33") as basis points, or null. */
  function toBps(text) {
    var raw = String(text || "").replace(FULL_WIDTH, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    }).replace(/[%％\s]/g, "");
    var match = /^([0-9]{1,3})(?:\.([0-9]{1,2}))?$/.exec(raw);
    if (!match) { return null; }
    return parseInt(match[1], 10) * 100 + parseInt((match[2] || "").concat("00").slice(0, 2), 10);
  }
  function bpsText(bps) {
    var whole = Math.floor(bps / 100);
    var rest = bps % 100;
    return rest ? whole + "." + (rest < 10 ? "0" : "") + rest : String(whole);
  }

  /* ---------- formsets: add and remove rows ---------- */
  function Formset(box) {
    this.box = box;
    this.prefix = box.getAttribute("data-prefix");
    this.rows = $(box, "[data-formset-rows]");
    this.template = $(box, "template[data-formset-template]");
    this.total = $(box, "input[name='" + this.prefix + "-TOTAL_FORMS']");
    this.initial = parseInt(($(box, "input[name='" + this.prefix + "-INITIAL_FORMS']") || {}).value || "0", 10);
    this.max = parseInt(($(box, "input[name='" + this.prefix + "-MAX_NUM_FORMS']") || {}).value || "1000", 10);
    this.onchange = function () {};
    var self = this;
    box.classList.add("js-formset");
    $all(this.rows, "[data-formset-row]").forEach(function (row) { self.enhance(row); });
    this.trimBlankTail();
    var add = $(box, "[data-formset-add]");
    if (add && this.template && this.total) {
      add.hidden = false;
      add.addEventListener("click", function () { self.add(); });
    }
    box.addEventListener("input", function () { self.onchange(); });
  }
  Formset.prototype.liveRows = function () {
    return $all(this.rows, "[data-formset-row]").filter(function (row) {
      return !row.classList.contains("is-removed");
    });
  };
  Formset.prototype.isBlank = function (row) {
    return $all(row, "input[type='text'], input[type='number']").every(function (input) {
      return !input.value.trim();
    });
  };
  Formset.prototype.trimBlankTail = function () {
    var rows = $all(this.rows, "[data-formset-row]");
    var total = parseInt(this.total.value, 10);
    // Drop empty extra rows at the end (the server rendered them for use without JS).
    for (var i = rows.length - 1; i >= Math.max(this.initial, 1); i--) {
      if (!this.isBlank(rows[i]) || rows[i].classList.contains("has-error")) { break; }
      rows[i].remove();
      total -= 1;
    }
    this.total.value = String(total);
  };
  Formset.prototype.enhance = function (row) {
    var self = this;
    var cell = $(row, ".cell-remove");
    if (!cell || $(cell, ".btn-remove")) { return; }
    var label = $(cell, ".remove-toggle span:last-child");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn-remove";
    button.textContent = label ? label.textContent : "×";
    button.addEventListener("click", function () { self.remove(row); });
    cell.appendChild(button);
  };
  Formset.prototype.add = function () {
    var index = parseInt(this.total.value, 10);
    if (this.liveRows().length >= this.max) { return; }
    var holder = document.createElement("div");
    holder.innerHTML = this.template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.firstElementChild;
    this.rows.appendChild(row);
    this.total.value = String(index + 1);
    this.enhance(row);
    var first = $(row, "input[type='text']");
    if (first) { first.focus(); }
    this.onchange();
  };
  Formset.prototype.remove = function (row) {
    if (this.liveRows().length <= 1) {
      $all(row, "input[type='text'], input[type='number']").forEach(function (i) { i.value = ""; });
      this.onchange();
      return;
    }
    var rows = $all(this.rows, "[data-formset-row]");
    var index = rows.indexOf(row);
    if (index === rows.length - 1 && index >= this.initial) {
      row.remove();
      this.total.value = String(parseInt(this.total.value, 10) - 1);
    } else {
      var del = $(row, "input[name$='-DELETE']");
      if (del) { del.checked = true; }
      row.classList.add("is-removed");
    }
    this.onchange();
  };

  /* ---------- the milestone plan: shares must add up to 100% ---------- */
  function shareTotals(box, formset) {
    var out = $(box, "[data-share-total-out]");
    if (!out) { return; }
    function update() {
      var sum = 0;
      var bad = false;
      formset.liveRows().forEach(function (row) {
        var input = $(row, "input[name$='-share']");
        if (!input || !input.value.trim()) { return; }
        var bps = toBps(input.value);
        if (bps === null) { bad = true; } else { sum += bps; }
      });
      out.hidden = false;
      out.textContent = "Σ " + bpsText(sum) + "%";
      out.className = "share-total " + (!bad && sum === 10000 ? "ok" : "off");
    }
    formset.onchange = update;
    update();
  }

  /* ---------- a bid's milestones: split the price by the plan, show the total ---------- */
  function amountSplit(form, box, formset) {
    var price = $(form, "input[name='amount']");
    var out = $(box, "[data-amount-total-out]");
    if (!price) { return; }
    $all(box, "input[name$='-amount']").forEach(function (input) {
      if (input.value.trim()) { input.setAttribute("data-touched", "1"); }
    });
    box.addEventListener("input", function (event) {
      if (event.target && /-amount$/.test(event.target.name || "")) {
        event.target.setAttribute("data-touched", "1");
      }
    });
    function fill() {
      var fen = toFen(price.value);
      var rows = formset.liveRows().filter(function (row) { return row.hasAttribute("data-share-bps"); });
      if (fen === null || !rows.length) { return; }
      var shares = rows.map(function (row) { return parseInt(row.getAttribute("data-share-bps"), 10); });
      var total = shares.reduce(function (a, b) { return a + b; }, 0);
      if (total !== 10000) { return; }
      var given = 0;
      rows.forEach(function (row, i) {
        // Half up, like Money.basis_points; the last row takes what remains so the sum is exact.
        var part = i === rows.length - 1 ? fen - given : Math.floor((fen * shares[i] + 5000) / 10000);
        given += part;
        var input = $(row, "input[name$='-amount']");
        if (input && !input.hasAttribute("data-touched")) { input.value = fenToText(part); }
      });
    }
    function update() {
      if (!out) { return; }
      var fen = toFen(price.value);
      var sum = 0;
      var complete = true;
      formset.liveRows().forEach(function (row) {
        var input = $(row, "input[name$='-amount']");
        var value = input ? toFen(input.value) : null;
        if (value === null) { complete = false; } else { sum += value; }
      });
      if (fen === null) { out.hidden = true; return; }
      out.hidden = false;
      out.textContent = (out.getAttribute("data-template") || "{sum} / {price}")
        .replace("{sum}", groupDigits(sum)).replace("{price}", groupDigits(fen));
      out.className = "share-total " + (complete && sum === fen ? "ok" : "off");
    }
    price.addEventListener("input", function () { fill(); update(); });
    formset.onchange = update;
    fill();
    update();
  }

  /* ---------- skills picker: highlight chosen rows, count them per group ---------- */
  function skillPicker(box) {
    var summary = $(box, "[data-skill-summary]");
    function refresh() {
      var chosen = [];
      $all(box, ".skill-row select").forEach(function (select) {
        var row = select.closest(".skill-row");
        var set = !!select.value;
        row.classList.toggle("is-set", set);
        if (set) {
          var label = $(row, "label");
          chosen.push((label ? label.textContent.trim() : "") + " ×" + select.value);
        }
      });
      if (summary) {
        summary.hidden = !chosen.length;
        summary.textContent = chosen.join(" · ");
      }
      return chosen;
    }
    box.addEventListener("change", refresh);
    refresh();
    return refresh;
  }

  /* ---------- show a block only for one value of a radio group ---------- */
  function showWhen(form) {
    $all(form, "[data-show-when]").forEach(function (block) {
      var parts = block.getAttribute("data-show-when").split("=");
      var radios = $all(form, "input[name='" + parts[0] + "']");
      function sync() {
        var checked = radios.filter(function (r) { return r.checked; })[0];
        var show = checked && checked.value === parts[1];
        var hasError = !!$(block, ".has-error");
        block.hidden = !(show || hasError);
      }
      radios.forEach(function (r) { r.addEventListener("change", sync); });
      sync();
    });
  }

  /* ---------- the review step: what was entered, as text ---------- */
  function review(form, chosenSkills) {
    var list = $(form, "[data-review]");
    if (!list) { return function () {}; }
    function text(name) {
      var field = form.elements.namedItem(name);
      if (!field) { return ""; }
      if (field.tagName === "SELECT") {
        return field.selectedIndex >= 0 && field.value ? field.options[field.selectedIndex].textContent : "";
      }
      if (field.length !== undefined && field.tagName === undefined) {  // a radio group
        var checked = $all(form, "input[name='" + name + "']:checked")[0];
        if (!checked) { return ""; }
        var label = checked.closest("label");
        return label ? label.textContent.trim() : checked.value;
      }
      if (field.type === "checkbox") { return field.checked ? "yes" : ""; }
      return (field.value || "").trim();
    }
    function set(key, value) {
      var dd = $(list, "[data-review-of='" + key + "']");
      if (dd) { dd.textContent = value; }
    }
    return function () {
      list.hidden = false;
      ["organization", "kind", "title", "summary", "region", "visibility", "ip_terms"].forEach(function (name) {
        set(name, text(name));
      });
      set("skills", chosenSkills().join(" · "));
      var low = text("budget_min");
      var high = text("budget_max");
      set("budget", low || high ? "¥" + low + " – ¥" + high : "");
      set("bid_deadline", text("bid_deadline").replace("T", " "));
      set("delivery_deadline", text("delivery_deadline"));
      var nda = $(list, "[data-review-of='nda_required']");
      if (nda) {
        nda.textContent = text("nda_required") ? nda.getAttribute("data-yes") : nda.getAttribute("data-no");
      }
      var plan = [];
      var planDd = $(list, "[data-review-of='plan']");
      var rowTemplate = (planDd && planDd.getAttribute("data-row-template")) || "{title} {share}% {days}";
      $all(form, "[data-formset] [data-formset-row]").forEach(function (row) {
        if (row.classList.contains("is-removed")) { return; }
        var title = ($(row, "input[name$='-title']") || {}).value || "";
        if (!title.trim()) { return; }
        var share = ($(row, "input[name$='-share']") || {}).value || "";
        var days = ($(row, "input[name$='-due_days']") || {}).value || "";
        plan.push(rowTemplate.replace("{title}", title.trim()).replace("{share}", share.trim())
          .replace("{days}", days.trim()));
      });
      set("plan", plan.join("\n"));
    };
  }

  /* ---------- the stepper: one step at a time, starting at the first with an error ---------- */
  function stepper(form, onReview) {
    var steps = $all(form, "[data-step]");
    var nav = $(form, "[data-stepper-nav]");
    var controls = $(form, "[data-step-controls]");
    if (steps.length < 2 || !nav || !controls) { return; }
    var prev = $(controls, "[data-step-prev]");
    var next = $(controls, "[data-step-next]");
    var of = $(controls, "[data-step-of]");
    var buttons = $all(nav, "[data-step-go]");
    var current = 0;
    var visited = 0;

    function hasError(step) {
      return !!$(step, ".has-error, .errors, .alert-error");
    }
    function show(index, scroll) {
      current = Math.max(0, Math.min(index, steps.length - 1));
      visited = Math.max(visited, current);
      steps.forEach(function (step, i) { step.hidden = i !== current; });
      buttons.forEach(function (button, i) {
        if (i === current) { button.setAttribute("aria-current", "step"); } else { button.removeAttribute("aria-current"); }
        button.parentNode.classList.toggle("is-done", i < visited && i !== current && !hasError(steps[i]));
        button.classList.toggle("has-error", hasError(steps[i]));
      });
      prev.classList.toggle("is-invisible", current === 0);
      prev.setAttribute("aria-hidden", current === 0 ? "true" : "false");
      next.hidden = current === steps.length - 1;
      if (of) { of.textContent = (of.getAttribute("data-template") || "{n}").replace("{n}", String(current + 1)); }
      if (current === steps.length - 1) { onReview(); }
      if (scroll) {
        nav.scrollIntoView({ behavior: "smooth", block: "start" });
        var focusable = $(steps[current], "h2");
        if (focusable) { focusable.setAttribute("tabindex", "-1"); focusable.focus({ preventScroll: true }); }
      }
    }
    form.classList.add("js-steps");
    nav.hidden = false;
    controls.hidden = false;
    buttons.forEach(function (button, i) {
      button.addEventListener("click", function () { show(i, true); });
    });
    prev.addEventListener("click", function () { show(current - 1, true); });
    next.addEventListener("click", function () {
      check(current + 1).then(function (result) {
        if (!result || !result.errors || !stepHasErrors(current + 1, result.errors)) {
          show(current + 1, true);
        } else {
          show(current, true);
        }
      });
    });

    /* The server checks each step with the rules of the final save (one set of rules: none
       is copied here); a failed request lets the user go on, the save checks everything. */
    var checkUrl = form.getAttribute("data-check-url");
    var labels = {};
    function labelOf(name) {
      if (labels[name]) { return labels[name]; }
      var box = $(form, "[data-field='" + name + "']");
      var label = box && $(box, "label, legend");
      if (name === "skills") { label = $(form, "[data-skill-picker] legend"); }
      if (name === "milestones") { label = $(form, "[data-formset] legend"); }
      labels[name] = label ? label.textContent.replace("*", "").trim() : "";
      return labels[name];
    }
    function stepOf(name) {
      var box = name === "skills" ? $(form, "[data-skill-picker]")
        : name === "milestones" ? $(form, "[data-formset]")
        : $(form, "[data-field='" + name + "']");
      var section = box && box.closest("[data-step]");
      return section ? steps.indexOf(section) + 1 : steps.length;
    }
    function stepHasErrors(stepNumber, errors) {
      return Object.keys(errors).some(function (name) { return stepOf(name) === stepNumber; });
    }
    function clearErrors() {
      $all(form, "[data-js-error]").forEach(function (node) { node.remove(); });
      $all(form, ".has-error[data-js-marked]").forEach(function (node) {
        node.classList.remove("has-error");
        node.removeAttribute("data-js-marked");
      });
      $all(form, "[data-step-problems]").forEach(function (box) {
        box.hidden = true;
        box.textContent = "";
        box.classList.remove("alert", "alert-error");
      });
    }
    function showErrors(errors) {
      clearErrors();
      Object.keys(errors).forEach(function (name) {
        var messages = errors[name];
        var box = name === "skills" ? $(form, "[data-skill-picker]")
          : name === "milestones" ? $(form, "[data-formset]")
          : $(form, "[data-field='" + name + "']");
        if (box && !box.classList.contains("has-error")) {
          box.classList.add("has-error");
          box.setAttribute("data-js-marked", "");
        }
        if (box) {
          var list = document.createElement("ul");
          list.className = "errors";
          list.setAttribute("data-js-error", "");
          messages.forEach(function (m) {
            var li = document.createElement("li");
            li.textContent = m;
            list.appendChild(li);
          });
          var legend = $(box, "legend");
          if (legend && legend.parentNode === box) { legend.after(list); } else { box.appendChild(list); }
        }
        var section = steps[stepOf(name) - 1];
        var summary = section && $(section, "[data-step-problems]");
        if (summary) {
          var p = document.createElement("p");
          p.textContent = (labelOf(name) ? labelOf(name) + ": " : "") + messages.join(" ");
          summary.appendChild(p);
          summary.hidden = false;
          summary.classList.add("alert", "alert-error");
        }
      });
      var problems = $(form, "[data-review-problems]");
      var problemList = $(form, "[data-review-problem-list]");
      if (problems && problemList) {
        problemList.textContent = "";
        Object.keys(errors).forEach(function (name) {
          var li = document.createElement("li");
          li.textContent = (labelOf(name) ? labelOf(name) + ": " : "") + errors[name].join(" ");
          li.setAttribute("data-problem", name);
          problemList.appendChild(li);
        });
        problems.hidden = Object.keys(errors).length === 0;
        problems.classList.toggle("alert", !problems.hidden);
        problems.classList.toggle("alert-error", !problems.hidden);
      }
      buttons.forEach(function (button, i) { button.classList.toggle("has-error", hasError(steps[i])); });
    }
    function check(stepNumber) {
      if (!checkUrl || !window.fetch) { return Promise.resolve(null); }
      var body = new FormData(form);
      body.set("_step", String(stepNumber));
      var task = form.getAttribute("data-check-task");
      if (task) { body.set("_task", task); }
      return fetch(checkUrl, { method: "POST", body: body, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (result) { if (result && result.errors) { showErrors(result.errors); } return result; })
        .catch(function () { return null; });
    }
    var reviewIndex = steps.length - 1;
    var onReviewShown = onReview;
    onReview = function () { onReviewShown(); check(reviewIndex + 1); };
    var firstError = steps.findIndex(hasError);
    if (firstError >= 0) { visited = steps.length - 1; }
    show(firstError >= 0 ? firstError : 0, false);
  }

  /* ---------- browse: on a phone the filters start folded under their heading ---------- */
  $all(document, "details[data-filters]").forEach(function (panel) {
    if (window.matchMedia && window.matchMedia("(max-width: 960px)").matches) {
      panel.open = false;
    }
  });

  /* ---------- wire up ---------- */
  $all(document, "form").forEach(function (form) {
    var chosen = function () { return []; };
    var picker = $(form, "[data-skill-picker]");
    if (picker) { chosen = skillPicker(picker); }
    $all(form, "[data-formset]").forEach(function (box) {
      var formset = new Formset(box);
      if (box.hasAttribute("data-share-total")) { shareTotals(box, formset); }
      if (box.hasAttribute("data-amount-split")) { amountSplit(form, box, formset); }
    });
    showWhen(form);
    if (form.hasAttribute("data-stepper")) { stepper(form, review(form, chosen)); }
  });
}());
