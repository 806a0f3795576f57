import { Page } from '@/components/ui/page';
import { SignInRequired } from '@/features/auth/components/sign-in-required';
import { mightBeSignedIn } from '@/features/auth/session-hint';
import { isSignedOut } from '@/features/auth/signed-out';
import { TopPosts } from '@/features/insights/components/top-posts';

const signInFirst = (error: unknown) =>
  isSignedOut(error) ? <SignInRequired what="see your top posts" /> : null;

/** `/top-posts`: my recent posts, most commented first. */
export const TopPostsRoute = () => (
  <Page title="Top posts" lead="Your recent posts that drew the most comments and replies.">
    {mightBeSignedIn() ? <TopPosts renderError={signInFirst} /> : <SignInRequired what="see your top posts" />}
  </Page>
);
