import { execFile } from 'node:child_process';

/** A Slurm command that failed: not installed, refused the job, or the controller is down. */
export class SlurmCommandError extends Error {}

/** Runs one Slurm client command and resolves its stdout; `input` goes to its stdin. */
function slurm(command: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { env: options.env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const said = stderr.trim() || err.message;
        // Slurm's own messages start with the command's name ("sbatch: error: ..."): not named twice.
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${command} is not installed (no Slurm client on this machine)` : said.startsWith(`${command}:`) ? said : `${command} ${said}`;
        reject(new SlurmCommandError(why));
      } else resolve(stdout);
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

/** Submits a batch script and resolves the job id (`--parsable` prints `id` or `id;cluster`). */
export async function sbatch(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const out = await slurm('sbatch', ['--parsable', ...args], { input: script, env });
  const id = out.trim().split(';')[0]!;
  if (!/^\d+(_\d+)?$/.test(id)) throw new SlurmCommandError(`sbatch printed no job id: ${out.trim()}`);
  return id;
}

export async function scancel(jobId: string): Promise<void> {
  await slurm('scancel', [jobId]);
}

/** The states in which a job may still start or report: any other state means it has ended. */
const LIVE_STATES = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'STOPPED']);

export const isLiveState = (state: string) => LIVE_STATES.has(state);

export interface JobState {
  /** Slurm's state name, e.g. PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT. */
  state: string;
  /** Why a pending job waits (squeue's reason), when it says. */
  reason?: string;
  /** Who cancelled it (sacct's "CANCELLED by UID"), when accounting says. */
  by?: string;
}

/** A job's state as a person reads it: "CANCELLED by uid 0", "PENDING (Resources)". */
export const describeState = (job: JobState) => `${job.state}${job.by ? ` by uid ${job.by}` : ''}${job.reason ? ` (${job.reason})` : ''}`;

/** sacct's states of jobs, where accounting is on (else none). */
async function accountedStates(jobIds: string[]): Promise<Map<string, JobState>> {
  const states = new Map<string, JobState>();
  const accounted = await slurm('sacct', ['--noheader', '--parsable2', '--allocations', '--format=JobID,State', `--jobs=${jobIds.join(',')}`]).catch(() => '');
  for (const line of accounted.split('\n')) {
    const [id, described] = line.trim().split('|');
    // sacct says e.g. "CANCELLED by 0".
    const [state, by] = (described ?? '').split(' by ');
    if (id && state) states.set(id, { state, ...(by ? { by } : {}) });
  }
  return states;
}

/**
 * What a job that is stopping says about why (asked when its worker was sent SIGTERM): accounting
 * names a cancel's user, squeue a TIMEOUT or PREEMPTED at once; "state unknown" when neither answers.
 */
export async function describeJob(jobId: string): Promise<string> {
  try {
    const job = (await accountedStates([jobId])).get(jobId) ?? (await jobStates([jobId])).get(jobId);
    return job ? describeState(job) : 'in a state neither squeue nor sacct knows';
  } catch (err) {
    return `in a state unknown (${(err as Error).message})`;
  }
}

/**
 * The state of each job: squeue knows the live ones and those that ended a few minutes ago
 * (MinJobAge); sacct, where accounting is on, the older ones. A job neither knows is absent.
 */
export async function jobStates(jobIds: string[]): Promise<Map<string, JobState>> {
  const states = new Map<string, JobState>();
  if (jobIds.length === 0) return states;
  const wanted = new Set(jobIds);
  const queue = await slurm('squeue', ['--noheader', '--states=all', '--format=%i|%T|%r']);
  for (const line of queue.split('\n')) {
    const [id, state, reason] = line.trim().split('|');
    if (id && state && wanted.has(id)) states.set(id, { state, ...(reason && reason !== 'None' ? { reason } : {}) });
  }
  const older = jobIds.filter((id) => !states.has(id));
  if (older.length > 0) {
    for (const [id, job] of await accountedStates(older)) if (wanted.has(id)) states.set(id, job);
  }
  return states;
}
