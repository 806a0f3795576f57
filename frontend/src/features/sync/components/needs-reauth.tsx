import type { ReactNode } from 'react';
import { ErrorDetails } from '@/components/ui/error-details';
import '../sync.css';

/** Instagram refused our stored access: only signing in again helps. `children` is the way in. */
export function NeedsReauth({ detail, children }: { detail?: string | null; children: ReactNode }) {
  return (
    <div className="card sync-card" role="alert">
      <h2 className="sync-heading">Instagram wants you to sign in again</h2>
      <p>
        Your Instagram connection expired or was withdrawn, so we cannot read your posts. Sign in
        again and we will carry on from here.
      </p>
      <p className="sync-actions">{children}</p>
      <ErrorDetails details={detail} />
    </div>
  );
}
