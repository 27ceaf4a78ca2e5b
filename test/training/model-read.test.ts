import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.ts';
import { ImportError } from '../../src/models/imported/classifier.ts';
import { MODEL_READ_SLOTS, readModelInThread } from '../../src/training/model-read-in-thread.ts';

const ONNX = path.resolve('test/fixtures/imported/torch-small-cnn.onnx');
const AUTO = { layout: 'auto', scale: 'auto', output: 'auto' } as const;
const test = { ...loadMnist('test', { limit: 500 }), classes: 10 };

describe('reading a model file in a thread', () => {
  it('finds its convention, hashes it and gives its bytes back; the test set only when asked', async () => {
    const steps: string[] = [];
    const reading = await readModelInThread({ file: ONNX, conventions: AUTO, test, predictAll: false }, (step) => steps.push(step));
    const bytes = readFileSync(ONNX);
    expect(reading.imported).toMatchObject({ framework: 'onnx', fileSha256: createHash('sha256').update(bytes).digest('hex'), inputLayout: 'nchw' });
    expect(reading.imported.modelData!.equals(bytes)).toBe(true);
    expect(reading.outputs).toBeNull();
    expect(steps).toEqual(['loading the model', 'detecting the input convention on 500 test images']);
    const all = await readModelInThread({ file: ONNX, conventions: AUTO, test, predictAll: true });
    expect(all.outputs!.probabilities).toHaveLength(500 * 10);
  }, 60_000);

  it('says what is wrong with a file that is no model, as an ImportError', async () => {
    await expect(readModelInThread({ file: path.resolve('package.json'), onnxOnly: true, conventions: AUTO, test, predictAll: false })).rejects.toThrow(ImportError);
  }, 60_000);

  it('reads at most its slots of models at once: the others wait, then are read', async () => {
    const readings = Array.from({ length: 3 }, () => readModelInThread({ file: ONNX, conventions: AUTO, test, predictAll: false }));
    // Memory is the cost: a large model with its test outputs takes hundreds of MB while it is read.
    expect([MODEL_READ_SLOTS.running, MODEL_READ_SLOTS.waiting]).toEqual([MODEL_READ_SLOTS.max, 3 - MODEL_READ_SLOTS.max]);
    expect(new Set((await Promise.all(readings)).map((r) => r.imported.fileSha256)).size).toBe(1);
    expect([MODEL_READ_SLOTS.running, MODEL_READ_SLOTS.waiting]).toEqual([0, 0]);
  }, 60_000);
});
