import { ComingSoon } from '@/components/ui/coming-soon';

export const TopUsersRoute = () => <ComingSoon title="Top users" what="Here you will see the accounts that comment most on your posts." />;
