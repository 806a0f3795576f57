/** Routes that exist (links to them work) but whose pages come with the crush and sync APIs. */
import { ComingSoon } from '@/components/ui/coming-soon';

export const LoadingRoute = () => (
  <ComingSoon title="Finding your crush" what="Here you will follow the sync of your posts as it runs." />
);

export const CrushRoute = () => (
  <ComingSoon title="Crush" what="Here you will see a crush's public, shareable page." />
);

export const TopUsersRoute = () => (
  <ComingSoon title="Top users" what="Here you will see the accounts that comment most on your posts." />
);

export const TopPostsRoute = () => (
  <ComingSoon title="Top posts" what="Here you will see your posts with the most comments." />
);

export const AccountRoute = () => (
  <ComingSoon
    title="Your account"
    what="Here you will sync now, manage API tokens, sign out and delete your data."
  />
);
