/** Renders the real route table at a path, with a fresh query client per test. */
import { render } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';

import { AppProvider } from '@/app/provider';
import { createRoutes, type PageRoutes } from '@/app/router';
import { AccountRoute } from '@/app/routes/account';
import { AccountDeletedRoute } from '@/app/routes/account-deleted';
import { CrushRoute } from '@/app/routes/crush';
import { InteractorRoute } from '@/app/routes/interactor';
import { LoadingRoute } from '@/app/routes/loading';
import { NotFoundRoute } from '@/app/routes/not-found';
import { SignInRoute } from '@/app/routes/sign-in';
import { SignInPermissionsRoute } from '@/app/routes/sign-in-permissions';
import { TopPostsRoute } from '@/app/routes/top-posts';
import { TopUsersRoute } from '@/app/routes/top-users';
import { createQueryClient } from '@/lib/api';

/** The app's pages, loaded at once: a test renders its first page synchronously. */
const pages: PageRoutes = {
  signIn: { Component: SignInRoute },
  signInPermissions: { Component: SignInPermissionsRoute },
  loading: { Component: LoadingRoute },
  crush: { Component: CrushRoute },
  topUsers: { Component: TopUsersRoute },
  interactor: { Component: InteractorRoute },
  topPosts: { Component: TopPostsRoute },
  account: { Component: AccountRoute },
  accountDeleted: { Component: AccountDeletedRoute },
  notFound: { Component: NotFoundRoute },
};

export function renderApp(path = '/') {
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { retry: false } });
  const router = createMemoryRouter(createRoutes(pages), { initialEntries: [path] });
  const result = render(
    <AppProvider queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProvider>,
  );
  return { ...result, router, queryClient };
}
