import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { DomainError, type ErrorKind } from '../../src/core/errors.ts';
import { handleError } from '../../src/web/errors.tsx';

class Failed extends DomainError {
  constructor(readonly kind: ErrorKind) {
    super(`a ${kind} failure <b>`);
  }
}

/** An app whose every route throws `err`, answered by the app's one error handler. */
function failingApp(err: unknown): Hono {
  const app = new Hono();
  app.onError(handleError);
  app.get('*', () => {
    throw err;
  });
  return app;
}

describe('the web error handler answers a thrown error by its kind', () => {
  it.each([
    ['invalid', 400],
    ['not-found', 404],
    ['too-large', 413],
    ['unavailable', 409],
    ['conflict', 409],
  ] as const)('%s is %i: JSON under /api, a page elsewhere, an htmx flash for htmx', async (kind, status) => {
    const app = failingApp(new Failed(kind));
    const api = await app.request('/api/thing');
    expect(api.status).toBe(status);
    expect(await api.json()).toEqual({ error: `a ${kind} failure <b>` });
    const page = await app.request('/thing');
    expect(page.status).toBe(status);
    const html = await page.text();
    expect(html).toContain('<h1>');
    expect(html).toContain(`a ${kind} failure &lt;b&gt;`);
    const flash = await app.request('/thing', { headers: { 'HX-Request': 'true' } });
    expect(flash.status).toBe(status);
    expect(flash.headers.get('HX-Retarget')).toBe('#flash');
  });

  it('hides anything unexpected behind a 500 that never shows its message or stack', async () => {
    const err = new Error('secret path /home/x');
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const api = await failingApp(err).request('/api/thing');
    expect(api.status).toBe(500);
    expect(await api.json()).toEqual({ error: 'the server failed on this request; its log says why' });
    const html = await (await failingApp(err).request('/thing')).text();
    expect(html).not.toContain('secret');
    expect(html).not.toMatch(/at .*\.ts:\d+/);
    expect(logged).toHaveBeenCalledWith(err); // the log is where the operator finds it
    logged.mockRestore();
  });
});
