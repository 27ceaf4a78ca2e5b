import { describe, expect, it } from 'vitest';
import { HeldPictures } from '../../src/web/own-digits/held-pictures.ts';

const MB = 1024 * 1024;
const picture = (megabytes: number, name = 'photo.png') => ({ bytes: new Uint8Array(megabytes * MB), name, input: new Float32Array(784) });

describe('the pictures a server holds between reading and keeping', () => {
  it('gives each its own token and gives it back once', () => {
    const held = new HeldPictures();
    const a = held.hold(picture(1, 'a.png'));
    const b = held.hold(picture(1, 'b.png'));
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
    expect(held.take(b)?.name).toBe('b.png');
    expect(held.take(b)).toBeNull();
    expect(held.take(a)?.name).toBe('a.png');
    expect(held.take('not a token')).toBeNull();
  });

  it('lets a picture go after an hour', () => {
    let now = 0;
    const held = new HeldPictures(() => now);
    const token = held.hold(picture(1));
    now = 59 * 60_000;
    const kept = held.hold(picture(1));
    now = 61 * 60_000;
    expect(held.take(token)).toBeNull();
    expect(held.take(kept)).not.toBeNull();
  });

  it('holds at most 64 MB, letting the oldest go first', () => {
    const held = new HeldPictures();
    const tokens = Array.from({ length: 8 }, (_, i) => held.hold(picture(10, `${i}.png`)));
    // 80 MB were read: the two oldest went.
    expect(tokens.map((token) => held.take(token)?.name ?? null)).toEqual([null, null, '2.png', '3.png', '4.png', '5.png', '6.png', '7.png']);
  });
});
