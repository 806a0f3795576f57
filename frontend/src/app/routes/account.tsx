/**
 * The account page: profile and "Sync now", API tokens, sign out, delete account. It joins the
 * auth feature (who is signed in, signing out) and the sync feature (starting a sync) with the
 * account feature's cards.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { ErrorNotice } from '@/components/ui/error-notice';
import { Page } from '@/components/ui/page';
import { paths } from '@/config/paths';
import { AccountSkeleton } from '@/features/account/components/account-skeleton';
import { ApiTokensCard } from '@/features/account/components/api-tokens-card';
import { DeleteAccountCard } from '@/features/account/components/delete-account-card';
import { ProfileCard } from '@/features/account/components/profile-card';
import { SignOutCard } from '@/features/account/components/sign-out-card';
import { meQueryKey, meQueryOptions } from '@/features/auth/api/get-me';
import { useSignOut } from '@/features/auth/api/sign-out';
import { SignInLink } from '@/features/auth/components/sign-in-link';
import { SignInRequired } from '@/features/auth/components/sign-in-required';
import { useStartSync } from '@/features/sync/api/start-sync';

/** What the home page may read from the router state after an account was deleted. */
export interface AccountDeletedState {
  accountDeleted: true;
}

export function AccountRoute() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  // The sync state changes behind our back (background jobs): always check it on arrival.
  const me = useQuery({ ...meQueryOptions(), refetchOnMount: 'always' });
  const signOut = useSignOut({ onSuccess: () => void navigate(paths.home.getHref()) });
  const startSync = useStartSync();

  // Following the sync is the loading page's job; only go there if the user is still here.
  const syncNow = () => {
    startSync.mutate(undefined, {
      onSuccess: (outcome) => {
        if (outcome.kind === 'started') void navigate(paths.loading.getHref());
      },
    });
  };

  const deleted = () => {
    queryClient.setQueryData(meQueryKey, null);
    const state: AccountDeletedState = { accountDeleted: true };
    void navigate(paths.home.getHref(), { replace: true, state });
  };

  let content;
  if (me.data) {
    content = (
      <>
        <ProfileCard
          me={me.data}
          signInAgain={
            <SignInLink returnTo={paths.account.getHref()}>Sign in with Instagram again</SignInLink>
          }
          syncNow={{
            start: syncNow,
            pending: startSync.isPending,
            tooSoon: startSync.data?.kind === 'too_soon' ? startSync.data : undefined,
            error: startSync.error,
            reset: startSync.reset,
          }}
        />
        <SignOutCard
          onSignOut={() => {
            signOut.mutate();
          }}
          pending={signOut.isPending}
          error={signOut.error}
        />
        <section className="account-section" aria-labelledby="account-developers">
          <h2 id="account-developers">Developers</h2>
          <p className="muted">For your own scripts and apps that read your Instacrush data.</p>
          <ApiTokensCard />
        </section>
        <DeleteAccountCard username={me.data.instagram_username} onDeleted={deleted} />
      </>
    );
  } else if (me.data === null) {
    content = <SignInRequired what="manage your account" />;
  } else if (me.isError) {
    content = (
      <ErrorNotice error={me.error} what="We could not load your account" onRetry={() => void me.refetch()} />
    );
  } else {
    content = <AccountSkeleton />;
  }

  return (
    <Page title="Your account" lead="Sync your posts, sign out, manage API tokens or delete your data.">
      <div className="account-sections">{content}</div>
    </Page>
  );
}
