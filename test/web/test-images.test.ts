import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.ts';
import { encodeImage, TestImages } from '../../src/web/test-images.ts';

describe('test images', () => {
  it('encodes every thumbnail in a thread, the same bytes as encoded in place', async () => {
    const images = new TestImages(() => loadMnist('test', { limit: 300 }));
    await images.encodeAllInThread('test');
    const data = loadMnist('test', { limit: 300 });
    for (const index of [0, 7, 299]) expect(images.png(index).equals(encodeImage(data, index))).toBe(true);
    expect(images.dataUri(7)).toBe(`data:image/png;base64,${encodeImage(data, 7).toString('base64')}`);
  });
});
