/** Long enough for any real file name, short enough for every file system's name limit. */
const MAX_NAME_LENGTH = 100;

/**
 * The name an upload is kept and shown under, from the name its client sent. A client's name is
 * not to be trusted as a path: '..', '.', a NUL byte or a 300-character name each failed in the
 * file system (EISDIR, ERR_INVALID_ARG_VALUE, ENAMETOOLONG). This keeps only its last path
 * segment, in letters, digits, spaces and `._-`, without leading dots, at most 100 characters with its
 * extension kept, and falls back to `fallback` when nothing is left.
 */
export function uploadFileName(sent: string, fallback: string): string {
  const last = sent.split(/[/\\]/).at(-1)!;
  const plain = last.replace(/[^A-Za-z0-9 ._-]/g, '_').replace(/^[. ]+/, '').trimEnd();
  if (plain.length <= MAX_NAME_LENGTH) return plain || fallback;
  const extension = /\.[A-Za-z0-9]{1,10}$/.exec(plain)?.[0] ?? '';
  return plain.slice(0, MAX_NAME_LENGTH - extension.length) + extension;
}
