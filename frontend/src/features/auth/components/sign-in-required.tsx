/**
 * What a signed-in page shows when the API answers 401 (no session, or one that could not be
 * renewed): a way to sign in that comes back to this very page.
 */
import { useLocation } from 'react-router';
import { SignInLink } from './sign-in-link';

export function SignInRequired({ what = 'see this page' }: { what?: string }) {
  const { pathname, search } = useLocation();
  return (
    <div className="notice" role="status">
      <p>Sign in with Instagram to {what}.</p>
      <p className="cta">
        <SignInLink returnTo={`${pathname}${search}`} />
      </p>
    </div>
  );
}
