import { encodeGreyPng } from '../../data/own-digits/encode.ts';
import type { OwnDigit } from '../../data/own-digits/digit-set.ts';
import type { GreyImage } from '../../data/own-digits/grey-image.ts';
import type { Neighbour } from '../../analysis/own-digits/neighbours.ts';
import { hasPrediction, type RunPrediction, type RunWithoutModel } from '../../models/own-digits/predict.ts';
import type { PreprocessStep } from '../../data/own-digits/preprocess.ts';
import { fitLongerSide, resizeArea } from '../../data/own-digits/resample.ts';
import type { Run } from '../../store/store.ts';
import { ProbabilityChart } from '../components/probability-bars.tsx';
import { dateTime, percent } from '../format.ts';
import type { TestImages } from '../test-images.ts';
import { AttributionLegend } from '../explain/attribution.tsx';

/** Steps are shown this large at most; a 512 px working copy inline would weigh hundreds of kB. */
const THUMBNAIL_SIDE = 168;

function dataUri(image: GreyImage): string {
  const size = fitLongerSide(image.width, image.height, THUMBNAIL_SIDE);
  const shown = Math.max(image.width, image.height) > THUMBNAIL_SIDE ? resizeArea(image, size.width, size.height) : image;
  return `data:image/png;base64,${encodeGreyPng(shown).toString('base64')}`;
}

const inputImage = (input: Uint8Array): GreyImage => ({ width: 28, height: 28, pixels: Float32Array.from(input, (v) => v / 255) });

export function DrawForm({ runs }: { runs: Run[] }) {
  return (
    <form
      id="digit-form"
      class="own-digit-form"
      method="post"
      action="/own-digits/read"
      enctype="multipart/form-data"
      hx-post="/own-digits/read"
      hx-encoding="multipart/form-data"
      hx-target="#reading"
      hx-swap="outerHTML"
    >
      <div class="draw">
        <canvas
          id="digit-canvas"
          width="280"
          height="280"
          role="img"
          aria-label="Drawing area: draw one digit here with a mouse, a finger or a pen"
          style="touch-action: none; border: 1px solid #999; width: 280px; height: 280px" />
        <input type="hidden" id="digit-drawing" name="drawing" value="" />
        <button type="button" id="digit-clear">
          Clear
        </button>
      </div>
      <label>
        or upload a photo (PNG or JPEG, at most 10 MB) <input type="file" name="file" accept="image/png,image/jpeg" />
      </label>
      {runs.length > 0 && (
        <label>
          Explain with{' '}
          <select name="run">
            {runs.map((run) => (
              <option value={String(run.id)}>
                #{run.id} {run.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="submit">Read it</button>
      <script src="/static/draw.js"></script>
    </form>
  );
}

/**
 * A step's image inside a 168 px square, its aspect ratio kept: a thin stroke's crop is 168 px
 * tall and a few wide, not 168 wide and ten times as tall.
 */
function StepImage({ step }: { step: PreprocessStep }) {
  const shown = fitLongerSide(step.image.width, step.image.height, THUMBNAIL_SIDE);
  return <img src={dataUri(step.image)} alt={step.name} width={shown.width} height={shown.height} style="image-rendering: pixelated; background: #000" />;
}

function Steps({ steps }: { steps: PreprocessStep[] }) {
  return (
    <ol class="preprocess-steps" style="display: flex; flex-wrap: wrap; gap: 1em; list-style: none; padding: 0">
      {steps.map((step) => (
        <li>
          <figure style="margin: 0; width: 168px">
            <StepImage step={step} />
            <figcaption>
              <strong>{step.name}</strong>: {step.caption}
            </figcaption>
          </figure>
        </li>
      ))}
    </ol>
  );
}

/** One run's reading: the class it reads, in its dataset's names, and its bars. */
function RunReading({ reading: p, dataset }: { reading: RunPrediction; dataset: { name: string; classNames: string[] } }) {
  return (
    <figure style="margin: 0; width: 360px">
      <figcaption>
        <a href={`/runs/${p.runId}`}>
          #{p.runId} {p.runName}
        </a>
        : reads <strong>{dataset.classNames[p.predicted]}</strong> ({percent(p.probabilities[p.predicted]!, 1)})
        {dataset.name !== 'mnist' && <span class="muted"> of {dataset.name}</span>}
      </figcaption>
      <ProbabilityChart probabilities={Float32Array.from(p.probabilities)} label={p.predicted} predicted={p.predicted} classNames={dataset.classNames} />
    </figure>
  );
}

function Readings({ predictions, datasets }: Pick<Reading, 'predictions' | 'datasets'>) {
  if (predictions.length === 0) return <p>No completed runs yet: train one to see what it reads.</p>;
  return (
    <div class="run-readings" style="display: flex; flex-wrap: wrap; gap: 1.5em">
      {predictions.map((p) => hasPrediction(p) ? (
        <RunReading reading={p} dataset={datasets.get(p.runId)!} />
      ) : (
        <p class="hint" style="margin: 0; width: 360px">
          <a href={`/runs/${p.runId}`}>
            #{p.runId} {p.runName}
          </a>{' '}
          reads nothing: it {p.absence}.
        </p>
      ))}
    </div>
  );
}

function Why({ why }: { why: NonNullable<Reading['why']> }) {
  const images = why.trainImages;
  return (
    <section class="own-why">
      <h3>Why run #{why.run.id} reads {why.classNames[why.predicted]}</h3>
      {why.map ? (
        <>
          <img src={why.map} width="168" height="168" alt={`integrated-gradients map for ${why.predicted}`} style="image-rendering: pixelated" />
          <AttributionLegend method="ig" target={why.classNames[why.predicted]} />
        </>
      ) : (
        <p class="muted">No attribution map: {why.noGradients}.</p>
      )}
      <h3>Nearest {why.run.dataset === 'mnist' ? 'MNIST' : why.run.dataset} training images in its embedding</h3>
      {why.neighbours ? (
        <div class="neighbours">
          {why.neighbours.map((n) => (
            <figure style="display: inline-block; margin: 0 4px 4px 0; text-align: center; font-size: 0.75rem">
              <img src={images.dataUri(n.index)} alt={`training image ${n.index}, label ${why.classNames[images.labels[n.index]!]}`} width="56" style="image-rendering: pixelated" title={`training image ${n.index}, distance ${n.distance.toFixed(2)}`} />
              <figcaption>{why.classNames[images.labels[n.index]!]}</figcaption>
            </figure>
          ))}
        </div>
      ) : why.noGradients ? (
        <p class="muted">No nearest training images: {why.noGradients}.</p>
      ) : (
        <p class="muted">The embeddings of the training images it learned from are being computed for run #{why.run.id} (once per run, in the background, under a minute): read the picture again shortly.</p>
      )}
    </section>
  );
}

export interface Reading {
  /** The token under which the server holds the picture until it is kept (HeldPictures). */
  held: string;
  /** The picture's file name, or "drawing". */
  name: string;
  steps: PreprocessStep[];
  predictions: (RunPrediction | RunWithoutModel)[];
  /** Each reading run's dataset and what its classes are called. */
  datasets: Map<number, { name: string; classNames: string[] }>;
  /** The chosen run's map of the digit and its nearest training images (null until they are computed), among its dataset's. */
  why: {
    run: Run; predicted: number; map: string | null; noGradients: string | null; neighbours: Neighbour[] | null;
    classNames: string[]; trainImages: TestImages;
  } | null;
}

/**
 * The digit more than half the MNIST runs that read the picture agree on, with its votes; null
 * when none is. The set holds digits: a run of another dataset's class 2 is no vote for a 2.
 */
function majorityReading({ predictions, datasets }: Pick<Reading, 'predictions' | 'datasets'>): { digit: number; votes: number; of: number } | null {
  const digits = predictions.filter(hasPrediction).filter((p) => datasets.get(p.runId)!.name === 'mnist').map((p) => p.predicted);
  const digit = digits.find((d) => digits.filter((x) => x === d).length * 2 > digits.length);
  return digit === undefined ? null : { digit, votes: digits.filter((x) => x === digit).length, of: digits.length };
}

/**
 * The label a kept picture gets. Only a majority of the runs preselects it, and the page says so:
 * one run's guess, preselected, is kept by whoever does not look twice.
 */
function LabelChoice({ predictions, datasets }: Pick<Reading, 'predictions' | 'datasets'>) {
  const majority = majorityReading({ predictions, datasets });
  const why = majority
    ? `Preselected: ${majority.digit}, what ${majority.votes} of ${majority.of} runs read. Change it if it is not what you wrote.`
    : predictions.some(hasPrediction)
      ? 'Nothing preselected: no digit is read by more than half the runs. Choose what you wrote.'
      : 'Choose what you wrote.';
  return (
    <>
      <label>
        It is a{' '}
        <select name="label" required aria-describedby="label-choice-why">
          <option value="" selected={!majority}>
            choose…
          </option>
          {[...Array(10).keys()].map((d) => (
            <option value={String(d)} selected={d === majority?.digit}>
              {d}
            </option>
          ))}
        </select>
      </label>
      <span id="label-choice-why" class="muted label-choice-why">
        {why}
      </span>
    </>
  );
}

/** What the page shows for one picture; the keep form names the picture the server holds, so nothing is stored until asked. */
export function ReadingResult({ reading }: { reading: Reading }) {
  return (
    <section id="reading">
      <h2>
        Preprocessing <span class="reading-of">{reading.name}</span>
      </h2>
      <Steps steps={reading.steps} />
      <h2>What every completed run reads</h2>
      <Readings predictions={reading.predictions} datasets={reading.datasets} />
      {reading.why && <Why why={reading.why} />}
      {/* Multipart, like the reading form: the server reads every picture form through one streaming reader. */}
      <form id="keep-picture" method="post" action="/own-digits" enctype="multipart/form-data" hx-post="/own-digits" hx-encoding="multipart/form-data" hx-target="#own-set" hx-swap="outerHTML" class="inline-form">
        <input type="hidden" name="held" value={reading.held} />
        <LabelChoice predictions={reading.predictions} datasets={reading.datasets} />
        <button type="submit">Keep in my digits</button>
      </form>
    </section>
  );
}

/** In the keep form's place once the picture is kept (htmx swaps it out of band): a second press would find it gone. */
export function KeptPicture({ label }: { label: number }) {
  return (
    <p id="keep-picture" hx-swap-oob="outerHTML" class="muted">
      Kept in my digits as a {label}.
    </p>
  );
}

/** Where a reading goes; a picture that cannot be read says why in the same place. */
export function ReadingMessage({ message }: { message?: string }) {
  return <section id="reading">{message && <p class="flash-error">{message}</p>}</section>;
}

export function OwnSet({ digits }: { digits: OwnDigit[] }) {
  return (
    <section id="own-set">
      <h2>My digits ({digits.length})</h2>
      {digits.length === 0 ? (
        <p>None kept yet: read a picture and keep it with its label.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Input</th>
              <th>Label</th>
              <th>From</th>
              <th>Added</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {digits.map((digit) => (
              <tr>
                <td>
                  <img src={dataUri(inputImage(digit.input))} alt={`own digit ${digit.id}`} width="28" />
                </td>
                <td>{digit.label}</td>
                <td>{digit.name}</td>
                <td>{dateTime(digit.createdAt)}</td>
                <td>
                  <form method="post" action={`/own-digits/${digit.id}/delete`} hx-post={`/own-digits/${digit.id}/delete`} hx-target="#own-set" hx-swap="outerHTML" hx-confirm="Remove this digit from your set?">
                    <button type="submit">Remove</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div hx-get="/own-digits/scores" hx-trigger="load" hx-swap="outerHTML">
        Scoring the runs on these digits…
      </div>
    </section>
  );
}

export type RunScore = { run: Run } & ({ correct: number; count: number; accuracy: number | null } | { absence: string });

/** The run page's place for its accuracy on the person's digits, loaded after the page: it runs the model. */
export function RunOwnDigitsScore({ runId }: { runId: number }) {
  return (
    <section class="card">
      <h2>
        On <a href="/own-digits">my digits</a>
      </h2>
      <div hx-get={`/own-digits/scores?run=${runId}`} hx-trigger="load" hx-swap="outerHTML">
        Scoring…
      </div>
    </section>
  );
}

/** Each run's accuracy on the person's digits; the run page loads it with `?run=ID`. */
export function OwnScores({ scores }: { scores: RunScore[] }) {
  return (
    <table class="own-scores">
      <thead>
        <tr>
          <th>Run</th>
          <th>Test accuracy (its dataset)</th>
          <th>Accuracy on my digits</th>
        </tr>
      </thead>
      <tbody>
        {scores.map((score) => (
          <tr>
            <td>
              <a href={`/runs/${score.run.id}`}>
                #{score.run.id} {score.run.name}
              </a>
            </td>
            <td>
              {percent(score.run.testAccuracy)}
              {score.run.dataset === 'mnist' ? '' : <span class="muted"> on {score.run.dataset}</span>}
            </td>
            <td>{'absence' in score ? `none: it ${score.absence}` : `${percent(score.accuracy)} (${score.correct}/${score.count})`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
