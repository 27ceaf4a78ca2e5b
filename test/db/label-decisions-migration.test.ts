import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { listLabelDecisions } from '../../src/store/label-issues-decisions.ts';
import { storeBefore } from '../helpers/old-store.ts';

/** The migration that gave label decisions a dataset: the stores made before it hold MNIST's decisions only. */
const FIRST_WITH_DATASET = '0017_label_decisions_dataset';

describe('the label decisions migration', () => {
  it("keeps a store's decisions as MNIST's and then takes another dataset's decision on the same image", () => {
    const { file, old } = storeBefore(FIRST_WITH_DATASET);
    old.prepare("INSERT INTO label_decisions (split, image_index, verdict, corrected_label, decided_at) VALUES ('test', 42, 'wrong', 7, 1000), ('train', 3, 'ambiguous', NULL, 2000)").run();
    old.close();

    const db = openDb(file);
    expect(listLabelDecisions(db, 'mnist', 'test')).toEqual([{ dataset: 'mnist', split: 'test', imageIndex: 42, verdict: 'wrong', correctedLabel: 7, decidedAt: new Date(1000) }]);
    expect(listLabelDecisions(db, 'mnist', 'train').map((d) => d.imageIndex)).toEqual([3]);
    // The key is now (dataset, split, image): another dataset's image 42 is a row of its own.
    db.$client.prepare("INSERT INTO label_decisions (dataset, split, image_index, verdict, decided_at) VALUES ('shapes', 'test', 42, 'right', 3000)").run();
    expect(listLabelDecisions(db, 'shapes', 'test').map((d) => d.verdict)).toEqual(['right']);
    expect(listLabelDecisions(db, 'mnist', 'test').map((d) => d.verdict)).toEqual(['wrong']);
    db.$client.close();
  });
});
