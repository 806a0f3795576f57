export { api, createApiClient, CSRF_HEADER, type ApiClient, type ApiPaths } from './client';
export { ApiError, errorDetails, errorMessage, errorReference, unwrap, isRetryable, type Problem } from './errors';
export { createQueryClient } from './query-client';
export { retryAfterSeconds } from './retry-after';
export type { paths, components } from './schema';
