import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError, type Command, type CommandContext } from '../../src/core/command.ts';
import { DomainError, type ErrorKind } from '../../src/core/errors.ts';
import { runCli } from '../../src/cli/run-cli.ts';

class Failed extends DomainError {
  constructor(readonly kind: ErrorKind) {
    super(`a ${kind} failure`);
  }
}

/** runCli with one command, `fail`, that throws `err`; its exit code and stderr. */
async function failWith(err: unknown) {
  let stderr = '';
  const context: CommandContext = {
    stdout: new Writable({ write: (_chunk, _encoding, done) => done() }),
    stderr: new Writable({ write: (chunk, _encoding, done) => ((stderr += String(chunk)), done()) }),
    env: {},
  };
  const fail: Command = { name: 'fail', summary: 'throws', positionals: [], options: {}, run: async () => { throw err; } };
  return { code: await runCli(['fail'], [fail], context), stderr };
}

describe('runCli answers a thrown error by its kind', () => {
  it.each([
    ['invalid', 2],
    ['not-found', 2],
    ['too-large', 2],
    ['unavailable', 2],
    ['conflict', 1],
  ] as const)('%s exits %i with the message and no stack', async (kind, code) => {
    const result = await failWith(new Failed(kind));
    expect(result.code).toBe(code);
    expect(result.stderr).toBe(`digitlab fail: a ${kind} failure\n`);
  });

  it('points a usage error to --help, and exits 1 on anything unexpected', async () => {
    expect(await failWith(new UsageError('--x must be 1'))).toEqual({ code: 2, stderr: 'digitlab fail: --x must be 1\n(see digitlab fail --help)\n' });
    expect(await failWith(new Error('disk on fire'))).toEqual({ code: 1, stderr: 'digitlab fail: disk on fire\n' });
  });
});
