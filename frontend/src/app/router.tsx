/** The route table: every SPA path, each rendered inside the app shell. */
import type { RouteObject } from 'react-router';
import { paths } from '@/config/paths';
import { AppShell } from './layout/app-shell';
import { AccountRoute } from './routes/account';
import { AccountDeletedRoute } from './routes/account-deleted';
import { CrushRoute } from './routes/crush';
import { InteractorRoute } from './routes/interactor';
import { LandingRoute } from './routes/landing';
import { LoadingRoute } from './routes/loading';
import { NotFoundRoute } from './routes/not-found';
import { RouteErrorBoundary } from './routes/route-error';
import { SignInRoute } from './routes/sign-in';
import { TopPostsRoute } from './routes/top-posts';
import { TopUsersRoute } from './routes/top-users';

export const routes: RouteObject[] = [
  {
    element: <AppShell />,
    children: [
      {
        // Errors render inside the shell, so the header and footer stay.
        errorElement: <RouteErrorBoundary />,
        children: [
          { index: true, element: <LandingRoute /> },
          { path: paths.signIn.path, element: <SignInRoute /> },
          { path: paths.loading.path, element: <LoadingRoute /> },
          { path: paths.crush.path, element: <CrushRoute /> },
          { path: paths.topUsers.path, element: <TopUsersRoute /> },
          { path: paths.interactor.path, element: <InteractorRoute /> },
          { path: paths.topPosts.path, element: <TopPostsRoute /> },
          { path: paths.account.path, element: <AccountRoute /> },
          { path: paths.accountDeleted.path, element: <AccountDeletedRoute /> },
          { path: '*', element: <NotFoundRoute /> },
        ],
      },
    ],
  },
];
