import { ComingSoon } from '@/components/ui/coming-soon';

export const TopPostsRoute = () => <ComingSoon title="Top posts" what="Here you will see your posts with the most comments." />;
