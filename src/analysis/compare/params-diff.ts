export interface ParamValues {
  a: unknown;
  b: unknown;
}

const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);

/**
 * Hyperparameters side by side, keyed by name. Only the keys whose values differ, unless `all`:
 * the differences are what a person is looking for, the rest is context on request.
 */
export function paramsDiff(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  options: { all?: boolean } = {},
): Record<string, ParamValues> {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const rows = keys
    .filter((key) => options.all || !same(a[key], b[key]))
    .map((key): [string, ParamValues] => [key, { a: a[key] ?? null, b: b[key] ?? null }]);
  return Object.fromEntries(rows);
}
