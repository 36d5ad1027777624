// Bundles the console's pages into dist/ (app.js, app.css, index.html), which the rill assembly
// embeds (WebConsole.targets). Run by `dotnet build` after `npm ci`; no network needed once the npm
// cache holds esbuild and uplot.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
await esbuild.build({
  entryPoints: { app: 'src/main.js' },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  outdir: 'dist',
  legalComments: 'eof',
  logLevel: 'warning',
});
copyFileSync('src/index.html', 'dist/index.html');
writeFileSync('dist/.stamp', new Date().toISOString());
