export const MAX_NOTE_LENGTH = 10_000;

/** A free-text note; saving swaps this block, saying it was saved or why not. */
export function NoteEditor(props: { runId: number; note: string; status?: { saved: true } | { error: string } }) {
  const { status } = props;
  return (
    <form id="note" hx-post={`/runs/${props.runId}/note`} hx-swap="outerHTML">
      <h2>Note</h2>
      <textarea name="note" rows={4} maxlength={MAX_NOTE_LENGTH} aria-label="note" placeholder="What was this run for? What did it show?">
        {props.note}
      </textarea>
      <button type="submit">Save note</button>
      {status && 'saved' in status ? <span class="saved">saved</span> : ''}
      {status && 'error' in status ? <span class="field-error">{status.error}</span> : ''}
    </form>
  );
}
