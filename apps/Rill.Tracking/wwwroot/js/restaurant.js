// Restaurant page: /restaurant.html?id=R. Riders heading to the restaurant with their ETA, from the
// SSE stream GET /api/restaurants/{id}/stream (incoming / arrived / gone). Without ?id= lists restaurants.
import { api, cityMap, divMarker, ensureOperatorAccess, stream, withKey, param, formatEta, formatTime, el, showError } from './common.js';

const id = param('id');
const $ = (x) => document.getElementById(x);

async function main() {
  const [{ map }, restaurants] = await Promise.all([cityMap(), api('api/restaurants')]);
  if (!id) return showPicker(restaurants);

  const restaurant = restaurants.find((r) => String(r.id) === id);
  $('title').textContent = restaurant ? restaurant.name : `Restaurant ${id}`;
  document.title = `${$('title').textContent} · Rill Tracking`;
  if (restaurant) {
    divMarker([restaurant.lat, restaurant.lon], 'shop-marker', restaurant.name).addTo(map);
    map.setView([restaurant.lat, restaurant.lon], map.getZoom() + 1, { animate: false });
  }
  $('incoming-card').hidden = false;
  $('events-card').hidden = false;
  $('conn').hidden = false;

  await ensureOperatorAccess();
  const riders = new Map(); // orderId -> { row data, marker }

  function render() {
    const body = $('incoming');
    body.replaceChildren();
    const rows = [...riders.values()].sort((a, b) => (a.arrived - b.arrived) || ((a.etaSeconds ?? 1e9) - (b.etaSeconds ?? 1e9)));
    if (rows.length === 0) {
      body.append(el('tr', { class: 'empty' }, el('td', { colspan: 4, class: 'muted' }, 'No riders heading here yet.')));
      return;
    }
    for (const r of rows) {
      body.append(el('tr', { class: r.arrived ? 'arrived' : null, dataset: { order: r.orderId } },
        el('td', {}, r.orderId), el('td', {}, r.riderId),
        el('td', { class: 'num' }, r.arrived ? '—' : formatEta(r.etaSeconds)),
        el('td', { class: 'status' }, r.arrived ? 'arrived' : 'on the way')));
    }
  }

  function logEvent(text) {
    const list = $('events');
    list.querySelector('.empty')?.remove();
    list.prepend(el('li', {}, el('span', { class: 'row' }, text)));
    while (list.children.length > 30) list.lastChild.remove();
  }

  stream(withKey(`api/restaurants/${encodeURIComponent(id)}/stream`), {
    incoming(e) {
      let r = riders.get(e.orderId);
      if (!r) {
        r = { orderId: e.orderId, riderId: e.riderId, arrived: false, marker: divMarker([e.lat, e.lon], 'rider-marker', `Rider ${e.riderId}`).addTo(map) };
        r.marker.bindTooltip(`${e.riderId} · order ${e.orderId}`);
        riders.set(e.orderId, r);
      }
      r.marker.setLatLng([e.lat, e.lon]);
      r.etaSeconds = e.etaSeconds;
      r.ts = e.ts;
      render();
    },
    arrived(e) {
      const r = riders.get(e.orderId);
      if (r) r.arrived = true;
      logEvent(`${formatTime(e.ts)} · rider ${e.riderId} arrived for order ${e.orderId}`);
      render();
    },
    gone(e) {
      const r = riders.get(e.orderId);
      r?.marker.remove();
      riders.delete(e.orderId);
      render();
    },
  }, { onClosed: () => showError('The restaurant stream was refused (unknown restaurant or missing operator key).') });
}

function showPicker(restaurants) {
  $('picker').hidden = false;
  const list = $('restaurant-list');
  if (restaurants.length === 0) list.append(el('li', { class: 'empty' }, 'The city has no restaurants.'));
  for (const r of restaurants) {
    list.append(el('li', {}, el('a', { class: 'row', href: `restaurant.html?id=${encodeURIComponent(r.id)}` },
      el('span', {}, r.name), el('span', { class: 'muted small' }, String(r.id)))));
  }
}

main().catch((e) => showError(`Could not load the page: ${e.message}`));
