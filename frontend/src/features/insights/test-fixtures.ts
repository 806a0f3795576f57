/** Data for this feature's tests, shaped like the API's answers. */
import type { components } from '@/lib/api';
import type { InteractorComment, InteractorComments } from './api/get-interactor-comments';
import type { InteractorSummary } from './api/get-top-interactors';
import type { TopPost } from './api/get-top-posts';
import type { Page } from './paging';

export const me: components['schemas']['Me'] = {
  id: 7,
  instagram_username: 'ada.demo',
  sync: { state: 'fresh', last_synced_at: '2026-03-01T12:30:00Z' },
};

export function interactor(rank: number, overrides: Partial<InteractorSummary> = {}): InteractorSummary {
  return {
    rank,
    ig_id: `9000${rank}`,
    username: `fan.${rank}`,
    profile_picture_url: `https://pics.test/fan.${rank}.jpg`,
    comments_count: 100 - rank,
    posts_count: 10,
    latest_comment_at: '2026-03-01T12:00:00Z',
    ...overrides,
  };
}

export function post(n: number, overrides: Partial<TopPost> = {}): TopPost {
  return {
    ig_id: `1700${n}`,
    media_type: 'IMAGE',
    caption: `Post number ${n}`,
    permalink: `https://www.instagram.test/p/${n}/`,
    media_url: `https://pics.test/post.${n}.jpg`,
    thumbnail_url: null,
    posted_at: '2026-02-20T09:30:00Z',
    like_count: 42,
    comments_count: 5,
    replies_count: 2,
    interactions_count: 7,
    ...overrides,
  };
}

export function comment(n: number, overrides: Partial<InteractorComment> = {}): InteractorComment {
  return {
    ig_comment_id: `c${n}`,
    kind: 'comment',
    text: `Comment number ${n}`,
    commented_at: '2026-02-21T18:45:00Z',
    post: {
      ig_id: '17001',
      caption: 'Sunset at the pier',
      permalink: 'https://www.instagram.test/p/1/',
      picture_url: 'https://pics.test/post.1.jpg',
      posted_at: '2026-02-20T09:30:00Z',
    },
    ...overrides,
  };
}

/** One account's comments as the API answers them: the account, then a page like `pageOf`'s. */
export function commentsOf(
  account: Partial<InteractorComments['interactor']>,
  total: number,
  offset: number,
  make: (n: number) => InteractorComment = (n) => comment(n),
): InteractorComments {
  const interactor = { ig_id: '90001', username: 'fan.1', profile_picture_url: null, ...account };
  return { interactor, ...pageOf(total, offset, make) };
}

/** A page as the API answers it: `make(i)` for each of the page's items. */
export function pageOf<T>(total: number, offset: number, make: (n: number) => T, limit = 20): Page<T> {
  const count = Math.max(0, Math.min(limit, total - offset));
  return { items: Array.from({ length: count }, (_, i) => make(offset + i + 1)), total, limit, offset };
}

/** The paging parameters of a request. */
export function pagingOf(request: Request | undefined) {
  const url = new URL(request?.url ?? 'http://x/');
  return { limit: url.searchParams.get('limit'), offset: url.searchParams.get('offset') };
}

/** `items[index]`, failing the test when there is no such item. */
export function nth<T>(items: T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`expected an item at ${index}, got ${items.length} items`);
  return item;
}
