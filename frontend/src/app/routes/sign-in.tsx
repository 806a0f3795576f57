import { useSearchParams } from 'react-router';
import { Page } from '@/components/ui/page';
import { SignInError } from '@/features/auth/components/sign-in-error';
import { SignInLink } from '@/features/auth/components/sign-in-link';

/** `/signin`: where a failed sign-in lands (`?error=<code>`), or a plain way in. */
export function SignInRoute() {
  const [searchParams] = useSearchParams();
  const code = searchParams.get('error');

  if (code === null) {
    return (
      <Page title="Sign in" lead="Sign in with Instagram to find out who your crush is.">
        <p className="cta">
          <SignInLink />
        </p>
      </Page>
    );
  }
  return (
    <Page title="Sign-in did not work">
      <SignInError code={code} />
    </Page>
  );
}
