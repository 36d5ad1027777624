// Customer page: /track.html?order=ID&token=T. Draws the city, follows the order's rider from
// the SSE stream GET /api/orders/{id}/stream?token=T (position / near / delivered events).
import { L, cityMap, divMarker, stream, param, formatEta, formatTime, showError } from './common.js';

const orderId = param('order');
const token = param('token');
const $ = (id) => document.getElementById(id);

async function main() {
  $('order-id').textContent = orderId ?? '—';
  if (!orderId || !token) {
    showError('This tracking link is incomplete: it needs an order and a token.');
    $('status').textContent = '';
    return;
  }
  const { map } = await cityMap();
  let marker = null;
  let trail = null;
  let delivered = false;

  const source = stream(`api/orders/${encodeURIComponent(orderId)}/stream?token=${encodeURIComponent(token)}`, {
    position(p) {
      if (delivered) return;
      const latlng = [p.lat, p.lon];
      if (!marker) {
        marker = divMarker(latlng, 'rider-marker', 'Your rider').addTo(map);
        marker.getElement().id = 'rider-marker';
        trail = L.polyline([latlng], { color: '#0b7a75', weight: 4, opacity: 0.5 }).addTo(map);
        map.setView(latlng, map.getZoom() + 1, { animate: false }); // the rider's neighbourhood
      } else {
        marker.setLatLng(latlng);
        trail.addLatLng(latlng);
        if (!map.getBounds().pad(-0.1).contains(latlng)) map.panTo(latlng); // keep the rider in view
      }
      const element = marker.getElement();
      element.dataset.lat = p.lat;
      element.dataset.lon = p.lon;
      $('rider-id').textContent = p.riderId ?? '—';
      $('last-update').textContent = formatTime(p.ts);
      $('eta').textContent = formatEta(p.etaSeconds);
      if ($('near-banner').hidden) $('status').textContent = 'Your rider is on the way.';
    },
    near() {
      if (delivered) return;
      $('near-banner').hidden = false;
      $('status').textContent = 'Your rider is almost there.';
    },
    delivered(d) {
      delivered = true;
      source.close();
      $('near-banner').hidden = true;
      $('delivered-banner').hidden = false;
      $('eta').textContent = 'Delivered';
      $('status').textContent = `Delivered at ${formatTime(d.ts)}.`;
      $('conn').textContent = 'done';
      $('conn').dataset.state = 'live';
      marker?.getElement()?.classList.add('delivered');
    },
  }, {
    onClosed() {
      if (!delivered) showError('This tracking link is not valid, or the order is no longer tracked.');
    },
  });
}

main().catch((e) => showError(`Could not load the map: ${e.message}`));
