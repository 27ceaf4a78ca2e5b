import type { Db } from '../../../db/client.ts';
import { loadMnist } from '../../data/mnist.ts';
import { loadTestPredictions } from '../../store/store.ts';
import { ImportError } from './classifier.ts';

/** Ten values per test image, in test-set order, as a prediction file gives them. */
export interface PredictionTable {
  values: Float32Array;
  count: number;
  /** The file's own label column, when it has one: import checks it against MNIST's. */
  labels: Uint8Array | null;
}

const NPY_MAGIC = '\x93NUMPY';

/** A .npy file of float32 (or float64) [n,10], C order; throws ImportError otherwise. */
export function parseNpy(bytes: Buffer): PredictionTable {
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
  if (!shape || shape.length !== 2 || shape[1] !== 10) throw new ImportError(`the .npy has shape (${shape?.join(', ') ?? '?'}); expected (n, 10): ten classes per test image`);
  const count = shape[0]!;
  const width = descr === '<f4' ? 4 : 8;
  if (bytes.length - start !== count * 10 * width) throw new ImportError(`the .npy is truncated: ${bytes.length - start} data bytes for shape (${count}, 10)`);
  const values = new Float32Array(count * 10);
  for (let i = 0; i < values.length; i++) values[i] = width === 4 ? bytes.readFloatLE(start + 4 * i) : bytes.readDoubleLE(start + 8 * i);
  return { values, count, labels: null };
}

export function writeNpy(probabilities: Float32Array): Buffer {
  const count = probabilities.length / 10;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${count}, 10), }`;
  // The header, with its 10-byte preamble and closing newline, is padded to a multiple of 64.
  header = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11, ' ') + '\n';
  const preamble = Buffer.alloc(10);
  preamble.write(NPY_MAGIC, 0, 'latin1');
  preamble[6] = 1;
  preamble.writeUInt16LE(header.length, 8);
  const data = Buffer.from(probabilities.buffer, probabilities.byteOffset, probabilities.byteLength);
  return Buffer.concat([preamble, Buffer.from(header, 'latin1'), data]);
}

export const CSV_HEADER = ['index', 'label', 'predicted', ...Array.from({ length: 10 }, (_, c) => `p${c}`)];

/**
 * CSV with ten probability columns, optionally after an index column, or with digitlab's own
 * header (index,label,predicted,p0..p9). Rows may come in any order when indexed.
 */
export function parseCsv(text: string): PredictionTable {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new ImportError('the CSV is empty');
  const first = lines[0]!.split(',').map((cell) => cell.trim());
  const hasHeader = first.some((cell) => cell !== '' && !Number.isFinite(Number(cell)));
  const header = hasHeader ? first.map((cell) => cell.toLowerCase().replace(/^"|"$/g, '')) : null;
  const rows = (hasHeader ? lines.slice(1) : lines).map((line) => line.split(','));
  const width = first.length;
  const probabilityColumns = header?.includes('p0')
    ? Array.from({ length: 10 }, (_, c) => header.indexOf(`p${c}`))
    : width === 10
      ? Array.from({ length: 10 }, (_, c) => c)
      : width === 11
        ? Array.from({ length: 10 }, (_, c) => c + 1)
        : null;
  if (!probabilityColumns || probabilityColumns.includes(-1)) {
    throw new ImportError(`the CSV has ${width} columns; expected ten class columns, optionally after an index column (or the header index,label,predicted,p0,...,p9)`);
  }
  const indexColumn = header ? header.indexOf('index') : width === 11 ? 0 : -1;
  const labelColumn = header ? header.indexOf('label') : -1;
  const count = rows.length;
  const values = new Float32Array(count * 10);
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
      values[index * 10 + c] = cell.toLowerCase() === 'nan' || cell === '' ? NaN : Number(cell);
    });
    if (labels) labels[index] = Number(cells[labelColumn]);
  });
  return { values, count, labels };
}

export function writeCsv(labels: Uint8Array, predicted: Uint8Array, probabilities: Float32Array): string {
  const lines = [CSV_HEADER.join(',')];
  for (let i = 0; i < predicted.length; i++) {
    lines.push([i, labels[i], predicted[i], ...probabilities.subarray(i * 10, i * 10 + 10)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

export const PREDICTION_FORMATS = ['npy', 'csv'] as const;
export type PredictionFormat = (typeof PREDICTION_FORMATS)[number];

/** A run's stored test predictions as a file in the layout import reads; null before it has any. */
export function runPredictionFile(db: Db, runId: number, format: PredictionFormat, mnistDir?: string): Buffer | null {
  const stored = loadTestPredictions(db, runId);
  if (!stored) return null;
  if (format === 'npy') return writeNpy(stored.probabilities);
  const { labels } = loadMnist('test', { dir: mnistDir, limit: stored.predicted.length });
  return Buffer.from(writeCsv(labels, stored.predicted, stored.probabilities));
}
