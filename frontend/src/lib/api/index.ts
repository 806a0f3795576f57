export { api, createApiClient, CSRF_HEADER, type ApiClient, type ApiPaths } from './client';
export { ApiError, unwrap, isRetryable, type Problem } from './errors';
export { createQueryClient } from './query-client';
export type { paths, components } from './schema';
