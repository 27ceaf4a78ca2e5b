import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, real, sqliteTable, text, unique } from 'drizzle-orm/sqlite-core';

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * Where a run's model came from: trained by this machine's queue or CLI, by a remote worker,
 * imported as a finished file, or trained by a script elsewhere that logged it live (tracked).
 */
export const RUN_SOURCES = ['local', 'worker', 'imported', 'tracked'] as const;
export type RunSource = (typeof RUN_SOURCES)[number];

/** A grid of hyperparameters launched together; its runs point back to it. */
export const sweeps = sqliteTable('sweeps', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  /** JSON: the values each varied hyperparameter takes, e.g. {"learningRate": [0.001, 0.003]}. */
  axes: text('axes', { mode: 'json' }).$type<Record<string, (number | string)[]>>().notNull(),
  /** JSON: the seeds every grid point is trained with. */
  seeds: text('seeds', { mode: 'json' }).$type<number[]>().notNull(),
});

export const runs = sqliteTable(
  'runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    status: text('status', { enum: RUN_STATUSES }).notNull(),
    source: text('source', { enum: RUN_SOURCES }).notNull().default('local'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
    /** JSON: the run's hyperparameters, as given to the trainer. */
    params: text('params', { mode: 'json' }).notNull(),
    seed: integer('seed').notNull(),
    /** The dataset the run trains and is tested on: a built-in one (mnist, fashion-mnist) or one `datasets add` registered. */
    dataset: text('dataset').notNull().default('mnist'),
    backend: text('backend'),
    /** JSON: sha256 of each dataset file the run read. */
    datasetHashes: text('dataset_hashes', { mode: 'json' }),
    gitCommit: text('git_commit'),
    /** JSON: versions of node, tfjs and the other packages that shape the numbers. */
    packageVersions: text('package_versions', { mode: 'json' }),
    error: text('error'),
    note: text('note').notNull().default(''),
    testAccuracy: real('test_accuracy'),
    testLoss: real('test_loss'),
    trainSamplesPerSecond: real('train_samples_per_second'),
    /** With --early-stopping, the epoch whose weights the run kept (and was tested with); null without it. */
    keptEpoch: integer('kept_epoch'),
    /** JSON: the latest batch-level progress, overwritten while the run trains. */
    progress: text('progress', { mode: 'json' }),
    /** The process training the run, so a later start can tell a dead run from a live one. */
    pid: integer('pid'),
    host: text('host'),
    /** A remote worker's hold on a running run; past this time without a heartbeat the run is failed. */
    leaseExpiresAt: integer('lease_expires_at', { mode: 'timestamp_ms' }),
    /** Set when a person cancels a run a remote worker trains; its next heartbeat learns it. */
    cancelRequested: integer('cancel_requested', { mode: 'boolean' }).notNull().default(false),
    /** How many times the run has been started; a worker's reports name the attempt they belong to. */
    attempts: integer('attempts').notNull().default(0),
    /** The Slurm job that trains (or will train) the run, with --executor slurm. */
    slurmJobId: text('slurm_job_id'),
    /** That job's state as squeue or sacct last said it (PENDING, RUNNING, ...), with a pending job's reason. */
    slurmState: text('slurm_state'),
    sweepId: integer('sweep_id').references(() => sweeps.id),
    /** The training-set label audit this run is one fold of. */
    labelAuditId: integer('label_audit_id').references(() => labelAudits.id),
    /** Set when a person archives the run: hidden from the runs list, kept whole, still counted where it is pointed to. */
    archivedAt: integer('archived_at', { mode: 'timestamp_ms' }),
    /** A tracked run created with a worker token (serve --allow-remote): only that token may write it. */
    ownerTokenId: integer('owner_token_id'),
    /** How long a tracked run's lease lasts after each sign of life from its script. */
    leaseMs: integer('lease_ms'),
  },
  (t) => [
    index('runs_status_idx').on(t.status),
    index('runs_created_idx').on(t.createdAt),
    index('runs_sweep_idx').on(t.sweepId),
    index('runs_label_audit_idx').on(t.labelAuditId),
  ],
);

export const runTags = sqliteTable(
  'run_tags',
  {
    runId: integer('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.key] })],
);

/** Append-only: one row per finished epoch. */
export const epochMetrics = sqliteTable(
  'epoch_metrics',
  {
    runId: integer('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    epoch: integer('epoch').notNull(),
    loss: real('loss').notNull(),
    /** Null where a script trained elsewhere logged no training accuracy for the epoch. */
    accuracy: real('accuracy'),
    valLoss: real('val_loss'),
    valAccuracy: real('val_accuracy'),
    seconds: real('seconds').notNull(),
    loggedAt: integer('logged_at', { mode: 'timestamp_ms' })
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [primaryKey({ columns: [t.runId, t.epoch] })],
);

/** Append-only: the named scalars an epoch reported beyond loss and accuracy (tracked runs log any). */
export const epochScalars = sqliteTable(
  'epoch_scalars',
  {
    runId: integer('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    epoch: integer('epoch').notNull(),
    name: text('name').notNull(),
    value: real('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.epoch, t.name] })],
);

export const CONFUSION_SPLITS = ['test', 'validation'] as const;

/** 10x10 counts, row = true label, column = predicted; validation has one per epoch, test one per run. */
export const confusionMatrices = sqliteTable(
  'confusion_matrices',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: integer('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    split: text('split', { enum: CONFUSION_SPLITS }).notNull(),
    /** 0 for the test matrix, which is computed once after training. */
    epoch: integer('epoch').notNull(),
    counts: text('counts', { mode: 'json' }).$type<number[][]>().notNull(),
  },
  (t) => [unique('confusion_run_split_epoch').on(t.runId, t.split, t.epoch)],
);

/**
 * Every test image's predicted class and probabilities, packed: 10,000 rows per run would make
 * the table the size of everything else combined, and every reader wants them all at once.
 */
export const testPredictions = sqliteTable('test_predictions', {
  runId: integer('run_id')
    .primaryKey()
    .references(() => runs.id, { onDelete: 'cascade' }),
  count: integer('count').notNull(),
  /** uint8 per image. */
  predicted: blob('predicted', { mode: 'buffer' }).notNull(),
  /** float32 little-endian, 10 per image. */
  probabilities: blob('probabilities', { mode: 'buffer' }).notNull(),
});

/** The embedding layer's activations for every test image: what maps and slice discovery read. */
export const testEmbeddings = sqliteTable('test_embeddings', {
  runId: integer('run_id')
    .primaryKey()
    .references(() => runs.id, { onDelete: 'cascade' }),
  count: integer('count').notNull(),
  dimensions: integer('dimensions').notNull(),
  /**
   * float16 little-endian (float32 in runs stored before 2026-12), `dimensions` per image, in
   * test-set order: half precision keeps 99.9% of each image's 15 nearest neighbours, the maps'
   * input, at half the bytes (bench/probes.ts --kind size).
   */
  vectors: blob('vectors', { mode: 'buffer' }).notNull(),
});

/** The trained model in tfjs' own artifact form, so it loads again without conversion. */
export const modelWeights = sqliteTable('model_weights', {
  runId: integer('run_id')
    .primaryKey()
    .references(() => runs.id, { onDelete: 'cascade' }),
  topology: text('topology', { mode: 'json' }).notNull(),
  weightSpecs: text('weight_specs', { mode: 'json' }).notNull(),
  weightData: blob('weight_data', { mode: 'buffer' }).notNull(),
});

/** A person's own labelled pictures of digits: what every run can be scored on besides MNIST. */
export const ownDigits = sqliteTable('own_digits', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  label: integer('label').notNull(),
  /** The file's name, or 'drawing' for a canvas. */
  name: text('name').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  /** The picture as uploaded (PNG or JPEG), so its preprocessing can be shown again. */
  image: blob('image', { mode: 'buffer' }).notNull(),
  /** The preprocessed 28x28 input, uint8 like MNIST's own bytes: evaluation reads only this. */
  input: blob('input', { mode: 'buffer' }).notNull(),
});

/**
 * How a run did on each named slice of the test set (crossed and plain sevens...), written once
 * the run's predictions exist; intervals and tests are derived on read.
 */
export const runSliceMetrics = sqliteTable(
  'run_slice_metrics',
  {
    runId: integer('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    slice: text('slice').notNull(),
    count: integer('count').notNull(),
    errors: integer('errors').notNull(),
    /** Per predicted class, how many of the slice's images were predicted as it (errors and hits). */
    predictedCounts: text('predicted_counts', { mode: 'json' }).$type<number[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.slice] })],
);

export const EMBEDDING_MAP_SOURCES = ['embeddings', 'pixels'] as const;

/**
 * 2-D UMAP layouts, which take seconds to compute: of a run's test-set embeddings, or (run_id
 * null) of a dataset's test pixels for its dataset page.
 */
export const embeddingMaps = sqliteTable(
  'embedding_maps',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: integer('run_id').references(() => runs.id, { onDelete: 'cascade' }),
    source: text('source', { enum: EMBEDDING_MAP_SOURCES }).notNull(),
    /**
     * The dataset whose test images the map places: part of a pixel map's key; a run's map is of
     * its run's dataset. Maps stored before datasets had maps of their own are MNIST's.
     */
    dataset: text('dataset').notNull().default('mnist'),
    split: text('split', { enum: ['train', 'test'] }).notNull(),
    count: integer('count').notNull(),
    seed: integer('seed').notNull(),
    /** float32 little-endian, x then y per image, in dataset order. */
    coordinates: blob('coordinates', { mode: 'buffer' }).notNull(),
    seconds: real('seconds').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('embedding_maps_key_idx').on(t.runId, t.source, t.split, t.dataset)],
);

/** Bearer tokens for remote workers: only the sha256 is kept, the token itself is shown once. */
export const workerTokens = sqliteTable('worker_tokens', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  sha256: text('sha256').notNull().unique(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  /** When the token last claimed a run. */
  lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
  /** A token the Slurm executor made for one job: it may claim only this run. */
  runId: integer('run_id').references(() => runs.id, { onDelete: 'cascade' }),
});

/** One row per start of a run: who trained it, and how that attempt ended. */
export const runAttempts = sqliteTable(
  'run_attempts',
  {
    runId: integer('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    host: text('host'),
    /** The worker token's name; null for a run this machine trained. */
    worker: text('worker'),
    slurmJobId: text('slurm_job_id'),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    endedAt: integer('ended_at', { mode: 'timestamp_ms' }),
    /** How the attempt ended: completed, failed, cancelled, or requeued; null while it runs. */
    outcome: text('outcome'),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.attempt] })],
);

/**
 * Pieces of a remote worker's results (predictions, embeddings, weights) as they arrive, keyed so
 * a repeated upload replaces nothing; assembled and deleted when the run completes.
 */
export const uploadChunks = sqliteTable(
  'upload_chunks',
  {
    runId: integer('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    artifact: text('artifact').notNull(),
    chunk: integer('chunk').notNull(),
    sha256: text('sha256').notNull(),
    data: blob('data', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.attempt, t.artifact, t.chunk] })],
);

export const IMPORT_FRAMEWORKS = ['onnx', 'tfjs-layers', 'tfjs-graph', 'predictions'] as const;
export type ImportFramework = (typeof IMPORT_FRAMEWORKS)[number];
export const INPUT_LAYOUTS = ['nchw', 'nhwc'] as const;
export const INPUT_SCALES = ['unit', 'byte'] as const;
/** unit, byte, or `normalize:MEAN,STD`: pixels in [0,1] less MEAN, over STD (PyTorch's transforms.Normalize). */
export type StoredInputScale = (typeof INPUT_SCALES)[number] | `normalize:${number},${number}`;
/** log-probabilities: what a network ending in log_softmax gives (PyTorch's examples/mnist). */
export const OUTPUT_KINDS = ['probabilities', 'logits', 'log-probabilities'] as const;

/**
 * What an imported run was made from and how its model is fed: the file (or, for a prediction
 * file, nothing) and the input convention that import detected or was told.
 */
export const importedModels = sqliteTable('imported_models', {
  runId: integer('run_id')
    .primaryKey()
    .references(() => runs.id, { onDelete: 'cascade' }),
  framework: text('framework', { enum: IMPORT_FRAMEWORKS }).notNull(),
  fileName: text('file_name').notNull(),
  /** sha256 of the file; for a tfjs directory, of model.json followed by its weight files. */
  fileSha256: text('file_sha256').notNull(),
  /** The input tensor's shape as fed, e.g. [-1,1,28,28]; null for a prediction file. */
  inputShape: text('input_shape', { mode: 'json' }).$type<number[]>(),
  inputLayout: text('input_layout', { enum: INPUT_LAYOUTS }),
  inputScale: text('input_scale').$type<StoredInputScale>(),
  output: text('output', { enum: OUTPUT_KINDS }).notNull(),
  /** The value read as the embedding (an ONNX value or a tfjs layer), or null when none was found. */
  embedding: text('embedding'),
  /** Why no embedding was found, for the run page. */
  embeddingAbsence: text('embedding_absence'),
  /** tfjs: model.json with its weights manifest; null otherwise. */
  modelJson: text('model_json', { mode: 'json' }),
  /** ONNX: the file as imported; tfjs: the weight files concatenated; null for a prediction file. */
  modelData: blob('model_data', { mode: 'buffer' }),
});

export const LABEL_SPLITS = ['test', 'train'] as const;
export type LabelSplit = (typeof LABEL_SPLITS)[number];

/** What a person decided about one image's given label. */
export const LABEL_VERDICTS = ['right', 'wrong', 'ambiguous', 'skip'] as const;
export type LabelVerdict = (typeof LABEL_VERDICTS)[number];

/**
 * One decision per image of a dataset's split, overwritten when the person changes their mind;
 * `decidedAt` is the latest. Decisions made before datasets existed are MNIST's.
 */
export const labelDecisions = sqliteTable(
  'label_decisions',
  {
    /** The dataset whose image it is: a built-in one or one `datasets add` registered, as on runs. */
    dataset: text('dataset').notNull().default('mnist'),
    split: text('split', { enum: LABEL_SPLITS }).notNull(),
    imageIndex: integer('image_index').notNull(),
    verdict: text('verdict', { enum: LABEL_VERDICTS }).notNull(),
    /** The class (label number) the image really is, when the verdict is 'wrong'. */
    correctedLabel: integer('corrected_label'),
    decidedAt: integer('decided_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.dataset, t.split, t.imageIndex] })],
);

/**
 * A training-set label audit: K queued runs, each trained without one fold of the training set
 * and predicting it. The ranked suspects are written once every fold's run has completed.
 */
export const labelAudits = sqliteTable('label_audits', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  folds: integer('folds').notNull(),
  /** JSON: the ranked suspects and how many runs they came from, once the audit is done. */
  result: text('result', { mode: 'json' }),
  finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
});

/** A fold run's predictions for the training images it did not see, and their embeddings. */
export const heldOutPredictions = sqliteTable('held_out_predictions', {
  runId: integer('run_id')
    .primaryKey()
    .references(() => runs.id, { onDelete: 'cascade' }),
  count: integer('count').notNull(),
  /** uint32 little-endian: the training-set index of each held-out image. */
  indices: blob('indices', { mode: 'buffer' }).notNull(),
  /** float32 little-endian, 10 per image. */
  probabilities: blob('probabilities', { mode: 'buffer' }).notNull(),
  dimensions: integer('dimensions').notNull(),
  /** float32 little-endian, `dimensions` per image. */
  embeddings: blob('embeddings', { mode: 'buffer' }).notNull(),
});

/**
 * The embedding layer's activations for every training image, for "which training images look
 * like this to the model". Computed on first request (60,000 forward passes) and kept, packed as
 * float16: half the bytes of float32, and nearest-neighbour ranks barely move.
 */
export const trainEmbeddings = sqliteTable('train_embeddings', {
  runId: integer('run_id')
    .primaryKey()
    .references(() => runs.id, { onDelete: 'cascade' }),
  count: integer('count').notNull(),
  dimensions: integer('dimensions').notNull(),
  /** float16 little-endian, `dimensions` per image, in training-set order. */
  vectors: blob('vectors', { mode: 'buffer' }).notNull(),
  seconds: real('seconds').notNull(),
});

/** A temperature fitted on a run's validation split, on request; the raw figures stay as they are. */
export const runCalibrations = sqliteTable('run_calibrations', {
  runId: integer('run_id')
    .primaryKey()
    .references(() => runs.id, { onDelete: 'cascade' }),
  temperature: real('temperature').notNull(),
  validationCount: integer('validation_count').notNull(),
  /** Mean negative log-likelihood on the validation images before and after scaling. */
  validationNll: real('validation_nll').notNull(),
  calibratedNll: real('calibrated_nll').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

/** Accuracy on the test set as each transform grows; minutes to compute, so kept. */
export const robustnessResults = sqliteTable('robustness_results', {
  runId: integer('run_id')
    .primaryKey()
    .references(() => runs.id, { onDelete: 'cascade' }),
  /** JSON: [{name, unit, points: [{strength, accuracy}]}], in the order computed. */
  transforms: text('transforms', { mode: 'json' })
    .$type<{ name: string; unit: string; points: { strength: number; accuracy: number }[] }[]>()
    .notNull(),
  count: integer('count').notNull(),
  seconds: real('seconds').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

export const DATASET_KINDS = ['idx', 'images'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

/**
 * A dataset registered by `datasets add`, checked when added. The built-in ones (mnist,
 * fashion-mnist) are not rows: they are code. Files are named relative to `path`.
 */
export const datasets = sqliteTable('datasets', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  kind: text('kind', { enum: DATASET_KINDS }).notNull(),
  /** The absolute path it was registered from. */
  path: text('path').notNull(),
  /** JSON: the class names, in label order. */
  classNames: text('class_names', { mode: 'json' }).$type<string[]>().notNull(),
  /** JSON: images per class in each split, in label order; a split's count is their sum. */
  classCounts: text('class_counts', { mode: 'json' }).$type<{ train: number[]; test: number[] }>().notNull(),
  /** JSON: the sha256 of every file read, as `sha256sum` computes it, relative paths sorted. */
  files: text('files', { mode: 'json' }).$type<{ path: string; sha256: string }[]>().notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * A picture folder's split as it was decoded when registered: 28x28 uint8 images and their labels.
 * Decoding every picture again on each load would be slow; the folder is read once.
 */
export const datasetPixels = sqliteTable(
  'dataset_pixels',
  {
    datasetId: integer('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    split: text('split', { enum: ['train', 'test'] }).notNull(),
    images: blob('images', { mode: 'buffer' }).notNull(),
    labels: blob('labels', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.split] })],
);
