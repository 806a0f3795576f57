import { Page } from '@/components/ui/page';
import { SignInRequired } from '@/features/auth/components/sign-in-required';
import { mightBeSignedIn } from '@/features/auth/session-hint';
import { isSignedOut } from '@/features/auth/signed-out';
import { TopUsers } from '@/features/insights/components/top-users';

const signInFirst = (error: unknown) =>
  isSignedOut(error) ? <SignInRequired what="see your top users" /> : null;

/** `/top-users`: who comments most on my recent posts. */
export const TopUsersRoute = () => (
  <Page title="Top users" lead="The accounts that comment most on your recent posts. Number 1 is your crush.">
    {mightBeSignedIn() ? <TopUsers renderError={signInFirst} /> : <SignInRequired what="see your top users" />}
  </Page>
);
