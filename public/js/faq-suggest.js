// While a new ticket's title is typed, up to five FAQ questions whose words match appear under it
// (GET /faq/suggest, full-text search with the Dutch dictionary). Without JavaScript the plain
// link to the FAQ stays. Results are written as text, never as HTML; a polite live region
// announces them.
(function () {
  'use strict';
  var box = document.querySelector('[data-faq-suggest]');
  if (!box || typeof fetch !== 'function') return;
  var input = document.getElementById(box.getAttribute('data-faq-suggest'));
  var results = box.querySelector('.faq-suggest__results');
  if (!input || !results) return;
  var timer = null;
  var last = '';

  function show(entries) {
    results.textContent = '';
    if (!entries.length) return;
    var heading = document.createElement('p');
    heading.className = 'faq-suggest__heading';
    heading.textContent = box.getAttribute('data-heading');
    var list = document.createElement('ul');
    entries.forEach(function (e) {
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = '/faq#faq-' + encodeURIComponent(e.id);
      link.target = '_blank';
      link.rel = 'noopener';
      link.textContent = e.question;
      item.appendChild(link);
      list.appendChild(item);
    });
    results.appendChild(heading);
    results.appendChild(list);
  }

  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      if (q === last) return;
      last = q;
      if (q.length < 3) return show([]);
      fetch('/faq/suggest?q=' + encodeURIComponent(q), {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
      })
        .then(function (res) {
          return res.ok ? res.json() : { entries: [] };
        })
        .then(function (data) {
          if (input.value.trim() === q) show(data.entries || []);
        })
        .catch(function () {});
    }, 250);
  });
})();
