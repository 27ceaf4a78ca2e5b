import { archiveBlocker } from '../../store/run-archive.ts';
import type { Run } from '../../store/store.ts';
import { dateTime } from '../format.ts';

/** What archiving does, said where the choice is made: it hides, it does not remove. */
const ARCHIVE_EFFECT =
  'It stays whole (metrics, predictions, weights) and still counts in its sweep, its seed group and training-set searches for label issues. Deleting is what frees space.';

/**
 * Archive or unarchive, after a confirmation that static/app.js asks for (data-confirm); without
 * scripts the form posts straight away, and unarchiving is one click back. The live fragment
 * carries it out of band (`oob`), so the button a running run disables comes alive when it ends.
 */
export function ArchiveButton({ run, oob = false }: { run: Run; oob?: boolean }) {
  const swap = { id: 'archive-form', 'hx-swap-oob': oob ? 'true' : undefined };
  if (run.archivedAt) {
    return (
      <form class="inline-form" method="post" action={`/runs/${run.id}/archive`} {...swap}>
        <input type="hidden" name="undo" value="1" />
        <button type="submit">Unarchive</button>
      </form>
    );
  }
  const blocker = archiveBlocker(run);
  return (
    <form class="inline-form" method="post" action={`/runs/${run.id}/archive`} data-confirm={`Archive run ${run.id}? ${ARCHIVE_EFFECT} The runs list will hide it until it is unarchived.`} {...swap}>
      <button type="submit" disabled={blocker !== null} title={blocker ?? ARCHIVE_EFFECT}>
        Archive
      </button>
    </form>
  );
}

/** On an archived run's page: since when, and what that means. */
export function ArchivedNotice({ run }: { run: Run }) {
  if (!run.archivedAt) return '';
  return (
    <p class="notice archived-notice">
      Archived {dateTime(run.archivedAt)}: the runs list hides it unless "show archived" is ticked. {ARCHIVE_EFFECT}
    </p>
  );
}
