import { Link, useLocation } from 'react-router';
import { Page } from '@/components/ui/page';
import { paths } from '@/config/paths';
import { useMe } from '@/features/auth/api/get-me';
import { SignInLink } from '@/features/auth/components/sign-in-link';
import type { AccountDeletedState } from './account';

const steps = [
  {
    title: 'Sign in with Instagram',
    body: 'You approve read access on Instagram. We never see your password and never post anything.',
  },
  {
    title: 'We read your recent posts',
    body: 'Instacrush looks at who comments and replies on your latest posts. It can take a little while, so we show you the progress.',
  },
  {
    title: 'Meet your crush',
    body: 'The account that engages with you most, with a page you can share. Delete your data whenever you like.',
  },
];

/** The home page: what Instacrush does, and the way in (and where a deleted account lands). */
export function LandingRoute() {
  const state = useLocation().state as Partial<AccountDeletedState> | null;
  const me = useMe();
  return (
    <Page
      title="Who is your Instagram crush?"
      lead="Instacrush finds the account that comments most on your posts: your biggest fan, maybe more."
    >
      {state?.accountDeleted ? (
        <p className="notice" role="status">
          Your account and all its data were deleted. You can sign in again any time.
        </p>
      ) : null}
      <p className="cta">
        {me.data ? (
          // Signed in already: the way to their crush, not another sign-in.
          <Link className="button button-primary" to={paths.loading.getHref()}>
            See your crush
          </Link>
        ) : me.isPending ? (
          // Keeps the button's room while the session is checked, so nothing moves.
          <span className="button button-primary cta-placeholder" aria-hidden="true">
            Sign in with Instagram
          </span>
        ) : (
          <SignInLink />
        )}
      </p>
      <section aria-labelledby="how-it-works">
        <h2 id="how-it-works">How it works</h2>
        <ol className="steps">
          {steps.map((step) => (
            <li key={step.title}>
              <h3>{step.title}</h3>
              <p>{step.body}</p>
            </li>
          ))}
        </ol>
      </section>
      <p className="muted">
        Works with Instagram professional accounts (Business or Creator). Likes are not counted:
        Instagram no longer says who liked a post.
      </p>
    </Page>
  );
}
