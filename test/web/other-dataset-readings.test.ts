import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerDataset } from '../../src/data/datasets/catalogue.ts';
import { presetSpec } from '../../src/models/model-presets.ts';
import { createRun } from '../../src/store/store.ts';
import { executeRun } from '../../src/training/experiment.ts';
import { storeOn } from '../../src/store/open-store.ts';
import type { Hyperparameters } from '../../src/training/hyperparameters.ts';
import { encodePng, SHAPE_CLASSES, shapePicture, tempDir, writePictureFolder } from '../helpers/datasets.ts';
import { smallRunParams } from '../helpers/db.ts';
import { webApp } from '../helpers/web.ts';

const { app, db } = webApp();
let shapesRun: number;
let mnistRun: number;

async function train(name: string, overrides: Partial<Hyperparameters>): Promise<number> {
  const run = createRun(db, { name, params: smallRunParams(overrides), status: 'running' });
  const done = await executeRun(storeOn(db), run.id, { backend: 'wasm' });
  expect(done.status, done.error ?? '').toBe('completed');
  return done.id;
}

beforeAll(async () => {
  registerDataset(db, 'shapes', writePictureFolder(path.join(tempDir('own-shapes'), 'shapes'), 12));
  shapesRun = await train('shapes run', { dataset: 'shapes', layers: presetSpec('reference', 4).layers, trainLimit: undefined, testLimit: undefined, epochs: 3, validationSplit: 0 });
  mnistRun = await train('mnist run', {});
}, 120_000);

/** The own-digits page's reading of a picture of a diagonal, with `run` chosen for the why panel. */
async function read(run: number): Promise<string> {
  const form = new FormData();
  form.append('file', new File([new Uint8Array(encodePng(shapePicture(3, 40)))], 'diagonal.png', { type: 'image/png' }));
  form.append('run', String(run));
  return (await app.request('/own-digits/read', { method: 'POST', body: form, headers: { 'HX-Request': 'true', Origin: 'http://localhost' } })).text();
}

describe('a run of a 4-class dataset beside an MNIST run', () => {
  it("reads an own picture in its own classes, with a bar for each, and is not scored on the digit set", async () => {
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

  it('explains its test images by integrated gradients and occlusion, for any of its classes', async () => {
    for (const method of ['ig', 'occlusion']) {
      for (const target of [0, 3]) {
        const answer = await app.request(`/runs/${shapesRun}/explain/test/0.png?method=${method}&class=${target}`);
        expect(answer.status, `${method} class ${target}`).toBe(200);
        expect(answer.headers.get('Content-Type')).toBe('image/png');
      }
    }
    expect((await app.request(`/runs/${shapesRun}/explain/test/0.png?class=4`)).status).toBe(400);
    // The why panel names its classes: the choosers, the legend and the completeness line.
    const why = await (await app.request(`/runs/${shapesRun}/why/test/0?method=ig&class=3`)).text();
    expect(why).toMatch(new RegExp(`class (${SHAPE_CLASSES.join('|')}) \\(label\\)`));
    expect(why).toContain(`■ for ${SHAPE_CLASSES[3]}`);
    expect(why).toContain(`p(${SHAPE_CLASSES[3]}) minus p(${SHAPE_CLASSES[3]})`);
  });
});
