import { ComingSoon } from '@/components/ui/coming-soon';

export const AccountRoute = () => <ComingSoon title="Your account" what="Here you will sync now, manage API tokens, sign out and delete your data." />;
