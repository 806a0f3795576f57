/**
 * The profile card: who is signed in, where their data stands, and "Sync now". Starting a sync
 * belongs to the sync feature, so the page hands the action and its state in as props.
 */
import { useEffect, type ReactNode } from 'react';
import { Link } from 'react-router';
import { ErrorNotice } from '@/components/ui/error-notice';
import { paths } from '@/config/paths';
import { ApiError, type components } from '@/lib/api';
import { useCountdown } from '@/lib/use-countdown';
import { TimeAgo } from '@/components/ui/time-ago';
import '../account.css';

type Me = components['schemas']['Me'];
type DataState = components['schemas']['DataState'];

const STATE_LABELS: Record<DataState, string> = {
  fresh: 'Up to date',
  stale: 'Out of date',
  syncing: 'Syncing now',
  failed: 'The last sync failed',
  needs_reauth: 'Instagram needs you to sign in again',
};

/** "Sync now" as the page runs it: the action, and where its last request stands. */
export interface SyncNow {
  /** Asks for a sync; the page moves on to follow it once it started. */
  start: () => void;
  /** A request is on its way. */
  pending: boolean;
  /** The last request was refused as too soon after the previous sync: how long to wait. */
  tooSoon: { retryAfterSeconds: number } | undefined;
  /** The last request failed. */
  error: unknown;
  /** Forgets the last request's answer (called once the wait is over). */
  reset: () => void;
}

/** Who is signed in, where their data stands, and "Sync now". */
export function ProfileCard({ me, signInAgain, syncNow }: { me: Me; signInAgain: ReactNode; syncNow: SyncNow }) {
  const { tooSoon, reset, error } = syncNow;
  const { state, last_synced_at: lastSyncedAt } = me.sync;
  const needsReauth = state === 'needs_reauth' || (error instanceof ApiError && error.problem?.code === 'needs_reauth');

  const [waitLeft, startWaiting] = useCountdown();

  // Counts the wait down on screen; once it is over the message would only be wrong.
  useEffect(() => {
    if (!tooSoon) return;
    startWaiting(tooSoon.retryAfterSeconds);
    const timer = setTimeout(reset, tooSoon.retryAfterSeconds * 1000);
    return () => {
      clearTimeout(timer);
    };
  }, [tooSoon, reset, startWaiting]);
  const waiting = tooSoon !== undefined && waitLeft > 0;

  return (
    <section className="card account-card" aria-labelledby="account-profile">
      <h2 id="account-profile">Profile</h2>
      <dl className="account-facts">
        <div>
          <dt>Instagram account</dt>
          <dd className="account-username">
            {me.instagram_username ? `@${me.instagram_username}` : 'Not linked'}
          </dd>
        </div>
        <div>
          <dt>Last synced</dt>
          <dd>{lastSyncedAt ? <TimeAgo iso={lastSyncedAt} /> : 'Never'}</dd>
        </div>
        <div>
          <dt>Sync</dt>
          <dd>
            <span className={`sync-state sync-state-${state}`}>{STATE_LABELS[state]}</span>
            {state === 'syncing' ? (
              <>
                {' '}
                <Link to={paths.loading.getHref()}>Follow it</Link>
              </>
            ) : null}
          </dd>
        </div>
      </dl>
      {needsReauth ? <p>{signInAgain}</p> : null}
      <p className="muted">
        Syncing reads your recent posts and their comments again, then finds your crush.
      </p>
      <div className="actions">
        <button
          type="button"
          className="button button-primary"
          onClick={syncNow.start}
          disabled={syncNow.pending || waiting}
          aria-describedby="account-sync-status"
        >
          {syncNow.pending ? 'Starting a sync…' : 'Sync now'}
        </button>
      </div>
      <p id="account-sync-status" className="account-status" role="status">
        {waiting ? `You synced a moment ago. You can sync again in ${waitLeft} s.` : null}
      </p>
      {error ? <ErrorNotice error={error} what="We could not start a sync" /> : null}
    </section>
  );
}
