import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRun } from '../../src/store/store.ts';
import { smallRunParams } from '../helpers/db.ts';
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
