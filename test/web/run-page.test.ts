import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { runs } from '../../db/schema.ts';
import { presetSpec } from '../../src/models/model-presets.ts';
import { createRun, endRun, getRun, recordProgress, runTagMap, testConfusion } from '../../src/store/store.ts';
import { runningRun, smallRunParams } from '../helpers/db.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { postForm, webApp } from '../helpers/web.ts';

const XSS = '<script>alert(1)</script>';
const htmx = { 'HX-Request': 'true' };

function appWithCompletedRun() {
  const env = webApp();
  const run = recordCompletedRun(env.db, env.images.labels.subarray(0, 500), { accuracy: 0.8, epochs: 3 });
  return { ...env, run };
}

describe('the run page of a completed run', () => {
  it('shows hyperparameters, the reproducibility record and how to train it again', async () => {
    const { app, run } = appWithCompletedRun();
    const html = await (await app.request(`/runs/${run.id}`)).text();
    expect(html).toMatch(/<dt>Learning rate<\/dt><dd>0.001<\/dd>/);
    expect(html).toMatch(/<dt>Test limit<\/dt><dd>500<\/dd>/);
    expect(html).toContain('npx digitlab train --epochs 3 --batch-size 64 --validation-split 0.2 --learning-rate 0.001 --seed 1 --test-limit 500');
  });

  it('shows the network as a Keras-style summary, and trains a non-default model and recipe again by name', async () => {
    const env = webApp();
    const params = { model: 'reference-dropout', layers: presetSpec('reference-dropout').layers, optimizer: 'sgd' as const, augment: { shift: 2, rotate: 10 } };
    const run = recordCompletedRun(env.db, env.images.labels.subarray(0, 500), { params });
    const html = await (await env.app.request(`/runs/${run.id}`)).text();
    expect(html).toContain('<h2>Model: reference-dropout</h2>');
    expect(html).toMatch(/<td>dropout 0.25<\/td><td>\(13, 13, 32\)<\/td><td class="num">0<\/td>/);
    expect(html).toMatch(/<tfoot><tr><td colspan="2">Total<\/td><td class="num">121,930<\/td>/);
    expect(html).toMatch(/<dt>Augment<\/dt><dd>shift=2,rotate=10<\/dd>/);
    expect(html).toContain('--model reference-dropout --optimizer sgd --augment shift=2,rotate=10');
  });

  it('shows a strip of augmented training images, drawn anew each epoch, only for a run that augments', async () => {
    const env = webApp();
    const augmented = recordCompletedRun(env.db, env.images.labels.subarray(0, 500), { params: { augment: { shift: 3, rotate: 15 } } });
    const plain = recordCompletedRun(env.db, env.images.labels.subarray(0, 500), { seed: 2 });
    const html = await (await env.app.request(`/runs/${augmented.id}`)).text();
    const strip = (label: string) => [...html.matchAll(new RegExp(`<img src="(data:image/png;base64,[^"]+)" width="42" height="42" alt="training image \\d+, ${label}"`, 'g'))].map((m) => m[1]);
    const [original, first, second] = [strip('original'), strip('epoch 1'), strip('epoch 2')];
    expect(original).toHaveLength(10);
    expect(first).toHaveLength(10);
    expect(first.filter((uri, i) => uri !== original[i]).length).toBeGreaterThan(5);
    expect(second.filter((uri, i) => uri !== first[i]).length).toBeGreaterThan(5);
    expect(await (await env.app.request(`/runs/${plain.id}`)).text()).not.toContain('What the model was fed');
  });

  it('plots loss and accuracy per epoch, training against validation, with values on hover', async () => {
    const { app, run } = appWithCompletedRun();
    const html = await (await app.request(`/runs/${run.id}`)).text();
    expect(html.match(/<figure class="chart"><svg/g)).toHaveLength(2);
    expect(html.match(/<g class="series series-(train|val)" data-label="\w+"><path d="M/g)).toHaveLength(4);
    // One readout per epoch with both series' values.
    expect(html).toContain('<title>Epoch 2\ntraining: 0.2500\nvalidation: 0.3000</title>');
    expect(html).toMatch(/<title>Epoch 3\ntraining: \d+\.\d\d%\nvalidation: \d+\.\d\d%<\/title>/);
  });

  it('shows test metrics, a clickable confusion heatmap and per-class scores', async () => {
    const { app, run, db } = appWithCompletedRun();
    const html = await (await app.request(`/runs/${run.id}`)).text();
    expect(html).toContain(`${(getRun(db, run.id).testAccuracy! * 100).toFixed(2)}%`);
    expect(html).toMatch(/<button type="button" hx-get="\/runs\/\d+\/gallery\?label=3&amp;predicted=3" hx-target="#cell-gallery"/);
    const perClass = html.slice(html.indexOf('<table class="class-metrics">'));
    expect(perClass.slice(0, perClass.indexOf('</table>')).match(/<th scope="row">\d<\/th>/g)).toHaveLength(10);
    expect(perClass).toContain('<th>Precision</th>');
    expect(html).toContain('id="cell-gallery"');
    expect(html).not.toContain('hx-trigger="every 1s"');
  });

  it('pages misclassified images, most confident first, as inline thumbnails', async () => {
    const { app, run } = appWithCompletedRun();
    const html = await (await app.request(`/runs/${run.id}`)).text();
    const gallery = html.slice(html.indexOf('<section id="misclassified"'));
    expect(gallery.match(/<img src="data:image\/png;base64,/g)).toHaveLength(48);
    const confidences = [...gallery.matchAll(/<\/span> (\d+\.\d)%<\/span>/g)].map((m) => Number(m[1]));
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    const page2 = await (await app.request(`/runs/${run.id}/gallery?page=2`, { headers: htmx })).text();
    expect(page2).toMatch(/^<section id="misclassified"/);
    expect(page2).toMatch(/page 2 of \d/);
  });

  it('counts a cell of one image as "1 image", in its gallery and its matrix tooltip', async () => {
    const { app, db, run } = appWithCompletedRun();
    const counts = testConfusion(db, run.id)!;
    const single = counts.flatMap((row, label) => row.map((n, predicted) => ({ n, label, predicted }))).find((cell) => cell.n === 1);
    expect(single).toBeDefined(); // 100 mistakes over 90 cells: the fixture has cells of one
    const { label, predicted } = single!;
    const gallery = await (await app.request(`/runs/${run.id}/gallery?label=${label}&predicted=${predicted}`, { headers: htmx })).text();
    expect(gallery).toContain('· 1 image, most confident first');
    const page = await (await app.request(`/runs/${run.id}`)).text();
    expect(page).toContain(`title="true ${label}, predicted ${predicted}: 1 image"`);
  });

  it('loads one cell\'s images in place', async () => {
    const { app, run } = appWithCompletedRun();
    const res = await app.request(`/runs/${run.id}/gallery?label=7&predicted=7`, { headers: htmx });
    const html = await res.text();
    expect(html).toMatch(/^<section id="cell-gallery"/);
    expect(html).toContain('True 7, predicted 7');
    const captions = [...html.matchAll(/<span class="truth">(\d)<\/span>→<span class="pred">(\d)<\/span>/g)];
    expect(captions.length).toBeGreaterThan(0);
    expect(captions.every((m) => m[1] === '7' && m[2] === '7')).toBe(true);
  });

  it.each([
    ['label=3', 400],
    ['label=10&predicted=1', 400],
    ['label=x&predicted=1', 400],
    ['page=0', 400],
    ['page=999', 200],
  ])('answers gallery?%s with %i', async (query, status) => {
    const { app, run } = appWithCompletedRun();
    expect((await app.request(`/runs/${run.id}/gallery?${query}`)).status).toBe(status);
  });

  it('keeps the chosen cell and gallery pages in the page URL: the fragment says where, the page shows them again', async () => {
    const { app, run } = appWithCompletedRun();
    const from = `http://localhost/runs/${run.id}?log=1&page=3`;
    const cell = await app.request(`/runs/${run.id}/gallery?label=3&predicted=5`, { headers: { ...htmx, 'HX-Current-URL': from } });
    expect(cell.headers.get('HX-Push-Url')).toBe(`/runs/${run.id}?log=1&page=3&cell=3-5`);
    const paged = await app.request(`/runs/${run.id}/gallery?page=2`, { headers: { ...htmx, 'HX-Current-URL': `${from}&cell=3-5` } });
    expect(paged.headers.get('HX-Push-Url')).toBe(`/runs/${run.id}?log=1&page=2&cell=3-5`);
    const page = await (await app.request(`/runs/${run.id}?cell=3-5`)).text();
    expect(page).toContain('<section id="cell-gallery" class="gallery"><h3>True 3, predicted 5');
    expect(page).not.toContain('Click a cell of the confusion matrix to see its images here.');
    expect((await app.request(`/runs/${run.id}?cell=35`)).status).toBe(400);
  });
});

describe('the run page while a run trains', () => {
  it('shows progress in a fragment that polls itself until the run ends', async () => {
    const { app, db } = webApp();
    const run = runningRun(db);
    recordProgress(db, run.id, { epoch: 2, epochs: 3, batch: 10, batches: 40, loss: 0.25, accuracy: 0.9, etaSeconds: 75 });
    const live = await (await app.request(`/runs/${run.id}/live`, { headers: htmx })).text();
    expect(live).toMatch(/^<section id="live" hx-get="\/runs\/\d+\/live" hx-trigger="every 1s" hx-swap="outerHTML">/);
    expect(live).toContain('Epoch <strong>2</strong> of 3 · batch 10 of 40 · loss 0.2500 · accuracy 90.00% · about 1m15s left');
    expect(live).toContain('Cancel run');
    const [section, record] = live.split('<div id="record" hx-swap-oob="true">');
    expect(record).toContain('<h2>Reproducibility</h2>');
    const page = await (await app.request(`/runs/${run.id}`)).text();
    expect(page).toContain(section);
  });

  it('draws the smoothed per-batch curve while it trains, says how it is smoothed, and keeps the chart view in its poll', async () => {
    const { app, db } = webApp();
    const run = runningRun(db, { epochs: 3 });
    const curve = Array.from({ length: 40 }, (_, i) => ({ x: (i + 1) / 40, loss: 2 / (i + 1), accuracy: 0.1 + i / 50 }));
    recordProgress(db, run.id, { epoch: 1, epochs: 3, batch: 40, batches: 40, loss: 0.5, accuracy: 0.5, batchLoss: 0.05, batchAccuracy: 0.9, etaSeconds: 75, curve });
    const live = await (await app.request(`/runs/${run.id}/live?log=1&to-epoch=2`, { headers: htmx })).text();
    expect(live).toMatch(/^<section id="live" hx-get="\/runs\/\d+\/live\?log=1&amp;to-epoch=2"/);
    const [loss, accuracy] = live.split('<figure').slice(1);
    for (const figure of [loss!, accuracy!]) {
      expect(figure).toMatch(/<g class="series series-batch dense" data-label="training, per batch"><path d="(M|L)[\d.]+,[\d.]+( L[\d.]+,[\d.]+){39}"/);
      expect(figure).not.toMatch(/series-batch[^>]*>[^]*<circle/);
      expect(figure).toContain('per batch: exponential moving average, each batch weighted 0.1');
    }
    // Log scale on the loss only, with decade ticks around 0.05 to 2; the epoch axis zoomed to epochs 1 and 2.
    expect(loss).toContain('Loss (log scale)');
    expect([...loss!.matchAll(/<text x="50" y="[\d.]+" text-anchor="end">([^<]+)<\/text>/g)].map((m) => m[1])).toEqual(['0.01', '0.1', '1', '10']);
    expect(accuracy).not.toContain('log scale');
    expect([...loss!.matchAll(/<text class="tick"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(['1', '2']);
  });

  it('enables the Archive button when a poll finds the run ended, without a reload (issue 27, item 30)', async () => {
    const { app, db } = webApp();
    const run = runningRun(db);
    const archiveForm = (html: string) => /<form [^>]*id="archive-form" hx-swap-oob="true"[^]*?<\/form>/.exec(html)?.[0];
    expect(archiveForm(await (await app.request(`/runs/${run.id}/live`, { headers: htmx })).text())).toMatch(/<button type="submit" disabled=""/);
    endRun(db, run.id, 'failed', 'the trainer stopped');
    const ended = archiveForm(await (await app.request(`/runs/${run.id}/live`, { headers: htmx })).text());
    expect(ended).toContain('>Archive</button>');
    expect(ended).not.toContain('disabled');
  });

  it('says how many runs are ahead of a queued one', async () => {
    const { app, db } = webApp();
    createRun(db, { name: 'first', params: smallRunParams() });
    const second = createRun(db, { name: 'second', params: smallRunParams() });
    expect(await (await app.request(`/runs/${second.id}/live`)).text()).toContain('behind 1 other run.');
  });

  it('cancels a queued run from its cancel button', async () => {
    const { app, db } = webApp();
    const run = createRun(db, { name: 'q', params: smallRunParams() });
    const res = await postForm(app, `/runs/${run.id}/cancel`, {}, htmx);
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain('hx-trigger');
    expect(getRun(db, run.id).status).toBe('cancelled');
  });

  it('after Cancel on a running run, shows the cancellation as requested, with no Cancel button, until the trainer records it (issue 27)', async () => {
    const { app, db } = webApp();
    const run = runningRun(db);
    // A remote worker's run: the cancel waits for its next heartbeat, so the run is still running.
    db.update(runs).set({ source: 'worker' }).where(eq(runs.id, run.id)).run();
    const before = await (await app.request(`/runs/${run.id}/live`)).text();
    expect(before).toContain('Cancel run</button>');
    for (const fragment of [await postForm(app, `/runs/${run.id}/cancel`, {}, htmx), await app.request(`/runs/${run.id}/live`)]) {
      expect(fragment.status).toBe(200);
      const html = await fragment.text();
      expect(html).toContain('Cancel requested: training stops after its current batch; finished epochs are kept.');
      expect(html).not.toContain('Cancel run</button>');
      // Still polling, so the fragment shows the run cancelled once the trainer records it.
      expect(html).toContain('hx-trigger="every 1s"');
    }
    expect(getRun(db, run.id)).toMatchObject({ status: 'running', cancelRequested: true });
  });

  it('will not signal a run that another process trains, and says so in the flash area', async () => {
    const { app, db } = webApp();
    const run = runningRun(db);
    const res = await postForm(app, `/runs/${run.id}/cancel`, {}, htmx);
    expect(res.status).toBe(409);
    expect(res.headers.get('HX-Retarget')).toBe('#flash');
    expect(await res.text()).toMatch(/which this queue did not start/);
  });
});

describe('tags and note on the run page', () => {
  it('adds, escapes and removes tags in place', async () => {
    const { app, db } = webApp();
    const run = runningRun(db);
    const added = await postForm(app, `/runs/${run.id}/tags`, { key: 'why', value: XSS }, htmx);
    expect(added.status).toBe(200);
    const html = await added.text();
    expect(html).toMatch(/^<section id="tags">/);
    expect(html).not.toContain(XSS);
    expect(runTagMap(db, run.id)).toEqual({ why: XSS });
    const removed = await app.request(`/runs/${run.id}/tags/why`, { method: 'DELETE', headers: { ...htmx, Origin: 'http://localhost' } });
    expect(removed.status).toBe(200);
    expect(runTagMap(db, run.id)).toEqual({});
  });

  it('rejects a bad tag key with 422, keeping what was typed', async () => {
    const { app, db } = webApp();
    const run = runningRun(db);
    const res = await postForm(app, `/runs/${run.id}/tags`, { key: 'has space', value: 'v' }, htmx);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('value="has space"');
    expect(html).toContain('class="field-error"');
    expect(runTagMap(db, run.id)).toEqual({});
  });

  it('saves an escaped note, and refuses one too long', async () => {
    const { app, db } = webApp();
    const run = runningRun(db);
    const saved = await postForm(app, `/runs/${run.id}/note`, { note: XSS }, htmx);
    expect(await saved.text()).toContain('&lt;script&gt;alert(1)&lt;/script&gt;</textarea>');
    expect(getRun(db, run.id).note).toBe(XSS);
    const tooLong = await postForm(app, `/runs/${run.id}/note`, { note: 'x'.repeat(10_001) }, htmx);
    expect(tooLong.status).toBe(422);
    expect(getRun(db, run.id).note).toBe(XSS);
  });
});

describe('validation confusion by epoch', () => {
  /** Ten of each digit, right, but for `wrong` [true, predicted, count] cells. */
  const matrix = (...wrong: [number, number, number][]) => {
    const counts = Array.from({ length: 10 }, (_, t) => Array.from({ length: 10 }, (_, p) => (t === p ? 10 : 0)));
    for (const [t, p, n] of wrong) {
      counts[t]![p]! += n;
      counts[t]![t]! -= n;
    }
    return counts;
  };
  const epochs = [matrix([3, 5, 4]), matrix([3, 5, 1], [7, 1, 2]), matrix([3, 5, 1], [7, 1, 2])];
  const changed = (html: string) => [...html.matchAll(/<td [^>]*class="(?:diag )?changed" data-cell="(\d-\d)"/g)].map((m) => m[1]).sort();

  it('opens at the last epoch and steps back, outlining the cells that changed since the epoch before', async () => {
    const env = webApp();
    const run = recordCompletedRun(env.db, env.images.labels.subarray(0, 500), { epochs: 3, valConfusions: epochs });
    const page = await (await env.app.request(`/runs/${run.id}`)).text();
    expect(page).toContain('<section id="epoch-confusion"');
    expect(page).toMatch(/epoch <!-- -->3<!-- --> of <!-- -->3|epoch 3 of 3/);
    // Epoch 3 repeats epoch 2: nothing is outlined, and "later" is disabled.
    expect(changed(page)).toEqual([]);
    expect(page).toContain('0 cells changed since epoch 2');
    expect(page).toMatch(/<button type="button" disabled="">later →<\/button>|<button type="button" disabled>later →<\/button>/);
    expect(page).toContain(`hx-get="/runs/${run.id}/epoch-confusion?epoch=2" hx-target="#epoch-confusion" hx-swap="outerHTML"`);

    const second = await (await env.app.request(`/runs/${run.id}/epoch-confusion?epoch=2`, { headers: htmx })).text();
    // 3→5 went from 4 to 1 (so 3→3 from 6 to 9) and 7→1 appeared (7→7 from 10 to 8).
    expect(changed(second)).toEqual(['3-3', '3-5', '7-1', '7-7']);
    expect(second).toContain('4 cells changed since epoch 1');
    expect(second).toContain('3 validation mistakes, 4 before');
    expect(second).toMatch(/true 3, predicted 5: 1 image \(4 the epoch before\)[^]*?<span class="delta">−3<\/span>/);
    expect(second).toMatch(/true 7, predicted 1: 2 images \(0 the epoch before\)[^]*?<span class="delta">\+2<\/span>/);
    expect(second).toContain(`/runs/${run.id}/epoch-confusion?epoch=1`);
    expect(second).toContain(`/runs/${run.id}/epoch-confusion?epoch=3`);
    // Validation cells are not links into the test gallery.
    expect(second).not.toContain('#cell-gallery');

    const first = await (await env.app.request(`/runs/${run.id}/epoch-confusion?epoch=1`, { headers: htmx })).text();
    expect(changed(first)).toEqual([]);
    expect(first).toContain('The first epoch: nothing to compare with yet');
  });

  it('answers an epoch it has no matrix for with a readable 404, a bad one with a 400, and leaves it off a run without matrices', async () => {
    const env = webApp();
    const run = recordCompletedRun(env.db, env.images.labels.subarray(0, 500), { epochs: 3, valConfusions: epochs });
    const missing = await env.app.request(`/runs/${run.id}/epoch-confusion?epoch=4`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('no validation confusion matrix for epoch 4 (stored: epochs 1 to 3)');
    expect((await env.app.request(`/runs/${run.id}/epoch-confusion?epoch=x`)).status).toBe(400);
    expect((await env.app.request(`/runs/${run.id}/epoch-confusion`)).status).toBe(400);
    const plain = recordCompletedRun(env.db, env.images.labels.subarray(0, 500), { seed: 2 });
    expect(await (await env.app.request(`/runs/${plain.id}`)).text()).not.toContain('epoch-confusion');
  });
});

describe('unknown runs', () => {
  it.each(['/runs/999', '/runs/999/live', '/runs/999/gallery', '/runs/abc', '/runs/1e3'])('answer %s with a 404 page', async (path) => {
    const res = await webApp().app.request(path);
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('<h1>Not found</h1>');
    expect(html).toContain('Back to the runs');
  });

  it('answer a gallery of a run without predictions with 404', async () => {
    const { app, db } = webApp();
    const run = runningRun(db);
    expect((await app.request(`/runs/${run.id}/gallery`)).status).toBe(404);
  });
});

it('keeps stack traces from the browser when something really fails', async () => {
  const { app, db } = webApp();
  const run = recordCompletedRun(db, new Uint8Array(50));
  db.$client.close();
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (err: unknown) => errors.push(err);
  try {
    const res = await app.request(`/runs/${run.id}`);
    expect(res.status).toBe(500);
    const html = await res.text();
    expect(html).toContain('the server failed on this request');
    expect(html).not.toMatch(/at .*\.ts:\d+/);
    expect(errors).toHaveLength(1);
  } finally {
    console.error = original;
  }
});
