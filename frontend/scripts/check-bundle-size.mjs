#!/usr/bin/env node
// Prints the compressed size of the built JavaScript and fails when it is over budget, so a
// heavy dependency shows up in the build that adds it rather than in users' load times. Two
// budgets: what the first page load needs (the scripts index.html loads and preloads: the app
// shell and the landing page), and everything (every route's chunk).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const FIRST_LOAD_BUDGET = Number(process.env.FIRST_LOAD_BUDGET_BYTES ?? 120 * 1000);
const TOTAL_BUDGET = Number(process.env.BUNDLE_BUDGET_BYTES ?? 150 * 1000);
const dist = new URL('../dist/', import.meta.url).pathname;
const assets = join(dist, 'assets');

const files = readdirSync(assets).filter((name) => name.endsWith('.js') || name.endsWith('.css'));
if (!files.some((name) => name.endsWith('.js'))) {
  console.error('bundle size: no JavaScript in dist/assets (did `vite build` run?)');
  process.exit(1);
}

// The scripts the first page load fetches: index.html's entry and its module preloads.
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const firstLoad = new Set(
  [...html.matchAll(/(?:src|href)="\/assets\/([^"]+\.js)"/g)].map((match) => match[1]),
);
if (firstLoad.size === 0) {
  console.error('bundle size: index.html loads no script from /assets/');
  process.exit(1);
}

const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
let total = 0;
let initial = 0;
for (const name of files.sort()) {
  const gzipped = gzipSync(readFileSync(join(assets, name)), { level: 9 }).length;
  const first = firstLoad.has(name);
  if (name.endsWith('.js')) {
    total += gzipped;
    if (first) initial += gzipped;
  }
  console.log(`  ${name.padEnd(44)} ${kB(gzipped).padStart(9)} gzip${first ? '  (first load)' : ''}`);
}

const verdict = (size, budget) => (size <= budget ? 'within' : 'OVER');
console.log(
  `bundle size: first load ${kB(initial)} of JavaScript gzipped, ${verdict(initial, FIRST_LOAD_BUDGET)} its ${kB(FIRST_LOAD_BUDGET)} budget; ` +
    `all routes ${kB(total)}, ${verdict(total, TOTAL_BUDGET)} the ${kB(TOTAL_BUDGET)} budget`,
);
if (initial > FIRST_LOAD_BUDGET || total > TOTAL_BUDGET) process.exit(1);
