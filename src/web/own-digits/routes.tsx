import { Hono, type Context } from 'hono';
import type { Child } from 'hono/jsx';
import { HTTPException } from 'hono/http-exception';
import { attributionPng } from '../../analysis/explain/attribution-png.ts';
import { RunHasNoModelError } from '../../models/run-model.ts';
import { UnreadableImageError } from '../../data/own-digits/decode.ts';
import { ERROR_KINDS } from '../../core/errors.ts';
import { addOwnDigit, deleteOwnDigit, listOwnDigits } from '../../data/own-digits/digit-set.ts';
import { notScoredOnDigits, predictWithRuns, scoreRunOnOwnDigits, type RunProbabilities } from '../../models/own-digits/predict.ts';
import { nearestVectors } from '../../analysis/own-digits/neighbours.ts';
import { preprocessInThread } from '../../data/own-digits/preprocess-in-thread.ts';
import { getRun, listRuns, type Run } from '../../store/store.ts';
import { Layout } from '../components/layout.tsx';
import type { WebDeps } from '../deps.ts';
import { withUploadedForm, type ReceivedForm } from '../uploads-to-disk.ts';
import { queryInt } from '../params.ts';
import { DrawForm, KeptPicture, OwnScores, OwnSet, ReadingMessage, ReadingResult, type Reading, type RunScore } from './components.tsx';
import { HeldPictures, NO_LONGER_HELD, type HeldPicture } from './held-pictures.ts';
import { labelFromForm, PICTURE_FORM_LIMITS, pictureFromForm } from './picture-upload.ts';

const NEIGHBOURS = 12;

/** The pages read and predict, nothing more: they need the store and the test images. */
type OwnDigitsDeps = Pick<WebDeps, 'db' | 'images' | 'datasets' | 'jobs' | 'explainer'>;

/** Runs' models answer in the server's model thread, not on its event loop (loading one takes a tenth of a second or more). */
const inThread = (deps: OwnDigitsDeps): RunProbabilities => (_db, run, pixels, count) => deps.explainer.probabilities(run, pixels, count);

const completedRuns = (deps: OwnDigitsDeps) => listRuns(deps.db, { statuses: ['completed'] });

async function readPicture(deps: OwnDigitsDeps, held: HeldPictures, picture: { bytes: Uint8Array; name: string }, neighbourRun: Run | undefined): Promise<Reading> {
  // Each run reads the picture as its dataset was made: MNIST's runs through the digit
  // preprocessing (ink found, centred by mass), other datasets' as a picture folder's pictures
  // were (greyscale, area-averaged to 28x28, inverted when the border is light). Both in the thread.
  const runs = completedRuns(deps);
  const others = runs.filter((run) => run.dataset !== 'mnist');
  const digit = await preprocessInThread(picture.bytes, { asPicture: others.length > 0 });
  const asMade = digit.asPicture && Float32Array.from(digit.asPicture, (v) => v / 255);
  const inputOf = (run: Run) => (run.dataset === 'mnist' || !asMade ? digit.input : asMade);
  const readings = [
    ...(await predictWithRuns(deps.db, runs.filter((run) => run.dataset === 'mnist'), digit.input, inThread(deps))),
    ...(asMade ? await predictWithRuns(deps.db, others, asMade, inThread(deps)) : []),
  ];
  const order = new Map(runs.map((run, i) => [run.id, i]));
  const predictions = readings.sort((a, b) => order.get(a.runId)! - order.get(b.runId)!);
  const datasets = new Map(runs.map((run) => [run.id, { name: run.dataset, classNames: deps.datasets.classNames(run.dataset) }]));
  const why = neighbourRun ? await explainIfModel(deps, neighbourRun, inputOf(neighbourRun)) : null;
  return { held: held.hold({ ...picture, input: digit.input }), name: picture.name, steps: digit.steps, predictions, datasets, why };
}

/** No why panel for a run imported from a prediction file: its place in the readings already says it has no model. */
async function explainIfModel(deps: OwnDigitsDeps, run: Run, input: Float32Array): Promise<Reading['why']> {
  try {
    return await explainDigit(deps, run, input);
  } catch (err) {
    if (err instanceof RunHasNoModelError) return null;
    throw err;
  }
}

/**
 * The chosen run's integrated-gradients map of the digit and its nearest training images. The
 * training embeddings are computed once per run, in a thread: until they exist the page says so.
 */
async function explainDigit(deps: OwnDigitsDeps, run: Run, input: Float32Array): Promise<NonNullable<Reading['why']>> {
  const embeddings = deps.jobs.trainEmbeddingsStatus(run);
  const { probabilities, attribution, embedding, noGradients } = await deps.explainer.explain(run, input, null, 'ig', embeddings.state === 'ready');
  const predicted = probabilities.indexOf(Math.max(...probabilities));
  const hasGradients = !('absent' in attribution);
  const map = hasGradients ? attributionPng(attribution.map, input, 6) : null;
  // An imported model has no tfjs layers to embed the training images with: nothing to wait for,
  // and the panel says why (noGradients).
  let list = null;
  if (embeddings.state === 'ready' && embedding instanceof Float32Array) list = nearestVectors(embeddings.value.vectors, embeddings.value.dimensions, embedding, NEIGHBOURS);
  else if (hasGradients && embeddings.state !== 'ready') deps.jobs.trainEmbeddings(run).catch(() => {}); // the failure shows on the next reading
  return {
    run, predicted, map: map && `data:image/png;base64,${map.toString('base64')}`, noGradients, neighbours: list,
    classNames: deps.datasets.classNames(run.dataset), trainImages: deps.datasets.train(run.dataset),
  };
}

function OwnDigitsPage({ deps, reading }: { deps: OwnDigitsDeps; reading?: Reading }) {
  return (
    <Layout title="My digits">
      <h1>My digits</h1>
      <p>Draw a digit or upload a photo of one: see each preprocessing step and what every completed run reads.</p>
      <DrawForm runs={completedRuns(deps)} />
      {reading ? <ReadingResult reading={reading} /> : <ReadingMessage />}
      <OwnSet digits={listOwnDigits(deps.db)} />
    </Layout>
  );
}

const isFragment = (c: Context) => Boolean(c.req.header('HX-Request'));

/** After a change to the set: the set fragment (with what else changed) for htmx, else back to the page (post/redirect/get). */
const setChanged = (c: Context, deps: OwnDigitsDeps, alongside: Child = null) =>
  isFragment(c)
    ? c.html(
        <>
          <OwnSet digits={listOwnDigits(deps.db)} />
          {alongside}
        </>,
      )
    : c.redirect('/own-digits', 303);

/**
 * A picture form's body, streamed to a scratch folder as it arrives (a photo runs to 10 MB, which
 * parsed whole would hold the event loop), and what `take` makes of it before the folder goes.
 */
const pictureForm = <T,>(c: Context, take: (form: ReceivedForm) => Promise<T>) => withUploadedForm(c.req.raw, PICTURE_FORM_LIMITS, take);

/** The keep form's picture: one held since its reading (the page's form), else one sent with it (a script's). */
async function pictureToKeep(form: ReceivedForm, held: HeldPictures): Promise<HeldPicture> {
  if (form.fields.held !== undefined) {
    const picture = held.take(form.fields.held);
    if (!picture) throw new HTTPException(410, { message: NO_LONGER_HELD });
    return picture;
  }
  const picture = await pictureFromForm(form);
  return { ...picture, input: (await preprocessInThread(picture.bytes)).input };
}

export function ownDigitsRoutes(deps: OwnDigitsDeps): Hono {
  const held = new HeldPictures();
  return new Hono()
    .get('/own-digits', (c) => c.html(<OwnDigitsPage deps={deps} />))
    .post('/own-digits/read', async (c) => {
      const { run, picture } = await pictureForm(c, async (form) => ({ run: form.fields.run, picture: await pictureFromForm(form) }));
      const runId = run !== undefined && /^[0-9]{1,15}$/.test(run) ? Number(run) : undefined;
      const neighbourRun = runId === undefined ? completedRuns(deps)[0] : getRun(deps.db, runId);
      try {
        const reading = await readPicture(deps, held, picture, neighbourRun);
        return isFragment(c)
          ? c.html(<ReadingResult reading={reading} />)
          : c.html(<OwnDigitsPage deps={deps} reading={reading} />);
      } catch (err) {
        if (!(err instanceof UnreadableImageError)) throw err;
        // The form's own answer, swapped by htmx in place of a reading: 422 when the picture arrived
        // but says nothing readable, as re-rendered forms answer; other kinds (too large) keep their status.
        return c.html(<ReadingMessage message={err.message} />, err.kind === 'invalid' ? 422 : ERROR_KINDS[err.kind].status);
      }
    })
    .post('/own-digits', async (c) => {
      // The label is checked first: a bad one loses no held picture.
      const { label, picture } = await pictureForm(c, async (form) => {
        const label = labelFromForm(form);
        return { label, picture: await pictureToKeep(form, held) };
      });
      addOwnDigit(deps.db, { bytes: picture.bytes, label, name: picture.name }, picture);
      return setChanged(c, deps, <KeptPicture label={label} />);
    })
    .post('/own-digits/:id{[0-9]{1,15}}/delete', (c) => {
      deleteOwnDigit(deps.db, Number(c.req.param('id')));
      return setChanged(c, deps);
    })
    .get('/own-digits/scores', async (c) => {
      const runId = queryInt(c, 'run', { min: 1, max: Number.MAX_SAFE_INTEGER });
      const runs = runId === undefined ? completedRuns(deps) : [getRun(deps.db, runId)];
      const scores: RunScore[] = [];
      for (const run of runs) {
        const notScored = notScoredOnDigits(run);
        if (notScored) {
          scores.push({ run, absence: notScored });
          continue;
        }
        try {
          scores.push({ run, ...(await scoreRunOnOwnDigits(deps.db, run, inThread(deps))) });
        } catch (err) {
          if (!(err instanceof RunHasNoModelError)) throw err;
          scores.push({ run, absence: err.why });
        }
      }
      return c.html(<OwnScores scores={scores} />);
    });
}
