import { useEffect, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { paths } from '@/config/paths';
import { ApiError, type components } from '@/lib/api';
import { useStartSync, type SyncRequestOutcome } from '../api/start-sync';
import { ProblemNotice } from './problem-notice';
import { TimeAgo } from './time-ago';
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

function tooSoonMessage(outcome: SyncRequestOutcome | undefined): string {
  if (outcome?.kind !== 'too-soon') return '';
  if (outcome.retryAfterSeconds !== undefined) {
    return `You synced a moment ago. You can sync again in ${outcome.retryAfterSeconds} s.`;
  }
  return outcome.problem?.detail ?? 'You synced a moment ago. Please try again in a minute.';
}

/** Who is signed in, where their data stands, and "Sync now". */
export function ProfileCard({ me, signInAgain }: { me: Me; signInAgain: ReactNode }) {
  const navigate = useNavigate();
  const sync = useStartSync({ onStarted: () => void navigate(paths.loading.getHref()) });
  const { data: outcome, reset } = sync;
  const { state, last_synced_at: lastSyncedAt } = me.sync;
  const needsReauth =
    state === 'needs_reauth' || (sync.error instanceof ApiError && sync.error.problem?.code === 'needs_reauth');

  // The wait is over: the message would only be wrong from now on.
  useEffect(() => {
    if (outcome?.kind !== 'too-soon') return;
    const timer = setTimeout(() => {
      reset();
    }, (outcome.retryAfterSeconds ?? 60) * 1000);
    return () => {
      clearTimeout(timer);
    };
  }, [outcome, reset]);

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
          onClick={() => {
            sync.mutate();
          }}
          disabled={sync.isPending}
        >
          {sync.isPending ? 'Starting a sync…' : 'Sync now'}
        </button>
      </div>
      <p className="account-status" role="status">
        {tooSoonMessage(outcome)}
      </p>
      {sync.isError ? <ProblemNotice error={sync.error} what="We could not start a sync" /> : null}
    </section>
  );
}
