// "Afdrukken" on the ticket's print page opens the browser's print dialog. The button is
// hidden in the markup and shown here, so a browser without JavaScript never shows a button
// that does nothing (its own print menu works as always).
(function () {
  'use strict';
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      window.print();
    });
  });
})();
