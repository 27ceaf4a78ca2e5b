import type { Db } from '../../../db/client.ts';
import { listRuns, loadTestEmbeddings, loadTestPredictions } from '../../store/store.ts';
import { smallest } from '../maps/knn.ts';

/** One model's out-of-sample view of some images of a split: its probabilities and, where stored, embeddings. */
export interface PredictionView {
  /** The dataset index of each row; null when row i is image i of the whole split. */
  indices: ArrayLike<number> | null;
  /** One per class per row. */
  probabilities: Float32Array;
  embeddings: { dimensions: number; vectors: Float32Array } | null;
}

/** Why an image is suspected: every number its score is made of. */
export interface LabelEvidence {
  /** Mean, over the views that predicted the image, of the probability its label gets. */
  labelProbability: number;
  suggestedProbability: number;
  /** Confident learning flags it: its label's probability is under that class's threshold, the suggestion's over its own. */
  confidentLearning: boolean;
  /** Views (runs) that predicted the image, how many predicted another class, and how many the suggested one. */
  runs: number;
  runsDisagreeing: number;
  runsSuggesting: number;
  /** Its nearest neighbours in embedding space, pooled over the views with embeddings. */
  neighbours: {
    /** Neighbours counted, and how many carry the given label and the suggested one. */
    counted: number;
    sameLabel: number;
    suggestedLabel: number;
    /** The nearest ones in the first (newest) view with embeddings. */
    nearest: { index: number; label: number }[];
  } | null;
}

/** An image whose given label the models doubt. */
export interface LabelIssue {
  index: number;
  label: number;
  /** The class the evidence leans to instead. */
  suggested: number;
  /** 0..1, the mean of the doubt each kind of evidence casts; higher is more suspicious. */
  score: number;
  evidence: LabelEvidence;
}

/** Neighbours per image in each view: enough to outvote a few odd ones, few enough to stay local. */
const NEIGHBOURS = 10;

const argmaxExcept = (row: ArrayLike<number>, offset: number, except: number, K: number) => {
  let best = -1;
  for (let c = 0; c < K; c++) if (c !== except && (best < 0 || row[offset + c]! > row[offset + best]!)) best = c;
  return best;
};

/**
 * Ranks the images whose label the views doubt, most suspicious first. Candidates are the images
 * confident learning flags (Northcutt et al.: with each class's threshold the mean probability
 * the models give it on images labelled with it, the label falls under its threshold while another
 * class clears its own) and those the mean prediction calls something else. Each candidate's score
 * averages three doubts in 0..1: one minus its label's mean probability, the share of runs that
 * predict another class, and the share of its embedding-space neighbours labelled otherwise
 * (when embeddings exist). Averaging over runs keeps one odd run from flagging an image.
 */
export function rankLabelIssues(labels: Uint8Array, views: PredictionView[], limit = Infinity): LabelIssue[] {
  const count = labels.length;
  // Classes, from the width of the views' probabilities (10 for MNIST; any dataset's count otherwise).
  const first = views[0];
  const K = first ? Math.round(first.probabilities.length / (first.indices ? first.indices.length : count)) || 10 : 10;
  const sum = new Float64Array(count * K);
  const covered = new Int32Array(count);
  const disagreeing = new Int32Array(count);
  const predictions: Uint8Array[] = [];
  for (const view of views) {
    const rows = view.probabilities.length / K;
    const predicted = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) {
      const i = view.indices ? view.indices[r]! : r;
      let best = 0;
      for (let c = 0; c < K; c++) {
        sum[i * K + c]! += view.probabilities[r * K + c]!;
        if (view.probabilities[r * K + c]! > view.probabilities[r * K + best]!) best = c;
      }
      predicted[r] = best;
      covered[i]!++;
      if (best !== labels[i]) disagreeing[i]!++;
    }
    predictions.push(predicted);
  }
  const mean = sum.map((value, k) => (covered[Math.floor(k / K)]! > 0 ? value / covered[Math.floor(k / K)]! : 0));
  const threshold = classThresholds(labels, mean, covered, K);

  const candidates = new Map<number, { suggested: number; confidentLearning: boolean }>();
  for (let i = 0; i < count; i++) {
    if (covered[i] === 0) continue;
    const label = labels[i]!;
    const suggested = argmaxExcept(mean, i * K, label, K);
    const own = mean[i * K + label]!;
    let clears = -1;
    for (let c = 0; c < K; c++) {
      if (c !== label && mean[i * K + c]! >= threshold[c]! && (clears < 0 || mean[i * K + c]! > mean[i * K + clears]!)) clears = c;
    }
    const confidentLearning = own < threshold[label]! && clears >= 0;
    if (confidentLearning || mean[i * K + suggested]! > own) candidates.set(i, { suggested: confidentLearning ? clears : suggested, confidentLearning });
  }

  const suggesting = new Map<number, number>();
  views.forEach((view, v) => {
    predictions[v]!.forEach((predicted, r) => {
      const i = view.indices ? view.indices[r]! : r;
      if (candidates.get(i)?.suggested === predicted) suggesting.set(i, (suggesting.get(i) ?? 0) + 1);
    });
  });
  const neighbourhoods = neighbourLabels(labels, views, candidates);
  const issues: LabelIssue[] = [];
  for (const [i, { suggested, confidentLearning }] of candidates) {
    const label = labels[i]!;
    const neighbours = neighbourhoods.get(i) ?? null;
    const runsSuggesting = suggesting.get(i) ?? 0;
    const evidence: LabelEvidence = {
      labelProbability: mean[i * K + label]!,
      suggestedProbability: mean[i * K + suggested]!,
      confidentLearning,
      runs: covered[i]!,
      runsDisagreeing: disagreeing[i]!,
      runsSuggesting,
      neighbours,
    };
    const doubts = [1 - evidence.labelProbability, evidence.runsDisagreeing / evidence.runs];
    if (neighbours && neighbours.counted > 0) doubts.push(1 - neighbours.sameLabel / neighbours.counted);
    issues.push({ index: i, label, suggested, score: doubts.reduce((a, b) => a + b, 0) / doubts.length, evidence });
  }
  return issues.sort((a, b) => b.score - a.score || a.index - b.index).slice(0, limit);
}

/** Each class's mean probability on the images labelled with it: confident learning's per-class threshold. */
function classThresholds(labels: Uint8Array, mean: Float64Array, covered: Int32Array, K: number): Float64Array {
  const threshold = new Float64Array(K);
  const perClass = new Int32Array(K);
  for (let i = 0; i < labels.length; i++) {
    if (covered[i] === 0) continue;
    threshold[labels[i]!]! += mean[i * K + labels[i]!]!;
    perClass[labels[i]!]!++;
  }
  for (let c = 0; c < K; c++) threshold[c] = perClass[c]! > 0 ? threshold[c]! / perClass[c]! : 1;
  return threshold;
}

/**
 * The labels of each candidate's nearest neighbours among the other images of the same view (one
 * model's embedding space; spaces of different models do not mix). Exact search, but only for
 * the candidates: a few hundred rows against the view, not every image against every other.
 */
function neighbourLabels(labels: Uint8Array, views: PredictionView[], candidates: Map<number, { suggested: number }>) {
  const found = new Map<number, NonNullable<LabelEvidence['neighbours']>>();
  for (const view of views) {
    if (!view.embeddings) continue;
    const { dimensions, vectors } = view.embeddings;
    const rows = vectors.length / dimensions;
    const imageOf = (r: number) => (view.indices ? view.indices[r]! : r);
    const norms = new Float64Array(rows);
    for (let r = 0; r < rows; r++) for (let d = 0; d < dimensions; d++) norms[r]! += vectors[r * dimensions + d]! ** 2;
    const squared = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const i = imageOf(r);
      const candidate = candidates.get(i);
      if (!candidate) continue;
      for (let j = 0; j < rows; j++) {
        let dot = 0;
        for (let d = 0; d < dimensions; d++) dot += vectors[r * dimensions + d]! * vectors[j * dimensions + d]!;
        squared[j] = norms[r]! + norms[j]! - 2 * dot;
      }
      const nearest = smallest(squared, NEIGHBOURS + 1, r).slice(1).map((j) => ({ index: imageOf(j), label: labels[imageOf(j)]! }));
      const pooled = found.get(i) ?? { counted: 0, sameLabel: 0, suggestedLabel: 0, nearest };
      pooled.counted += nearest.length;
      pooled.sameLabel += nearest.filter((n) => n.label === labels[i]).length;
      pooled.suggestedLabel += nearest.filter((n) => n.label === candidate.suggested).length;
      found.set(i, pooled);
    }
  }
  return found;
}

/**
 * The test set's views: every completed run on `dataset` that predicted the whole test set,
 * whatever its source (trained here, by a worker, imported), newest first, with its embeddings
 * where stored.
 */
export function testPredictionViews(db: Db, testCount: number, dataset = 'mnist'): PredictionView[] {
  return listRuns(db, { statuses: ['completed'] }).flatMap((run): PredictionView[] => {
    if (run.dataset !== dataset) return [];
    const predictions = loadTestPredictions(db, run.id);
    if (!predictions || predictions.predicted.length !== testCount) return [];
    const embeddings = loadTestEmbeddings(db, run.id);
    return [{ indices: null, probabilities: predictions.probabilities, embeddings: embeddings && { dimensions: embeddings.dimensions, vectors: embeddings.vectors } }];
  });
}

/** Ranked label issues of `dataset`'s test set over every run on it that predicted all of it; also how many runs that was. */
export function storedLabelIssues(db: Db, testLabels: Uint8Array, limit = Infinity, dataset = 'mnist'): { runs: number; issues: LabelIssue[] } {
  const views = testPredictionViews(db, testLabels.length, dataset);
  return { runs: views.length, issues: rankLabelIssues(testLabels, views, limit) };
}
