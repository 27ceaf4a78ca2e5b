// Encodes a split's images as PNG thumbnails off the main thread, at low priority.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThreadsPriority } from '../core/thread-priority.ts';
import { loadMnist, type SplitName } from '../data/mnist.ts';
import { encodeImage } from './test-images.ts';

lowerThisThreadsPriority();
const { split, count } = workerData as { split: SplitName; count: number };
const data = loadMnist(split, { limit: count });
const pngs = Array.from({ length: data.count }, (_, index) => new Uint8Array(encodeImage(data, index)));
parentPort!.postMessage({ pngs });
