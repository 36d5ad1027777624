import { api, qs } from '../api.js';
import { bytes, esc, num } from '../format.js';
import { confirmModal, errorText, pager, toast } from '../ui.js';

/** Topics: a page of 50 (server-side paging, filter and sort), create and delete. */
export function topicsPage(view, _, query) {
  view.innerHTML = `<h1>Topics</h1>
    <div class="toolbar">
      <input id="topic-filter" placeholder="Filter by name" value="${esc(query.get('q') ?? '')}">
      <label><input type="checkbox" id="topic-internal"> internal topics</label>
      <label>Sort <select id="topic-sort"><option value="name">name</option><option value="size">size</option>
        <option value="throughput">throughput</option><option value="messages">messages</option></select></label>
      <span class="spacer"></span>
      <button id="topic-create-open">Create topic</button>
    </div>
    <form id="topic-create" class="panel" hidden>
      <h3>Create topic</h3>
      <label>Name <input name="name" id="create-name" required pattern="[a-zA-Z0-9._\\-]+"></label>
      <label>Partitions <input name="partitions" id="create-partitions" type="number" min="1" placeholder="broker default"></label>
      <label>Replication factor <input name="rf" type="number" min="1" placeholder="broker default"></label>
      <label class="wide">Configs (one name=value a line) <textarea name="configs" rows="3" placeholder="retention.ms=86400000"></textarea></label>
      <div class="actions"><button type="button" class="secondary" id="topic-create-cancel">Cancel</button><button type="submit" id="create-submit">Create</button></div>
    </form>
    <table class="grid" id="topics"><thead><tr><th>Name</th><th class="n">Partitions</th><th class="n">Messages</th>
      <th class="n">Size</th><th class="n">In (bytes/s)</th><th class="n">In (msg/s)</th><th></th></tr></thead><tbody></tbody></table>
    <div id="topics-pager"></div>`;
  let offset = 0;
  let loaded = false;
  const filter = view.querySelector('#topic-filter');
  const form = view.querySelector('#topic-create');

  async function load() {
    const page = await api.get('/api/topics' + qs({
      offset, limit: 50, q: filter.value, internal: view.querySelector('#topic-internal').checked, sort: view.querySelector('#topic-sort').value,
    }));
    view.querySelector('#topics tbody').innerHTML = page.items.map((t) => `<tr data-topic="${esc(t.name)}">
      <td><a href="#/topics/${encodeURIComponent(t.name)}">${esc(t.name)}</a>${t.internal ? ' <span class="tag">internal</span>' : ''}</td>
      <td class="n">${t.partitions}</td><td class="n">${num(t.messages)}</td><td class="n">${bytes(t.sizeBytes)}</td>
      <td class="n">${bytes(t.bytesInPerSec)}</td><td class="n">${num(t.messagesInPerSec)}</td>
      <td>${t.internal ? '' : `<button class="link danger" data-delete="${esc(t.name)}">Delete</button>`}</td></tr>`).join('')
      || '<tr><td colspan="7" class="muted">No topics.</td></tr>';
    const pagerEl = view.querySelector('#topics-pager');
    pagerEl.innerHTML = '';
    pagerEl.appendChild(pager(page, (o) => { offset = o; load(); }));
    if (!loaded) { loaded = true; window.rillLoaded('topics'); }
  }

  let debounce;
  filter.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(() => { offset = 0; load(); }, 200); });
  view.querySelector('#topic-internal').addEventListener('change', () => { offset = 0; load(); });
  view.querySelector('#topic-sort').addEventListener('change', () => { offset = 0; load(); });
  view.querySelector('#topic-create-open').addEventListener('click', () => { form.hidden = false; form.querySelector('input').focus(); });
  view.querySelector('#topic-create-cancel').addEventListener('click', () => { form.hidden = true; });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const configs = {};
    for (const line of String(data.get('configs')).split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) configs[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    try {
      const created = await api.post('/api/topics', {
        name: data.get('name'),
        partitions: data.get('partitions') ? Number(data.get('partitions')) : null,
        replicationFactor: data.get('rf') ? Number(data.get('rf')) : null,
        configs,
      });
      toast(`Created topic ${created.name} with ${created.partitions} partition(s)`);
      form.reset();
      form.hidden = true;
      location.hash = `#/topics/${encodeURIComponent(created.name)}`;
    } catch (err) { toast(errorText(err), true); }
  });
  view.querySelector('#topics').addEventListener('click', async (e) => {
    const name = e.target.dataset.delete;
    if (!name) return;
    if (!await confirmModal('Delete topic', `<p>Delete <b>${esc(name)}</b> and all its messages? This cannot be undone.</p>`, 'Delete')) return;
    try { await api.del(`/api/topics/${encodeURIComponent(name)}`); toast(`Deleted ${name}`); load(); } catch (err) { toast(errorText(err), true); }
  });
  load().catch((e) => toast(errorText(e), true));
  return {};
}
