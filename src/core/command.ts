import { parseArgs } from 'node:util';
import { DomainError } from './errors.ts';

/** A flag's type decides how its value is checked and what --help says it takes. */
export type OptionSpec =
  | { type: 'boolean'; description: string }
  | { type: 'string'; description: string; placeholder?: string; multiple?: boolean }
  | { type: 'integer' | 'number'; description: string; min: number; max: number; placeholder?: string }
  | { type: 'choice'; description: string; choices: readonly string[] };

export interface Positional {
  name: string;
  description: string;
  /** The last positional only: one or more values (shown as NAME...). */
  repeated?: boolean;
  /** May be left out, with every positional after it (shown as [NAME]): a command with an action word and its arguments. */
  optional?: boolean;
}

export interface CommandContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export type OptionValues = Record<string, string | number | boolean | string[] | undefined>;

export interface Command {
  name: string;
  /** Former names that still run it, for scripts written before a rename; help lists only `name`. */
  aliases?: string[];
  summary: string;
  positionals: Positional[];
  options: Record<string, OptionSpec>;
  /** A command that keeps no store of its own (a remote worker): it neither takes nor lists --db. */
  storeless?: boolean;
  /** Returns the process exit code. */
  run(args: { positionals: string[]; options: OptionValues }, context: CommandContext): Promise<number>;
}

/** What parsing a command line and printing its help need of a command. */
export type CommandLine = Omit<Command, 'run'>;

/**
 * Bad command-line input, in the words of flags and arguments: the CLI's own vocabulary, so only
 * commands throw it; the domain throws its own kinded errors. The CLI adds a pointer to --help.
 */
export class UsageError extends DomainError { readonly kind = 'invalid'; }

/** The one option every command line takes, the bench scripts' included. */
export const HELP_OPTION: Record<string, OptionSpec> = { help: { type: 'boolean', description: 'show this help' } };

/** Options every digitlab command takes. */
const COMMON_OPTIONS: Record<string, OptionSpec> = {
  db: { type: 'string', placeholder: 'PATH', description: 'SQLite run store (default $DIGITLAB_DB or db/digitlab.sqlite)' },
  'create-dirs': { type: 'boolean', description: "create the store's missing directories (else a missing one is an error)" },
  json: { type: 'boolean', description: 'print one JSON object as the last line of stdout' },
  ...HELP_OPTION,
};

/** The common options a command takes: all of them, but the store's only where there is a store. */
function commonOptionsOf(command: CommandLine): Record<string, OptionSpec> {
  if (!command.storeless) return COMMON_OPTIONS;
  const { db: _db, 'create-dirs': _createDirs, ...rest } = COMMON_OPTIONS;
  return rest;
}

/**
 * What is wrong with a flag's raw value, phrased to follow the flag's name ("must be ..."), or
 * null when it is fine. The web launch form checks its fields with the same words.
 */
export function optionValueProblem(spec: OptionSpec, raw: string): string | null {
  if (spec.type === 'choice') {
    return spec.choices.includes(raw) ? null : `must be one of ${spec.choices.join(', ')}; got '${raw}'`;
  }
  if (spec.type === 'integer' || spec.type === 'number') {
    const value = Number(raw);
    const wrongKind = spec.type === 'integer' ? !Number.isInteger(value) : !Number.isFinite(value);
    if (!isPlainDecimal(raw) || wrongKind || value < spec.min || value > spec.max) {
      const kind = spec.type === 'integer' ? 'a whole number' : 'a number';
      return `must be ${kind} from ${spec.min} to ${spec.max}; got '${raw}'`;
    }
  }
  return null;
}

/**
 * Decimal notation only: Number() also reads '0x2', '0b11' and '' (as 0), and rounds '1e-400'
 * to 0, none of which a person means as that number.
 */
function isPlainDecimal(raw: string): boolean {
  const match = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.exec(raw.trim());
  return match !== null && !(Number(raw) === 0 && /[1-9]/.test(match[1]!));
}

/**
 * parseArgs reads a value starting with '-' as a missing value ("argument is ambiguous"); a
 * numeric flag followed by a negative number is joined to it, so the range check can say what is
 * allowed.
 */
function joinNegativeNumbers(argv: string[], specs: Record<string, OptionSpec>): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const spec = argv[i]!.startsWith('--') ? specs[argv[i]!.slice(2)] : undefined;
    const next = argv[i + 1];
    if ((spec?.type === 'integer' || spec?.type === 'number') && next !== undefined && /^-[\d.]/.test(next)) {
      joined.push(`${argv[i]}=${next}`);
      i++;
    } else {
      joined.push(argv[i]!);
    }
  }
  return joined;
}

/** A flag's value, as a number for numeric flags; throws UsageError naming the flag. */
function checkValue(flag: string, spec: OptionSpec, raw: string): string | number {
  const problem = optionValueProblem(spec, raw);
  if (problem) throw new UsageError(`--${flag} ${problem}`);
  return spec.type === 'integer' || spec.type === 'number' ? Number(raw) : raw;
}

/** Parses argv against a command's flags, rejecting unknown flags and out-of-range values. */
export function parseCommandLine(
  command: CommandLine,
  argv: string[],
  common: Record<string, OptionSpec> = commonOptionsOf(command),
): { positionals: string[]; options: OptionValues } {
  const specs = { ...command.options, ...common };
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeNumbers(argv, specs),
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        Object.entries(specs).map(([flag, spec]) => [
          flag,
          { type: spec.type === 'boolean' ? 'boolean' : 'string', multiple: spec.type === 'string' && spec.multiple === true },
        ]),
      ),
    });
  } catch (err) {
    if (!(err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) throw err;
    const message = (err as Error).message.replace(/\. To specify a positional.*$/s, '');
    throw new UsageError(`${message}\nallowed: ${Object.keys(specs).map((f) => `--${f}`).join(' ')}`);
  }
  const options: OptionValues = {};
  for (const [flag, value] of Object.entries(parsed.values)) {
    const spec = specs[flag]!;
    options[flag] = typeof value === 'string' ? checkValue(flag, spec, value) : (value as boolean | string[]);
  }
  if (options.help) return { positionals: parsed.positionals, options };
  const repeated = command.positionals.at(-1)?.repeated === true;
  const count = parsed.positionals.length;
  const required = command.positionals.filter((p) => !p.optional).length;
  if (count < required || (!repeated && count > command.positionals.length)) {
    const expected = command.positionals.map(positionalLabel).join(' ') || 'no arguments';
    throw new UsageError(`${command.name} takes ${expected}; got ${parsed.positionals.length} argument(s)`);
  }
  return { positionals: parsed.positionals, options };
}

function positionalLabel(positional: Positional): string {
  const label = positional.repeated ? `${positional.name}...` : positional.name;
  return positional.optional ? `[${label}]` : label;
}

function optionLabel(flag: string, spec: OptionSpec): string {
  switch (spec.type) {
    case 'boolean':
      return `--${flag}`;
    case 'choice':
      return `--${flag} ${spec.choices.join('|')}`;
    default:
      return `--${flag} ${spec.placeholder ?? 'N'}`;
  }
}

/** `program` and `common` are what digitlab's commands have unless a caller (a bench script) differs. */
export function commandHelp(command: CommandLine, program = 'digitlab', common: Record<string, OptionSpec> = commonOptionsOf(command)): string {
  const usage = [`${program} ${command.name}`, ...command.positionals.map(positionalLabel), '[options]'].join(' ');
  const rows: [string, string][] = [
    ...command.positionals.map((p): [string, string] => [positionalLabel(p), p.description]),
    ...Object.entries({ ...command.options, ...common }).map(([flag, spec]): [string, string] => [
      optionLabel(flag, spec),
      spec.type === 'integer' || spec.type === 'number'
        ? `${spec.description} (${spec.min} to ${spec.max})`
        : spec.description,
    ]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return [`${command.summary}\n`, `usage: ${usage}\n`, ...rows.map(([label, text]) => `  ${label.padEnd(width)}${text}`)].join('\n');
}

/** --json's output: one JSON object as the last line on stdout. */
export function printJson(context: CommandContext, value: unknown): void {
  context.stdout.write(`${JSON.stringify(value)}\n`);
}
