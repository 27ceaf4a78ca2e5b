import { describe, expect, it } from 'vitest';
import { ImageTooLargeError, UnreadableImageError } from '../../../src/data/own-digits/decode.ts';
import { encodeGreyPng } from '../../../src/data/own-digits/encode.ts';
import { preprocessDigit } from '../../../src/data/own-digits/preprocess.ts';
import { PREPROCESS_SLOTS, preprocessInThread } from '../../../src/data/own-digits/preprocess-in-thread.ts';

/** A "1" on grey paper, `side` pixels square. */
function one(side: number): Uint8Array {
  const pixels = new Float32Array(side * side).fill(0.85);
  for (let y = Math.floor(side / 4); y < Math.floor((3 * side) / 4); y++) pixels.fill(0.1, y * side + Math.floor(side * 0.45), y * side + Math.floor(side * 0.55));
  return encodeGreyPng({ width: side, height: side, pixels });
}

describe('preprocessInThread', () => {
  it('gives what preprocessDigit gives', async () => {
    const picture = one(200);
    const inWorker = await preprocessInThread(picture);
    expect(Array.from(inWorker.input)).toEqual(Array.from(preprocessDigit(picture).input));
    expect(inWorker.steps.map((step) => step.caption)).toEqual(preprocessDigit(picture).steps.map((step) => step.caption));
  });

  it('passes on why a picture cannot be read, with its kind', async () => {
    await expect(preprocessInThread(Buffer.from('not a picture'))).rejects.toThrow(UnreadableImageError);
    const header = Buffer.from(one(1));
    header.writeUInt32BE(20000, 16);
    header.writeUInt32BE(20000, 20);
    await expect(preprocessInThread(header)).rejects.toThrow(ImageTooLargeError);
  });

  it('stops a picture that takes longer than its time limit', async () => {
    await expect(preprocessInThread(one(3000), { timeLimitMs: 50 })).rejects.toThrow(/reading the picture took over 0.05 s and was stopped/);
  });

  it('decodes at most its slots of pictures at once: the others wait, then are read', async () => {
    const picture = one(200);
    const readings = Array.from({ length: 5 }, () => preprocessInThread(picture));
    // Memory is the cost: 8 large uploads decoded at once took a server past 6 GB.
    expect(PREPROCESS_SLOTS.running).toBe(PREPROCESS_SLOTS.max);
    expect(PREPROCESS_SLOTS.waiting).toBe(5 - PREPROCESS_SLOTS.max);
    expect((await Promise.all(readings)).every((digit) => digit.input.length === 28 * 28)).toBe(true);
    expect([PREPROCESS_SLOTS.running, PREPROCESS_SLOTS.waiting]).toEqual([0, 0]);
  });
});
