import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findDataset, registerDataset } from '../../src/data/datasets/catalogue.ts';
import { pictureToImage } from '../../src/data/datasets/picture.ts';
import { selectBackend } from '../../src/training/backend.ts';
import { importRun } from '../../src/training/import-run.ts';
import { brightnessOnnx, fourClassIdxSet } from '../helpers/brightness-onnx.ts';
import { seededRandom } from '../../src/core/random.ts';
import { encodeGreyPng } from '../../src/data/own-digits/encode.ts';
import { preprocessDigit } from '../../src/data/own-digits/preprocess.ts';
import { longestStallDuring } from '../helpers/event-loop.ts';
import { webApp } from '../helpers/web.ts';

/** A 3600x3600 photo of a "1" on grainy paper: the grain keeps the PNG near the 10 MB limit. */
function grainyPhoto(): Uint8Array<ArrayBuffer> {
  const side = 3600;
  const random = seededRandom(1);
  const pixels = new Float32Array(side * side);
  for (let i = 0; i < pixels.length; i++) pixels[i] = 0.75 + 0.2 * random();
  for (let y = 900; y < 2700; y++) pixels.fill(0.1, y * side + 1600, y * side + 2000);
  return new Uint8Array(encodeGreyPng({ width: side, height: side, pixels }));
}

describe('reading a photo near the size limit', () => {
  it('reads its body off the event loop: the server keeps answering meanwhile', async () => {
    const photo = grainyPhoto();
    expect(photo.length).toBeGreaterThan(9_000_000);
    const form = new FormData();
    form.set('file', new File([photo], 'photo.png'));
    // Encoded before the measurement: the client's work is not the server's stall.
    const encoded = new Request('http://localhost/own-digits/read', { method: 'POST', body: form });
    const headers = { Origin: 'http://localhost', 'HX-Request': 'true', 'Content-Type': encoded.headers.get('content-type')! };
    const body = new Uint8Array(await encoded.arrayBuffer());
    // A store without runs: what the main thread does is take the body and render the steps.
    const { app } = webApp();
    const { result, longestStall } = await longestStallDuring(() => app.request('/own-digits/read', { method: 'POST', body, headers }));
    expect(result.status).toBe(200);
    const html = await result.text();
    expect(html).toContain('greyscale, 3600x3600 shrunk to 512x512');
    // The keep form names the picture the server holds instead of carrying the photo back.
    expect(html.length).toBeLessThan(100_000);
    // What the route keeps in its thread: decoding and preprocessing the photo, timed in place.
    const started = performance.now();
    preprocessDigit(photo);
    const inPlace = performance.now() - started;
    // The import test's bound for a body twice this size (500 ms, on this machine as loaded as CI leaves it).
    // Measured at load 9, before the keep form named a held picture: 141 to 450 ms, most of it the answer
    // (13 MB of base64 carrying the photo back). Now the answer is 15 kB: 56 to 76 ms at load 2 after the
    // first request, 175 ms at load 7.7; what is left is the body, here one 9.6 MB chunk, scanned for its
    // boundary. This bound guards against the photo's decoding and preprocessing coming back onto the loop.
    expect(longestStall, `preprocessing in place took ${Math.round(inPlace)} ms`).toBeLessThan(Math.min(500, inPlace / 2));
  }, 120_000);

  it('makes it a picture-folder image for runs of another dataset off the event loop too', async () => {
    const photo = grainyPhoto();
    // A completed run of a 4-class IDX set: it reads pictures as a picture folder's are made.
    const { app, db, runs } = webApp();
    await selectBackend('wasm');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'own-stalls-'));
    const model = path.join(dir, 'four.onnx');
    writeFileSync(model, brightnessOnnx(4));
    registerDataset(db, 'four', fourClassIdxSet(path.join(dir, 'four')));
    await importRun(runs, { file: model, conventions: { layout: 'auto', scale: 'unit', output: 'auto' }, dataset: findDataset(db, 'four') });
    const form = new FormData();
    form.set('file', new File([photo], 'photo.png'));
    const encoded = new Request('http://localhost/own-digits/read', { method: 'POST', body: form });
    const headers = { Origin: 'http://localhost', 'HX-Request': 'true', 'Content-Type': encoded.headers.get('content-type')! };
    const body = new Uint8Array(await encoded.arrayBuffer());
    const { result, longestStall } = await longestStallDuring(() => app.request('/own-digits/read', { method: 'POST', body, headers }));
    expect(result.status).toBe(200);
    expect(await result.text()).toMatch(/four\.onnx<\/a>: reads <strong>(low|dim|mid|bright)<\/strong>/);
    // Decoding the photo again and shrinking it to 28x28, which the route once did on the event loop.
    const started = performance.now();
    pictureToImage(photo);
    const inPlace = performance.now() - started;
    expect(longestStall, `making the picture-folder image in place took ${Math.round(inPlace)} ms`).toBeLessThan(Math.max(100, inPlace / 2));
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
