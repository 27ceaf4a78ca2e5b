import { DomainError } from '../../core/errors.ts';
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { ownDigits } from '../../../db/schema.ts';
import type { LabelledImages } from '../batches.ts';
import { preprocessDigit, type PreprocessedDigit } from './preprocess.ts';

export interface OwnDigit {
  id: number;
  label: number;
  name: string;
  createdAt: Date;
  /** 784 bytes, the preprocessed input as MNIST stores its images. */
  input: Uint8Array;
}

export class OwnDigitNotFoundError extends DomainError {
  readonly kind = 'not-found';
  constructor(readonly id: number) {
    super(`no own digit with id ${id}`);
  }
}

/** MNIST's own byte form: evaluation then reads own digits exactly as it reads the test set. */
export const toMnistBytes = (input: Float32Array) => Uint8Array.from(input, (v) => Math.round(v * 255));

/**
 * Keeps a labelled picture with its preprocessed input (preprocessed here unless the caller did,
 * as the web does in a worker thread); throws UnreadableImageError before storing anything.
 */
export function addOwnDigit(db: Db, picture: { bytes: Uint8Array; label: number; name: string }, digit?: Pick<PreprocessedDigit, 'input'>): OwnDigit {
  if (!Number.isInteger(picture.label) || picture.label < 0 || picture.label > 9) {
    throw new RangeError(`a digit's label is 0 to 9; got ${picture.label}`);
  }
  const input = toMnistBytes((digit ?? preprocessDigit(picture.bytes)).input);
  const row = db
    .insert(ownDigits)
    .values({ label: picture.label, name: picture.name, createdAt: new Date(), image: Buffer.from(picture.bytes), input: Buffer.from(input) })
    .returning({ id: ownDigits.id, label: ownDigits.label, name: ownDigits.name, createdAt: ownDigits.createdAt })
    .get();
  return { ...row, input };
}

/** Newest first, without the uploaded files (see ownDigitPicture). */
export function listOwnDigits(db: Db): OwnDigit[] {
  return db
    .select({ id: ownDigits.id, label: ownDigits.label, name: ownDigits.name, createdAt: ownDigits.createdAt, input: ownDigits.input })
    .from(ownDigits)
    .orderBy(desc(ownDigits.id))
    .all()
    .map((row) => ({ ...row, input: new Uint8Array(row.input) }));
}

/** The picture as it was uploaded. */
export function ownDigitPicture(db: Db, id: number): Buffer {
  const row = db.select({ image: ownDigits.image }).from(ownDigits).where(eq(ownDigits.id, id)).get();
  if (!row) throw new OwnDigitNotFoundError(id);
  return row.image;
}

export function deleteOwnDigit(db: Db, id: number): void {
  if (db.delete(ownDigits).where(eq(ownDigits.id, id)).run().changes === 0) throw new OwnDigitNotFoundError(id);
}

/** The set in the form the training code's evaluation reads. */
export function asLabelledImages(digits: OwnDigit[]): LabelledImages {
  const images = new Uint8Array(digits.length * 784);
  digits.forEach((digit, i) => images.set(digit.input, i * 784));
  return { images, labels: Uint8Array.from(digits, (d) => d.label), count: digits.length };
}
