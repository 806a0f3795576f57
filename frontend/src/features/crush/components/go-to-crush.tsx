/** Opens my crush's page, its data already cached so it shows at once. */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useNavigate } from 'react-router';
import { paths } from '@/config/paths';
import { crushQueryOptions, type Crush } from '../api/get-crush';
import { unattributedState } from '../unattributed-state';

export function GoToCrush({ crush, unattributed = 0 }: { crush: Crush; unattributed?: number }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  useEffect(() => {
    queryClient.setQueryData(crushQueryOptions(crush.slug).queryKey, crush);
    // Replace: going back should not land on a finished loading page.
    void navigate(paths.crush.getHref(crush.slug), { replace: true, state: unattributedState(unattributed) });
  }, [crush, navigate, queryClient, unattributed]);

  return (
    <p className="card crush-found" role="status">
      Found your crush: <strong>@{crush.crush.username}</strong>
    </p>
  );
}
