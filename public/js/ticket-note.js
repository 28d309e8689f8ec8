// "Aanvulling toevoegen" opens the note form in a modal <dialog> instead of on its own page.
// Without JavaScript (or without <dialog> support) the link leads to that page, as before.
// showModal() moves focus into the dialog and closes it on Esc; focus returns to the link.
(function () {
  'use strict';
  var link = document.querySelector('[data-note-dialog]');
  if (!link) return;
  var dialog = document.getElementById(link.getAttribute('data-note-dialog'));
  if (!dialog || typeof dialog.showModal !== 'function') return;

  link.addEventListener('click', function (event) {
    event.preventDefault();
    dialog.showModal();
    var field = dialog.querySelector('textarea');
    if (field) field.focus();
  });
  dialog.querySelectorAll('[data-dialog-close]').forEach(function (button) {
    button.addEventListener('click', function () {
      dialog.close();
    });
  });
  dialog.addEventListener('close', function () {
    link.focus();
  });
})();
