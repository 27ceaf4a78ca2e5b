import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { executeRun } from '../../src/training/experiment.ts';
import { importRun } from '../../src/training/import-run.ts';
import { runPredictionFile } from '../../src/models/imported/prediction-file.ts';
import { listOwnDigits, ownDigitPicture } from '../../src/data/own-digits/digit-set.ts';
import { encodeGreyPng } from '../../src/data/own-digits/encode.ts';
import { preprocessDigit } from '../../src/data/own-digits/preprocess.ts';
import { seededRandom } from '../../src/core/random.ts';
import { renderStrokes } from '../fixtures/own-digits/render.ts';
import { DIGIT_STROKES } from '../fixtures/own-digits/strokes.ts';
import { runningRun } from '../helpers/db.ts';
import { longestStallDuring } from '../helpers/event-loop.ts';
import { webApp } from '../helpers/web.ts';
import { storeOn } from '../../src/store/open-store.ts';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/own-digits');
const seven = readFileSync(path.join(FIXTURES, '07-7-paper.jpg'));

const { app, db } = webApp();
let runId: number;

/** A form post as htmx sends it, from the page's own origin (the CSRF guard wants it). */
function upload(fields: Record<string, string | Blob>): RequestInit {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  return { method: 'POST', body: form, headers: { 'HX-Request': 'true', Origin: 'http://localhost' } };
}

/** A 400x400 photo-like PNG of a seven whose paper grain makes it about 100 kB. */
function largePhoto(): Uint8Array<ArrayBuffer> {
  const random = seededRandom(1);
  const coverage = renderStrokes(DIGIT_STROKES['7']!, { left: 100, top: 100, size: 200, slant: 0, rotation: 0, aspect: 0.9, width: 20 }, 400, 400);
  const pixels = coverage.map((c) => 0.85 + 0.1 * random() - 0.7 * c);
  return new Uint8Array(encodeGreyPng({ width: 400, height: 400, pixels }));
}

/** A 4000x4000 photo of a "1" (a dark bar on grey paper): 16 MP, within the limit. */
function largeFlatPhoto(): Uint8Array<ArrayBuffer> {
  const side = 4000;
  const pixels = new Float32Array(side * side).fill(0.85);
  for (let y = 1000; y < 3000; y++) pixels.fill(0.1, y * side + 1800, y * side + 2200);
  return new Uint8Array(encodeGreyPng({ width: side, height: side, pixels }));
}

/** A PNG that says it is 20000x20000 pixels: its header is all that is read. */
function pngClaiming400Megapixels(): Uint8Array<ArrayBuffer> {
  const header = Buffer.from(encodeGreyPng({ width: 1, height: 1, pixels: new Float32Array(1) }));
  header.writeUInt32BE(20000, 16);
  header.writeUInt32BE(20000, 20);
  return new Uint8Array(header);
}

beforeAll(async () => {
  const run = await executeRun(storeOn(db), runningRun(db).id, { backend: 'wasm' });
  expect(run.status, run.error ?? '').toBe('completed');
  runId = run.id;
});

describe('the own-digits page', () => {
  it('is linked from every page', async () => {
    expect(await (await app.request('/runs')).text()).toContain('href="/own-digits"');
  });

  it('has a canvas, an upload field and the set', async () => {
    const res = await app.request('/own-digits');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<canvas id="digit-canvas"');
    expect(html).toContain('type="file" name="file"');
    expect(html).toContain('id="own-set"');
  });

  it('reads an upload: every step, every completed run with its bars, and why the chosen run reads it', async () => {
    const res = await app.request('/own-digits/read', upload({ file: new File([seven], '7.jpg', { type: 'image/jpeg' }) }));
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const step of ['greyscale', 'background', 'ink', 'digit', 'cropped', 'scaled', 'centred']) expect(html).toContain(`<strong>${step}</strong>`);
    expect(html).toMatch(new RegExp(`#${runId} test run</a>: reads <strong>\\d</strong>`));
    expect(html).toContain('class="probability-chart"');
    // The run's map of the digit at once; its nearest training images once their embeddings are computed.
    expect(html).toMatch(/Why run #\d+ reads \d/);
    expect(html).toContain('embeddings of the training images it learned from are being computed');
    // The keep form names the picture the server holds: it does not carry the photo back.
    expect(html).toMatch(/name="held" value="[0-9a-f]{32}"/);
    expect(html).not.toContain(seven.toString('base64').slice(0, 100));
  });

  it('answers a plain form post (no htmx) with the whole page around the reading', async () => {
    const init = upload({ file: new File([seven], '7.jpg') });
    const res = await app.request('/own-digits/read', { ...init, headers: { Origin: 'http://localhost' } });
    const html = await res.text();
    expect(html).toContain('<h1>My digits</h1>');
    expect(html).toContain('<strong>centred</strong>');
  });

  it('reads a canvas drawing sent as a data URL', async () => {
    const res = await app.request('/own-digits/read', upload({ drawing: `data:image/jpeg;base64,${seven.toString('base64')}` }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<strong>centred</strong>');
  });

  it.each([
    ['nothing', {}, 400, /draw a digit or choose a PNG or JPEG file first/],
    ['a text file', { file: new File(['hello'], 'notes.png') }, 422, /not a PNG or JPEG image/],
  ])('answers %s with a readable message, never a stack trace', async (_, fields, status, message) => {
    const res = await app.request('/own-digits/read', upload(fields as Record<string, Blob>));
    expect(res.status).toBe(status);
    expect(await res.text()).toMatch(message);
  });

  it('takes a photo far over the 64 kB the other forms allow', async () => {
    const photo = largePhoto();
    expect(photo.length).toBeGreaterThan(64 * 1024);
    const res = await app.request('/own-digits/read', upload({ file: new File([photo], 'photo.png') }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<strong>centred</strong>');
  });

  it('refuses a body over the size limit', async () => {
    const res = await app.request('/own-digits/read', upload({ file: new File([new Uint8Array(15 * 1024 * 1024)], 'big.png') }));
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/over 10 MB/);
  });

  it('answers a picture over the pixel limit 413, when reading it and when keeping it', async () => {
    const huge = pngClaiming400Megapixels();
    const read = await app.request('/own-digits/read', upload({ file: new File([huge], 'huge.png') }));
    expect(read.status).toBe(413);
    expect(await read.text()).toMatch(/20000x20000 pixels; at most 24 megapixels/);
    const kept = await app.request('/own-digits', upload({ file: new File([huge], 'huge.png'), label: '1' }));
    expect(kept.status).toBe(413);
    expect(await kept.text()).toMatch(/20000x20000 pixels; at most 24 megapixels/);
  });

  it('reads a large photo in a worker thread, so the server keeps answering meanwhile', async () => {
    const photo = largeFlatPhoto();
    // How long the event loop would stall if the route preprocessed it in place.
    const started = performance.now();
    preprocessDigit(photo);
    const inPlace = performance.now() - started;
    // A store without runs: what the main thread does is parse the form and render the steps.
    const { app: bare } = webApp();
    const { result: res, longestStall } = await longestStallDuring(() => bare.request('/own-digits/read', upload({ file: new File([photo], 'photo.png') })));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('greyscale, 4000x4000 shrunk to 512x512');
    expect(longestStall).toBeLessThan(inPlace / 2);
  });

  it('keeps a labelled picture it read, scores the runs on the set, and removes it', async () => {
    const reading = await (await app.request('/own-digits/read', upload({ file: new File([seven], '7.jpg') }))).text();
    const held = /name="held" value="([0-9a-f]{32})"/.exec(reading)![1]!;
    // A bad label is refused and loses nothing: the picture is still held for the next try.
    expect((await app.request('/own-digits', upload({ held, label: 'seven' }))).status).toBe(400);
    const kept = await app.request('/own-digits', upload({ held, label: '7' }));
    expect(kept.status).toBe(200);
    const keptHtml = await kept.text();
    expect(keptHtml).toMatch(/My digits \(1\)/);
    // The keep form gives way to what was done, so it is not pressed twice.
    expect(keptHtml).toMatch(/<p id="keep-picture" hx-swap-oob="outerHTML"[^>]*>\s*Kept in my digits as a 7\./);
    const [digit] = listOwnDigits(db);
    expect(digit).toMatchObject({ label: 7, name: '7.jpg' });
    expect(ownDigitPicture(db, digit!.id).equals(seven)).toBe(true);
    // Kept once: the same form sent again says the picture is gone and keeps no second copy.
    const again = await app.request('/own-digits', upload({ held, label: '7' }));
    expect(again.status).toBe(410);
    expect(await again.text()).toMatch(/no longer held: it was kept already/);
    expect(listOwnDigits(db)).toHaveLength(1);

    const scores = await (await app.request(`/own-digits/scores?run=${runId}`)).text();
    expect(scores).toMatch(/\((0|1)\/1\)/);

    const remove = { method: 'POST', headers: { Origin: 'http://localhost' } };
    const removed = await app.request(`/own-digits/${digit!.id}/delete`, remove);
    expect(removed.status).toBe(303);
    expect(listOwnDigits(db)).toEqual([]);
    expect((await app.request(`/own-digits/${digit!.id}/delete`, remove)).status).toBe(404);
  });

  it('puts the accuracy on own digits on a completed run\'s page', async () => {
    expect(await (await app.request(`/runs/${runId}`)).text()).toContain(`hx-get="/own-digits/scores?run=${runId}"`);
  });

  it('says in a run\'s place that an imported prediction file has no model to read with', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-own-web-')), 'preds.npy');
    writeFileSync(file, runPredictionFile(db, runId, 'npy')!);
    const imported = await importRun(storeOn(db).runs, { file, conventions: { layout: 'auto', scale: 'auto', output: 'auto' } });
    const reading = await (await app.request('/own-digits/read', upload({ file: new File([seven], '7.jpg') }))).text();
    expect(reading).toMatch(new RegExp(`#${runId} test run</a>: reads <strong>\\d</strong>`));
    expect(reading).toMatch(new RegExp(`#${imported.id} preds.npy</a> reads nothing: it was imported from the prediction file preds.npy`));
    await app.request('/own-digits', upload({ file: new File([seven], '7.jpg'), label: '7' }));
    const scores = await app.request(`/own-digits/scores?run=${imported.id}`);
    expect(scores.status).toBe(200);
    expect(await scores.text()).toMatch(/none: it was imported from the prediction file/);
  });

  it('explains an imported ONNX run\'s reading with what it allows: no map and no neighbours, and says why', async () => {
    const file = path.join(import.meta.dirname, '../fixtures/imported/torch-small-cnn.onnx');
    const onnx = await importRun(storeOn(db).runs, { file, conventions: { layout: 'auto', scale: 'auto', output: 'auto' }, testLimit: 500 });
    const reading = await (await app.request('/own-digits/read', upload({ file: new File([seven], '7.jpg'), run: String(onnx.id) }))).text();
    expect(reading).toMatch(new RegExp(`Why run #${onnx.id} reads \\d`));
    const why = 'torch-small-cnn.onnx is an imported onnx model, which digitlab runs without gradients';
    expect(reading).toContain(`No attribution map: ${why}.`);
    expect(reading).toContain(`No nearest training images: ${why}.`);
    expect(reading).not.toContain('being computed');
  });

  it('rejects a label that is not a digit', async () => {
    const res = await app.request('/own-digits', upload({ file: new File([seven], '7.jpg'), label: '12' }));
    expect(res.status).toBe(400);
  });
});
