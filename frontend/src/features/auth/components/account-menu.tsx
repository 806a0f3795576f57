import { Link, useNavigate } from 'react-router';
import { paths } from '@/config/paths';
import { useMe } from '../api/get-me';
import { useSignOut } from '../api/sign-out';
import { SignInLink } from './sign-in-link';

/**
 * The header's account area: sign in, or who is signed in and sign out. It keeps its size
 * while the session is being checked, so the header never shifts.
 */
export function AccountMenu() {
  const me = useMe();
  const navigate = useNavigate();
  const signOut = useSignOut({ onSuccess: () => void navigate(paths.home.getHref()) });

  if (me.isPending) {
    return <div className="account-menu" aria-hidden="true" />;
  }
  if (!me.data) {
    return (
      <div className="account-menu">
        <SignInLink className="button button-small">Sign in</SignInLink>
      </div>
    );
  }
  const name = me.data.instagram_username;
  return (
    <div className="account-menu">
      <Link to={paths.account.getHref()} className="account-name">
        {name ? `@${name}` : 'Your account'}
      </Link>
      <button
        type="button"
        className="button button-small"
        onClick={() => {
          signOut.mutate();
        }}
        disabled={signOut.isPending}
      >
        Sign out
      </button>
      {signOut.isError ? (
        <span role="alert" className="account-error">
          Sign-out failed, try again
        </span>
      ) : null}
    </div>
  );
}
