import type { ModelSummary } from '../../models/model-spec.ts';

const count = (n: number) => n.toLocaleString('en-US');

/** Keras' model.summary() as a table: layer, output shape, parameters, then the totals. */
export function ModelSummaryTable({ summary }: { summary: ModelSummary }) {
  const nonTrainable = summary.totalParameters - summary.trainableParameters;
  return (
    <div class="table-wrap">
      <table class="runs model-summary">
        <thead>
          <tr>
            <th>Layer</th>
            <th>Output shape</th>
            <th class="num">Params</th>
          </tr>
        </thead>
        <tbody>
          {summary.rows.map((row) => (
            <tr>
              <td>{row.layer}</td>
              <td>({row.outputShape.join(', ')})</td>
              <td class="num">{count(row.parameters)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td colspan={2}>
              Total
              {nonTrainable > 0 ? <small class="muted"> ({count(nonTrainable)} not trainable: batch norm's moving statistics)</small> : ''}
            </td>
            <td class="num">{count(summary.totalParameters)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
