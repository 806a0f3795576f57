/**
 * The frame of every page: a skip link, the header, the page in `<main>`, the footer.
 * After client-side navigation focus moves to `<main>`, so keyboard and screen-reader users
 * start at the new page instead of wherever the old one left them.
 */
import { useEffect, useRef } from 'react';
import { Link, NavLink, Outlet, ScrollRestoration, useLocation } from 'react-router';
import { Logo } from '@/components/ui/logo';
import { paths } from '@/config/paths';
import { AccountMenu } from '@/features/auth/components/account-menu';
import { useMe } from '@/features/auth/api/get-me';

export function AppShell() {
  const mainRef = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const previousPath = useRef(pathname);
  const me = useMe();

  useEffect(() => {
    if (previousPath.current === pathname) return;
    previousPath.current = pathname;
    mainRef.current?.focus({ preventScroll: true });
  }, [pathname]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="site-header-inner">
          <Link to={paths.home.getHref()} className="brand">
            <Logo />
            <span>Instacrush</span>
          </Link>
          {me.data ? (
            <nav aria-label="Main" className="site-nav">
              <NavLink to={paths.loading.getHref()}>My crush</NavLink>
              <NavLink to={paths.topUsers.getHref()}>Top users</NavLink>
              <NavLink to={paths.topPosts.getHref()}>Top posts</NavLink>
            </nav>
          ) : null}
          <AccountMenu />
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1} className="site-main">
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>
          Instacrush reads the comments on your recent posts to find who engages with you most.
          It is not affiliated with Instagram or Meta.
        </p>
      </footer>
      <ScrollRestoration />
    </div>
  );
}
