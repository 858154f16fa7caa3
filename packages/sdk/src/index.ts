export type { FlatClient, FlatClientOptions } from './client.js'
export { createFlatClient } from './client.js'
export type { DownloadedFile, FormatData, RevisionFormat } from './download.js'
export { REVISION_FORMATS } from './download.js'
export type { CreateApiErrorOptions, FlatApiErrorInit, FlatRateLimitErrorInit, RequestTarget } from './errors.js'
export {
  createApiError,
  FlatApiError,
  FlatAuthenticationError,
  FlatAuthorizationError,
  FlatConnectionError,
  FlatError,
  FlatMalformedResponseError,
  FlatNotFoundError,
  FlatOmrJobCanceledError,
  FlatOmrJobFailedError,
  FlatOmrWaitTimeoutError,
  FlatQuotaError,
  FlatRateLimitError,
  FlatRedirectError,
  FlatServerError,
  FlatTaskCanceledError,
  FlatTaskFailedError,
  FlatTimeoutError,
  FlatValidationError,
  FlatWaitTimeoutError,
  readRateLimit,
} from './errors.js'
export { FORM_OPERATIONS } from './form.js'
export type { ContentDisposition, LinkValue } from './headers.js'
export { findLink, parseContentDisposition, parseLinkHeader } from './headers.js'
export type { Logger } from './logger.js'
export type {
  AuthorizationUrlOptions,
  ExchangeCodeOptions,
  OAuthScope,
  OAuthTokenSource,
  OAuthTokenSourceOptions,
  OAuthTokens,
  TokenEndpointOptions,
} from './oauth.js'
export {
  createAuthorizationUrl,
  createOAuthTokenSource,
  DEFAULT_AUTHORIZE_URL,
  DEFAULT_TOKEN_URL,
  exchangeCode,
  OAUTH_SCOPES,
} from './oauth.js'
export type {
  OmrApi,
  OmrCreateOptions,
  OmrExportFormat,
  OmrFile,
  OmrRequestOptions,
  OmrRunOptions,
  OmrRunResult,
  OmrStepHandler,
  OmrWaitOptions,
} from './omr.js'
export { OMR_EXPORT_FORMATS, OMR_MAX_WAIT_SECONDS } from './omr.js'
export type {
  Page,
  PageItem,
  Paginate,
  PaginateControls,
  PaginatedPath,
  PaginateInit,
  Paginator,
} from './pagination.js'
export { PAGE_SIZE_LIMITS, PAGINATED_PATHS } from './pagination.js'
export type { Clock, ManualClock } from './polling/clock.js'
export { createManualClock, sleep, systemClock } from './polling/clock.js'
export type { PollingOptions, ResolvedPollingOptions } from './polling/options.js'
export { DEFAULT_POLLING } from './polling/options.js'
export { FLAT_REQUESTS_PER_HOUR } from './polling/scheduler.js'
export type { ResolvedRetryOptions, RetryOptions } from './retry.js'
export { DEFAULT_RETRY } from './retry.js'
export type {
  DownloadOptions,
  ExportDownloadOptions,
  ExportedFile,
  ExportFormat,
  ExportOptions,
  ImportInput,
  RevisionFile,
  RevisionFileUrl,
  ScoresApi,
} from './scores.js'
export { EXPORT_FORMATS } from './scores.js'
export type { GetOptions, ResumeOptions, TasksApi, TaskWait, TaskWaitCheckpoint, WaitOptions } from './tasks.js'
export type { AccessToken, FetchLike, TokenSource } from './transport.js'
export { SDK_VERSION } from './version.js'
