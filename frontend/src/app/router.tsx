/**
 * The route table: every SPA path, each rendered inside the app shell. The landing page is in
 * the first download; every other page is its own chunk, fetched when it is first visited.
 */
import type { ComponentType } from 'react';
import type { RouteObject } from 'react-router';
import { paths } from '@/config/paths';
import { AppShell } from './layout/app-shell';
import { LandingRoute } from './routes/landing';
import { RouteErrorBoundary } from './routes/route-error';

/** How each page's component is reached: `lazy` in the app, at once in tests. */
export type PageRoutes = Record<
  | 'signIn'
  | 'signInPermissions'
  | 'loading'
  | 'crush' | 'topUsers' | 'interactor' | 'topPosts' | 'account' | 'accountDeleted' | 'notFound',
  Pick<RouteObject, 'Component' | 'lazy'>
>;

/** A page loaded with its chunk. */
function lazyPage<M>(load: () => Promise<M>, pick: (module: M) => ComponentType): Pick<RouteObject, 'lazy'> {
  return { lazy: async () => ({ Component: pick(await load()) }) };
}

/** Every page but the landing, each in its own chunk. */
export const lazyPages: PageRoutes = {
  signIn: lazyPage(() => import('./routes/sign-in'), (m) => m.SignInRoute),
  signInPermissions: lazyPage(() => import('./routes/sign-in-permissions'), (m) => m.SignInPermissionsRoute),
  loading: lazyPage(() => import('./routes/loading'), (m) => m.LoadingRoute),
  crush: lazyPage(() => import('./routes/crush'), (m) => m.CrushRoute),
  topUsers: lazyPage(() => import('./routes/top-users'), (m) => m.TopUsersRoute),
  interactor: lazyPage(() => import('./routes/interactor'), (m) => m.InteractorRoute),
  topPosts: lazyPage(() => import('./routes/top-posts'), (m) => m.TopPostsRoute),
  account: lazyPage(() => import('./routes/account'), (m) => m.AccountRoute),
  accountDeleted: lazyPage(() => import('./routes/account-deleted'), (m) => m.AccountDeletedRoute),
  notFound: lazyPage(() => import('./routes/not-found'), (m) => m.NotFoundRoute),
};

/** The route table with `pages` as the pages. */
export function createRoutes(pages: PageRoutes = lazyPages): RouteObject[] {
  return [
    {
      element: <AppShell />,
      // While the first page's chunk arrives (a few milliseconds): the page's colour only.
      hydrateFallbackElement: <div className="shell" />,
      children: [
        {
          // Errors render inside the shell, so the header and footer stay.
          errorElement: <RouteErrorBoundary />,
          children: [
            { index: true, Component: LandingRoute },
            { path: paths.signIn.path, ...pages.signIn },
            { path: paths.signInPermissions.path, ...pages.signInPermissions },
            { path: paths.loading.path, ...pages.loading },
            { path: paths.crush.path, ...pages.crush },
            { path: paths.topUsers.path, ...pages.topUsers },
            { path: paths.interactor.path, ...pages.interactor },
            { path: paths.topPosts.path, ...pages.topPosts },
            { path: paths.account.path, ...pages.account },
            { path: paths.accountDeleted.path, ...pages.accountDeleted },
            { path: '*', ...pages.notFound },
          ],
        },
      ],
    },
  ];
}
