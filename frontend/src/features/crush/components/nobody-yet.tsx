/** A synced account that nobody commented on yet: an answer, not an error. */
import { formatMoment } from '@/lib/format';
import type { MyCrush } from '../api/get-my-crush';
import { UnattributedNote } from './unattributed-note';
import '../crush.css';

export function NobodyYet({ myCrush }: { myCrush: MyCrush | null }) {
  const syncedAt = myCrush?.synced_at;
  return (
    <div className="card crush-nobody" role="status">
      <h2>Nobody has commented on your recent posts yet</h2>
      <p>
        Your crush is whoever comments and replies most on your posts. Once people start talking
        under your posts, come back and we will find them.
      </p>
      {syncedAt ? (
        <p className="muted">
          We last read your posts on <time dateTime={syncedAt}>{formatMoment(syncedAt)}</time>.
        </p>
      ) : null}
      <UnattributedNote count={myCrush?.unattributed_comments} />
    </div>
  );
}
