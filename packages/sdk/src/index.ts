export type { FlatClient, FlatClientOptions } from './client.js'
export { createFlatClient } from './client.js'
export type { FlatApiErrorInit, FlatRateLimitErrorInit, RequestTarget } from './errors.js'
export {
  createApiError,
  FlatApiError,
  FlatAuthenticationError,
  FlatAuthorizationError,
  FlatConnectionError,
  FlatError,
  FlatMalformedResponseError,
  FlatNotFoundError,
  FlatQuotaError,
  FlatRateLimitError,
  FlatServerError,
  FlatTaskCanceledError,
  FlatTaskFailedError,
  FlatTimeoutError,
  FlatValidationError,
  FlatWaitTimeoutError,
  readRateLimit,
} from './errors.js'
export type { Logger } from './logger.js'
export type { Clock, ManualClock } from './polling/clock.js'
export { createManualClock, sleep, systemClock } from './polling/clock.js'
export type { PollingOptions } from './polling/options.js'
export { DEFAULT_POLLING } from './polling/options.js'
export { FLAT_REQUESTS_PER_HOUR } from './polling/scheduler.js'
export type { ExportFormat, ExportOptions, ScoresApi } from './scores.js'
export { EXPORT_FORMATS } from './scores.js'
export type { GetOptions, ResumeOptions, TasksApi, TaskWait, TaskWaitCheckpoint, WaitOptions } from './tasks.js'
export type { AccessToken, FetchLike } from './transport.js'
export { SDK_VERSION } from './version.js'
