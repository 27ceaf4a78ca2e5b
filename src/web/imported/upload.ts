import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import type { OpenStore } from '../../store/open-store.ts';
import { INPUT_LAYOUTS, INPUT_SCALES, OUTPUT_KINDS } from '../../../db/schema.ts';
import { ImportError, requestedScale, type ConventionRequest } from '../../models/imported/classifier.ts';
import { importDataset, importRun } from '../../training/import-run.ts';
import type { Run } from '../../store/store.ts';
import type { ReceivedForm } from '../uploads-to-disk.ts';
import { uploadFileName } from '../upload-file-name.ts';

/** An ONNX CNN is under 1 MB and a float32 prediction file for 10,000 images 400 kB; this leaves room for large models. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

export const CONVENTION_CHOICES = {
  layout: ['auto', ...INPUT_LAYOUTS],
  scale: ['auto', ...INPUT_SCALES],
  output: ['auto', ...OUTPUT_KINDS],
} as const;

/** What the import form holds besides its files, kept to fill the form again after an error. */
export type ImportFormValues = Partial<Record<'name' | 'dataset' | 'normalize' | keyof ConventionRequest, string>>;

const text = (fields: ReceivedForm['fields'], name: string) => fields[name]?.trim() ?? '';

export const importFormValues = ({ fields }: ReceivedForm): ImportFormValues => ({
  name: text(fields, 'name'),
  dataset: text(fields, 'dataset'),
  layout: text(fields, 'layout'),
  scale: text(fields, 'scale'),
  output: text(fields, 'output'),
  normalize: text(fields, 'normalize'),
});

/**
 * How the user says the model is fed (layout, scale or normalize MEAN,STD, output), each 'auto'
 * when left empty: the import form's fields, and the tracking model upload's query. Throws
 * ImportError naming the field that is wrong.
 */
export function conventionRequest(values: ImportFormValues): ConventionRequest {
  const pick = <K extends keyof ConventionRequest>(key: K): ConventionRequest[K] => {
    const value = values[key] || 'auto';
    if (!(CONVENTION_CHOICES[key] as readonly string[]).includes(value)) {
      throw new ImportError(`${key} must be one of ${CONVENTION_CHOICES[key].join(', ')}; got '${value}'`);
    }
    return value as ConventionRequest[K];
  };
  let scale: ConventionRequest['scale'];
  try {
    scale = requestedScale(pick('scale'), values.normalize);
  } catch (err) {
    throw err instanceof ImportError ? new ImportError(`normalize ${err.message}`) : err;
  }
  return { layout: pick('layout'), scale, output: pick('output') };
}

/** The file import reads among the uploads: the one file, or a tfjs model.json among its weight files. */
function fileToImport(dir: string, names: string[]): string {
  if (names.length === 1) return path.join(dir, names[0]!);
  if (names.includes('model.json')) return path.join(dir, 'model.json');
  throw new ImportError(`got ${names.length} files (${names.join(', ')}); several files are only for a tfjs model.json with its weight files`);
}

/**
 * Imports the uploaded file(s) as a run, through the same importRun the CLI uses. The uploads,
 * already on disk in `dir`, are moved under their own names, made safe as file names, into a
 * folder of their own there (a tfjs model.json finds its weight files beside it); the caller
 * removes `dir`. Throws ImportError, with nothing stored, for a bad upload.
 */
export async function importUpload(store: OpenStore, form: ReceivedForm, dir: string): Promise<Run> {
  const values = importFormValues(form);
  const conventions = conventionRequest(values);
  const dataset = importDataset(store.db, values.dataset, 'dataset');
  if (values.name && values.name.length > 200) throw new ImportError('a name is at most 200 characters');
  // A file input left empty still sends a part: no name, no bytes.
  const files = form.files.filter((file) => file.field === 'file' && file.size > 0);
  if (files.length === 0) throw new ImportError('choose a file first: .onnx, a tfjs model.json with its .bin files, .npy or .csv');
  const names = files.map((file) => uploadFileName(file.sentName, 'upload'));
  if (new Set(names).size !== names.length) throw new ImportError('two uploaded files have the same name');
  const named = path.join(dir, 'named');
  await mkdir(named);
  for (const [i, file] of files.entries()) await rename(file.path, path.join(named, names[i]!));
  return await importRun(store.runs, { file: fileToImport(named, names), name: values.name || undefined, conventions, dataset });
}
