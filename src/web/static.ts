import { Hono } from 'hono';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCATTER_SCRIPT } from './analysis/scatter-script.ts';
import { DRAW_SCRIPT } from './own-digits/draw-script.ts';

const require = createRequire(import.meta.url);
const OWN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');

/** Served from the installed packages and this folder, read once: never a CDN. */
const FILES: Record<string, { file: string; type: string }> = {
  'htmx.min.js': { file: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'app.js': { file: path.join(OWN, 'app.js'), type: 'text/javascript; charset=utf-8' },
  'label-issues.js': { file: path.join(OWN, 'label-issues.js'), type: 'text/javascript; charset=utf-8' },
  'overlay-toggle.js': { file: path.join(OWN, 'overlay-toggle.js'), type: 'text/javascript; charset=utf-8' },
  'app.css': { file: path.join(OWN, 'app.css'), type: 'text/css; charset=utf-8' },
};

/** Scripts built from code that shares constants with the pages; served, not inlined, so the CSP can refuse inline scripts. */
const GENERATED: Record<string, string> = { 'scatter.js': SCATTER_SCRIPT, 'draw.js': DRAW_SCRIPT };

export function staticRoutes(): Hono {
  const contents = new Map([
    ...Object.entries(FILES).map(([name, { file, type }]) => [name, { body: readFileSync(file), type }] as const),
    ...Object.entries(GENERATED).map(([name, script]) => [name, { body: Buffer.from(script), type: 'text/javascript; charset=utf-8' }] as const),
  ]);
  return new Hono().get('/static/:name', (c) => {
    const found = contents.get(c.req.param('name'));
    if (!found) return c.notFound();
    c.header('Content-Type', found.type);
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(found.body);
  });
}
