// Copies the browser libraries the pages use from node_modules into ../wwwroot/lib,
// so the app serves them itself (no CDN, no internet at run time).
// Run by Frontend.targets after `npm ci`; wwwroot/lib is a build output (gitignored).
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const lib = join(here, '..', 'wwwroot', 'lib');
const leaflet = join(here, 'node_modules', 'leaflet', 'dist');

rmSync(lib, { recursive: true, force: true });
mkdirSync(join(lib, 'leaflet'), { recursive: true });
for (const file of ['leaflet-src.esm.js', 'leaflet.css', 'images']) {
  cpSync(join(leaflet, file), join(lib, 'leaflet', file), { recursive: true });
}
cpSync(join(here, 'node_modules', 'leaflet', 'LICENSE'), join(lib, 'leaflet', 'LICENSE'));
writeFileSync(join(lib, '.stamp'), new Date().toISOString() + '\n');
console.log(`copied Leaflet into ${lib}`);
