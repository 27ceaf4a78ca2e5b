import { Hono } from 'hono';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { executeRun } from '../../src/experiments/experiment.ts';
import { loadMnist } from '../../src/experiments/mnist.ts';
import { listOwnDigits } from '../../src/experiments/own-digits/digit-set.ts';
import { handleError, handleNotFound } from '../../src/web/errors.tsx';
import { ownDigitsRoutes } from '../../src/web/own-digits/routes.tsx';
import { TestImages } from '../../src/web/test-images.ts';
import { memoryDb, runningRun } from '../helpers/db.ts';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/own-digits');
const seven = readFileSync(path.join(FIXTURES, '07-7-paper.jpg'));

const db = memoryDb();
let runId: number;

function app(): Hono {
  const app = new Hono();
  app.onError(handleError);
  app.notFound(handleNotFound);
  app.route('/', ownDigitsRoutes({ db, images: new TestImages(() => loadMnist('test', { limit: 500 })) }));
  return app;
}

/** A form post as htmx sends it. */
function upload(fields: Record<string, string | Blob>): RequestInit {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  return { method: 'POST', body: form, headers: { 'HX-Request': 'true' } };
}

beforeAll(async () => {
  const run = await executeRun(db, runningRun(db).id, { backend: 'wasm' });
  expect(run.status, run.error ?? '').toBe('completed');
  runId = run.id;
});

describe('the own-digits page', () => {
  it('has a canvas, an upload field and the set', async () => {
    const res = await app().request('/own-digits');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<canvas id="digit-canvas"');
    expect(html).toContain('type="file" name="file"');
    expect(html).toContain('id="own-set"');
  });

  it('reads an upload: every step, every completed run with its bars, and nearest test images', async () => {
    const res = await app().request('/own-digits/read', upload({ file: new File([seven], '7.jpg', { type: 'image/jpeg' }) }));
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const step of ['greyscale', 'background', 'ink', 'digit', 'cropped', 'scaled', 'centred']) expect(html).toContain(`<strong>${step}</strong>`);
    expect(html).toMatch(new RegExp(`#${runId} test run</a>: reads <strong>\\d</strong>`));
    expect(html).toContain('class="probability-chart"');
    expect(html.match(/href="\/images\/test\/\d+\?run=/g)).toHaveLength(12);
    expect(html).toContain('name="picture"');
  });

  it('answers a plain form post (no htmx) with the whole page around the reading', async () => {
    const init = upload({ file: new File([seven], '7.jpg') });
    const res = await app().request('/own-digits/read', { ...init, headers: {} });
    const html = await res.text();
    expect(html).toContain('<h1>My digits</h1>');
    expect(html).toContain('<strong>centred</strong>');
  });

  it('reads a canvas drawing sent as a data URL', async () => {
    const res = await app().request('/own-digits/read', upload({ drawing: `data:image/jpeg;base64,${seven.toString('base64')}` }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<strong>centred</strong>');
  });

  it.each([
    ['nothing', {}, 400, /draw a digit or choose a PNG or JPEG file first/],
    ['a text file', { file: new File(['hello'], 'notes.png') }, 422, /not a PNG or JPEG image/],
  ])('answers %s with a readable message, never a stack trace', async (_, fields, status, message) => {
    const res = await app().request('/own-digits/read', upload(fields as Record<string, Blob>));
    expect(res.status).toBe(status);
    expect(await res.text()).toMatch(message);
  });

  it('refuses a body over the size limit', async () => {
    const res = await app().request('/own-digits/read', upload({ file: new File([new Uint8Array(15 * 1024 * 1024)], 'big.png') }));
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/over 10 MB/);
  });

  it('keeps a labelled picture, scores the runs on the set, and removes it', async () => {
    const kept = await app().request('/own-digits', upload({ picture: seven.toString('base64'), name: '7.jpg', label: '7' }));
    expect(kept.status).toBe(200);
    expect(await kept.text()).toMatch(/My digits \(1\)/);
    const [digit] = listOwnDigits(db);
    expect(digit).toMatchObject({ label: 7, name: '7.jpg' });

    const scores = await (await app().request(`/own-digits/scores?run=${runId}`)).text();
    expect(scores).toMatch(/\((0|1)\/1\)/);

    const removed = await app().request(`/own-digits/${digit!.id}/delete`, { method: 'POST' });
    expect(removed.status).toBe(303);
    expect(listOwnDigits(db)).toEqual([]);
    expect((await app().request(`/own-digits/${digit!.id}/delete`, { method: 'POST' })).status).toBe(404);
  });

  it('rejects a label that is not a digit', async () => {
    const res = await app().request('/own-digits', upload({ picture: seven.toString('base64'), label: '12' }));
    expect(res.status).toBe(400);
  });
});
