import { signInHref } from '../api/sign-in';

/** "Sign in with Instagram": a plain link, since the flow is a chain of redirects. */
export function SignInLink({
  returnTo,
  className = 'button button-primary',
  children = 'Sign in with Instagram',
}: {
  returnTo?: string;
  className?: string;
  children?: string;
}) {
  return (
    <a className={className} href={signInHref(returnTo)}>
      {children}
    </a>
  );
}
