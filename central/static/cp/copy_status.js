/* Copy status rows: dim the fields that do not apply to the chosen status ("copy required"
 * needs copies and a reason; "no copy" needs a date and how the office verifies instead),
 * and fill the obvious values (0 copies for No copy, 1 for Copy required). The model's
 * validation stays the rule; this only guides. */
(function () {
  "use strict";

  var REQUIRED_ONLY = ["copies", "reason_th", "reason_en"];
  var NO_COPY_ONLY = ["no_copy_since", "verify_th", "verify_en"];

  function rowOf(container, name) {
    var input = container.querySelector('[name$="' + name + '"]');
    if (!input) return null;
    return input.closest(".form-row") || input.closest(".fieldBox") || input.parentNode;
  }

  function update(container) {
    var checked = container.querySelector('input[type="radio"][name$="status"]:checked');
    var status = checked ? checked.value : "";
    REQUIRED_ONLY.forEach(function (name) {
      var row = rowOf(container, name);
      if (row) row.classList.toggle("cp-not-applicable", status === "no_copy");
    });
    NO_COPY_ONLY.forEach(function (name) {
      var row = rowOf(container, name);
      if (row) row.classList.toggle("cp-not-applicable", status === "copy_required");
    });
    var copies = container.querySelector('input[name$="copies"]');
    if (copies && status === "no_copy") copies.value = "0";
    if (copies && status === "copy_required" && (copies.value === "" || copies.value === "0")) {
      copies.value = "1";
    }
  }

  function containerOf(el) {
    return el.closest(".inline-related") || el.closest("form");
  }

  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t && t.type === "radio" && /status$/.test(t.name)) update(containerOf(t));
  });

  function init() {
    var radios = document.querySelectorAll('input[type="radio"][name$="status"]:checked');
    for (var i = 0; i < radios.length; i++) update(containerOf(radios[i]));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
