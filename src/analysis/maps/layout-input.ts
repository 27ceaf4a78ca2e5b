import { datasetInThread, type ThreadDataset } from '../../data/datasets/catalogue.ts';

/**
 * What a map lays out: vectors already in hand (a run's embeddings), or a dataset's test pixels,
 * which the layout's thread reads for itself so that no test set is parsed on the event loop.
 */
export type LayoutInput =
  | { kind: 'vectors'; data: Float32Array | Uint8Array; dimensions: number }
  | { kind: 'test-pixels'; dataset: ThreadDataset };

/** The rows to lay out, `dimensions` values each: an image's pixels are one row. */
export function layoutRows(input: LayoutInput): { data: Float32Array | Uint8Array; dimensions: number } {
  if (input.kind === 'vectors') return input;
  const test = datasetInThread(input.dataset).load('test');
  return { data: test.images, dimensions: test.rows * test.cols };
}
