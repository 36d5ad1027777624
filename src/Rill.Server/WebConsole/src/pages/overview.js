import { api } from '../api.js';
import { TimeChart } from '../chart.js';
import { bytes, duration, esc, num } from '../format.js';

/** Cluster overview: brokers, version, uptime, counts and live throughput / latency charts (the broker's meters, per second). */
export function overviewPage(view) {
  view.innerHTML = `<h1>Cluster overview</h1>
    <div class="cards" id="cards"></div>
    <h2>Brokers</h2><table class="grid" id="brokers"><thead><tr><th>Id</th><th>Host</th><th>Port</th><th>Rack</th><th>Role</th></tr></thead><tbody></tbody></table>
    <div class="charts"><div class="chart" id="throughput-chart"></div><div class="chart" id="latency-chart"></div></div>`;
  const throughput = new TimeChart(view.querySelector('#throughput-chart'), {
    title: 'Throughput (per second)',
    series: [
      { label: 'bytes in', stroke: '#2563eb', value: (u, v) => (v == null ? '–' : bytes(v) + '/s') },
      { label: 'bytes out', stroke: '#16a34a', value: (u, v) => (v == null ? '–' : bytes(v) + '/s') },
      { label: 'messages in', stroke: '#d97706', scale: 'msg', value: (u, v) => (v == null ? '–' : num(v) + '/s') },
    ],
    axes: [{ scale: 'y', size: 70, values: (u, vals) => vals.map((v) => bytes(v)) }, { scale: 'msg', side: 1, size: 60, grid: { show: false } }],
  });
  const latency = new TimeChart(view.querySelector('#latency-chart'), {
    title: 'Requests: latency (ms) and rate',
    series: [
      { label: 'p50 ms', stroke: '#7c3aed' },
      { label: 'p99 ms', stroke: '#dc2626' },
      { label: 'requests/s', stroke: '#0891b2', scale: 'rps' },
    ],
    axes: [{ scale: 'y', size: 60 }, { scale: 'rps', side: 1, size: 50, grid: { show: false } }],
  });
  let since = 0;
  let loaded = false;
  let stopped = false;

  async function refresh() {
    const [cluster, points] = await Promise.all([api.get('/api/cluster'), api.get(`/api/live?since=${since}`)]);
    if (stopped) return;
    view.querySelector('#cards').innerHTML = [
      ['Cluster id', cluster.clusterId], ['Version', cluster.version], ['Uptime', duration(cluster.uptimeSeconds)],
      ['Brokers', cluster.brokers.length], ['Topics', num(cluster.topics)], ['Partitions', num(cluster.partitions)],
      ['Consumer groups', num(cluster.groups)], ['Size on disk', bytes(cluster.sizeBytes)], ['Connections', num(cluster.connections)],
    ].map(([k, v]) => `<div class="card"><div class="muted">${esc(k)}</div><div class="value" data-card="${esc(k)}">${esc(v)}</div></div>`).join('');
    view.querySelector('#brokers tbody').innerHTML = cluster.brokers.map((b) => `<tr><td>${b.id}</td><td>${esc(b.host)}</td>
      <td>${b.port}</td><td>${esc(b.rack ?? '–')}</td><td>${b.controller ? 'controller' : ''}${b.id === cluster.nodeId ? ' (this node)' : ''}</td></tr>`).join('');
    for (const p of points) {
      throughput.add(p.time, [p.bytesInPerSec, p.bytesOutPerSec, p.messagesInPerSec]);
      latency.add(p.time, [p.latencyP50Ms, p.latencyP99Ms, p.requestsPerSec]);
      since = p.time;
    }
    if (!loaded) { loaded = true; window.rillLoaded('overview'); }
  }

  refresh().catch((e) => { view.querySelector('#cards').textContent = String(e.message); });
  const timer = setInterval(() => refresh().catch(() => {}), 2000);
  return {
    dispose() { stopped = true; clearInterval(timer); throughput.destroy(); latency.destroy(); },
  };
}
