import { ErrorNotice } from '@/components/ui/error-notice';
import '../account.css';

/** Signing out of this browser; the page that owns the session does the work. */
export function SignOutCard({
  onSignOut,
  pending,
  error,
}: {
  onSignOut: () => void;
  pending: boolean;
  error: unknown;
}) {
  return (
    <section className="card account-card" aria-labelledby="account-sign-out">
      <h2 id="account-sign-out">Sign out</h2>
      <p className="muted">Ends your session in this browser. Your data and API tokens stay.</p>
      <div className="actions">
        <button type="button" className="button" onClick={onSignOut} disabled={pending}>
          {pending ? 'Signing out…' : 'Sign out of Instacrush'}
        </button>
      </div>
      {error ? <ErrorNotice error={error} what="We could not sign you out" /> : null}
    </section>
  );
}
