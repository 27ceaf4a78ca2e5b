import { describe, expect, it } from 'vitest';
import { RunQueue } from '../../src/execution/queue.ts';
import { createRun, getRun, listRuns } from '../../src/store/store.ts';
import { createApp } from '../../src/web/app.tsx';
import { newAccessToken } from '../../src/web/request-guard.ts';
import { memoryDb, smallRunParams } from '../helpers/db.ts';
import { postForm, webApp } from '../helpers/web.ts';
import { storeOn } from '../../src/store/open-store.ts';

const json = (origin: string | undefined, extra: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...(origin ? { Origin: origin } : {}), ...extra },
  body: JSON.stringify({ epochs: 1 }),
});

describe('host names (DNS rebinding)', () => {
  it('refuses a request for a name the server was not started for, even with a matching Origin', async () => {
    const { app, db } = webApp();
    const run = createRun(db, { name: 'r', params: smallRunParams(), status: 'queued' });
    const res = await app.request(`http://evil.example:3150/runs/${run.id}/note`, {
      method: 'POST',
      headers: { Origin: 'http://evil.example:3150', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ note: 'rebound' }),
    });
    expect(res.status).toBe(421);
    expect(getRun(db, run.id).note).not.toBe('rebound');
    expect((await app.request('http://evil.example/runs')).status).toBe(421);
  });

  it('answers the loopback names on its own port and the --host name, and no other port', async () => {
    const db = memoryDb();
    const app = createApp({ ...storeOn(db), queue: new RunQueue(storeOn(db)), listening: { port: 3151, names: ['lab.internal'] } });
    for (const host of ['127.0.0.1:3151', 'localhost:3151', '[::1]:3151', 'lab.internal:3151']) {
      expect((await app.request(`http://${host}/healthz`)).status, host).toBe(200);
    }
    expect((await app.request('http://localhost:3152/healthz')).status).toBe(421);
    expect((await app.request('http://127.0.0.2:3151/healthz')).status).toBe(421);
  });
});

describe('state-changing requests', () => {
  it('refuses a JSON body on a form route, so it cannot skip the CSRF check', async () => {
    const { app, db } = webApp();
    const res = await app.request('/runs', json('http://localhost'));
    expect(res.status).toBe(415);
    expect(listRuns(db)).toHaveLength(0);
    const run = createRun(db, { name: 'r', params: smallRunParams(), status: 'queued' });
    expect((await app.request(`/runs/${run.id}/cancel`, json('http://localhost'))).status).toBe(415);
    expect(getRun(db, run.id).status).toBe('queued');
  });

  it('refuses what another site makes the browser send, whatever its type', async () => {
    const { app, db } = webApp();
    expect((await app.request('/api/runs', json('http://localhost', { 'Sec-Fetch-Site': 'cross-site' }))).status).toBe(403);
    expect((await app.request('/api/runs', json('http://other.example'))).status).toBe(403);
    const res = await postForm(app, '/runs', {}, { 'Sec-Fetch-Site': 'same-site' });
    expect(res.status).toBe(403);
    expect(listRuns(db)).toHaveLength(0);
  });

  it('lets a same-origin or non-browser JSON client through to the JSON API, and workers past the browser rules', async () => {
    const { app, db } = webApp();
    expect((await app.request('/api/runs', json(undefined))).status).toBe(201);
    expect((await app.request('/api/runs', json('http://localhost', { 'Sec-Fetch-Site': 'same-origin' }))).status).toBe(201);
    expect(listRuns(db)).toHaveLength(2);
    // A worker request gets past the browser rules to its own check: the bearer token it lacks.
    expect((await app.request('/api/workers/claim', json('http://elsewhere.example', { 'Sec-Fetch-Site': 'cross-site' }))).status).toBe(401);
    expect((await app.request('http://evil.example/api/workers/claim', json(undefined))).status).toBe(421);
  });

  it('still takes the forms it is built for', async () => {
    const { app, db } = webApp();
    const res = await postForm(app, '/runs', { epochs: '1', 'train-limit': '100' }, { 'Sec-Fetch-Site': 'same-origin' });
    expect(res.status).toBeLessThan(400);
    expect(listRuns(db)).toHaveLength(1);
  });
});

describe('security headers', () => {
  it('forbids framing and sniffing, and allows only scripts served from /static', async () => {
    const { app } = webApp();
    for (const path of ['/runs', '/own-digits']) {
      const res = await app.request(path);
      expect(res.headers.get('X-Frame-Options')).toBe('DENY');
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
      // no-referrer makes Chromium send Origin: null on same-origin form posts, which CSRF checks refuse.
      expect(res.headers.get('Referrer-Policy')).toBe('same-origin');
      const csp = res.headers.get('Content-Security-Policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(await res.text(), path).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
  });
});

describe('--allow-remote access token', () => {
  it('refuses requests without it, and a browser keeps it in a cookie after opening the printed URL', async () => {
    const db = memoryDb();
    const { token, hash } = newAccessToken();
    const app = createApp({ ...storeOn(db), queue: new RunQueue(storeOn(db)), accessTokenHash: hash });
    expect((await app.request('/runs')).status).toBe(401);
    expect((await app.request('/runs?token=wrong')).status).toBe(401);
    expect((await app.request('/api/runs', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    const opened = await app.request(`/runs?token=${token}`);
    expect(opened.status).toBe(303);
    expect(opened.headers.get('Location')).toBe('/runs');
    const cookie = opened.headers.get('Set-Cookie')!.split(';')[0]!;
    expect(opened.headers.get('Set-Cookie')).toMatch(/HttpOnly/);
    expect((await app.request('/runs', { headers: { Cookie: cookie } })).status).toBe(200);
  });
});
