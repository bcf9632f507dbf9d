// Forms that guide (progressive enhancement: every form works without this file).
// - A long list of checkboxes (countries) gets a box that filters it as you type.
// - A group marked data-shown-when="name=value" shows only while that choice is made.
// - A Markdown text (textarea[data-markdown]) gets Write / Preview tabs; the preview is
//   rendered by the server (POST /preview), through the sanitiser a save uses.
// - A form with a draft_key field keeps what is typed in this browser (localStorage) and
//   offers it back after a crash or an expired session; the server's kx-saved-drafts
//   cookie names the drafts that were saved since, and those are forgotten.
// Served from /static and loaded with defer: no inline script, so the CSP stays strict.
(function () {
  "use strict";

  var DRAFT_PREFIX = "kx-draft:";
  var DRAFT_DAYS = 14;
  var SAVED_COOKIE = "kx-saved-drafts";

  function csrfToken(form) {
    var input = form && form.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  // --- a long checkbox list filtered as you type -------------------------------------

  function setUpFilter(group) {
    var list = group.querySelector("ul");
    if (!list) return;
    var items = Array.prototype.slice.call(list.children);
    var what = group.getAttribute("data-filter");
    var id = group.id + "-filter";
    var wrap = document.createElement("div");
    wrap.className = "choice-filter";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = "Filter " + what;
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.setAttribute("aria-controls", list.id || (list.id = group.id + "-options"));
    var status = document.createElement("p");
    status.className = "help choice-filter-status";
    status.id = id + "-status";
    status.setAttribute("aria-live", "polite");
    input.setAttribute("aria-describedby", status.id);
    // the line under the list that names what is ticked (the server writes it first)
    var chosen = group.querySelector(".chosen");
    if (!chosen) {
      chosen = document.createElement("p");
      chosen.className = "help chosen";
      list.parentNode.insertBefore(chosen, list.nextSibling);
    }
    wrap.appendChild(label);
    wrap.appendChild(input);
    wrap.appendChild(status);
    list.parentNode.insertBefore(wrap, list);

    function fold(text) {
      return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    }
    function filter() {
      var wanted = fold(input.value.trim());
      var shown = 0;
      items.forEach(function (item) {
        var box = item.querySelector("input");
        var match = !wanted || fold(item.textContent).indexOf(wanted) !== -1 ||
          (box && box.value.toLowerCase() === wanted);
        // a ticked box stays in view, so a filter never hides what is chosen
        item.hidden = !(match || (box && box.checked));
        if (!item.hidden) shown += 1;
      });
      status.textContent = wanted ? shown + " of " + items.length + " shown" : "";
    }
    function showChosen() {
      var names = items.filter(function (item) {
        var box = item.querySelector("input");
        return box && box.checked;
      }).map(function (item) { return item.textContent.trim(); });
      chosen.textContent = names.length ? "Chosen: " + names.join(", ") : "None chosen yet.";
    }
    input.addEventListener("input", filter);
    // Enter in the filter must not send the form
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    list.addEventListener("change", showChosen);
    showChosen();
  }

  // --- a group shown only for one choice ---------------------------------------------

  function setUpShownWhen(group) {
    var rule = group.getAttribute("data-shown-when").split("=");
    var form = group.closest("form");
    if (!form || rule.length !== 2) return;
    var radios = form.querySelectorAll('input[name="' + rule[0] + '"]');
    function update() {
      var checked = form.querySelector('input[name="' + rule[0] + '"]:checked');
      group.hidden = !(checked && checked.value === rule[1]);
    }
    Array.prototype.forEach.call(radios, function (radio) {
      radio.addEventListener("change", update);
    });
    // the explanation for pages without the script is not needed beside a live toggle
    var help = group.querySelector(".help");
    if (help) help.textContent = "Only verified members of the sectors ticked here may read it.";
    update();
  }

  // --- Write / Preview tabs for a Markdown text -------------------------------------

  var tabCount = 0;

  function setUpPreview(textarea) {
    var form = textarea.closest("form");
    var panel = document.getElementById(textarea.id + "-preview");
    if (!form || !panel) return;
    var body = panel.querySelector(".markdown-preview-body");
    tabCount += 1;
    var tablist = document.createElement("div");
    tablist.className = "markdown-tabs";
    tablist.setAttribute("role", "tablist");
    // not the field's own label: that would name two controls alike
    tablist.setAttribute("aria-label", "Write or preview");
    function tab(text, controls) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "markdown-tab";
      button.id = textarea.id + "-tab-" + text.toLowerCase();
      button.setAttribute("role", "tab");
      button.setAttribute("aria-controls", controls);
      button.textContent = text;
      tablist.appendChild(button);
      return button;
    }
    var write = tab("Write", textarea.id);
    var show = tab("Preview", panel.id);
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", show.id);
    textarea.parentNode.insertBefore(tablist, textarea);

    function select(previewing) {
      write.setAttribute("aria-selected", String(!previewing));
      show.setAttribute("aria-selected", String(previewing));
      write.tabIndex = previewing ? -1 : 0;
      show.tabIndex = previewing ? 0 : -1;
      textarea.hidden = previewing;
      panel.hidden = !previewing;
    }
    function message(text) {
      body.textContent = "";
      var p = document.createElement("p");
      p.textContent = text;
      body.appendChild(p);
    }
    function preview() {
      select(true);
      if (!textarea.value.trim()) {
        message("Nothing to preview yet.");
        return;
      }
      message("Rendering the preview…");
      panel.setAttribute("aria-busy", "true");
      var data = new FormData();
      data.append("text", textarea.value);
      fetch(panel.getAttribute("data-preview-url"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form), "Accept": "application/json" }
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          if (response.ok && typeof json.html === "string") {
            // sanitised by the server (kx.text), the same HTML a save would store
            body.innerHTML = json.html || "<p>Nothing to preview yet.</p>";
          } else {
            message((json.error && json.error.message) ||
              "The preview could not be shown. Your text is kept.");
          }
        });
      }).catch(function () {
        message("The preview could not be shown (no connection). Your text is kept.");
      }).then(function () {
        panel.removeAttribute("aria-busy");
      });
    }
    write.addEventListener("click", function () { select(false); textarea.focus(); });
    show.addEventListener("click", preview);
    tablist.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowLeft" && event.key !== "ArrowRight" &&
          event.key !== "Home" && event.key !== "End") return;
      event.preventDefault();
      var toPreview = event.key === "ArrowRight" || event.key === "End";
      if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        toPreview = document.activeElement === write;
      }
      if (toPreview) { preview(); show.focus(); } else { select(false); write.focus(); }
    });
    // a preview the server rendered (the form's Preview button) is the open tab
    select(!panel.hidden);
  }

  // --- drafts kept in this browser ----------------------------------------------------

  function storage() {
    try {
      var probe = DRAFT_PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null; // private mode or storage turned off: no drafts, the form still works
    }
  }

  function forgetSavedDrafts(store) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + SAVED_COOKIE + "=([^;]*)"));
    if (match) {
      decodeURIComponent(match[1]).replace(/^"|"$/g, "").split("/").forEach(function (key) {
        if (key) store.removeItem(DRAFT_PREFIX + key);
      });
      document.cookie = SAVED_COOKIE + "=; Max-Age=0; Path=/; SameSite=Lax";
    }
    var oldest = Date.now() - DRAFT_DAYS * 24 * 3600 * 1000;
    for (var i = store.length - 1; i >= 0; i -= 1) {
      var name = store.key(i);
      if (name && name.indexOf(DRAFT_PREFIX) === 0) {
        try {
          if (JSON.parse(store.getItem(name)).savedAt < oldest) store.removeItem(name);
        } catch (error) {
          store.removeItem(name);
        }
      }
    }
  }

  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name && element.name !== "csrf_token" &&
        (element.tagName === "TEXTAREA" ||
          (element.tagName === "INPUT" && /^(text|url|number)$/.test(element.type)));
    });
  }

  function values(form) {
    var result = {};
    draftFields(form).forEach(function (element) { result[element.name] = element.value; });
    return result;
  }

  function setUpDraft(form, store) {
    var key = DRAFT_PREFIX + form.querySelector('input[name="draft_key"]').value;
    var saved = null;
    try { saved = JSON.parse(store.getItem(key)); } catch (error) { saved = null; }
    var current = values(form);
    if (saved && saved.fields) {
      var differs = Object.keys(saved.fields).some(function (name) {
        return saved.fields[name] && saved.fields[name] !== (current[name] || "");
      });
      if (differs) offer(form, store, key, saved);
    }
    var timer = null;
    function keep() {
      timer = null;
      var now = values(form);
      var typed = Object.keys(now).some(function (name) { return now[name].trim(); });
      if (!typed) return;
      try {
        store.setItem(key, JSON.stringify({ savedAt: Date.now(), fields: now }));
      } catch (error) { /* storage full: the form still works */ }
    }
    form.addEventListener("input", function () {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(keep, 800);
    });
    // the draft is written before the request goes: an expired session must not lose it
    form.addEventListener("submit", keep);
  }

  function offer(form, store, key, saved) {
    var box = document.createElement("div");
    box.className = "alert draft-offer";
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", "Unsaved text");
    var text = document.createElement("p");
    var when = new Date(saved.savedAt);
    var time = document.createElement("time");
    time.dateTime = when.toISOString();
    time.textContent = when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
    text.appendChild(document.createTextNode("Restore your unsaved text from "));
    text.appendChild(time);
    text.appendChild(document.createTextNode("? It was kept in this browser and never sent."));
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "button";
    restore.textContent = "Restore my text";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button button--secondary";
    discard.textContent = "Discard it";
    var row = document.createElement("div");
    row.className = "button-row";
    row.appendChild(restore);
    row.appendChild(discard);
    box.appendChild(text);
    box.appendChild(row);
    form.parentNode.insertBefore(box, form);

    restore.addEventListener("click", function () {
      var first = null;
      draftFields(form).forEach(function (element) {
        if (Object.prototype.hasOwnProperty.call(saved.fields, element.name)) {
          element.value = saved.fields[element.name];
          if (!first && element.value) first = element;
        }
      });
      box.textContent = "";
      var done = document.createElement("p");
      done.setAttribute("role", "status");
      done.textContent = "Your text is restored. It is saved only when you send the form.";
      box.appendChild(done);
      if (first) first.focus();
    });
    discard.addEventListener("click", function () {
      store.removeItem(key);
      box.remove();
    });
  }

  // --- start ---------------------------------------------------------------------------

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("fieldset[data-filter]"), setUpFilter);
    Array.prototype.forEach.call(document.querySelectorAll("[data-shown-when]"), setUpShownWhen);
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-markdown]"), setUpPreview);
    var store = storage();
    if (!store) return;
    forgetSavedDrafts(store);
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
      if (form.querySelector('input[name="draft_key"]')) setUpDraft(form, store);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
