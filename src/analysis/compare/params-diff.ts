import { modelSpecOf, type Hyperparameters } from '../../training/hyperparameters.ts';
import { describeLayer } from '../../models/model-spec.ts';

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

/** Two layer lists lined up by their longest common run of equal layers: an inserted dropout is one row, not a shift of all after it. */
function alignLayers(a: string[], b: string[]): [string | null, string | null][] {
  const longest = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      longest[i]![j] = a[i] === b[j] ? longest[i + 1]![j + 1]! + 1 : Math.max(longest[i + 1]![j]!, longest[i]![j + 1]!);
    }
  }
  const rows: [string | null, string | null][] = [];
  let [i, j] = [0, 0];
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) rows.push([a[i++]!, b[j++]!]);
    else if (j >= b.length || (i < a.length && longest[i + 1]![j]! >= longest[i]![j + 1]!)) rows.push([a[i++]!, null]);
    else rows.push([null, b[j++]!]);
  }
  return rows;
}

/**
 * Runs' params with their networks spread over one entry per layer (`layer 1`, `layer 2`, ... as
 * describeLayer words them), so that two architectures diff layer by layer rather than as one long
 * string. Two runs are lined up by their common layers, more by position. Params stay as they are
 * when no run records a network (every run trained the reference CNN).
 */
export function layerwiseParams(list: Record<string, unknown>[]): Record<string, unknown>[] {
  if (!list.some((params) => params.layers)) return list;
  const described = list.map((params) => modelSpecOf(params as unknown as Hyperparameters).layers.map(describeLayer));
  const columns: (string | null)[][] =
    described.length === 2
      ? [0, 1].map((k) => alignLayers(described[0]!, described[1]!).map((row) => row[k]!))
      : described.map((layers) => Array.from({ length: Math.max(...described.map((d) => d.length)) }, (_, i) => layers[i] ?? null));
  return list.map((params, k) => {
    const { layers: _, ...rest } = params;
    return { ...rest, ...Object.fromEntries(columns[k]!.map((layer, i) => [`layer ${i + 1}`, layer])) };
  });
}
