// Small progressive enhancements: the menu (phones), the grouped navigation's drop-downs (wide
// screens), the language switcher and print buttons. Without JavaScript every link is shown.
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");
  var toggle = document.querySelector("[data-menu-toggle]");
  var nav = document.getElementById("main-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-nav-group]"));
  function setOpen(group, open) {
    group.classList.toggle("open", open);
    var button = group.querySelector("[data-nav-group-toggle]");
    if (button) { button.setAttribute("aria-expanded", open ? "true" : "false"); }
  }
  groups.forEach(function (group) {
    var button = group.querySelector("[data-nav-group-toggle]");
    if (!button) { return; }
    button.addEventListener("click", function () {
      var open = !group.classList.contains("open");
      groups.forEach(function (other) { setOpen(other, false); });
      setOpen(group, open);
    });
  });
  document.addEventListener("click", function (event) {
    groups.forEach(function (group) {
      if (!group.contains(event.target)) { setOpen(group, false); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    groups.forEach(function (group) {
      if (group.classList.contains("open")) {
        setOpen(group, false);
        var button = group.querySelector("[data-nav-group-toggle]");
        if (button) { button.focus(); }
      }
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
