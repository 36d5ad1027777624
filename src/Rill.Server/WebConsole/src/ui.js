import { esc } from './format.js';

export function toast(message, isError = false) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = isError ? 'toast error' : 'toast';
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, isError ? 8000 : 3000);
}

/** A modal asking to confirm; resolves true on "Confirm". The body is HTML (escape what you put in). */
export function confirmModal(title, bodyHtml, confirmLabel = 'Confirm') {
  return new Promise((resolve) => {
    const overlay = document.createElement('div');
    overlay.className = 'overlay';
    overlay.innerHTML = `<div class="modal" role="dialog" aria-modal="true">
      <h3>${esc(title)}</h3><div class="modal-body">${bodyHtml}</div>
      <div class="actions"><button class="secondary" data-answer="no">Cancel</button>
      <button class="danger" data-answer="yes" id="confirm-yes">${esc(confirmLabel)}</button></div></div>`;
    overlay.addEventListener('click', (e) => {
      const answer = e.target.dataset && e.target.dataset.answer;
      if (answer) { overlay.remove(); resolve(answer === 'yes'); }
    });
    document.body.appendChild(overlay);
  });
}

/** Paging controls for an API page {total, offset, limit}; onPage(offset) is called on a click. */
export function pager(page, onPage) {
  const el = document.createElement('div');
  el.className = 'pager';
  const from = page.total === 0 ? 0 : page.offset + 1;
  const to = Math.min(page.total, page.offset + page.items.length);
  el.innerHTML = `<button class="secondary" data-p="prev" ${page.offset === 0 ? 'disabled' : ''}>‹ Previous</button>
    <span class="muted">${from}–${to} of ${page.total}</span>
    <button class="secondary" data-p="next" ${to >= page.total ? 'disabled' : ''}>Next ›</button>`;
  el.addEventListener('click', (e) => {
    const p = e.target.dataset.p;
    if (p === 'prev') onPage(Math.max(0, page.offset - page.limit));
    if (p === 'next') onPage(page.offset + page.limit);
  });
  return el;
}

/** Tabs: [{id, label}]; shows the section with data-tab=id. */
export function tabs(container, items, initial, onChange) {
  const bar = document.createElement('div');
  bar.className = 'tabs';
  bar.innerHTML = items.map((t) => `<button data-tab-button="${t.id}">${esc(t.label)}</button>`).join('');
  const select = (id) => {
    for (const b of bar.querySelectorAll('button')) b.classList.toggle('active', b.dataset.tabButton === id);
    for (const s of container.querySelectorAll('[data-tab]')) s.hidden = s.dataset.tab !== id;
    if (onChange) onChange(id);
  };
  bar.addEventListener('click', (e) => { if (e.target.dataset.tabButton) select(e.target.dataset.tabButton); });
  container.prepend(bar);
  select(initial);
  return select;
}

export function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function errorText(e) {
  return e && e.error ? `${e.error}: ${e.message}` : String(e && e.message ? e.message : e);
}
