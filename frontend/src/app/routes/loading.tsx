/**
 * `/loading`: asks for my crush; while my posts sync, follows the sync with real progress;
 * then opens the crush's page (its URL is the one to share) or says nobody commented yet.
 */
import { ErrorNotice } from '@/components/ui/error-notice';
import { Page } from '@/components/ui/page';
import { paths } from '@/config/paths';
import { SignInLink } from '@/features/auth/components/sign-in-link';
import { SignInRequired } from '@/features/auth/components/sign-in-required';
import { mightBeSignedIn } from '@/features/auth/session-hint';
import { isSignedOut } from '@/features/auth/signed-out';
import { useMyCrush, type MyCrush } from '@/features/crush/api/get-my-crush';
import { GoToCrush } from '@/features/crush/components/go-to-crush';
import { NobodyYet } from '@/features/crush/components/nobody-yet';
import { NeedsReauth } from '@/features/sync/components/needs-reauth';
import { SyncMonitor } from '@/features/sync/components/sync-monitor';
import { SyncProgress } from '@/features/sync/components/sync-progress';
import { ApiError } from '@/lib/api';

const signInAgain = (
  <SignInLink returnTo={paths.loading.getHref()}>Sign in with Instagram again</SignInLink>
);
const signedOut = <SignInRequired what="find your crush" />;

function Outcome({ myCrush }: { myCrush: MyCrush | null }) {
  if (myCrush?.crush) return <GoToCrush crush={myCrush.crush} unattributed={myCrush.unattributed_comments} />;
  return <NobodyYet myCrush={myCrush} />;
}

export function LoadingRoute() {
  return (
    <Page title="Your crush" lead="We read the comments on your recent posts to find who engages with you most.">
      {mightBeSignedIn() ? <FindMyCrush /> : signedOut}
    </Page>
  );
}

/** Asks for my crush (which may start a sync) and follows the answer. */
function FindMyCrush() {
  const answer = useMyCrush();
  return (
    <>
      {answer.isPending ? (
        <SyncProgress sync={undefined} />
      ) : answer.isError ? (
        isSignedOut(answer.error) ? (
          signedOut
        ) : answer.error instanceof ApiError && answer.error.problem?.code === 'needs_reauth' ? (
          <NeedsReauth>{signInAgain}</NeedsReauth>
        ) : (
          <ErrorNotice
            card
            error={answer.error}
            what="We could not find your crush"
            onRetry={() => void answer.refetch()}
            retrying={answer.isFetching}
          />
        )
      ) : answer.data.state === 'ready' ? (
        <Outcome myCrush={answer.data.myCrush} />
      ) : (
        <SyncMonitor
          initial={{ sync: answer.data.sync, retryAfterSeconds: answer.data.retryAfterSeconds }}
          signIn={signInAgain}
          signedOut={signedOut}
        >
          {(result) => <Outcome myCrush={result} />}
        </SyncMonitor>
      )}
    </>
  );
}
