import { api } from '../api.js';
import { TimeChart } from '../chart.js';
import { duration, esc, num, time } from '../format.js';
import { confirmModal, errorText, toast } from '../ui.js';

/** One group: state, members and assignments, lag per partition, lag history (kept by the server) and offset reset. */
export function groupPage(view, id) {
  const path = `/api/groups/${encodeURIComponent(id)}`;
  view.innerHTML = `<h1>Consumer group <span id="group-id">${esc(id)}</span></h1>
    <div class="cards" id="group-cards"></div>
    <div class="chart" id="lag-chart"></div>
    <h2>Lag per partition</h2>
    <table class="grid" id="group-offsets"><thead><tr><th>Topic</th><th class="n">Partition</th><th class="n">Committed</th>
      <th class="n">End offset</th><th class="n">Lag</th><th class="n">Lag (time)</th><th>Committed at</th><th>Member</th></tr></thead><tbody></tbody></table>
    <h2>Members</h2>
    <table class="grid" id="group-members"><thead><tr><th>Member</th><th>Client id</th><th>Host</th><th>Assignment</th></tr></thead><tbody></tbody></table>
    <h2>Reset offsets</h2>
    <form class="panel" id="reset">
      <p id="reset-note" class="muted"></p>
      <label>Topic <select name="topic" id="reset-topic"><option value="">every committed topic</option></select></label>
      <label>To <select name="to" id="reset-to"><option value="earliest">earliest</option><option value="latest">latest</option>
        <option value="timestamp">time</option><option value="offset">offset</option></select></label>
      <input name="timestamp" id="reset-time" type="datetime-local" step="1" hidden>
      <input name="offset" id="reset-offset" type="number" min="0" placeholder="offset" hidden>
      <div class="actions"><button type="submit" id="reset-preview">Reset offsets…</button></div>
    </form>`;
  const chart = new TimeChart(view.querySelector('#lag-chart'), {
    title: 'Lag history',
    max: 400,
    series: [
      { label: 'lag (records)', stroke: '#2563eb', value: (u, v) => (v == null ? '–' : num(v)) },
      { label: 'lag (seconds)', stroke: '#dc2626', scale: 's', value: (u, v) => (v == null ? '–' : duration(v)) },
    ],
    axes: [{ scale: 'y' }, { scale: 's', side: 1, grid: { show: false } }],
  });
  let lastPoint = 0;
  let loaded = false;
  let group = null;

  async function load() {
    const [g, history] = await Promise.all([api.get(path), api.get(`${path}/lag-history`)]);
    group = g;
    view.querySelector('#group-cards').innerHTML = [
      ['State', g.state], ['Type', g.type], ['Protocol', g.protocol || '–'], ['Members', g.members.length],
      ['Lag (records)', num(g.lagRecords)], ['Lag (time)', duration(g.lagSeconds)],
    ].map(([k, v]) => `<div class="card"><div class="muted">${esc(k)}</div><div class="value" data-card="${esc(k)}">${esc(v)}</div></div>`).join('');
    view.querySelector('#group-offsets tbody').innerHTML = g.offsets.map((o) => `<tr><td><a href="#/topics/${encodeURIComponent(o.topic)}">${esc(o.topic)}</a></td>
      <td class="n">${o.partition}</td><td class="n">${num(o.committedOffset)}</td><td class="n">${num(o.logEndOffset)}</td>
      <td class="n lag">${num(o.lagRecords)}</td><td class="n">${duration(o.lagSeconds)}</td><td>${time(o.commitTimestamp)}</td>
      <td class="muted">${esc(o.memberId ?? '')}</td></tr>`).join('') || '<tr><td colspan="8" class="muted">No committed offsets.</td></tr>';
    view.querySelector('#group-members tbody').innerHTML = g.members.map((m) => `<tr><td>${esc(m.memberId)}</td><td>${esc(m.clientId)}</td>
      <td>${esc(m.clientHost)}</td><td>${m.assignment.map((a) => `${esc(a.topic)}: ${a.partitions.join(', ')}`).join('<br>')}</td></tr>`).join('')
      || '<tr><td colspan="4" class="muted">No members.</td></tr>';
    for (const p of history) {
      if (p.time > lastPoint) { chart.add(p.time, [p.lagRecords, p.lagSeconds]); lastPoint = p.time; }
    }
    const topicSelect = view.querySelector('#reset-topic');
    for (const t of new Set(g.offsets.map((o) => o.topic))) {
      if (![...topicSelect.options].some((o) => o.value === t)) topicSelect.insertAdjacentHTML('beforeend', `<option>${esc(t)}</option>`);
    }
    view.querySelector('#reset-preview').disabled = !g.canReset;
    view.querySelector('#reset-note').textContent = g.canReset
      ? 'The group is empty: its offsets can be reset. You will see the changes before they are committed.'
      : `The group is ${g.state} with ${g.members.length} member(s). Kafka resets offsets only while a group has no members: stop its consumers first.`;
    if (!loaded) { loaded = true; window.rillLoaded('group'); }
  }

  view.querySelector('#reset-to').addEventListener('change', (e) => {
    view.querySelector('#reset-time').hidden = e.target.value !== 'timestamp';
    view.querySelector('#reset-offset').hidden = e.target.value !== 'offset';
  });
  view.querySelector('#reset').addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const body = {
      topic: form.get('topic') || null, to: form.get('to'),
      timestamp: form.get('to') === 'timestamp' && form.get('timestamp') ? new Date(form.get('timestamp')).getTime() : null,
      offset: form.get('to') === 'offset' && form.get('offset') !== '' ? Number(form.get('offset')) : null,
    };
    try {
      const plan = await api.post(`${path}/reset-offsets`, { ...body, dryRun: true });
      const rows = plan.changes.map((c) => `<tr><td>${esc(c.topic)}</td><td class="n">${c.partition}</td><td class="n">${c.current < 0 ? '–' : num(c.current)}</td>
        <td class="n"><b>${num(c.new)}</b></td></tr>`).join('');
      const ok = await confirmModal(`Reset offsets of ${id}`, `<table class="grid" id="reset-plan"><thead><tr><th>Topic</th><th class="n">Partition</th>
        <th class="n">Current</th><th class="n">New</th></tr></thead><tbody>${rows}</tbody></table>`, 'Reset offsets');
      if (!ok) return;
      await api.post(`${path}/reset-offsets`, { ...body, dryRun: false });
      toast(`Reset ${plan.changes.length} partition(s) of ${id}`);
      load();
    } catch (err) { toast(errorText(err), true); }
  });

  load().catch((e) => toast(errorText(e), true));
  const timer = setInterval(() => load().catch(() => {}), 2000);
  return { dispose() { clearInterval(timer); chart.destroy(); } };
}
