import { ComingSoon } from '@/components/ui/coming-soon';

export const LoadingRoute = () => <ComingSoon title="Finding your crush" what="Here you will follow the sync of your posts as it runs." />;
