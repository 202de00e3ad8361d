// Progressive enhancement only: every page works without this file.
document.addEventListener("submit", function (e) {
  var msg = e.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) e.preventDefault();
});

// Progressive enhancement for the account pages: copy buttons and
// select-on-focus. Everything works without it (the token can be selected by hand).
(function () {
  function ready() {
    var bs = document.querySelectorAll("[data-copy]");
    for (var i = 0; i < bs.length; i++) bs[i].hidden = false;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();

  document.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("[data-copy]") : null;
    if (!b) return;
    var el = document.getElementById(b.getAttribute("data-copy"));
    if (!el) return;
    var label = b.textContent;
    function done() {
      b.textContent = b.getAttribute("data-copied") || label;
      setTimeout(function () { b.textContent = label; }, 2000);
    }
    function fallback() {
      el.focus();
      el.select();
      try { if (document.execCommand("copy")) done(); } catch (_) {}
    }
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(el.value).then(done, fallback);
    else fallback();
  });

  document.addEventListener("focusin", function (e) {
    var t = e.target;
    if (t && t.hasAttribute && t.hasAttribute("data-select") && t.select) t.select();
  });
})();

// The menu's folded groups (<details class="nav-group">): one open at a
// time, closed by a click elsewhere or Escape. Without this file each opens
// and closes by its own summary.
(function () {
  function closeAll(except) {
    var open = document.querySelectorAll("details.nav-group[open]");
    for (var i = 0; i < open.length; i++) if (open[i] !== except) open[i].removeAttribute("open");
  }
  document.addEventListener("click", function (e) {
    var g = e.target.closest ? e.target.closest("details.nav-group") : null;
    closeAll(g);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") closeAll(null);
  });
})();

// A [data-print] button prints the page (the browser's own print works too).
document.addEventListener("click", function (e) {
  var b = e.target.closest ? e.target.closest("[data-print]") : null;
  if (b) window.print();
});
