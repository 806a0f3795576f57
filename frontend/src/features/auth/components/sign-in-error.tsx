import { isDisplayableCode, signInErrorMessage } from '../sign-in-errors';
import { SignInLink } from './sign-in-link';

/** Why signing in did not work, and a way to try again. */
export function SignInError({ code }: { code: string }) {
  const { title, body } = signInErrorMessage(code);
  return (
    <section className="card" aria-labelledby="sign-in-error-title">
      <h2 id="sign-in-error-title">{title}</h2>
      <p>{body}</p>
      <p>
        <SignInLink>Try again with Instagram</SignInLink>
      </p>
      {isDisplayableCode(code) ? (
        <p className="muted">
          Reference: <code>{code}</code>
        </p>
      ) : null}
    </section>
  );
}
