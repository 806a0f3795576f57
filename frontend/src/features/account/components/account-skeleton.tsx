import '../account.css';

/**
 * The account page's cards while the account loads, each about its real height, so that
 * nothing (the footer included) moves when they arrive.
 */
export function AccountSkeleton() {
  return (
    <>
      <section className="card account-card account-skeleton" aria-busy="true" aria-label="Loading your account">
        <p className="muted">Loading your account…</p>
      </section>
      <div className="card account-card account-skeleton-more" aria-hidden="true" />
      <div className="card account-card account-skeleton-tokens" aria-hidden="true" />
    </>
  );
}
