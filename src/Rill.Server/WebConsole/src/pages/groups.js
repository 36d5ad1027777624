import { api, qs } from '../api.js';
import { duration, esc, num } from '../format.js';
import { errorText, pager, toast } from '../ui.js';

/** Consumer groups: a page of 50 with state, members and lag (records; seconds: the oldest unconsumed record's age). */
export function groupsPage(view) {
  view.innerHTML = `<h1>Consumer groups</h1>
    <div class="toolbar"><input id="group-filter" placeholder="Filter by group id"></div>
    <table class="grid" id="groups"><thead><tr><th>Group</th><th>Type</th><th>State</th><th class="n">Members</th>
      <th class="n">Lag (records)</th><th class="n">Lag (time)</th></tr></thead><tbody></tbody></table>
    <div id="groups-pager"></div>`;
  let offset = 0;
  let loaded = false;
  const filter = view.querySelector('#group-filter');

  async function load() {
    const page = await api.get('/api/groups' + qs({ offset, limit: 50, q: filter.value }));
    view.querySelector('#groups tbody').innerHTML = page.items.map((g) => `<tr data-group="${esc(g.groupId)}">
      <td><a href="#/groups/${encodeURIComponent(g.groupId)}">${esc(g.groupId)}</a></td><td>${esc(g.type)}</td>
      <td><span class="state state-${esc(g.state)}">${esc(g.state)}</span></td><td class="n">${g.members}</td>
      <td class="n">${num(g.lagRecords)}</td><td class="n">${duration(g.lagSeconds)}</td></tr>`).join('')
      || '<tr><td colspan="6" class="muted">No consumer groups.</td></tr>';
    const pagerEl = view.querySelector('#groups-pager');
    pagerEl.innerHTML = '';
    pagerEl.appendChild(pager(page, (o) => { offset = o; load(); }));
    if (!loaded) { loaded = true; window.rillLoaded('groups'); }
  }

  let debounce;
  filter.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(() => { offset = 0; load(); }, 200); });
  load().catch((e) => toast(errorText(e), true));
  const timer = setInterval(() => load().catch(() => {}), 5000);
  return { dispose() { clearInterval(timer); } };
}
