import { useSearchParams } from 'react-router';
import { Page } from '@/components/ui/page';
import { MissingPermission } from '@/features/auth/components/missing-permission';
import { missingPermissions } from '@/features/auth/permissions';

/** `/signin/permissions?missing=…&return_to=…`: a sign-in that granted only some permissions. */
export function SignInPermissionsRoute() {
  const [searchParams] = useSearchParams();
  const missing = missingPermissions(searchParams.get('missing'));
  const returnTo = searchParams.get('return_to') ?? undefined;
  const safeReturn = returnTo?.startsWith('/') && !returnTo.startsWith('//') ? returnTo : undefined;
  return (
    <Page title="One more permission">
      <MissingPermission
        missing={missing.length > 0 ? missing : ['instagram_business_manage_comments']}
        returnTo={safeReturn}
      />
    </Page>
  );
}
