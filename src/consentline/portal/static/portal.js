// ConsentLine portal: small progressive enhancements. Every page also works without script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    // The Organization picker switches as soon as another organization is chosen with the
    // pointer. From the keyboard, arrows only move the choice (each would otherwise reload
    // the page); the Switch button, next in the tab order, applies it.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      var pointer = false;
      select.addEventListener("pointerdown", function () { pointer = true; });
      select.addEventListener("keydown", function () { pointer = false; });
      select.addEventListener("change", function () {
        if (pointer) select.form.requestSubmit();
      });
    });

    // Enable SMS Opt-in: a change asks for confirmation; only Yes saves.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      var dialog = document.getElementById(form.dataset.confirm);
      var box = form.querySelector("input[type=checkbox]");
      if (!dialog || !box) return;
      var text = dialog.querySelector("[data-enable-text]");
      var value = dialog.querySelector("[data-enabled-value]");
      var no = dialog.querySelector("[data-no]");
      function cancel() {
        box.checked = !box.checked;
        if (dialog.open) dialog.close();
        box.focus();
      }
      box.addEventListener("change", function () {
        value.value = box.checked ? "on" : "";
        text.textContent = box.checked ? text.dataset.enableText : text.dataset.disableText;
        dialog.showModal();
        dialog.querySelector("[data-yes]").focus();
      });
      if (no) no.addEventListener("click", cancel);
      dialog.addEventListener("cancel", function (event) { event.preventDefault(); cancel(); });
    });

    // The demo phones: empty the composer after a send; keep each screen scrolled down.
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var form = event.detail.elt;
      if (form && form.matches && form.matches("form[data-reset]") && event.detail.successful) {
        form.reset();
        var input = form.querySelector("input[name=body]");
        if (input) input.focus();
      }
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      var target = event.detail.target;
      if (target && target.classList && target.classList.contains("screen")) {
        target.scrollTop = target.scrollHeight;
      }
    });
  });
})();
