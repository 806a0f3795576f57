import '../account.css';

/** The profile card's place while the account loads, so nothing moves when it arrives. */
export function AccountSkeleton() {
  return (
    <section className="card account-card account-skeleton" aria-busy="true" aria-label="Loading your account">
      <p className="muted">Loading your account…</p>
    </section>
  );
}
