import { ComingSoon } from '@/components/ui/coming-soon';

export const InteractorRoute = () => (
  <ComingSoon title="Comments" what="Here you will see one account's comments on your posts." />
);
