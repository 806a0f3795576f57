/**
 * Compile-time checks of the client's types, run by `npm run typecheck` (never executed):
 * calls must match the generated paths, and the CSRF header is the client's job.
 */
import type { ApiClient } from './client';

export function callsMatchTheGeneratedPaths(api: ApiClient) {
  // @ts-expect-error: not a path in openapi.yaml
  void api.GET('/api/nope');
  // @ts-expect-error: the token id is a required path parameter
  void api.DELETE('/api/auth/api-tokens/{id}');
  // @ts-expect-error: the body must be a NewApiToken
  void api.POST('/api/auth/api-tokens', { body: { title: 'x' } });
  void api.DELETE('/api/auth/api-tokens/{id}', { params: { path: { id: 1 } } });
}

export function theCsrfHeaderIsNotTheCallersJob(api: ApiClient) {
  void api.POST('/api/auth/logout');
  void api.POST('/api/auth/refresh');
  void api.DELETE('/api/users/me');
}
