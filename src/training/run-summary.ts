import type { Db } from '../../db/client.ts';
import { modelNameOf, modelSpecOf, type Hyperparameters } from './hyperparameters.ts';
import { loadImportedModelFacts } from '../store/imported-runs.ts';
import { checkModelSpec } from '../models/model-spec.ts';
import { epochHistory, runTagMap, testConfusion, type Run } from '../store/store.ts';
import { trainedByDigitlab } from '../store/run-source.ts';
import { epochScalarHistory } from '../store/tracked-runs.ts';

/** The JSON form of a run that the CLI's --json and GET /api/runs/:id both print. */
export function runSummary(db: Db, run: Run) {
  return {
    runId: run.id,
    name: run.name,
    status: run.status,
    backend: run.backend,
    testAccuracy: run.testAccuracy,
    testLoss: run.testLoss,
    trainSamplesPerSecond: run.trainSamplesPerSecond,
    /** With --early-stopping, the epoch whose weights were kept and tested; null without it. */
    keptEpoch: run.keptEpoch,
    epochs: epochHistory(db, run.id).map(({ epoch, loss, accuracy, valLoss, valAccuracy, seconds }) => ({
      epoch,
      loss,
      accuracy,
      valLoss,
      valAccuracy,
      seconds,
    })),
    /** Per-epoch scalars beyond those four, by name (a tracked run's script may log any). */
    epochScalars: Object.fromEntries(epochScalarHistory(db, run.id)),
    params: run.params,
    tags: runTagMap(db, run.id),
    note: run.note,
    error: run.error,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    seed: run.seed,
    // Every run's, whatever its source: a trained run's params leave out mnist, a tracked run's are the script's own.
    dataset: run.dataset,
    datasetHashes: run.datasetHashes,
    gitCommit: run.gitCommit,
    packageVersions: run.packageVersions,
    testConfusion: testConfusion(db, run.id),
    source: run.source,
    imported: importedSummary(db, run),
    model: runModel(run),
  };
}

/**
 * The network a run trained (its preset or file name, layers and Keras-style summary); null for
 * an imported run, whose params hold no network.
 */
export function runModel(run: Run) {
  if (!trainedByDigitlab(run)) return null;
  const hp = run.params as Hyperparameters;
  const { spec, summary } = checkModelSpec(modelSpecOf(hp));
  return { name: modelNameOf(hp), layers: spec.layers, summary };
}

/** How an imported run was made, without the model bytes; null for a run trained here. */
function importedSummary(db: Db, run: Run) {
  const imported = trainedByDigitlab(run) ? null : loadImportedModelFacts(db, run.id);
  if (!imported) return null;
  const { framework, fileName, fileSha256, inputShape, inputLayout, inputScale, output, embedding, embeddingAbsence } = imported;
  return { framework, fileName, fileSha256, inputShape, inputLayout, inputScale, output, embedding, embeddingAbsence };
}

/** The short form for lists. */
export function runListItem(run: Run) {
  return {
    id: run.id,
    name: run.name,
    status: run.status,
    testAccuracy: run.testAccuracy,
    testLoss: run.testLoss,
    backend: run.backend,
    createdAt: run.createdAt.toISOString(),
  };
}
