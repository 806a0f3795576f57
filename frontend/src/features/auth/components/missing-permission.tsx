import { permissionLabel } from '../permissions';
import { SignInLink } from './sign-in-link';

/**
 * A consent that left out a permission Instacrush needs: what is missing, and a way to grant
 * it (Instagram asks again, with what was granted already ticked). Nothing happens by itself:
 * going straight back to Instagram would loop.
 */
export function MissingPermission({ missing, returnTo }: { missing: string[]; returnTo?: string }) {
  return (
    <section className="card" aria-labelledby="missing-permission-title">
      <h2 id="missing-permission-title">Instacrush cannot see your comments yet</h2>
      <p>
        You connected Instagram without allowing Instacrush to read{' '}
        {missing.map((permission, i) => (
          <span key={permission}>
            {i > 0 ? ' and ' : null}
            {permissionLabel(permission)} (<code>{permission}</code>)
          </span>
        ))}
        . Your crush is whoever comments most on your posts, so we need that to find them. Nothing
        was saved.
      </p>
      <p>
        <SignInLink returnTo={returnTo}>Allow access to comments</SignInLink>
      </p>
      <p className="muted">
        On Instagram, keep the box for comments ticked. You can remove the access at any time in
        Instagram’s settings.
      </p>
    </section>
  );
}
