import { archiveCommand } from './archive-command.ts';
import { benchCommand } from './bench-command.ts';
import type { Command } from '../core/command.ts';
import { deleteCommand } from './delete-command.ts';
import { exportCommand } from './export-command.ts';
import { importCommand } from './import-command.ts';
import { modelsCommand } from './models-command.ts';
import { predictionsCommand } from './predictions-command.ts';
import { runsCommand } from './runs-command.ts';
import { showCommand } from './show-command.ts';
import { trainCommand } from './train-command.ts';
import { workCommand } from './work-command.ts';
import { tokenCommand } from './token-command.ts';
import { workerCommand } from './worker-command.ts';

/** The experiment-tracking commands; src/main.ts adds those of the other layers. */
export const EXPERIMENT_COMMANDS: Command[] = [
  trainCommand,
  runsCommand,
  showCommand,
  deleteCommand,
  archiveCommand,
  exportCommand,
  importCommand,
  predictionsCommand,
  modelsCommand,
  benchCommand,
  workCommand,
  tokenCommand,
  workerCommand,
];
