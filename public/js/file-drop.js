// Drag-and-drop onto a ticket or note form's file field. The plain <input type="file" multiple>
// works without this script; here dropped files are added to the input's own FileList (through a
// DataTransfer), so the form posts exactly as it does without JavaScript. A status line says how
// many files are chosen.
(function () {
  'use strict';
  if (typeof DataTransfer !== 'function') return;
  document.querySelectorAll('[data-file-drop]').forEach(function (zone) {
    var input = zone.querySelector('input[type=file]');
    var status = zone.querySelector('.file-drop__status');
    if (!input) return;
    var announce = function () {
      if (!status) return;
      status.hidden = false;
      status.textContent =
        input.files.length +
        ' \u00d7 ' +
        Array.prototype.map
          .call(input.files, function (f) {
            return f.name;
          })
          .join(', ');
    };
    zone.classList.add('file-drop');
    ['dragenter', 'dragover'].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add('file-drop--over');
      });
    });
    ['dragleave', 'drop'].forEach(function (type) {
      zone.addEventListener(type, function () {
        zone.classList.remove('file-drop--over');
      });
    });
    zone.addEventListener('drop', function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      var all = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (f) {
        all.items.add(f);
      });
      Array.prototype.forEach.call(event.dataTransfer.files, function (f) {
        all.items.add(f);
      });
      input.files = all.files;
      announce();
    });
    input.addEventListener('change', announce);
  });
})();
