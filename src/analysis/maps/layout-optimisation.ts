import { findABParams } from 'umap-js/dist/umap.js';
import type { FuzzyGraph } from './fuzzy-graph.ts';

export interface OptimisationOptions {
  epochs: number;
  minDist: number;
  random: () => number;
  /** Called after each epoch with the number of epochs done. */
  onEpoch?: (done: number) => void;
}

// umap-js's defaults (UMAP constructor): the reference this optimisation follows step for step.
const NEGATIVE_SAMPLE_RATE = 5;
const LEARNING_RATE = 1;
const REPULSION_STRENGTH = 1;
const SPREAD = 1;
const GRADIENT_CLIP = 4;
/** Where the initial layout is drawn from, uniformly in both axes (umap-js's random init). */
const INITIAL_EXTENT = 10;

/** The edges the optimisation samples: those weighing at least 1/epochs of the heaviest. */
interface SampledEdges {
  /** The end that moves toward the other and is pushed from random points (umap-js's head). */
  heads: Int32Array;
  tails: Int32Array;
  /** Epochs between samples of an edge: 1 for the heaviest, more for lighter ones. */
  epochsPerSample: Float64Array;
}

/**
 * umap-js's pruning and epochs-per-sample: an edge is sampled in proportion to its weight, and
 * edges too light to be sampled once in `epochs` are dropped.
 */
export function sampledEdges(graph: FuzzyGraph, epochs: number): SampledEdges {
  let heaviest = 0;
  for (const weight of graph.weights) heaviest = Math.max(heaviest, weight);
  const kept: number[] = [];
  for (let e = 0; e < graph.weights.length; e++) if (graph.weights[e]! >= heaviest / epochs) kept.push(e);
  const heads = new Int32Array(kept.length);
  const tails = new Int32Array(kept.length);
  const epochsPerSample = new Float64Array(kept.length);
  kept.forEach((e, at) => {
    heads[at] = graph.columns[e]!;
    tails[at] = graph.rows[e]!;
    epochsPerSample[at] = epochs / ((graph.weights[e]! / heaviest) * epochs);
  });
  return { heads, tails, epochsPerSample };
}

/**
 * x^b for x > 0. V8's Math.pow took ~78 ns a call here, exp(b ln x) ~33 ns, and the optimisation
 * makes tens of millions of them; the two differ in the last bits only. (umap-js computes
 * x^(b-1) with a second pow; x^b / x is the same number.)
 */
const power = (x: number, b: number) => Math.exp(b * Math.log(x));

const clip = (value: number) => (value > GRADIENT_CLIP ? GRADIENT_CLIP : value < -GRADIENT_CLIP ? -GRADIENT_CLIP : value);

/**
 * UMAP's stochastic gradient descent on a 2-D layout, as umap-js's optimizeLayoutStep does it
 * (same attractive and repulsive gradients, clipping, negative sampling and learning-rate decay,
 * drawing the same random numbers in the same order), over flat Float64Arrays instead of arrays
 * of arrays, with a faster x^b. Returns x, y per point.
 */
export function optimiseLayout(graph: FuzzyGraph, options: OptimisationOptions): Float64Array {
  const { epochs, random } = options;
  const { a, b } = findABParams(SPREAD, options.minDist);
  const count = graph.count;
  const layout = new Float64Array(2 * count);
  for (let i = 0; i < layout.length; i++) layout[i] = random() * (2 * INITIAL_EXTENT) - INITIAL_EXTENT;
  const { heads, tails, epochsPerSample } = sampledEdges(graph, epochs);
  const epochsPerNegativeSample = epochsPerSample.map((e) => e / NEGATIVE_SAMPLE_RATE);
  const nextSample = epochsPerSample.slice();
  const nextNegativeSample = epochsPerNegativeSample.slice();
  let alpha = LEARNING_RATE;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let e = 0; e < heads.length; e++) {
      if (nextSample[e]! > epoch) continue;
      const head = 2 * heads[e]!;
      const tail = 2 * tails[e]!;
      let dx = layout[head]! - layout[tail]!;
      let dy = layout[head + 1]! - layout[tail + 1]!;
      let squared = dx * dx + dy * dy;
      let pull = 0;
      if (squared > 0) {
        const powered = power(squared, b);
        pull = (-2 * a * b * (powered / squared)) / (a * powered + 1);
      }
      let step = clip(pull * dx) * alpha;
      layout[head]! += step;
      layout[tail]! -= step;
      step = clip(pull * dy) * alpha;
      layout[head + 1]! += step;
      layout[tail + 1]! -= step;
      nextSample[e]! += epochsPerSample[e]!;

      const negatives = Math.floor((epoch - nextNegativeSample[e]!) / epochsPerNegativeSample[e]!);
      for (let p = 0; p < negatives; p++) {
        const otherPoint = Math.floor(random() * count);
        const other = 2 * otherPoint;
        dx = layout[head]! - layout[other]!;
        dy = layout[head + 1]! - layout[other + 1]!;
        squared = dx * dx + dy * dy;
        let push = 0;
        if (squared > 0) push = (2 * REPULSION_STRENGTH * b) / ((0.001 + squared) * (a * power(squared, b) + 1));
        else if (head === other) continue;
        // Two distinct points on the same spot get the largest push, as in umap-js.
        layout[head]! += (push > 0 ? clip(push * dx) : GRADIENT_CLIP) * alpha;
        layout[head + 1]! += (push > 0 ? clip(push * dy) : GRADIENT_CLIP) * alpha;
      }
      nextNegativeSample[e]! += negatives * epochsPerNegativeSample[e]!;
    }
    alpha = LEARNING_RATE * (1 - epoch / epochs);
    options.onEpoch?.(epoch + 1);
  }
  return layout;
}
