import { api } from '../api.js';
import { esc } from '../format.js';
import { errorText, toast } from '../ui.js';

/**
 * A config table with a filter and inline editing (SET) and "reset" (DELETE the override or dynamic
 * value). `editable(entry)` says which rows may change; `path` is the GET/PUT endpoint.
 */
export function configTable(container, { path, editable, resettable, onLoaded }) {
  container.innerHTML = `<div class="toolbar"><input class="config-filter" placeholder="Filter configs">
      <label><input type="checkbox" class="config-changed"> changed from default only</label></div>
    <table class="grid configs"><thead><tr><th>Name</th><th>Value</th><th>Source</th><th></th></tr></thead><tbody></tbody></table>`;
  let entries = [];
  const body = container.querySelector('tbody');
  const filter = container.querySelector('.config-filter');
  const changedOnly = container.querySelector('.config-changed');

  function render() {
    const f = filter.value.toLowerCase();
    body.innerHTML = entries
      .filter((c) => c.name.toLowerCase().includes(f) && (!changedOnly.checked || c.source !== 'DEFAULT_CONFIG'))
      .map((c) => `<tr data-config="${esc(c.name)}">
        <td title="${esc(c.documentation)}">${esc(c.name)}</td>
        <td class="value">${c.sensitive ? '<i>sensitive</i>' : esc(c.value ?? '')}</td>
        <td><span class="tag">${esc(c.source)}</span></td>
        <td>${editable(c) ? `<button class="link" data-edit="${esc(c.name)}">Edit</button>` : '<span class="muted">read-only</span>'}
          ${resettable(c) ? `<button class="link" data-reset="${esc(c.name)}">Reset</button>` : ''}</td></tr>`).join('');
  }

  async function load() {
    entries = await api.get(path);
    render();
    if (onLoaded) onLoaded();
  }

  async function change(body) {
    try {
      entries = await api.put(path, body);
      render();
      toast('Config changed');
    } catch (e) { toast(errorText(e), true); }
  }

  filter.addEventListener('input', render);
  changedOnly.addEventListener('change', render);
  body.addEventListener('click', async (e) => {
    const edit = e.target.dataset.edit;
    const reset = e.target.dataset.reset;
    if (reset) return change({ delete: [reset] });
    if (!edit) return;
    const row = e.target.closest('tr');
    const entry = entries.find((c) => c.name === edit);
    const cell = row.querySelector('.value');
    cell.innerHTML = `<form class="inline"><input name="value" value="${esc(entry.value ?? '')}"><button type="submit">Save</button>
      <button type="button" class="secondary" data-cancel="1">Cancel</button></form>`;
    const form = cell.querySelector('form');
    form.querySelector('input').focus();
    form.addEventListener('submit', (ev) => { ev.preventDefault(); change({ set: { [edit]: form.value.value } }); });
    form.querySelector('[data-cancel]').addEventListener('click', render);
  });
  load().catch((e) => toast(errorText(e), true));
  return { reload: load };
}
