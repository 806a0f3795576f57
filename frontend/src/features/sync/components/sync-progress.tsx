/**
 * The sync's progress: a real progress bar once the number of posts is known, and what the sync
 * is doing in words, announced as it changes.
 */
import { useId } from 'react';
import type { SyncStatus } from '../api/get-sync-status';
import { SlowedDown } from './slowed-down';
import '../sync.css';

/** What the sync is doing, in words. */
function describe(sync: SyncStatus | undefined): string {
  if (!sync) return 'Checking your account…';
  const job = sync.job;
  if (sync.status === 'queued') {
    if (sync.resumes_at) return 'Waiting for Instagram…';
    if (job && job.attempts > 0 && job.error) {
      return `${job.error.title}. Trying again soon (attempt ${job.attempts + 1} of ${job.max_attempts})…`;
    }
    // Queued, and about to start: nothing says other syncs are ahead of it.
    return 'Getting ready to read your posts…';
  }
  const progress = sync.progress;
  if (!progress?.total) return 'Finding your recent posts…';
  if (progress.phase === 'comments') return 'Reading the comments on your posts…';
  return 'Reading your posts…';
}

export function SyncProgress({ sync, stalled = false }: { sync: SyncStatus | undefined; stalled?: boolean }) {
  const labelId = useId();
  const progress = sync?.progress;
  const total = progress?.total ?? 0;
  const determinate = total > 0;
  const done = Math.min(progress?.done ?? 0, total);
  const count = `${done} of ${total} posts`;

  return (
    <div className="card sync-card">
      <h2 className="sync-heading">Reading your recent posts</h2>
      {/* A live region: the phase is read out as it changes (the count below is not, or it would be every poll). */}
      <p id={labelId} className="sync-progress-label" role="status">
        {describe(sync)}
      </p>
      <div
        role="progressbar"
        aria-labelledby={labelId}
        aria-valuemin={0}
        aria-valuemax={determinate ? total : undefined}
        aria-valuenow={determinate ? done : undefined}
        aria-valuetext={determinate ? count : undefined}
        className={determinate ? 'sync-bar' : 'sync-bar sync-bar-indeterminate'}
      >
        <div className="sync-bar-fill" style={determinate ? { width: `${(done / total) * 100}%` } : undefined} />
      </div>
      {sync?.resumes_at && <SlowedDown resumesAt={sync.resumes_at} />}
      {/* Always rendered, so the card keeps its height when the count appears. */}
      <p className="muted sync-progress-count" aria-hidden="true">
        {determinate ? count : '\u00a0'}
      </p>
      <p className="muted sync-note">
        {stalled
          ? 'We lost touch with the server for a moment. Still trying…'
          : 'This usually takes under a minute. You can leave this page open.'}
      </p>
    </div>
  );
}
