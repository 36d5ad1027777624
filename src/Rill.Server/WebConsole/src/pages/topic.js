import { api, qs } from '../api.js';
import { bytes, esc, num, prettyJson, time } from '../format.js';
import { download, errorText, tabs, toast } from '../ui.js';
import { configTable } from './configs.js';

/** One topic: partitions, message browser (browse, search, export, produce), configs and the groups reading it. */
export function topicPage(view, name) {
  const path = `/api/topics/${encodeURIComponent(name)}`;
  view.innerHTML = `<h1>Topic <span id="topic-name">${esc(name)}</span></h1>
    <div class="cards" id="topic-cards"></div>
    <div id="topic-tabs">
      <section data-tab="partitions"><table class="grid" id="partitions"><thead><tr><th class="n">Partition</th><th class="n">Leader</th>
        <th>Replicas</th><th>ISR</th><th class="n">Start offset</th><th class="n">End offset</th><th class="n">Messages</th>
        <th class="n">Size</th><th class="n">Segments</th></tr></thead><tbody></tbody></table></section>
      <section data-tab="messages">
        <form class="toolbar" id="browse">
          <label>Partition <select name="partition" id="browse-partition"><option value="-1">all</option></select></label>
          <label>From <select name="from" id="browse-from"><option value="newest">newest</option><option value="oldest">oldest</option>
            <option value="offset">offset</option><option value="timestamp">time</option></select></label>
          <input name="offset" id="browse-offset" type="number" min="0" placeholder="offset" hidden>
          <input name="timestamp" id="browse-time" type="datetime-local" step="1" hidden>
          <label>Limit <select name="limit"><option>20</option><option selected>50</option><option>200</option><option>1000</option></select></label>
          <button type="submit" id="browse-load">Load</button>
        </form>
        <form class="toolbar" id="search">
          <input name="key" id="search-key" placeholder="key contains">
          <input name="value" id="search-value" placeholder="value contains">
          <button type="submit" id="search-run">Search</button>
          <button type="button" class="secondary" id="search-stop" hidden>Stop</button>
          <span id="search-progress" class="muted"></span>
        </form>
        <div class="toolbar"><span id="message-count" class="muted"></span><span class="spacer"></span>
          <button class="secondary" id="export-json">Export JSON</button><button class="secondary" id="export-csv">Export CSV</button></div>
        <table class="grid messages" id="messages"><thead><tr><th class="n">Partition</th><th class="n">Offset</th><th>Timestamp</th>
          <th>Key</th><th>Value</th><th class="n">Headers</th></tr></thead><tbody></tbody></table>
      </section>
      <section data-tab="produce">
        <form class="panel" id="produce">
          <label>Partition <select name="partition" id="produce-partition"><option value="">by key (murmur2) / random</option></select></label>
          <label>Key <input name="key" id="produce-key" placeholder="(none)"></label>
          <label class="wide">Value <textarea name="value" id="produce-value" rows="6"></textarea></label>
          <label class="wide">Headers (one name=value a line) <textarea name="headers" id="produce-headers" rows="2"></textarea></label>
          <div class="actions"><button type="submit" id="produce-send">Produce</button></div>
          <p id="produce-result" class="muted"></p>
        </form>
      </section>
      <section data-tab="configs"><div id="topic-configs"></div></section>
      <section data-tab="groups"><table class="grid" id="topic-groups"><thead><tr><th>Group</th><th class="n">Lag (records)</th></tr></thead><tbody></tbody></table></section>
    </div>`;

  let messages = [];
  let searchRun = 0;
  let configsLoaded = false;
  const container = view.querySelector('#topic-tabs');
  tabs(container, [
    { id: 'partitions', label: 'Partitions' }, { id: 'messages', label: 'Messages' }, { id: 'produce', label: 'Produce' },
    { id: 'configs', label: 'Configs' }, { id: 'groups', label: 'Consumer groups' },
  ], 'partitions', (id) => {
    if (id === 'configs' && !configsLoaded) {
      configsLoaded = true;
      configTable(view.querySelector('#topic-configs'), {
        path: `${path}/configs`, editable: (c) => !c.readOnly, resettable: (c) => c.source === 'DYNAMIC_TOPIC_CONFIG',
      });
    }
    if (id === 'messages' && messages.length === 0) browse().catch((e) => toast(errorText(e), true));
  });

  async function loadTopic() {
    const t = await api.get(path);
    view.querySelector('#topic-cards').innerHTML = [
      ['Partitions', t.partitions.length], ['Messages', num(t.partitions.reduce((s, p) => s + p.highWatermark - p.logStartOffset, 0))],
      ['Size', bytes(t.partitions.reduce((s, p) => s + p.sizeBytes, 0))], ['In', `${bytes(t.bytesInPerSec)}/s · ${num(t.messagesInPerSec)} msg/s`],
      ['Topic id', t.id],
    ].map(([k, v]) => `<div class="card"><div class="muted">${esc(k)}</div><div class="value">${esc(v)}</div></div>`).join('');
    view.querySelector('#partitions tbody').innerHTML = t.partitions.map((p) => `<tr><td class="n">${p.partition}</td><td class="n">${p.leader}</td>
      <td>${p.replicas.join(', ')}</td><td>${p.isr.join(', ')}</td><td class="n">${num(p.logStartOffset)}</td><td class="n">${num(p.highWatermark)}</td>
      <td class="n">${num(p.highWatermark - p.logStartOffset)}</td><td class="n">${bytes(p.sizeBytes)}</td><td class="n">${p.segments}</td></tr>`).join('');
    view.querySelector('#topic-groups tbody').innerHTML = t.groups.map((g) => `<tr><td><a href="#/groups/${encodeURIComponent(g.groupId)}">${esc(g.groupId)}</a></td>
      <td class="n">${num(g.lagRecords)}</td></tr>`).join('') || '<tr><td colspan="2" class="muted">No group has committed offsets on this topic.</td></tr>';
    for (const id of ['#browse-partition', '#produce-partition']) {
      const select = view.querySelector(id);
      if (select.options.length === 1) {
        for (const p of t.partitions) select.insertAdjacentHTML('beforeend', `<option value="${p.partition}">${p.partition}</option>`);
      }
    }
  }

  function cell(text, isBase64) {
    if (text === null || text === undefined) return '<span class="muted">null</span>';
    const shown = text.length > 120 ? text.slice(0, 120) + '…' : text;
    return `${isBase64 ? '<span class="tag">base64</span> ' : ''}${esc(shown)}`;
  }

  function renderMessages(note) {
    view.querySelector('#message-count').textContent = note ?? `${messages.length} message(s)`;
    view.querySelector('#messages tbody').innerHTML = messages.map((m, i) => `<tr class="message" data-index="${i}" data-offset="${m.offset}">
      <td class="n">${m.partition}</td><td class="n">${m.offset}</td><td>${time(m.timestamp)}</td>
      <td class="key">${cell(m.key, m.keyBase64)}</td><td class="value">${cell(m.value, m.valueBase64)}</td><td class="n">${m.headers.length}</td></tr>`).join('')
      || '<tr><td colspan="6" class="muted">No messages.</td></tr>';
  }

  async function browse() {
    // The newest request wins: the automatic load when the tab opens can answer after a Load the user clicked since.
    const run = ++searchRun;
    const form = new FormData(view.querySelector('#browse'));
    const from = form.get('from');
    const ts = form.get('timestamp');
    const loaded = await api.get(`${path}/messages` + qs({
      partition: form.get('partition'), from, limit: form.get('limit'),
      offset: from === 'offset' ? form.get('offset') : undefined,
      timestamp: from === 'timestamp' && ts ? new Date(ts).getTime() : undefined,
    }));
    if (run !== searchRun) return;
    messages = loaded;
    renderMessages();
  }

  async function search() {
    const run = ++searchRun;
    const form = new FormData(view.querySelector('#search'));
    const partition = view.querySelector('#browse-partition').value;
    const progress = view.querySelector('#search-progress');
    const stopButton = view.querySelector('#search-stop');
    messages = [];
    renderMessages('Searching…');
    stopButton.hidden = false;
    let cursor;
    let scanned = 0;
    let total = null;
    try {
      for (;;) {
        const r = await api.get(`${path}/search` + qs({
          partition, key: form.get('key'), value: form.get('value'), limit: 200 - messages.length, budgetMs: 500, cursor,
        }));
        if (run !== searchRun) return;
        messages.push(...r.matches);
        scanned += r.scannedBytes;
        if (total === null) total = r.positions.reduce((s, p) => s + p.end - p.start, 0);
        const done = r.positions.reduce((s, p) => s + p.next - p.start, 0);
        cursor = r.positions.map((p) => `${p.partition}:${p.next}:${p.end}`).join(',');
        progress.textContent = `scanned ${bytes(scanned)}, ${total ? Math.round((100 * done) / total) : 100}% of ${num(total)} records`;
        renderMessages(`${messages.length} match(es)`);
        if (r.done || messages.length >= 200) break;
      }
      progress.textContent += messages.length >= 200 ? ' — stopped at 200 matches' : ' — done';
    } finally {
      if (run === searchRun) stopButton.hidden = true;
    }
  }

  view.querySelector('#browse-from').addEventListener('change', (e) => {
    view.querySelector('#browse-offset').hidden = e.target.value !== 'offset';
    view.querySelector('#browse-time').hidden = e.target.value !== 'timestamp';
  });
  view.querySelector('#browse').addEventListener('submit', (e) => { e.preventDefault(); browse().catch((err) => toast(errorText(err), true)); });
  view.querySelector('#search').addEventListener('submit', (e) => { e.preventDefault(); search().catch((err) => toast(errorText(err), true)); });
  view.querySelector('#search-stop').addEventListener('click', () => {
    searchRun++;
    view.querySelector('#search-stop').hidden = true;
    view.querySelector('#search-progress').textContent += ' — stopped';
  });
  view.querySelector('#messages').addEventListener('click', (e) => {
    const row = e.target.closest('tr.message');
    if (!row) return;
    if (row.nextElementSibling && row.nextElementSibling.classList.contains('detail')) { row.nextElementSibling.remove(); return; }
    const m = messages[Number(row.dataset.index)];
    const value = prettyJson(m.value) ?? m.value;
    row.insertAdjacentHTML('afterend', `<tr class="detail"><td colspan="6">
      <div class="detail-grid"><div><b>Key</b><pre>${esc(m.key ?? 'null')}</pre></div>
      <div><b>Headers</b><pre>${m.headers.map((h) => `${esc(h.key)}: ${esc(h.value ?? 'null')}`).join('\n') || '(none)'}</pre></div></div>
      <b>Value</b> <span class="muted">${m.valueBytes} bytes${m.valueTruncated ? ', cut at 64 KB' : ''}${m.valueBase64 ? ', base64' : ''}, ${esc(m.timestampType)}</span>
      <pre class="json">${esc(value ?? 'null')}</pre></td></tr>`);
  });
  view.querySelector('#export-json').addEventListener('click', () =>
    download(`${name}-messages.json`, 'application/json', JSON.stringify(messages, null, 2)));
  view.querySelector('#export-csv').addEventListener('click', () => {
    const q = (v) => (v === null || v === undefined ? '' : `"${String(v).replace(/"/g, '""')}"`);
    const lines = ['partition,offset,timestamp,key,value,headers'];
    for (const m of messages) {
      lines.push([m.partition, m.offset, m.timestamp, q(m.key), q(m.value), q(JSON.stringify(Object.fromEntries(m.headers.map((h) => [h.key, h.value]))))].join(','));
    }
    download(`${name}-messages.csv`, 'text/csv', lines.join('\n') + '\n');
  });
  view.querySelector('#produce').addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const headers = {};
    for (const line of String(form.get('headers')).split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) headers[line.slice(0, i).trim()] = line.slice(i + 1);
    }
    try {
      const r = await api.post(`${path}/messages`, {
        partition: form.get('partition') === '' ? null : Number(form.get('partition')),
        key: form.get('key') === '' ? null : form.get('key'),
        value: form.get('value'),
        headers,
      });
      view.querySelector('#produce-result').textContent = `Produced to partition ${r.partition} at offset ${r.offset}`;
      toast(`Produced to partition ${r.partition} at offset ${r.offset}`);
      loadTopic();
    } catch (err) {
      view.querySelector('#produce-result').textContent = `Refused: ${errorText(err)}`;
      toast(errorText(err), true);
    }
  });

  loadTopic().then(() => window.rillLoaded('topic')).catch((e) => toast(errorText(e), true));
  const timer = setInterval(() => loadTopic().catch(() => {}), 5000);
  return { dispose() { clearInterval(timer); searchRun++; } };
}
