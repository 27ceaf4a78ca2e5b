/**
 * The kinds of failure a person can act on, and the one map from each kind to what the front ends
 * answer: an HTTP status on the web, an exit code in the CLI. A domain error carries its kind, so
 * no route or command decides per error class.
 *
 * Exit codes follow the CLI's usage errors: 2 when asking again the same way cannot succeed (fix
 * the command or what it names); 1 when the request was sound but the present state of things
 * stopped it, or anything unexpected failed. Both `unavailable` and `conflict` are a 409 on the
 * web (the target's state refuses the request); only the exit code tells a script whether a retry
 * may help.
 */
export const ERROR_KINDS = {
  /** Input malformed, out of range or refused as given: a bad flag, an unreadable picture, a file that is not a model. */
  invalid: { status: 400, exitCode: 2 },
  /** The caller's token may not touch what it names: another worker's run, another script's tracked run. */
  forbidden: { status: 403, exitCode: 2 },
  /** What the input names does not exist: a run, a sweep, a label audit, an own digit, a token. */
  'not-found': { status: 404, exitCode: 2 },
  /** Input over a size limit: a picture over its bytes or pixels. */
  'too-large': { status: 413, exitCode: 2 },
  /**
   * What the request needs is absent and asking again will not bring it: a run without a stored
   * model, a model without gradients, a store that cannot be opened, an engine this machine lacks.
   */
  unavailable: { status: 409, exitCode: 2 },
  /** The target's present state forbids the request, which may succeed later: a running run cannot be deleted, a worker's lease lapsed. */
  conflict: { status: 409, exitCode: 1 },
} as const satisfies Record<string, { status: number; exitCode: number }>;

export type ErrorKind = keyof typeof ERROR_KINDS;

/** What anything else thrown gets: a server failure (its log says why) and the CLI's plain failure. */
export const UNEXPECTED = { status: 500, exitCode: 1 } as const;

/** A failure in the domain's words: its message is safe to show a person, and its kind picks the answer. */
export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
}

/** A thrown value that carries one of the kinds: a DomainError, or db/'s StoreOpenError. */
export type KindedError = Error & { readonly kind: ErrorKind };

/**
 * Whether a thrown value carries a kind; anything else is unexpected. Read by shape rather than by
 * class because db/, which imports nothing from src/, has an error of its own (StoreOpenError).
 */
export function isKinded(err: unknown): err is KindedError {
  return err instanceof Error && 'kind' in err && typeof err.kind === 'string' && Object.hasOwn(ERROR_KINDS, err.kind);
}
