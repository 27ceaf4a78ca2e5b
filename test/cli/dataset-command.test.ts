import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.ts';
import { SHAPE_CLASSES, tempDir, writePictureFolder } from '../helpers/datasets.ts';

describe('digitlab dataset', () => {
  it('prints class balance and crossed-seven prevalence of both splits', async () => {
    const result = await runCliCaptured(['dataset', '--json']);
    expect(result.code).toBe(0);
    const facts = result.lastJson();
    expect(facts.dataset).toBe('mnist');
    expect(facts.train.count).toBe(60000);
    expect(facts.test.classCounts.reduce((a: number, b: number) => a + b, 0)).toBe(10000);
    expect(facts.train.classCounts[7]).toBe(6265);
    expect(facts.test.crossedSevens).toMatchObject({ sevens: 1028 });
    expect(facts.train.crossedSevens.share).toBeCloseTo(facts.train.crossedSevens.crossed / 6265, 12);
  });

  it('describes Fashion-MNIST with its class names, and says why crossed sevens are not counted there', async () => {
    const json = await runCliCaptured(['dataset', '--dataset', 'fashion-mnist', '--json']);
    expect(json.code).toBe(0);
    const facts = json.lastJson();
    expect(facts).toMatchObject({ dataset: 'fashion-mnist', crossedSevens: null, train: { count: 60000 }, test: { count: 10000 } });
    expect(facts.classes[6]).toBe('Shirt');
    expect(facts.test.classCounts).toEqual(new Array(10).fill(1000));
    expect(facts.crossedSevensNote).toMatch(/only MNIST's digits have, and 'fashion-mnist' is not MNIST/);
    const text = await runCliCaptured(['dataset', '--dataset', 'fashion-mnist']);
    expect(text.stdout).toMatch(/^Ankle boot +6000 +10\.0% +1000 +10\.0%$/m);
    expect(text.stdout).toMatch(/crossed sevens: not computed/);
  });

  it('describes a registered picture folder of 4 classes, and names an unknown dataset', async () => {
    const db = path.join(tempDir('dataset-cli'), 'runs.sqlite');
    expect((await runCliCaptured(['datasets', 'add', 'shapes', writePictureFolder(tempDir('dataset-cli-pictures'), 4), '--db', db])).code).toBe(0);
    const facts = (await runCliCaptured(['dataset', '--dataset', 'shapes', '--db', db, '--json'])).lastJson();
    expect(facts).toMatchObject({ dataset: 'shapes', classes: SHAPE_CLASSES, train: { count: 16, classCounts: [4, 4, 4, 4] }, test: { count: 8 } });
    const unknown = await runCliCaptured(['dataset', '--dataset', 'nope', '--db', db]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no dataset named 'nope'; known: mnist, fashion-mnist, shapes/);
  });
});
