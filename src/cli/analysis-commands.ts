import type { Command } from '../core/command.ts';
import { calibrationCommand } from './calibration-command.ts';
import { compareCommand } from './compare-command.ts';
import { datasetCommand } from './dataset-command.ts';
import { explainCommand } from './explain-command.ts';
import { labelIssuesDecisionsCommand } from './label-issues-decisions-command.ts';
import { labelIssuesCommand } from './label-issues-command.ts';
import { ownDigitsCommand } from './own-digits-command.ts';
import { predictCommand } from './predict-command.ts';
import { robustnessCommand } from './robustness-command.ts';
import { seedGroupsCommand } from './seed-groups-command.ts';
import { slicesCommand } from './slices-command.ts';
import { sweepCancelCommand } from './sweep-cancel-command.ts';
import { sweepCommand } from './sweep-command.ts';
import { sweepResultsCommand } from './sweep-results-command.ts';

/** The analysis commands (slices, compare, predict); src/main.ts adds them to the CLI. */
export const ANALYSIS_COMMANDS: Command[] = [
  compareCommand,
  sweepCommand,
  sweepResultsCommand,
  sweepCancelCommand,
  seedGroupsCommand,
  predictCommand,
  ownDigitsCommand,
  slicesCommand,
  datasetCommand,
  labelIssuesCommand,
  labelIssuesDecisionsCommand,
  explainCommand,
  calibrationCommand,
  robustnessCommand,
];
