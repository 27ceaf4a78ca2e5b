import type { Db } from '../../db/client.ts';
import { seededRandom } from '../core/random.ts';
import { loadTestEmbeddings, loadTestPredictions } from '../store/store.ts';
import { kMeans } from './kmeans.ts';
import { hypergeometricUpperTail } from './statistics/exact-tails.ts';
import { wilsonInterval, type Interval } from './statistics/wilson.ts';

/** A cluster of one class's test images, in the model's own embedding space, that it gets wrong more often. */
export interface DiscoveredSlice {
  label: number;
  size: number;
  errors: number;
  errorRate: number;
  interval: Interval;
  classSize: number;
  classErrorRate: number;
  /** errorRate - classErrorRate: what the ranking is by. */
  excess: number;
  /** One-sided Fisher exact p that a random group of this size from the class holds this many errors. */
  p: number;
  /** p times the number of clusters tested (Bonferroni): many clusters are tested, some look bad by chance. */
  adjustedP: number;
  mistakenFor: { label: number; count: number }[];
  /** Test-set indices of the members, their errors first. */
  members: number[];
}

export interface DiscoveryOptions {
  clustersPerClass?: number;
  /** Smaller clusters are not reported: an error rate of 2 in 3 says little. */
  minSize?: number;
  seed?: number;
  /** Largest adjusted p reported. */
  alpha?: number;
  top?: number;
}

export interface DiscoveryInput {
  labels: Uint8Array;
  predicted: Uint8Array;
  embeddings: { dimensions: number; vectors: Float32Array };
}

const DEFAULTS = { clustersPerClass: 12, minSize: 15, seed: 1, alpha: 0.01, top: 10 };

/** Clusters each class's embeddings and returns the clusters whose error significantly exceeds their class's, worst first. */
export function discoverSlices(input: DiscoveryInput, options: DiscoveryOptions = {}): DiscoveredSlice[] {
  const { clustersPerClass, minSize, seed, alpha, top } = { ...DEFAULTS, ...options };
  const count = input.predicted.length;
  const random = seededRandom(seed);
  const candidates: Omit<DiscoveredSlice, 'adjustedP'>[] = [];
  let tested = 0;
  // Every class the labels hold: ten for MNIST, whatever the run's dataset has otherwise.
  let classes = 0;
  for (let i = 0; i < count; i++) classes = Math.max(classes, input.labels[i]! + 1);
  for (let label = 0; label < classes; label++) {
    const points: number[] = [];
    for (let i = 0; i < count; i++) if (input.labels[i] === label) points.push(i);
    if (points.length === 0) continue;
    const wrong = (i: number) => input.predicted[i] !== label;
    const classErrors = points.filter(wrong).length;
    const { assignment, centroids } = kMeans(input.embeddings.vectors, input.embeddings.dimensions, points, clustersPerClass, random);
    for (let c = 0; c < centroids.length / input.embeddings.dimensions; c++) {
      const members = points.filter((_, i) => assignment[i] === c);
      if (members.length < minSize) continue;
      tested++;
      const errors = members.filter(wrong).length;
      const errorRate = errors / members.length;
      const classErrorRate = classErrors / points.length;
      if (errorRate <= classErrorRate) continue;
      candidates.push({
        label,
        size: members.length,
        errors,
        errorRate,
        interval: wilsonInterval(errors, members.length),
        classSize: points.length,
        classErrorRate,
        excess: errorRate - classErrorRate,
        p: hypergeometricUpperTail(errors, points.length, classErrors, members.length),
        mistakenFor: mistakes(members.filter(wrong).map((i) => input.predicted[i]!)),
        members: [...members.filter(wrong), ...members.filter((i) => !wrong(i))],
      });
    }
  }
  return candidates
    .map((slice) => ({ ...slice, adjustedP: Math.min(1, slice.p * tested) }))
    .filter((slice) => slice.adjustedP <= alpha)
    .sort((a, b) => b.excess - a.excess)
    .slice(0, top);
}

function mistakes(answers: number[]): { label: number; count: number }[] {
  const counts = new Map<number, number>();
  for (const answer of answers) counts.set(answer, (counts.get(answer) ?? 0) + 1);
  return [...counts].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || a.label - b.label);
}

/** Slice discovery on a stored run; null until the run has predictions and embeddings. */
export function discoverRunSlices(db: Db, runId: number, testLabels: Uint8Array, options: DiscoveryOptions = {}): DiscoveredSlice[] | null {
  const predictions = loadTestPredictions(db, runId);
  const embeddings = loadTestEmbeddings(db, runId);
  if (!predictions || !embeddings) return null;
  return discoverSlices({ labels: testLabels, predicted: predictions.predicted, embeddings }, options);
}
