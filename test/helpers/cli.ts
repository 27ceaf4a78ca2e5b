import { Writable } from 'node:stream';
import type { CommandContext } from '../../src/core/command.ts';
import { main } from '../../src/main.ts';

/** Runs the CLI in-process with captured output streams. */
export async function runCliCaptured(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const context: CommandContext = {
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    env,
  };
  const code = await main(argv, context);
  return { code, stdout, stderr, lastJson: () => JSON.parse(stdout.trim().split('\n').at(-1)!) };
}
