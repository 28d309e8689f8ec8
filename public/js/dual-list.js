// "Rollen wijzigen": turns the checkbox list into the manual's two lists (Toegewezen rollen /
// Overige rollen) with << and >>. Native multi-select lists and buttons, so it works by
// keyboard alone (Tab, arrow keys, Shift/Ctrl+arrows, Enter). The checkboxes stay the form's
// data: the lists only tick and untick them. Without JavaScript the checkboxes are the form.
(function () {
  'use strict';
  for (const form of document.querySelectorAll('form[data-dual-list]')) enhance(form);

  function enhance(form) {
    const fieldset = form.querySelector('.role-checkboxes');
    const boxes = Array.from(fieldset.querySelectorAll('input[type=checkbox]'));
    const d = form.dataset;

    const wrap = document.createElement('div');
    wrap.className = 'dual-list';
    const assigned = list('dl-assigned', d.assignedLabel);
    const other = list('dl-other', d.otherLabel);
    const buttons = document.createElement('div');
    buttons.className = 'dual-list__buttons';
    const toAssigned = button('<<', d.toAssigned);
    const toOther = button('>>', d.toOther);
    buttons.append(toAssigned, toOther);
    const status = document.createElement('p');
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status');
    wrap.append(assigned.box, buttons, other.box, status);

    boxes.forEach((box, index) => {
      const option = document.createElement('option');
      option.value = box.value;
      option.textContent = form.querySelector('label[for="' + box.id + '"]').textContent.trim();
      option.dataset.index = String(index);
      option.disabled = box.disabled;
      (box.checked ? assigned : other).select.append(option);
    });

    fieldset.hidden = true;
    fieldset.after(wrap);

    toAssigned.addEventListener('click', () => move(other.select, assigned.select, true, d.movedToAssigned));
    toOther.addEventListener('click', () => move(assigned.select, other.select, false, d.movedToOther));
    // Enter in a list moves its selection to the other list.
    assigned.select.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        move(assigned.select, other.select, false, d.movedToOther);
      }
    });
    other.select.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        move(other.select, assigned.select, true, d.movedToAssigned);
      }
    });

    function move(from, to, checked, message) {
      const chosen = Array.from(from.selectedOptions).filter((o) => !o.disabled);
      if (!chosen.length) return;
      for (const option of chosen) {
        boxes[Number(option.dataset.index)].checked = checked;
        option.selected = false;
        const after = Array.from(to.options).find((o) => Number(o.dataset.index) > Number(option.dataset.index));
        to.insertBefore(option, after || null);
      }
      status.textContent = message.replace('{names}', chosen.map((o) => o.textContent).join(', '));
    }
  }

  function list(id, label) {
    const box = document.createElement('div');
    box.className = 'dual-list__list';
    const l = document.createElement('label');
    l.htmlFor = id;
    l.textContent = label + ':';
    const select = document.createElement('select');
    select.id = id;
    select.multiple = true;
    select.size = 11;
    box.append(l, select);
    return { box, select };
  }

  function button(text, label) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'button button--purple';
    b.textContent = text;
    b.setAttribute('aria-label', label);
    b.title = label;
    return b;
  }
})();
