import { describe, expect, it } from 'vitest';
import { StoreOpenError } from '../../db/client.ts';
import { CalibrationUnavailableError } from '../../src/analysis/calibration/run-calibration.ts';
import { ComparisonRefusedError } from '../../src/analysis/compare/run-comparison.ts';
import { GradientsUnavailableError } from '../../src/analysis/explain/explain.ts';
import { NeighboursUnavailableError } from '../../src/analysis/explain/train-neighbours.ts';
import { TrainingSetSearchNotFoundError } from '../../src/analysis/label-issues/training-set-search.ts';
import { LabelDecisionsImportError } from '../../src/analysis/label-issues/decisions-export.ts';
import { SweepNotFoundError } from '../../src/analysis/sweeps/sweep-store.ts';
import { UsageError } from '../../src/core/command.ts';
import { DomainError, ERROR_KINDS, isKinded, UNEXPECTED, type ErrorKind } from '../../src/core/errors.ts';
import { ImageTooLargeError, UnreadableImageError } from '../../src/data/own-digits/decode.ts';
import { OwnDigitNotFoundError } from '../../src/data/own-digits/digit-set.ts';
import { RunNotOwnedError } from '../../src/execution/queue.ts';
import { LeaseLostError, NotRunHolderError } from '../../src/store/run-attempts.ts';
import { IllegalTransitionError } from '../../src/store/run-lifecycle.ts';
import { UploadRejectedError } from '../../src/execution/workers/uploads.ts';
import { ImportError } from '../../src/models/imported/classifier.ts';
import { ModelSpecError } from '../../src/models/model-spec.ts';
import { OnnxExportError } from '../../src/models/onnx/onnx-export.ts';
import { NotAnOnnxModelError } from '../../src/models/onnx/onnx-graph.ts';
import { ProtobufError } from '../../src/models/onnx/protobuf.ts';
import { RunHasNoModelError } from '../../src/models/run-model.ts';
import { LabelDecisionError } from '../../src/store/label-issues-decisions.ts';
import { RunNotArchivableError } from '../../src/store/run-archive.ts';
import { RunNotDeletableError } from '../../src/store/run-deletion.ts';
import { RunNotFoundError, type Run } from '../../src/store/store.ts';
import { TokenNameTakenError, TokenNotFoundError } from '../../src/store/worker-tokens.ts';
import { BackendUnavailableError } from '../../src/training/backend.ts';

describe('the one map from error kinds to answers', () => {
  // The documented contract (src/core/errors.ts), written out here rather than read from the table.
  it.each([
    ['invalid', 400, 2],
    ['forbidden', 403, 2],
    ['not-found', 404, 2],
    ['too-large', 413, 2],
    ['unavailable', 409, 2],
    ['conflict', 409, 1],
  ] as const)('%s is HTTP %i and exit code %i', (kind, status, exitCode) => {
    expect(ERROR_KINDS[kind]).toEqual({ status, exitCode });
  });

  it('has no kind beyond those, and anything unexpected is a 500 and exit 1', () => {
    expect(Object.keys(ERROR_KINDS).sort()).toEqual(['conflict', 'forbidden', 'invalid', 'not-found', 'too-large', 'unavailable']);
    expect(UNEXPECTED).toEqual({ status: 500, exitCode: 1 });
  });

  it('counts as kinded only errors that carry a known kind', () => {
    class Refused extends DomainError {
      readonly kind = 'conflict';
    }
    expect(isKinded(new Refused('no'))).toBe(true);
    expect(isKinded(new StoreOpenError('damaged'))).toBe(true); // db/ carries its kind by shape
    expect(isKinded(new Error('boom'))).toBe(false);
    expect(isKinded(Object.assign(new Error('odd'), { kind: 'teapot' }))).toBe(false);
    expect(isKinded(Object.assign(new Error('odd'), { kind: 'toString' }))).toBe(false);
    expect(isKinded({ kind: 'conflict', message: 'not an Error' })).toBe(false);
  });
});

const run = { id: 7, name: 'r', status: 'queued', attempts: 1, error: null, pid: 1, host: 'h' } as Run;

describe('each domain error carries its kind', () => {
  it.each(([
    [new UsageError('--epochs must be ...'), 'invalid'],
    [new ImportError('not a model'), 'invalid'],
    [new ProtobufError('truncated'), 'invalid'],
    [new NotAnOnnxModelError('not ONNX'), 'invalid'],
    [new ModelSpecError('layer 2: units'), 'invalid'],
    [new UnreadableImageError('not a PNG'), 'invalid'],
    [new LabelDecisionError('wrong needs a digit'), 'invalid'],
    [new LabelDecisionsImportError('another labels file'), 'invalid'],
    [new ComparisonRefusedError('different test sets'), 'invalid'],
    [new ImageTooLargeError('over 10 MB'), 'too-large'],
    [new RunNotFoundError(9), 'not-found'],
    [new SweepNotFoundError(9), 'not-found'],
    [new TrainingSetSearchNotFoundError(9), 'not-found'],
    [new OwnDigitNotFoundError(9), 'not-found'],
    [new TokenNotFoundError('w'), 'not-found'],
    [new RunHasNoModelError(run), 'unavailable'],
    [new GradientsUnavailableError('ONNX'), 'unavailable'],
    [new NeighboursUnavailableError('no embedding'), 'unavailable'],
    [new CalibrationUnavailableError('no validation split'), 'unavailable'],
    [new OnnxExportError('no ONNX twin'), 'unavailable'],
    [new BackendUnavailableError('no tfjs-node'), 'unavailable'],
    [new StoreOpenError('read-only'), 'unavailable'],
    [new RunNotDeletableError('run 7 is running'), 'conflict'],
    [new RunNotArchivableError('run 7 is running'), 'conflict'],
    [new RunNotOwnedError(run), 'conflict'],
    [new LeaseLostError(run, 1), 'conflict'],
    [new UploadRejectedError('bad checksum'), 'conflict'],
    [new TokenNameTakenError('w'), 'conflict'],
    [new IllegalTransitionError(7, 'completed', 'failed'), 'conflict'],
    [new NotRunHolderError(7, 1, 'w'), 'forbidden'],
  ] as [Error, ErrorKind][]).map(([err, kind]) => [err.constructor.name, err, kind] as const))('%s is %s', (_name, err, kind) => {
    expect(isKinded(err) && err.kind).toBe(kind);
  });
});
