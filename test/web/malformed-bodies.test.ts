import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRun } from '../../src/store/store.ts';
import { smallRunParams } from '../helpers/db.ts';
import { jsonDepth, MAX_JSON_DEPTH } from '../../src/web/json-body.ts';
import { webApp } from '../helpers/web.ts';

afterEach(() => vi.restoreAllMocks());

describe('a malformed form body', () => {
  it('is a 400 with a message on every route that reads a form, never a 500 with a logged stack', async () => {
    const { app, db } = webApp();
    const run = createRun(db, { name: 'r', params: smallRunParams(), status: 'queued' });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    for (const path of [
      '/runs',
      '/models/check',
      '/runs/import',
      `/runs/${run.id}/tags`,
      `/runs/${run.id}/note`,
      '/sweeps',
      '/sweeps/preview',
      '/compare/seeds',
      '/label-issues/training-set',
      '/label-issues/decide',
      '/own-digits',
      '/own-digits/read',
    ]) {
      const res = await app.request(path, {
        method: 'POST',
        headers: { Origin: 'http://localhost', 'Content-Type': 'multipart/form-data; boundary=XYZ', 'Content-Length': '40' },
        body: '--XYZ\r\nContent-Disposition: form-data\r\n\r\nnot closed',
      });
      expect(res.status, path).toBe(400);
      expect(await res.text(), path).toMatch(/form body could not be read/);
    }
    expect(logged).not.toHaveBeenCalled();
  });
});

describe('a deeply nested JSON body', () => {
  const deep = (levels: number) => `{"spec":{"x":${'['.repeat(levels)}${']'.repeat(levels)}}}`;

  it('is a 400 naming the depth limit on every route that reads JSON, before anything walks it', async () => {
    const { app } = webApp();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    for (const path of ['/api/runs', '/api/tracking/runs']) {
      const res = await app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: deep(30_000) });
      expect(res.status, path).toBe(400);
      expect(await res.text(), path).toMatch(/nests deeper than 64 levels/);
    }
    expect(logged).not.toHaveBeenCalled();
  });

  it('counts brackets inside strings as text, not as nesting', () => {
    expect(jsonDepth('{"a":"[[[[\\"[[[[","b":[[1]]}')).toBe(3);
    expect(jsonDepth(deep(100))).toBeGreaterThan(MAX_JSON_DEPTH);
  });
});
