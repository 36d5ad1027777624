// Development only (not shipped, not used by tests): a tiny stand-in for the Rill.Tracking API so the
// pages can be worked on without the app. Serves ../../wwwroot and fakes the JSON/SSE endpoints of
// the contract with a few riders driving around a grid city.
//   node dev/fake-server.mjs [--port 5099] [--key SECRET]     then open http://127.0.0.1:5099/track.html?order=o1&token=t
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const port = Number(opt('--port', '5099'));
const key = opt('--key', null);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'wwwroot');

// Grid city: N x N nodes.
const N = 9, LAT0 = 52.35, LON0 = 4.87, STEP = 0.004;
const node = (i, j) => [LON0 + j * STEP * 1.6, LAT0 + i * STEP];
const features = [];
for (let i = 0; i < N; i++) {
  features.push({ type: 'Feature', properties: { kind: 'road' }, geometry: { type: 'LineString', coordinates: [node(i, 0), node(i, N - 1)] } });
  features.push({ type: 'Feature', properties: { kind: 'road' }, geometry: { type: 'LineString', coordinates: [node(0, i), node(N - 1, i)] } });
}
const restaurants = [[1, 1, 'Pasta Uno'], [2, 6, 'Curry House'], [6, 2, 'Sushi Go'], [7, 7, 'Burger Bar']].map(([i, j, name], k) => {
  const [lon, lat] = node(i, j);
  features.push({ type: 'Feature', properties: { kind: 'restaurant', id: `r${k + 1}`, name }, geometry: { type: 'Point', coordinates: [lon, lat] } });
  return { id: `r${k + 1}`, name, lat, lon };
});
const city = { type: 'FeatureCollection', features };

// Riders loop around rectangles; rider r1 carries order o1 from r1's restaurant.
const riders = Array.from({ length: 6 }, (_, k) => ({ riderId: `rider-${k + 1}`, region: ['north', 'south', 'east', 'west', 'center', 'south'][k], orderId: k < 3 ? `o${k + 1}` : null, t: k * 17, route: [], lastTs: Date.now() }));
function positionOf(r) {
  const a = 1 + (r.riderId.length + Number(r.riderId.at(-1))) % 3, b = N - 2;
  const corners = [node(a, a), node(a, b), node(b, b), node(b, a)];
  const per = 40, t = r.t % (per * 4), side = Math.floor(t / per), f = (t % per) / per;
  const [x0, y0] = corners[side], [x1, y1] = corners[(side + 1) % 4];
  return { lat: y0 + (y1 - y0) * f, lon: x0 + (x1 - x0) * f };
}
const subscribers = new Set();
let acked = 0;
setInterval(() => {
  for (const r of riders) {
    if (r.riderId === 'rider-6') continue; // the silent one
    r.t++; Object.assign(r, positionOf(r)); r.lastTs = Date.now(); acked++;
    r.route.push({ lat: r.lat, lon: r.lon, ts: r.lastTs }); if (r.route.length > 300) r.route.shift();
  }
  for (const s of subscribers) s();
}, 1000);
for (const r of riders) Object.assign(r, positionOf(r));
riders[5].lastTs = Date.now() - 45000;

const view = (r) => ({ riderId: r.riderId, region: r.region, orderId: r.orderId, lat: r.lat, lon: r.lon, ts: r.lastTs, ageSeconds: (Date.now() - r.lastTs) / 1000 });
const json = (res, status, body) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
const authorised = (req, url) => !key || req.headers.authorization === `Bearer ${key}` || url.searchParams.get('key') === key;

function sse(req, res, tick) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const fn = () => tick(send);
  fn(); subscribers.add(fn);
  req.on('close', () => subscribers.delete(fn));
}

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml' };
createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  if (p === '/api/city') return json(res, 200, city);
  if (p === '/api/restaurants') return json(res, 200, restaurants);
  let m;
  if ((m = p.match(/^\/api\/orders\/([^/]+)\/stream$/))) {
    const r = riders.find((x) => x.orderId === m[1]);
    if (!r || url.searchParams.get('token') !== 't') return json(res, 401, { error: 'bad token' });
    let near = false;
    return sse(req, res, (send) => {
      const eta = Math.max(0, 160 - (r.t % 160)) * 2;
      send('position', { riderId: r.riderId, lat: r.lat, lon: r.lon, ts: r.lastTs, etaSeconds: eta });
      if (!near && eta < 90) { near = true; send('near', { orderId: r.orderId, riderId: r.riderId, ts: Date.now() }); }
    });
  }
  if (p.startsWith('/api/') && !authorised(req, url)) return json(res, 401, { error: 'operator key required' });
  if (p === '/api/stats') return json(res, 200, { ingestPerSecond: 5, acked, errors: {}, lag: {} });
  if ((m = p.match(/^\/api\/restaurants\/([^/]+)\/stream$/))) {
    const rest = restaurants.find((x) => x.id === m[1]);
    return sse(req, res, (send) => riders.filter((r) => r.orderId).forEach((r, k) => {
      send('incoming', { orderId: r.orderId, riderId: r.riderId, lat: r.lat, lon: r.lon, etaSeconds: 60 + k * 150 + (r.t % 60), ts: r.lastTs });
      if (rest && r.t % 30 === 0) send('arrived', { orderId: r.orderId, riderId: r.riderId, ts: Date.now() });
    }));
  }
  if (p === '/api/support/riders') {
    const q = (url.searchParams.get('q') ?? '').toLowerCase();
    return json(res, 200, riders.filter((r) => r.riderId.includes(q) || (r.orderId ?? '').includes(q)).map(view));
  }
  if ((m = p.match(/^\/api\/support\/riders\/([^/]+)$/))) {
    const r = riders.find((x) => x.riderId === m[1]);
    return r ? json(res, 200, { ...view(r), route: r.route, silent: Date.now() - r.lastTs > 30000 }) : json(res, 404, {});
  }
  if (p === '/api/support/stream') {
    return sse(req, res, (send) => {
      send('riders', { riders: riders.map(view) });
      send('stats', { ingestPerSecond: 5, acked, errors: { 'out-of-range': 3, malformed: 1 }, lag: { 'tracking-customer': 0, 'tracking-history': 12, 'tracking-support': 1, 'tracking-restaurant': 0, 'tracking-notifications': 0 } });
      const silent = riders[5];
      send('alert', { riderId: silent.riderId, orderId: 'o9', silentSeconds: (Date.now() - silent.lastTs) / 1000 });
    });
  }
  const file = normalize(join(root, p === '/' ? 'index.html' : decodeURIComponent(p)));
  if (!file.startsWith(root)) return json(res, 403, {});
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch { json(res, 404, { error: 'not found' }); }
}).listen(port, '127.0.0.1', () => console.log(`fake tracking API on http://127.0.0.1:${port}/`));
