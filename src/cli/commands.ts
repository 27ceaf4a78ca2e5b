import type { Command } from '../core/command.ts';
import { archiveCommand } from './archive-command.ts';
import { benchCommand } from './bench-command.ts';
import { calibrationCommand } from './calibration-command.ts';
import { compareCommand } from './compare-command.ts';
import { datasetCommand } from './dataset-command.ts';
import { datasetsCommand } from './datasets-command.ts';
import { deleteCommand } from './delete-command.ts';
import { explainCommand } from './explain-command.ts';
import { exportCommand } from './export-command.ts';
import { importCommand } from './import-command.ts';
import { labelIssuesCommand } from './label-issues-command.ts';
import { labelIssuesDecisionsCommand } from './label-issues-decisions-command.ts';
import { modelsCommand } from './models-command.ts';
import { ownDigitsCommand } from './own-digits-command.ts';
import { predictCommand } from './predict-command.ts';
import { predictionsCommand } from './predictions-command.ts';
import { robustnessCommand } from './robustness-command.ts';
import { runsCommand } from './runs-command.ts';
import { seedGroupsCommand } from './seed-groups-command.ts';
import { showCommand } from './show-command.ts';
import { slicesCommand } from './slices-command.ts';
import { sweepCancelCommand } from './sweep-cancel-command.ts';
import { sweepCommand } from './sweep-command.ts';
import { sweepResultsCommand } from './sweep-results-command.ts';
import { tokenCommand } from './token-command.ts';
import { trainCommand } from './train-command.ts';
import { workCommand } from './work-command.ts';
import { workerCommand } from './worker-command.ts';

/** Every command but `serve` (the web layer's, which src/main.ts adds), in the order `digitlab --help` lists them. */
export const COMMANDS: Command[] = [
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
  compareCommand,
  sweepCommand,
  sweepResultsCommand,
  sweepCancelCommand,
  seedGroupsCommand,
  predictCommand,
  ownDigitsCommand,
  slicesCommand,
  datasetCommand,
  datasetsCommand,
  labelIssuesCommand,
  labelIssuesDecisionsCommand,
  explainCommand,
  calibrationCommand,
  robustnessCommand,
];
