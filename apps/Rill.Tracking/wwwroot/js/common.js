// Shared helpers for the tracking pages: API calls (with the operator key when needed),
// the city map (vector roads from GET /api/city, no tile server), SSE streams and formatting.
import * as L from '../lib/leaflet/leaflet-src.esm.js';

export { L };

const KEY_STORAGE = 'rill-tracking-operator-key';

export function param(name) {
  return new URLSearchParams(location.search).get(name);
}

export function operatorKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

/** Adds ?key= to a URL when an operator key is known (EventSource cannot send headers). */
export function withKey(url) {
  const key = operatorKey();
  if (!key) return url;
  return url + (url.includes('?') ? '&' : '?') + 'key=' + encodeURIComponent(key);
}

/** Shows the page's key dialog (#key-dialog) and resolves with the key the operator typed. */
function askOperatorKey(message) {
  const dialog = document.getElementById('key-dialog');
  const input = document.getElementById('operator-key');
  const note = document.getElementById('key-note');
  if (!dialog || !input) throw new Error('operator key required');
  if (note) note.textContent = message ?? '';
  input.value = '';
  return new Promise((resolve) => {
    dialog.querySelector('form').onsubmit = (e) => {
      e.preventDefault();
      const key = input.value.trim();
      if (!key) return;
      sessionStorage.setItem(KEY_STORAGE, key);
      dialog.close();
      resolve(key);
    };
    dialog.showModal();
    input.focus();
  });
}

/**
 * fetch() for the API: JSON in and out. Sends the operator key if one is known; on 401/403 asks the
 * operator for the key (the app in --demo mode never asks) and retries.
 */
export async function api(path, options = {}) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const headers = { Accept: 'application/json', ...(options.headers ?? {}) };
    const key = operatorKey();
    if (key) headers.Authorization = `Bearer ${key}`;
    const response = await fetch(path, { ...options, headers });
    if (response.status === 401 || response.status === 403) {
      if (key) sessionStorage.removeItem(KEY_STORAGE);
      await askOperatorKey(key ? 'That key was not accepted. Try again.' : 'This page needs the operator key.');
      continue;
    }
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.status === 204 ? null : response.json();
  }
  throw new Error(`${path}: not authorised`);
}

/**
 * Makes sure the operator endpoints answer: asks for the key first when GET /api/config says one is
 * needed (not in --demo), then checks it against GET /api/stats (asking again on 401).
 */
export async function ensureOperatorAccess() {
  const config = await fetch('api/config').then((r) => (r.ok ? r.json() : null)).catch(() => null);
  if (config?.operatorKeyRequired && !operatorKey()) await askOperatorKey('This page needs the operator key.');
  return api('api/stats');
}

/** Creates the Leaflet map in #map and draws the generated city's roads and restaurants. */
export async function cityMap(elementId = 'map') {
  const map = L.map(elementId, { zoomControl: true, attributionControl: true, preferCanvas: false });
  map.attributionControl.setPrefix('Leaflet');
  map.attributionControl.addAttribution('Generated city');
  const city = await api('api/city');
  const roads = L.geoJSON(city, {
    filter: (f) => f.geometry?.type === 'LineString' || f.geometry?.type === 'MultiLineString',
    style: () => ({ color: '#9aa3ad', weight: 3, opacity: 0.9, lineCap: 'round', interactive: false }),
  }).addTo(map);
  const restaurants = [];
  L.geoJSON(city, {
    filter: (f) => f.geometry?.type === 'Point' && f.properties?.kind === 'restaurant',
    pointToLayer: (f, latlng) => {
      restaurants.push({ id: f.properties.id, name: f.properties.name, lat: latlng.lat, lon: latlng.lng });
      return L.circleMarker(latlng, { radius: 4, color: '#c2410c', weight: 1, fillOpacity: 0.6 })
        .bindTooltip(f.properties.name ?? String(f.properties.id));
    },
  }).addTo(map);
  map.createPane('riders').style.zIndex = 450; // above roads and routes, below divIcon markers
  const bounds = roads.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [12, 12] });
    map.setMaxBounds(bounds.pad(0.05)); // there is nothing outside the city to look at
  }
  else map.setView([0, 0], 2);
  return { map, city, restaurants, bounds };
}

export function divMarker(latlng, className, title) {
  return L.marker(latlng, {
    icon: L.divIcon({ className, html: '<span class="dot"></span>', iconSize: [22, 22], iconAnchor: [11, 11] }),
    title: title ?? '',
    keyboard: false,
  });
}

/**
 * Opens an SSE stream and wires named events to handlers (JSON-parsed). Shows the state in the
 * element #conn. EventSource reconnects by itself; a stream the server refuses ends in onClosed.
 */
export function stream(url, handlers, { onClosed } = {}) {
  const conn = document.getElementById('conn');
  const show = (state, text) => { if (conn) { conn.dataset.state = state; conn.textContent = text; } };
  show('connecting', 'connecting…');
  const source = new EventSource(url);
  source.onopen = () => show('live', 'live');
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) {
      show('error', 'disconnected');
      onClosed?.();
    } else {
      show('connecting', 'reconnecting…');
    }
  };
  for (const [name, handler] of Object.entries(handlers)) {
    source.addEventListener(name, (e) => {
      show('live', 'live');
      let data;
      try { data = JSON.parse(e.data); } catch { return; }
      handler(data);
    });
  }
  return source;
}

export function formatEta(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return '< 1 min';
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? '1 min' : `${minutes} min`;
}

export function formatAge(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  if (seconds < 1) return 'just now';
  if (seconds < 90) return `${Math.round(seconds)} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

export function formatTime(ts) {
  return ts ? new Date(ts).toLocaleTimeString() : '—';
}

export function formatNumber(n) {
  return n == null ? '—' : Math.round(n).toLocaleString();
}

/** Creates an element: el('li', {class: 'x'}, 'text', child). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

export function showError(message) {
  const box = document.getElementById('error');
  if (box) { box.textContent = message; box.hidden = false; }
}
