import { readFileSync } from 'node:fs';
import { UsageError } from '../core/command.ts';
import { UnreadableImageError } from '../data/own-digits/decode.ts';

/** Hands a picture file's bytes to `use`; a missing file or an unreadable picture is the user's to fix (exit 2). */
export function withPictureFile<T>(file: string, use: (bytes: Buffer) => T): T {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return use(bytes);
  } catch (err) {
    // Several files may be given: name the one at fault, keeping the error's kind.
    if (err instanceof UnreadableImageError) err.message = `${file}: ${err.message}`;
    throw err;
  }
}
