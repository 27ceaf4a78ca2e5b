import { BACKEND_CHOICES, BackendUnavailableError, selectBackend, type BackendChoice } from '../training/backend.ts';
import type { Hyperparameters } from '../training/hyperparameters.ts';
import { parseRunRequest, type RunRequest } from '../training/run-request.ts';
import { UsageError, type Command, type OptionValues } from '../core/command.ts';
import { HYPERPARAMETER_OPTIONS, LABEL_OPTIONS, requestValuesFrom, valueOrExit, workersAlias } from './run-request-flags.ts';
import { trainClaimedRun } from './run-training.ts';
import { openRunStoreFor } from '../store/open-store.ts';
import { BUILT_IN_NAMES, datasetLookup, DEFAULT_DATASET, type DatasetLookup } from '../data/datasets/catalogue.ts';

/** The run request's fields as `train` is given them; a problem is a usage error naming the flag. */
function runRequestFrom(options: OptionValues, datasets: DatasetLookup): RunRequest {
  const tags = (options.tag as string[] | undefined) ?? [];
  const maxModelMemoryGb = options['max-model-memory'] as number | undefined;
  return valueOrExit(parseRunRequest({ values: requestValuesFrom(options), name: options.name as string | undefined, tags, maxModelMemoryGb, datasets }));
}

/** The flag that raises the memory ceiling a network's training must fit under (models/model-memory.ts). */
const MAX_MODEL_MEMORY_OPTION = {
  'max-model-memory': { type: 'number', min: 0.001, max: 1_000_000, placeholder: 'GB', description: "the most memory a network may need to train, in GB (default: a quarter of this machine's)" },
} as const satisfies Command['options'];

/** A forced engine that is missing, or threads on an engine that cannot share a batch, fail before a run is recorded. */
async function checkBackendFlags(backend: BackendChoice | undefined, hp: Hyperparameters): Promise<void> {
  if (hp.workers !== undefined && hp.workers > 1 && (backend === 'node' || backend === 'cpu')) {
    throw new UsageError(`--threads ${hp.workers} needs the wasm backend; --backend ${backend} trains on one thread (leave out --threads)`);
  }
  if (backend === undefined || backend === 'auto') return;
  try {
    await selectBackend(backend);
  } catch (err) {
    if (err instanceof BackendUnavailableError) throw new UsageError(`${err.message}; use --backend auto, wasm or cpu`);
    throw err;
  }
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a network (the reference CNN unless --model) on a dataset (MNIST unless --dataset) and record the run',
  positionals: [],
  options: {
    ...HYPERPARAMETER_OPTIONS,
    ...workersAlias(HYPERPARAMETER_OPTIONS.threads),
    ...LABEL_OPTIONS,
    ...MAX_MODEL_MEMORY_OPTION,
    name: { type: 'string', placeholder: 'NAME', description: 'a name for the run (default: from its hyperparameters)' },
    tag: { type: 'string', multiple: true, placeholder: 'K=V', description: 'a tag for the run; repeatable' },
    backend: { type: 'choice', choices: BACKEND_CHOICES, description: 'training engine (default auto: node, else wasm, else cpu)' },
  },
  async run({ options }, context) {
    // A registered dataset is known by the store; any other request is checked before a store is even opened.
    const named = typeof options.dataset === 'string' ? options.dataset.trim() : DEFAULT_DATASET;
    const early = BUILT_IN_NAMES.includes(named) ? runRequestFrom(options, datasetLookup(null)) : null;
    if (early) await checkBackendFlags(options.backend as BackendChoice | undefined, early.params);
    const store = openRunStoreFor(options, context);
    const { db } = store;
    try {
      const { name, params: hyperparameters, tags } = early ?? runRequestFrom(options, datasetLookup(db));
      if (!early) await checkBackendFlags(options.backend as BackendChoice | undefined, hyperparameters);
      const run = await store.runs.create({ name, params: hyperparameters, tags }, { claim: true });
      context.stderr.write(`run ${run.id} (${name}) started\n`);
      return await trainClaimedRun(store, run, options, context);
    } finally {
      db.$client.close();
    }
  },
};
