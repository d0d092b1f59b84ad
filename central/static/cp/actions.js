// Admin buttons without inline JavaScript (the Content-Security-Policy allows scripts from
// our static files only): data-confirm="question" asks before the button acts,
// data-print prints the page.
"use strict";
document.addEventListener("click", (event) => {
  const confirmer = event.target.closest("[data-confirm]");
  if (confirmer && !window.confirm(confirmer.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  if (event.target.closest("[data-print]")) {
    event.preventDefault();
    window.print();
  }
});
