// Encodes a split's images as PNG thumbnails off the main thread, at low priority.
import { parentPort, workerData } from 'node:worker_threads';
import { idleThisThread } from '../core/thread-priority.ts';
import { loadMnist, type SplitName } from '../data/mnist.ts';
import { encodeImage } from './test-images.ts';

idleThisThread();
const { split, count } = workerData as { split: SplitName; count: number };
const data = loadMnist(split, { limit: count });
const pngs = Array.from({ length: data.count }, (_, index) => encodeImage(data, index));
// One buffer and its offsets: 10,000 small arrays would take the receiving event loop a while to unpack.
const offsets = new Uint32Array(pngs.length + 1);
pngs.forEach((png, i) => (offsets[i + 1] = offsets[i]! + png.byteLength));
const bytes = new Uint8Array(offsets[pngs.length]!);
pngs.forEach((png, i) => bytes.set(png, offsets[i]!));
parentPort!.postMessage({ bytes, offsets }, [bytes.buffer, offsets.buffer]);
