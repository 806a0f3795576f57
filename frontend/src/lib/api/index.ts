export { api, createApiClient, CSRF_HEADER, type ApiClient, type ApiPaths } from './client';
export { ApiError, errorMessage, unwrap, isRetryable, type Problem } from './errors';
export { createQueryClient } from './query-client';
export { retryAfterSeconds } from './retry-after';
export type { paths, components } from './schema';
