import type { ImportedModelFacts } from '../../store/imported-runs.ts';
import type { Run } from '../../store/store.ts';
import { describeScale, type InputScale, type OutputKind } from '../../models/imported/classifier.ts';
import { DASH } from '../format.ts';
import { CONVENTION_CHOICES, MAX_UPLOAD_BYTES, type ImportFormValues } from './upload.ts';

const CONVENTION_LABELS = { layout: 'Input layout', scale: 'Input scale', output: 'Output' } as const;

function ConventionField({ field, value }: { field: keyof typeof CONVENTION_CHOICES; value?: string }) {
  return (
    <label class="field">
      <span class="label">{CONVENTION_LABELS[field]}</span>
      <select name={field}>
        {CONVENTION_CHOICES[field].map((choice) => (
          <option value={choice} selected={choice === (value || 'auto')}>
            {choice}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Where a failed htmx import says why; the form, with its chosen file, stays as it was. */
export function ImportFailure({ message }: { message?: string }) {
  return (
    <p id="import-error" class="form-error" role="alert">
      {message ? `Nothing was imported: ${message}` : ''}
    </p>
  );
}

/**
 * Upload an outside model or prediction file. With htmx the form stays put while the model runs
 * (the button says so) and an error lands in #import-error; a plain post answers 303 to the new
 * run, or 422 with the page and this form refilled.
 */
export function ImportForm({ values = {}, error, open = false, datasets = ['mnist'] }: { values?: ImportFormValues; error?: string; open?: boolean; datasets?: string[] }) {
  return (
    <details id="import" class="card" open={open || Boolean(error)}>
      <summary>Import a model</summary>
      <form
        method="post"
        action="/runs/import"
        enctype="multipart/form-data"
        hx-post="/runs/import"
        hx-encoding="multipart/form-data"
        hx-target="#import-error"
        hx-swap="outerHTML"
        hx-disabled-elt="find button"
        class="launch-form import-form"
      >
        <p class="hint">
          An ONNX model (<code>.onnx</code>), a tfjs model (<code>model.json</code> with its <code>.bin</code> weight files, chosen
          together), or test-set predictions (<code>.npy</code> float32 [n, classes], or <code>.csv</code> with a column per class). At most{' '}
          {MAX_UPLOAD_BYTES / 1048576} MB. A model is run on the dataset's test images (MNIST's 10,000 by default), which takes a few seconds to a minute.
        </p>
        <ImportFailure message={error} />
        <div class="fields">
          <label class="field wide">
            <span class="label">File</span>
            <input type="file" name="file" multiple required accept=".onnx,.json,.bin,.npy,.csv" />
          </label>
          <label class="field wide">
            <span class="label">Name</span>
            <input type="text" name="name" value={values.name ?? ''} maxlength={200} placeholder="the file's name" />
          </label>
          <label class="field">
            <span class="label">Dataset</span>
            <select name="dataset">
              {datasets.map((name) => (
                <option value={name} selected={name === (values.dataset || 'mnist')}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <ConventionField field="layout" value={values.layout} />
          <ConventionField field="scale" value={values.scale} />
          <label class="field">
            <span class="label">Normalize (mean,std)</span>
            <input type="text" name="normalize" value={values.normalize ?? ''} placeholder="0.1307,0.3081" title="pixels in [0,1] fed as (x - mean) / std, as PyTorch's Normalize; scale must stay auto" />
          </label>
          <ConventionField field="output" value={values.output} />
        </div>
        <button type="submit">Import</button> <span class="import-progress">Importing: running the model on the test images…</span>
      </form>
    </details>
  );
}

/** The list's mark for a run from outside. */
export function ImportedMark({ run }: { run: Run }) {
  if (run.source === 'tracked') {
    return (
      <span class="badge badge-imported" title={`trained by its own script (${run.backend}) and logged through the tracking API: digitlab cannot train it again`}>
        tracked
      </span>
    );
  }
  return run.source === 'imported' ? (
    <span class="badge badge-imported" title="imported from outside digitlab: no epochs and no recipe">
      imported
    </span>
  ) : (
    ''
  );
}

const FRAMEWORKS: Record<string, string> = {
  onnx: 'ONNX (onnxruntime-node, CPU)',
  'tfjs-layers': 'tfjs layers model',
  'tfjs-graph': 'tfjs graph model',
  predictions: 'prediction file',
};

const OUTPUTS: Record<OutputKind, string> = {
  probabilities: 'probabilities',
  logits: 'logits (softmax applied)',
  'log-probabilities': 'log-probabilities (exponentials taken)',
};

/** The flag that feeds the pixels as the import did: --input-scale, or --input-normalize MEAN,STD. */
const scaleFlag = (scale: InputScale) => (scale.startsWith('normalize:') ? `--input-normalize ${scale.slice('normalize:'.length)}` : `--input-scale ${scale}`);

/** The command that imports the same file the same way. */
function importCommand(imported: ImportedModelFacts): string {
  const flags =
    imported.framework === 'predictions'
      ? [`--output ${imported.output}`]
      : [`--input-layout ${imported.inputLayout ?? 'auto'}`, scaleFlag(imported.inputScale!), `--output ${imported.output}`];
  return ['npx digitlab import', imported.fileName, ...flags].join(' ');
}

/** Why an imported (or tracked) run's page lacks what a run digitlab trained has. */
function Absences({ imported, tracked }: { imported: ImportedModelFacts; tracked: boolean }) {
  const noModel = imported.framework === 'predictions';
  return (
    <ul class="absences">
      {tracked ? '' : <li>No epochs or training curves: the model was trained outside digitlab, which sees only the finished model.</li>}
      <li>No “train it again”: digitlab does not know the {tracked ? 'script' : 'recipe'} that made it.</li>
      {imported.embedding ? '' : <li>No map of its embeddings and no discovered slices: {imported.embeddingAbsence}.</li>}
      {noModel ? (
        <li>No reading of new digits (predict, my digits) and no explanations: a prediction file holds outputs, not a model.</li>
      ) : imported.framework === 'onnx' ? (
        <li>No gradient-based explanations: onnxruntime computes no gradients, so only model-agnostic ones (occlusion) apply.</li>
      ) : (
        ''
      )}
    </ul>
  );
}

/**
 * What was imported (or logged by a tracked run's script), how digitlab feeds it, and what its page
 * cannot show; an imported run shows it in place of the hyperparameters.
 */
export function ImportedModelCard({ imported, tracked }: { imported: ImportedModelFacts; tracked: boolean }) {
  const model = imported.framework !== 'predictions';
  const rows: [string, string][] = [
    ['format', FRAMEWORKS[imported.framework] ?? imported.framework],
    ['file', imported.fileName],
    ['file sha256', imported.fileSha256],
    ...(model
      ? ([
          ['input fed', `${JSON.stringify(imported.inputShape)}${imported.inputLayout ? ` (${imported.inputLayout.toUpperCase()})` : ''}`],
          ['pixel scale', imported.inputScale ? describeScale(imported.inputScale) : DASH],
          ['penultimate layer', imported.embedding ?? `none found`],
        ] as [string, string][])
      : []),
    ['output read as', OUTPUTS[imported.output]],
  ];
  return (
    <section class="card">
      <h2>{tracked ? 'Model logged by its script' : 'Imported model'}</h2>
      <dl class="record">
        {rows.map(([key, value]) => (
          <>
            <dt>{key}</dt>
            <dd>{value}</dd>
          </>
        ))}
      </dl>
      <Absences imported={imported} tracked={tracked} />
      {tracked ? (
        ''
      ) : (
        <>
          <p class="label">Import it again</p>
          <pre class="command">{importCommand(imported)}</pre>
        </>
      )}
    </section>
  );
}

/** A tracked run's model card: the ONNX model its script logged, or why the model-based views are absent. */
export function TrackedModelCard({ imported }: { imported: ImportedModelFacts | null }) {
  if (imported) return <ImportedModelCard imported={imported} tracked />;
  return (
    <section class="card">
      <h2>No model logged</h2>
      <ul class="absences">
        <li>
          Its script logged no model (<code>run.log_model("model.onnx")</code>), so explanations, robustness, my digits and the map of its embeddings
          are absent; everything read from its test predictions is here.
        </li>
      </ul>
    </section>
  );
}
