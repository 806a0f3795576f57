import { ComingSoon } from '@/components/ui/coming-soon';

export const CrushRoute = () => (
  <ComingSoon title="Crush" what="Here you will see a crush's public, shareable page." />
);
