import type { Db } from '../../../db/client.ts';
import { loadDataset, mnistDataset } from '../../data/datasets/catalogue.ts';
import { getRun, loadTestPredictions } from '../../store/store.ts';
import { ImportError } from './classifier.ts';

/** One value per class per test image (ten for MNIST), in test-set order, as a prediction file gives them. */
export interface PredictionTable {
  values: Float32Array;
  count: number;
  /** The file's own label column, when it has one: import checks it against MNIST's. */
  labels: Uint8Array | null;
}

const NPY_MAGIC = '\x93NUMPY';

/** A .npy file of float32 (or float64) [n,classes], C order; throws ImportError otherwise. */
export function parseNpy(bytes: Buffer, classes = 10): PredictionTable {
  if (bytes.length < 10 || bytes.subarray(0, 6).toString('latin1') !== NPY_MAGIC) throw new ImportError('not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLength;
  const header = bytes.subarray(major === 1 ? 10 : 12, start).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1]?.split(',').map((d) => d.trim()).filter(Boolean).map(Number);
  if (descr !== '<f4' && descr !== '<f8') throw new ImportError(`the .npy holds ${descr ?? 'an unknown type'}; expected float32 ('<f4')`);
  if (fortran) throw new ImportError('the .npy is in Fortran order; save it in C order (numpy.ascontiguousarray)');
  if (!shape || shape.length !== 2 || shape[1] !== classes) throw new ImportError(`the .npy has shape (${shape?.join(', ') ?? '?'}); expected (n, ${classes}): one value per class of the dataset per test image`);
  const count = shape[0]!;
  const width = descr === '<f4' ? 4 : 8;
  if (bytes.length - start !== count * classes * width) throw new ImportError(`the .npy is truncated: ${bytes.length - start} data bytes for shape (${count}, ${classes})`);
  const values = new Float32Array(count * classes);
  for (let i = 0; i < values.length; i++) values[i] = width === 4 ? bytes.readFloatLE(start + 4 * i) : bytes.readDoubleLE(start + 8 * i);
  return { values, count, labels: null };
}

export function writeNpy(probabilities: Float32Array, count = probabilities.length / 10): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${count}, ${probabilities.length / count}), }`;
  // The header, with its 10-byte preamble and closing newline, is padded to a multiple of 64.
  header = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11, ' ') + '\n';
  const preamble = Buffer.alloc(10);
  preamble.write(NPY_MAGIC, 0, 'latin1');
  preamble[6] = 1;
  preamble.writeUInt16LE(header.length, 8);
  const data = Buffer.from(probabilities.buffer, probabilities.byteOffset, probabilities.byteLength);
  return Buffer.concat([preamble, Buffer.from(header, 'latin1'), data]);
}

export const csvHeader = (classes = 10) => ['index', 'label', 'predicted', ...Array.from({ length: classes }, (_, c) => `p${c}`)];
export const CSV_HEADER = csvHeader();

/**
 * CSV with ten probability columns, optionally after an index column, or with digitlab's own
 * header (index,label,predicted,p0..p9). Rows may come in any order when indexed.
 */
export function parseCsv(text: string, classes = 10): PredictionTable {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new ImportError('the CSV is empty');
  const first = lines[0]!.split(',').map((cell) => cell.trim());
  const hasHeader = first.some((cell) => cell !== '' && !Number.isFinite(Number(cell)));
  const header = hasHeader ? first.map((cell) => cell.toLowerCase().replace(/^"|"$/g, '')) : null;
  const rows = (hasHeader ? lines.slice(1) : lines).map((line) => line.split(','));
  const width = first.length;
  const probabilityColumns = header?.includes('p0')
    ? Array.from({ length: classes }, (_, c) => header.indexOf(`p${c}`))
    : width === classes
      ? Array.from({ length: classes }, (_, c) => c)
      : width === classes + 1
        ? Array.from({ length: classes }, (_, c) => c + 1)
        : null;
  if (!probabilityColumns || probabilityColumns.includes(-1)) {
    throw new ImportError(`the CSV has ${width} columns; expected ${classes === 10 ? 'ten' : classes} class columns, optionally after an index column (or the header index,label,predicted,p0,...,p${classes - 1})`);
  }
  const indexColumn = header ? header.indexOf('index') : width === classes + 1 ? 0 : -1;
  const labelColumn = header ? header.indexOf('label') : -1;
  const count = rows.length;
  const values = new Float32Array(count * classes);
  const labels = labelColumn >= 0 ? new Uint8Array(count) : null;
  const seen = new Uint8Array(count);
  rows.forEach((cells, row) => {
    const line = row + (hasHeader ? 2 : 1);
    if (cells.length !== width) throw new ImportError(`CSV line ${line} has ${cells.length} columns, the first has ${width}`);
    const index = indexColumn >= 0 ? Number(cells[indexColumn]) : row;
    if (!Number.isInteger(index) || index < 0 || index >= count || seen[index]) {
      throw new ImportError(`CSV line ${line}: index ${cells[indexColumn]} is not one of 0..${count - 1} given once`);
    }
    seen[index] = 1;
    probabilityColumns.forEach((column, c) => {
      const cell = cells[column]!.trim();
      values[index * classes + c] = cell.toLowerCase() === 'nan' || cell === '' ? NaN : Number(cell);
    });
    if (labels) labels[index] = Number(cells[labelColumn]);
  });
  return { values, count, labels };
}

export function writeCsv(labels: Uint8Array, predicted: Uint8Array, probabilities: Float32Array): string {
  const classes = predicted.length > 0 ? probabilities.length / predicted.length : 10;
  const lines = [csvHeader(classes).join(',')];
  for (let i = 0; i < predicted.length; i++) {
    lines.push([i, labels[i], predicted[i], ...probabilities.subarray(i * classes, i * classes + classes)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

export const PREDICTION_FORMATS = ['npy', 'csv'] as const;
export type PredictionFormat = (typeof PREDICTION_FORMATS)[number];

/** A run's stored test predictions as a file in the layout import reads; null before it has any. */
export function runPredictionFile(db: Db, runId: number, format: PredictionFormat, mnistDir?: string): Buffer | null {
  const stored = loadTestPredictions(db, runId);
  if (!stored) return null;
  if (format === 'npy') return writeNpy(stored.probabilities, stored.predicted.length);
  // The labels of the run's own dataset (MNIST's from `mnistDir` when given).
  const dataset = getRun(db, runId).dataset;
  const { labels } =
    dataset === 'mnist' && mnistDir ? loadMnistLabels(mnistDir, stored.predicted.length) : loadDataset(db, dataset, 'test', { limit: stored.predicted.length });
  return Buffer.from(writeCsv(labels, stored.predicted, stored.probabilities));
}

const loadMnistLabels = (dir: string, limit: number) => mnistDataset(dir).load('test', { limit });
