/** How the loading page tells my crush's page how many comments named nobody (history state). */

/** The history state the loading page hands to my crush's page. */
export function unattributedState(count: number) {
  return { unattributed: count };
}

/** The count a link's history state carries, if any. */
export function unattributedIn(state: unknown): number | undefined {
  if (typeof state !== 'object' || state === null || !('unattributed' in state)) return undefined;
  return typeof state.unattributed === 'number' ? state.unattributed : undefined;
}
