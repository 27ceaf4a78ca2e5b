/** The run's tags; adding or removing one swaps this block in place. */
export function TagsEditor(props: {
  runId: number;
  tags: Record<string, string>;
  /** A rejected tag, shown again with why. */
  rejected?: { key: string; value: string; error: string };
}) {
  const { runId, tags } = props;
  const swap = { 'hx-target': '#tags', 'hx-swap': 'outerHTML' };
  return (
    <section id="tags">
      <h2>Tags</h2>
      <ul class="tag-editor">
        {Object.entries(tags).map(([key, value]) => (
          <li>
            <span class="tag">
              {key}
              {value ? `=${value}` : ''}
            </span>
            <button type="button" class="link" hx-delete={`/runs/${runId}/tags/${encodeURIComponent(key)}`} {...swap} aria-label={`remove tag ${key}`}>
              ×
            </button>
          </li>
        ))}
        {Object.keys(tags).length === 0 ? <li class="muted">none yet</li> : ''}
      </ul>
      <form hx-post={`/runs/${runId}/tags`} {...swap} class="inline-form">
        <input name="key" value={props.rejected?.key ?? ''} placeholder="key" aria-label="tag key" required />
        <span>=</span>
        <input name="value" value={props.rejected?.value ?? ''} placeholder="value" aria-label="tag value" />
        <button type="submit">Add tag</button>
        {props.rejected ? <span class="field-error">{props.rejected.error}</span> : ''}
      </form>
    </section>
  );
}
