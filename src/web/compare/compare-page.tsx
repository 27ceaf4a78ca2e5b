import type { PairedRuns, RunComparison } from '../../analysis/compare/run-comparison.ts';
import type { EceDifference } from '../../analysis/calibration/reliability.ts';
import type { StoredRobustness } from '../../analysis/robustness/robustness-store.ts';
import type { SeedGroup } from '../../analysis/seed-groups.ts';
import { spreadText } from '../../analysis/statistics/spread.ts';
import type { EpochMetric, Run } from '../../store/store.ts';
import { chartViewQuery, epochDomain, type ChartView } from '../chart-view.ts';
import { ChartControls } from '../components/chart-controls.tsx';
import { Layout } from '../components/layout.tsx';
import { LineChart } from '../components/line-chart.tsx';
import { fixed, percent } from '../format.ts';
import type { TestImages } from '../test-images.ts';
import { PairSection, type KeepPart } from './pair-section.tsx';
import { ParamsTable } from './params-table.tsx';
import { colourOf, EPOCH_METRICS, groupSeries, robustnessSeries, runSeries } from './series.ts';
import { COMPARE_STYLES } from './styles.ts';

/** A pair compared image by image, or why it could not be. */
/** A pair compared, with `keep` to draw a part of it once (both runs are completed, so it never changes); or why it was refused. */
export type PairOutcome = { paired: PairedRuns; comparison: RunComparison; ece: EceDifference | null; keep: KeepPart } | { refused: string };

export interface ComparePageData {
  runs: Run[];
  showAllParams: boolean;
  /** How the per-epoch curves are drawn (log-scale loss, an epoch range), from the URL. */
  chartView: ChartView;
  histories: EpochMetric[][];
  groups: SeedGroup[];
  /** runs[1] against runs[0], then each further run against runs[0]. */
  pairs: PairOutcome[];
  images: TestImages;
  /** Runs just queued by "queue more seeds", to say so. */
  queued?: number[];
  /** Each run's stored robustness curves, in the order of `runs`; null where none were computed. */
  robustness: (StoredRobustness | null)[];
}

/** Every run's robustness curves on one chart per transform, seed groups as mean ± sd bands. */
function RobustnessOverlay({ runs, robustness, groups }: { runs: Run[]; robustness: (StoredRobustness | null)[]; groups: SeedGroup[] }) {
  const transforms = [...new Map(robustness.flatMap((r) => r?.curves ?? []).map((c) => [c.name, c.unit])).entries()];
  const missing = runs.filter((_, i) => !robustness[i]);
  return (
    <section id="robustness-overlay" class="compare-section">
      <h2>Robustness</h2>
      {transforms.length > 0 ? (
        <p class="muted">Test accuracy as each transform grows. Runs that differ only in seed are drawn as their mean, shaded one standard deviation either side.</p>
      ) : (
        ''
      )}
      {missing.length > 0 ? (
        <p class="muted">
          No robustness curves yet for{' '}
          {missing.map((run, i) => (
            <>
              {i > 0 ? ', ' : ''}
              <a href={`/runs/${run.id}#robustness`}>run {run.id}</a>
            </>
          ))}
          : compute them on the run page.
        </p>
      ) : (
        ''
      )}
      <div class="charts robustness-charts">
        {transforms.map(([name, unit]) => (
          <LineChart title={`${name}: test accuracy`} series={robustnessSeries(runs, robustness, groups, name)} xLabel={unit} unit="percent" />
        ))}
      </div>
    </section>
  );
}

/** This page with `first` as A and the rest in their order, keeping the page's other settings. */
function withBaseline(runs: Run[], first: number, keep: string): string {
  const ids = [first, ...runs.map((run) => run.id).filter((id) => id !== first)];
  return `/compare?runs=${ids.join(',')}${keep ? `&${keep}` : ''}`;
}

/** A is the baseline every Δ and every image-by-image test is taken against: swap it with B, or make any run A. */
function BaselineChoice({ runs, keep }: { runs: Run[]; keep: string }) {
  return (
    <p class="baseline-choice">
      A is the baseline: <a href={withBaseline(runs, runs[1]!.id, keep)}>swap A and B</a>
      {runs.length > 2 ? (
        <>
          {' '}
          · make A:{' '}
          {runs.slice(2).map((run, i) => (
            <>
              {i > 0 ? ', ' : ''}
              <a href={withBaseline(runs, run.id, keep)}>run {run.id}</a>
            </>
          ))}
        </>
      ) : (
        ''
      )}
    </p>
  );
}

function MetricTable({ runs, histories }: { runs: Run[]; histories: EpochMetric[][] }) {
  const baseline = runs[0]!.testAccuracy;
  return (
    <table class="compare-metrics compare-table">
      <thead>
        <tr>
          <th>run</th>
          <th>test accuracy</th>
          <th>Δ vs A (points)</th>
          <th>test loss</th>
          <th>last val accuracy</th>
          <th>last val loss</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run, i) => {
          const last = histories[i]!.at(-1);
          const delta = baseline !== null && run.testAccuracy !== null ? (run.testAccuracy - baseline) * 100 : null;
          return (
            <tr>
              <th style={`color:${colourOf(i)}`}>
                <a href={`/runs/${run.id}`}>
                  {i === 0 ? 'A: ' : i === 1 ? 'B: ' : ''}run {run.id}
                </a>{' '}
                <span class="muted">{run.name}</span>
                {runs.some((r) => r.dataset !== runs[0]!.dataset) ? <span class="badge badge-dataset">{run.dataset}</span> : ''}
              </th>
              <td class="num">{percent(run.testAccuracy)}</td>
              <td class="num" title={run.dataset !== runs[0]!.dataset ? `on ${run.dataset}, not ${runs[0]!.dataset}: accuracies on two test sets` : undefined}>
                {delta === null || run.dataset !== runs[0]!.dataset ? '–' : `${delta >= 0 ? '+' : ''}${delta.toFixed(2)}`}
              </td>
              <td class="num">{fixed(run.testLoss)}</td>
              <td class="num">{percent(last?.valAccuracy)}</td>
              <td class="num">{fixed(last?.valLoss)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function SeedGroups({ groups, view }: { groups: SeedGroup[]; view: ChartView }) {
  const repeated = groups.filter((group) => group.runIds.length > 1);
  if (repeated.length === 0) return null;
  return (
    <section id="seed-groups" class="compare-section">
      <h2>Seed groups</h2>
      <p class="muted">Completed runs whose hyperparameters differ only in seed: the seed-to-seed spread is what a difference has to beat.</p>
      <table class="compare-table">
        <thead>
          <tr>
            <th>runs</th>
            <th>seeds</th>
            <th>test accuracy (mean ± sd)</th>
            <th>test loss (mean ± sd)</th>
          </tr>
        </thead>
        <tbody>
          {repeated.map((group, i) => (
            <tr>
              <th style={`color:${colourOf(i)}`}>{group.runIds.join(', ')}</th>
              <td>{group.seeds.join(', ')}</td>
              <td class="num">{spreadText(group.testAccuracy, (v) => percent(v))}</td>
              <td class="num">{spreadText(group.testLoss, (v) => fixed(v))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="charts">
        {EPOCH_METRICS.slice(0, 2).map(({ key, title, unit }) => (
          <LineChart title={`${title}, mean ± sd over seeds`} series={groupSeries(repeated, key)} xLabel="Epoch" unit={unit} {...epochChart(view, unit, groups.map((g) => g.epochs.length))} />
        ))}
      </div>
    </section>
  );
}

/** One chart per epoch metric that any run has points for; the metrics none has are named, not drawn empty. */
/** An epoch chart's range and scale under the page's view: zoomed to its epochs, log only for a loss. */
function epochChart(view: ChartView, unit: 'plain' | 'percent', epochCounts: number[]) {
  const planned = Math.max(1, ...epochCounts);
  const zoomed = view.fromEpoch !== undefined || view.toEpoch !== undefined;
  return { logY: view.logY && unit === 'plain', xDomain: zoomed ? epochDomain(view, planned, false) : undefined };
}

function EpochCurves({ runs, histories, chartView, showAll }: Pick<ComparePageData, 'runs' | 'histories' | 'chartView'> & { showAll: boolean }) {
  const charts = EPOCH_METRICS.map(({ key, title, unit }) => ({ title, unit, series: runSeries(runs, histories, key) }));
  const drawn = charts.filter((chart) => chart.series.some((s) => s.points.length > 0));
  const absent = charts.filter((chart) => !drawn.includes(chart)).map((chart) => chart.title);
  return (
    <section id="curves" class="compare-section">
      <h2>Per-epoch curves</h2>
      <ChartControls view={chartView} keep={{ runs: runs.map((run) => run.id).join(','), ...(showAll ? { all: '1' } : {}) }} epochs={Math.max(1, ...histories.map((h) => h.length))} />
      {absent.length > 0 ? (
        <p class="muted">
          No {absent.join(' or ')} yet: no epoch has finished, or these runs held out no validation data.
        </p>
      ) : null}
      <div class="charts">
        {drawn.map(({ title, unit, series }) => (
          <LineChart title={title} series={series} xLabel="Epoch" unit={unit} {...epochChart(chartView, unit, histories.map((h) => h.length))} />
        ))}
      </div>
    </section>
  );
}

function OtherPairs({ runs, pairs }: { runs: Run[]; pairs: PairOutcome[] }) {
  if (pairs.length < 2) return null;
  const ids = runs.map((run) => run.id);
  return (
    <section id="other-pairs" class="compare-section">
      <h2>The other runs against A</h2>
      <ul>
        {pairs.slice(1).map((pair, i) => {
          const run = runs[i + 2]!;
          const reordered = [ids[0], run.id, ...ids.filter((id, j) => j > 0 && id !== run.id)].join(',');
          return (
            <li>
              run {run.id} as B: {'refused' in pair ? pair.refused : `${pair.comparison.verdict}.`}{' '}
              <a href={`/compare?runs=${reordered}`}>details</a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function ComparePage({ runs, showAllParams, histories, groups, pairs, images, queued, robustness, chartView }: ComparePageData) {
  const first = pairs[0]!;
  const keep = [showAllParams ? 'all=1' : '', chartViewQuery(chartView)].filter(Boolean).join('&');
  return (
    <Layout title={`Compare runs ${runs.map((run) => run.id).join(', ')}`}>
      <style>{COMPARE_STYLES}</style>
      <h1>Compare runs {runs.map((run) => run.id).join(', ')}</h1>
      <BaselineChoice runs={runs} keep={keep} />
      <MetricTable runs={runs} histories={histories} />
      <ParamsTable runs={runs} all={showAllParams} />
      <EpochCurves runs={runs} histories={histories} chartView={chartView} showAll={showAllParams} />
      {'refused' in first ? (
        <section id="pair" class="compare-section">
          <h2>Image by image</h2>
          <p class="refused">{first.refused}</p>
        </section>
      ) : (
        <PairSection paired={first.paired} comparison={first.comparison} ece={first.ece} images={images} queued={queued} keep={first.keep} />
      )}
      <OtherPairs runs={runs} pairs={pairs} />
      <RobustnessOverlay runs={runs} robustness={robustness} groups={groups} />
      <SeedGroups groups={groups} view={chartView} />
    </Layout>
  );
}
