import { describe, expect, it } from 'vitest';
import { rankLabelIssues, storedLabelIssues, type PredictionView } from '../../../src/analysis/label-issues/ranking.ts';
import { seededRandom } from '../../../src/core/random.ts';
import { memoryDb, runningRun } from '../../helpers/db.ts';
import { completeWithoutTraining } from '../fake-runs.ts';

/** Probabilities that put `confidence` on `answers[i]` and spread the rest evenly. */
function probabilitiesFor(answers: number[], confidence = 0.9): Float32Array {
  const p = new Float32Array(answers.length * 10).fill((1 - confidence) / 9);
  answers.forEach((answer, i) => (p[i * 10 + answer] = confidence));
  return p;
}

const view = (probabilities: Float32Array, embeddings: PredictionView['embeddings'] = null, indices: number[] | null = null): PredictionView => ({
  indices,
  probabilities,
  embeddings,
});

/** 1-D embeddings that put each image at `position[i]`. */
const at = (position: number[]) => ({ dimensions: 1, vectors: Float32Array.from(position) });

// 40 images, four of each class; image 5 is labelled 5 but every run sees a 7.
const labels = Uint8Array.from({ length: 40 }, (_, i) => i % 10);
const honest = Array.from(labels);
const seenAsSeven = honest.map((label, i) => (i === 5 ? 7 : label));

describe('rankLabelIssues', () => {
  it('flags an image every run calls something else, with what they call it and how many runs say so', () => {
    const issues = rankLabelIssues(labels, [view(probabilitiesFor(seenAsSeven)), view(probabilitiesFor(seenAsSeven, 0.8))]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ index: 5, label: 5, suggested: 7 });
    expect(issues[0]!.evidence).toMatchObject({ confidentLearning: true, runs: 2, runsDisagreeing: 2, runsSuggesting: 2, neighbours: null });
    expect(issues[0]!.evidence.labelProbability).toBeCloseTo((0.1 / 9 + 0.2 / 9) / 2, 6);
  });

  it('does not flag an image only one of several runs doubts', () => {
    const runs = [probabilitiesFor(seenAsSeven), probabilitiesFor(honest), probabilitiesFor(honest), probabilitiesFor(honest)].map((p) => view(p));
    expect(rankLabelIssues(labels, runs)).toEqual([]);
  });

  it('ranks higher the suspect whose embedding neighbours carry the suggested label', () => {
    // Images 5 and 15 (both labelled 5) are seen as 7 alike; 5 sits among the sevens, 15 among the fives.
    const answers = honest.map((label, i) => (i === 5 || i === 15 ? 7 : label));
    const position = honest.map((label, i) => (i === 5 ? 7.01 : i === 15 ? 5.01 : label + i / 1000));
    const [first, second] = rankLabelIssues(labels, [view(probabilitiesFor(answers), at(position))]);
    expect([first!.index, second!.index]).toEqual([5, 15]);
    expect(first!.evidence.neighbours!.nearest.slice(0, 3).map((n) => n.label)).toEqual([7, 7, 7]);
    expect(first!.evidence.neighbours!.suggestedLabel).toBeGreaterThan(second!.evidence.neighbours!.suggestedLabel);
    expect(first!.score).toBeGreaterThan(second!.score);
  });

  it('pools views that each predict part of the split, as the folds of a training-set audit do', () => {
    const even = honest.map((_, i) => i).filter((i) => i % 2 === 0);
    const odd = honest.map((_, i) => i).filter((i) => i % 2 === 1);
    const views = [even, odd].map((rows) => view(probabilitiesFor(rows.map((i) => seenAsSeven[i]!)), null, rows));
    const issues = rankLabelIssues(labels, views);
    expect(issues.map((issue) => [issue.index, issue.suggested, issue.evidence.runs])).toEqual([[5, 7, 1]]);
  });

  it('ranks every mislabelled image above every correctly labelled one when runs see the true digit, however unsure', () => {
    // 600 images; 30 of them are given a wrong label. Three runs each see every image's true digit with
    // a confidence drawn from 0.45 to 0.95, and each gets 5% of the clean images wrong (a random other class).
    const random = seededRandom(7);
    const truth = Uint8Array.from({ length: 600 }, (_, i) => (i * 7) % 10);
    const flipped = new Set(Array.from({ length: 30 }, (_, k) => 19 * k + 3));
    const given = truth.map((digit, i) => (flipped.has(i) ? (digit + 1 + (i % 9)) % 10 : digit));
    const run = () => {
      const p = new Float32Array(600 * 10);
      truth.forEach((digit, i) => {
        const seen = !flipped.has(i) && random() < 0.05 ? (digit + 1 + Math.floor(random() * 9)) % 10 : digit;
        const confidence = 0.45 + 0.5 * random();
        for (let c = 0; c < 10; c++) p[i * 10 + c] = c === seen ? confidence : (1 - confidence) / 9;
      });
      return view(p);
    };
    const issues = rankLabelIssues(given, [run(), run(), run()]);
    const top = issues.slice(0, flipped.size);
    expect(new Set(top.map((issue) => issue.index))).toEqual(flipped);
    for (const issue of top) {
      expect(issue.suggested).toBe(truth[issue.index]);
      expect(issue.evidence.runsDisagreeing).toBe(3);
    }
    // What follows is the clean images that one run got wrong: they score lower than any flipped one.
    expect(issues.slice(flipped.size).every((issue) => issue.evidence.runsDisagreeing < 3)).toBe(true);
  });

  it('confident learning flags an image whose label wins the vote but falls short of its class threshold', () => {
    // Threes are seen at 0.9 and eights at 0.4; image 2 (labelled 3) gets 0.5 on 3 and 0.45 on 8.
    // Its argmax is its label, but 0.5 is far under the threes' 0.9, and 0.45 clears the eights' 0.4.
    const labels = Uint8Array.from({ length: 40 }, (_, i) => [3, 8][i % 2]!);
    const p = new Float32Array(40 * 10);
    labels.forEach((label, i) => {
      const own = label === 3 ? 0.9 : 0.4;
      for (let c = 0; c < 10; c++) p[i * 10 + c] = c === label ? own : (1 - own) / 9;
    });
    p.set([0, 0, 0, 0.5, 0, 0, 0, 0, 0.45, 0.05], 2 * 10);
    // Image 5, an eight at 0.35 with the rest spread, is under its threshold too, but no other class clears its own.
    p.set([0.65 / 9, 0.65 / 9, 0.65 / 9, 0.65 / 9, 0.65 / 9, 0.65 / 9, 0.65 / 9, 0.65 / 9, 0.35, 0.65 / 9], 5 * 10);
    const issues = rankLabelIssues(labels, [view(p)]);
    expect(issues.map((issue) => [issue.index, issue.label, issue.suggested, issue.evidence.confidentLearning])).toEqual([[2, 3, 8, true]]);
    expect(issues[0]!.evidence.runsDisagreeing).toBe(0);
  });

  it('is empty without runs', () => {
    expect(rankLabelIssues(labels, [])).toEqual([]);
  });
});

describe('storedLabelIssues', () => {
  it('reads the completed runs that predicted the whole test set, with their embeddings', () => {
    const db = memoryDb();
    const position = honest.map((label, i) => (i === 5 ? 7.01 : label + i / 1000));
    completeWithoutTraining(db, runningRun(db), { predicted: new Uint8Array(40), probabilities: probabilitiesFor(seenAsSeven), embeddings: at(position) });
    // A run on a shorter test slice cannot vote on every image: left out.
    completeWithoutTraining(db, runningRun(db), { predicted: new Uint8Array(20), probabilities: probabilitiesFor(honest.slice(0, 20)) });
    runningRun(db);
    const { runs, issues } = storedLabelIssues(db, labels);
    expect(runs).toBe(1);
    expect(issues.map((issue) => issue.index)).toEqual([5]);
    expect(issues[0]!.evidence.neighbours!.suggestedLabel).toBe(4);
  });
});
