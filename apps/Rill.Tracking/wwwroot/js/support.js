// Support page: search riders/orders (GET /api/support/riders?q=), rider detail with its route
// (GET /api/support/riders/{id}), and the live picture from GET /api/support/stream:
// `riders` (all riders on the map), `stats` (throughput, lag per group, errors), `alert` (silent riders).
import { L, api, cityMap, ensureOperatorAccess, stream, withKey, formatAge, formatNumber, el, showError } from './common.js';

const $ = (x) => document.getElementById(x);
let map;
const markers = new Map(); // riderId -> circleMarker
let selected = null; // riderId
let routeLine = null;
let detailTimer = null;

async function main() {
  ({ map } = await cityMap());
  legend().addTo(map);
  await ensureOperatorAccess();
  wireSearch();
  stream(withKey('api/support/stream'), { riders: onRiders, stats: onStats, alert: onAlert },
    { onClosed: () => showError('The support stream was refused (operator key?). Reload the page to retry.') });
}

let lastRiders = [];
function styleOf(r) {
  const silent = r.ageSeconds >= 30;
  return { radius: r.riderId === selected ? 8 : 5, color: '#fff', weight: 1.5, fillOpacity: 0.95,
    fillColor: r.riderId === selected ? '#1d4ed8' : silent ? '#b35c00' : r.orderId ? '#0b7a75' : '#6b7280' };
}

function legend() {
  const control = L.control({ position: 'bottomleft' });
  control.onAdd = () => el('div', { class: 'legend' },
    ...[['#0b7a75', 'on an order'], ['#6b7280', 'no order'], ['#b35c00', 'silent 30 s+'], ['#1d4ed8', 'selected'], ['#c2410c', 'restaurant']]
      .map(([color, text]) => el('span', {}, el('i', { style: `background:${color}` }), text)));
  return control;
}

function onRiders({ riders }) {
  lastRiders = riders;
  const seen = new Set();
  for (const r of riders) {
    seen.add(r.riderId);
    const style = styleOf(r);
    let m = markers.get(r.riderId);
    if (!m) {
      m = L.circleMarker([r.lat, r.lon], { ...style, pane: 'riders' }).addTo(map).on('click', () => selectRider(m.riderId));
      m.riderId = r.riderId;
      markers.set(r.riderId, m);
    } else {
      m.setLatLng([r.lat, r.lon]).setStyle(style);
    }
    m.bindTooltip(`${r.riderId}${r.orderId ? ` · order ${r.orderId}` : ''} · ${formatAge(r.ageSeconds)}`);
  }
  for (const [id, m] of markers) if (!seen.has(id)) { m.remove(); markers.delete(id); }
  $('rider-count').textContent = formatNumber(riders.length);
}

function onStats(s) {
  $('throughput').textContent = formatNumber(s.ingestPerSecond);
  $('acked').textContent = formatNumber(s.acked);
  fillTable($('lag'), Object.entries(s.lag ?? {}), 'No consumer groups yet.');
  fillTable($('errors'), Object.entries(s.errors ?? {}).filter(([, n]) => n > 0), 'None.');
}

function fillTable(body, rows, empty) {
  body.replaceChildren();
  if (rows.length === 0) body.append(el('tr', {}, el('td', { colspan: 2, class: 'muted' }, empty)));
  for (const [name, value] of rows.sort(([a], [b]) => a.localeCompare(b))) {
    body.append(el('tr', {}, el('td', {}, name), el('td', { class: 'num' }, formatNumber(value))));
  }
}

const alerts = new Map(); // riderId -> li
function onAlert(a) {
  const list = $('alerts');
  list.querySelector('.empty')?.remove();
  alerts.get(a.riderId)?.remove();
  const li = el('li', { class: 'alert' }, el('button', { type: 'button', onclick: () => selectRider(a.riderId) },
    el('span', {}, `Rider ${a.riderId}${a.orderId ? ` (order ${a.orderId})` : ''}`),
    el('span', { class: 'pill silent' }, `silent ${Math.round(a.silentSeconds)} s`)));
  alerts.set(a.riderId, li);
  list.prepend(li);
}

function wireSearch() {
  const input = $('search');
  let timer = null;
  let generation = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      const mine = ++generation;
      const list = $('results');
      if (!q) { list.replaceChildren(); return; }
      try {
        const found = await api(`api/support/riders?q=${encodeURIComponent(q)}`);
        if (mine !== generation) return;
        list.replaceChildren();
        if (found.length === 0) list.append(el('li', { class: 'empty' }, `Nothing matches “${q}”.`));
        for (const r of found.slice(0, 50)) {
          list.append(el('li', { class: r.riderId === selected ? 'selected' : null, dataset: { rider: r.riderId } },
            el('button', { type: 'button', onclick: () => selectRider(r.riderId) },
              el('span', {}, el('strong', {}, r.riderId), r.orderId ? ` · order ${r.orderId}` : ''),
              el('span', { class: 'pill' }, `${r.region ?? '?'} · ${formatAge(r.ageSeconds)}`))));
        }
      } catch (e) {
        showError(`Search failed: ${e.message}`);
      }
    }, 200);
  });
}

async function selectRider(riderId) {
  selected = riderId;
  for (const li of $('results').children) li.classList.toggle('selected', li.dataset.rider === riderId);
  clearInterval(detailTimer);
  for (const r of lastRiders) markers.get(r.riderId)?.setStyle(styleOf(r));
  await showDetail(true);
  detailTimer = setInterval(() => showDetail(false).catch(() => {}), 2000);
}

async function showDetail(fit) {
  const riderId = selected;
  const d = await api(`api/support/riders/${encodeURIComponent(riderId)}`);
  if (riderId !== selected) return;
  $('detail-card').hidden = false;
  $('detail-rider').textContent = d.riderId;
  $('detail-region').textContent = d.region ?? '—';
  $('detail-order').textContent = d.orderId ?? 'none';
  $('detail-position').textContent = d.lat == null ? '—' : `${d.lat.toFixed(5)}, ${d.lon.toFixed(5)}`;
  $('detail-age').replaceChildren(formatAge(d.ageSeconds), ' ', d.silent ? el('span', { class: 'pill silent' }, 'silent') : '');
  const route = (d.route ?? []).map((p) => [p.lat, p.lon]);
  $('detail-route').textContent = `${route.length} positions`;
  routeLine?.remove();
  routeLine = route.length > 0 ? L.polyline(route, { color: '#1d4ed8', weight: 4, opacity: 0.7 }).addTo(map) : null;
  if (fit) {
    // keep the overview of all riders; move only when the rider's route is not in view
    const view = map.getBounds();
    if (routeLine && !view.contains(routeLine.getBounds())) map.fitBounds(routeLine.getBounds(), { padding: [60, 60], maxZoom: map.getZoom(), animate: false });
    else if (!routeLine && d.lat != null && !view.contains([d.lat, d.lon])) map.panTo([d.lat, d.lon], { animate: false });
  }
}

main().catch((e) => showError(`Could not load the page: ${e.message}`));
