/**
 * Instagram ends its sign-in redirect with an empty `#_` fragment: it means nothing here, and
 * would stay in the address bar (and in every link copied from it). Removed before the router
 * reads the address.
 */
export function dropEmptyFragment(location: Location = window.location, history: History = window.history) {
  if (location.hash === '#_') {
    history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  }
}
