import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/training/backend.ts';

describe('selecting the tfjs engine', () => {
  it('gives concurrent callers one shared activation, and activates again only after another engine was set', async () => {
    const first = selectBackend('wasm');
    expect(selectBackend('wasm')).toBe(first);
    expect(await first).toBe('wasm');
    expect(selectBackend('wasm')).toBe(first);
    await tf.setBackend('cpu');
    expect(await selectBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });
});
