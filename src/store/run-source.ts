import type { Run } from './store.ts';

/**
 * What a run's source allows, asked in one place: pages and commands show what it allows and say
 * why the rest is absent, without each branching on the source names.
 */

type Sourced = Pick<Run, 'source'>;

/** Trained by digitlab, here or on a worker: its params are a digitlab recipe it can train again. */
export const trainedByDigitlab = (run: Sourced) => run.source === 'local' || run.source === 'worker';

/** What pages and `compare` show for a digitlab setting of a run digitlab did not train. */
export const notTrainedHere = (run: Sourced) => (run.source === 'tracked' ? 'tracked: trained by its own script' : 'imported: not trained here');
