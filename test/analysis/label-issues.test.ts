import { describe, expect, it } from 'vitest';
import { findLabelIssues, storedLabelIssues } from '../../src/analysis/label-issues.ts';
import { memoryDb, runningRun } from '../helpers/db.ts';
import { completeWithoutTraining } from './fake-runs.ts';

/** Probabilities that put `confidence` on `answers[i]` and spread the rest evenly. */
function probabilitiesFor(answers: number[], confidence = 0.9): Float32Array {
  const p = new Float32Array(answers.length * 10).fill((1 - confidence) / 9);
  answers.forEach((answer, i) => (p[i * 10 + answer] = confidence));
  return p;
}

// 40 images, four of each class; image 5 is labelled 1 but every run sees a 7.
const labels = Uint8Array.from({ length: 40 }, (_, i) => i % 10);
const honest = Array.from(labels);
const seenAsSeven = honest.map((label, i) => (i === 5 ? 7 : label));

describe('findLabelIssues', () => {
  it('flags an image every run calls something else, with what they call it', () => {
    const issues = findLabelIssues(labels, [probabilitiesFor(seenAsSeven), probabilitiesFor(seenAsSeven, 0.8)]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ index: 5, label: 5, suggested: 7 });
    expect(issues[0]!.labelProbability).toBeCloseTo((0.1 / 9 + 0.2 / 9) / 2, 6);
  });

  it('does not flag an image only one of several runs doubts', () => {
    const runs = [probabilitiesFor(seenAsSeven), probabilitiesFor(honest), probabilitiesFor(honest), probabilitiesFor(honest)];
    expect(findLabelIssues(labels, runs)).toEqual([]);
  });

  it('is empty without runs', () => {
    expect(findLabelIssues(labels, [])).toEqual([]);
  });
});

describe('storedLabelIssues', () => {
  it('reads the completed runs that predicted the whole test set', () => {
    const db = memoryDb();
    completeWithoutTraining(db, runningRun(db), { predicted: new Uint8Array(40), probabilities: probabilitiesFor(seenAsSeven) });
    // A run on a shorter test slice cannot vote on every image: left out.
    completeWithoutTraining(db, runningRun(db), { predicted: new Uint8Array(20), probabilities: probabilitiesFor(honest.slice(0, 20)) });
    runningRun(db);
    const { runs, issues } = storedLabelIssues(db, labels);
    expect(runs).toBe(1);
    expect(issues.map((issue) => issue.index)).toEqual([5]);
  });
});
