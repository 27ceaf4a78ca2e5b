import { resolveModel as resolveModelField, type ResolvedModel } from '../training/run-request-model.ts';
import { usageErrorOf } from './run-request-flags.ts';

export type { ResolvedModel };

/** `--model NAME|FILE.json|{"layers":[...]}` for commands that measure a network: a bad one is a usage error naming the flag. */
export function resolveModel(raw?: string): ResolvedModel {
  const resolved = resolveModelField(raw);
  if ('problem' in resolved) throw usageErrorOf([{ field: 'model', problem: resolved.problem }]);
  return resolved.model;
}
