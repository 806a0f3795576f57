/** A failed sync in plain words, by the stable code of its error (the job's `JobProblem`). */
import type { SyncStatus } from './api/get-sync-status';

type JobProblem = NonNullable<SyncStatus['error']>;

const MESSAGES: Record<string, string> = {
  instagram_unavailable:
    'Instagram did not answer us. That happens now and then; trying again in a little while usually works.',
  throttled: 'Instagram asked us to slow down for a while. Try again in a few minutes.',
  instagram_error: 'Instagram would not give us your posts this time.',
  needs_reauth: 'Instagram wants you to sign in again before we can read your posts.',
  missing_permission:
    'Instagram no longer lets Instacrush read the comments on your posts: the permission was turned off. Sign in again and allow access to comments.',
};

/** What to tell the person about `problem`. */
export function syncErrorMessage(problem: JobProblem | null | undefined): string {
  return (problem && MESSAGES[problem.code]) ?? 'Something went wrong while we read your posts.';
}

/** The technical account of `problem`, for a disclosure. */
export function syncErrorDetails(problem: JobProblem | null | undefined): string | null {
  if (!problem) return null;
  return [problem.code, problem.title, problem.detail].filter(Boolean).join(' · ');
}

/** What to quote when asking for help: the sync job's number. */
export function syncReference(sync: SyncStatus): string | null {
  return sync.job ? `sync ${sync.job.id}` : null;
}
