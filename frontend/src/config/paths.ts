/** The SPA's own routes, in one place so links and the router cannot disagree. */
export const paths = {
  home: { path: '/', getHref: () => '/' },
  signIn: { path: '/signin', getHref: () => '/signin' },
  /** Where a sign-in that left out a permission lands (`?missing=` names it). */
  signInPermissions: { path: '/signin/permissions', getHref: () => '/signin/permissions' },
  loading: { path: '/loading', getHref: () => '/loading' },
  crush: {
    path: '/crush/:slug',
    getHref: (slug: string) => `/crush/${encodeURIComponent(slug)}`,
  },
  topUsers: { path: '/top-users', getHref: () => '/top-users' },
  interactor: {
    path: '/top-users/:igId',
    getHref: (igId: string) => `/top-users/${encodeURIComponent(igId)}`,
  },
  topPosts: { path: '/top-posts', getHref: () => '/top-posts' },
  account: { path: '/account', getHref: () => '/account' },
  /** Where Meta's data-deletion callback sends the person (`?code=` confirms the request). */
  accountDeleted: { path: '/account/deleted', getHref: () => '/account/deleted' },
} as const;
