import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerDataset } from '../../src/data/datasets/catalogue.ts';
import { presetSpec } from '../../src/models/model-presets.ts';
import { createRun } from '../../src/store/store.ts';
import { executeRun } from '../../src/training/experiment.ts';
import { storeOn } from '../../src/store/open-store.ts';
import { encodePng, SHAPE_CLASSES, shapePicture, tempDir, writePictureFolder } from '../helpers/datasets.ts';
import { smallRunParams } from '../helpers/db.ts';
import { webApp } from '../helpers/web.ts';

describe('own pictures read by a run of another dataset', () => {
  it('names the classes of each run its own dataset, four bars for four classes beside the digits of an MNIST run', { timeout: 120_000 }, async () => {
    const { app, db } = webApp();
    registerDataset(db, 'shapes', writePictureFolder(path.join(tempDir('own-shapes'), 'shapes'), 12));
    const train = async (name: string, overrides: Parameters<typeof smallRunParams>[0]) => {
      const run = createRun(db, { name, params: smallRunParams(overrides), status: 'running' });
      const done = await executeRun(storeOn(db), run.id, { backend: 'wasm' });
      expect(done.status, done.error ?? '').toBe('completed');
      return done.id;
    };
    const shapesRun = await train('shapes run', { dataset: 'shapes', layers: presetSpec('reference', 4).layers, trainLimit: undefined, testLimit: undefined, epochs: 3, validationSplit: 0 });
    const mnistRun = await train('mnist run', {});

    const read = async (run: number) => {
      const form = new FormData();
      form.append('file', new File([new Uint8Array(encodePng(shapePicture(3, 40)))], 'diagonal.png', { type: 'image/png' }));
      form.append('run', String(run));
      return (await app.request('/own-digits/read', { method: 'POST', body: form, headers: { 'HX-Request': 'true', Origin: 'http://localhost' } })).text();
    };
    const html = await read(shapesRun);
    const figureOf = (id: number) => html.split('<figure').find((figure) => figure.includes(`#${id} `))!;
    const readsOf = (id: number) => new RegExp(`#${id} [^<]*</a>: reads <strong>([^<]+)</strong>`).exec(figureOf(id))?.[1];
    const shapesReads = readsOf(shapesRun);
    expect(SHAPE_CLASSES).toContain(shapesReads);
    for (const name of SHAPE_CLASSES) expect(figureOf(shapesRun)).toContain(`>${name}</text>`);
    expect(readsOf(mnistRun)).toMatch(/^\d$/);
    for (const name of SHAPE_CLASSES) expect(figureOf(mnistRun)).not.toContain(`>${name}</text>`);
    // The why panel speaks of the chosen run's classes and its own training images.
    expect(html).toContain(`Why run #${shapesRun} reads ${shapesReads}`);
    expect(html).toContain('shapes training images');
    expect(await read(mnistRun)).toContain('Nearest MNIST training images');
    // The set holds digits: a run of shapes is not scored on it.
    expect(await (await app.request(`/own-digits/scores?run=${shapesRun}`)).text()).toContain('none: it reads the classes of shapes, not digits');
  });
});
