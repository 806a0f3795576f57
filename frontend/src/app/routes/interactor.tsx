import { Link, useParams } from 'react-router';
import { Page } from '@/components/ui/page';
import { paths } from '@/config/paths';
import { SignInRequired } from '@/features/auth/components/sign-in-required';
import { mightBeSignedIn } from '@/features/auth/session-hint';
import { isSignedOut } from '@/features/auth/signed-out';
import { useInteractorComments } from '@/features/insights/api/get-interactor-comments';
import { InteractorComments } from '@/features/insights/components/interactor-comments';
import { useInteractorUsername } from '@/features/insights/interactor-state';
import { usePageParam } from '@/features/insights/paging';

const signInFirst = (error: unknown) =>
  isSignedOut(error) ? <SignInRequired what="see their comments" /> : null;

/** `/top-users/:igId`: one account's comments and replies on my posts. */
export function InteractorRoute() {
  const { igId = '' } = useParams();
  // The comments name their account; until they arrive, the link that led here may know it.
  const signedIn = mightBeSignedIn();
  const comments = useInteractorComments(igId, usePageParam().offset, signedIn);
  const linked = useInteractorUsername(igId);
  const username = comments.data?.interactor.username ?? linked;
  return (
    <Page
      title={username ? `Comments by @${username}` : 'Comments on your posts'}
      lead={
        username
          ? 'Everything they wrote on your posts, with the post it was on.'
          : 'Everything this account wrote on your posts, with the post it was on.'
      }
    >
      <p>
        <Link to={paths.topUsers.getHref()}>← All top users</Link>
      </p>
      {signedIn ? (
        <InteractorComments igId={igId} renderError={signInFirst} />
      ) : (
        <SignInRequired what="see their comments" />
      )}
    </Page>
  );
}
