// "Exit this page": pressing Shift three times in a row leaves for a neutral site and replaces
// this page in the history, as the GOV.UK component does. Without JavaScript the visible link
// does the same job.
(function () {
  "use strict";
  var link = document.querySelector("a.exit-button");
  if (!link) { return; }
  var presses = 0;
  var timer = null;
  function leave() {
    document.body.style.display = "none";
    window.location.replace(link.getAttribute("href"));
  }
  link.addEventListener("click", function (e) { e.preventDefault(); leave(); });
  document.addEventListener("keyup", function (e) {
    if (e.key !== "Shift") { presses = 0; return; }
    presses += 1;
    clearTimeout(timer);
    timer = setTimeout(function () { presses = 0; }, 1000);
    if (presses >= 3) { leave(); }
  });
}());
