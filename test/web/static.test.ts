import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { webApp } from '../helpers/web.ts';

describe('static files', () => {
  it('serves the pinned htmx from node_modules, not a CDN', async () => {
    const pinned = JSON.parse(readFileSync('package.json', 'utf8')).dependencies['htmx.org'];
    const res = await webApp().app.request('/static/htmx.min.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(await res.text()).toContain(`version:"${pinned}"`);
  });

  it('serves the stylesheet and script, and 404s anything else', async () => {
    const { app } = webApp();
    expect((await app.request('/static/app.css')).headers.get('content-type')).toMatch(/text\/css/);
    expect((await app.request('/static/app.js')).status).toBe(200);
    expect((await app.request('/static/../package.json')).status).toBe(404);
    expect((await app.request('/static/secret.txt')).status).toBe(404);
  });
});
