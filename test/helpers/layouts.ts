import { layoutRows, type LayoutInput } from '../../src/analysis/maps/layout-input.ts';
import { umapLayout, type LayoutOptions } from '../../src/analysis/maps/umap-layout.ts';

/** A map layout on the test's own thread, reading what the worker thread would: tests need no threads to see a map. */
export function layoutInProcess(input: LayoutInput, options: LayoutOptions): Promise<Float32Array> {
  const { data, dimensions } = layoutRows(input);
  return Promise.resolve(umapLayout(data, dimensions, options));
}
