import type { OmrJob, Task } from '@flat-api/raw'

/** Where a failed request went: the method and the path template, never the filled URL or its query. */
export interface RequestTarget {
  /** HTTP method, e.g. `GET`. */
  method: string
  /** Path template, e.g. `/scores/{score}`, or a placeholder such as `{task.result.url}` for a file URL. */
  path: string
}

/** Root of every error this SDK throws on purpose. */
export class FlatError extends Error {
  /** `'FlatError'` on a plain FlatError; every subclass sets its own class name. */
  override name = 'FlatError'
}

/** What a {@link FlatApiError} is built from; {@link createApiError} fills it in from a response. */
export interface FlatApiErrorInit extends RequestTarget {
  /** HTTP status of the response. */
  status: number
  /** Flat's error code from the body, e.g. `SCORE_NOT_FOUND`. Default: none. */
  code?: string | undefined
  /** The server's message, appended to the error's own message. Default: none. */
  message?: string | undefined
  /** Flat's error `id` or the request id header. Default: none. */
  requestId?: string | undefined
  /** The parameter the server blamed. Default: none. */
  param?: string | undefined
  /** The underlying error, kept as the error's `cause`. Default: none. */
  cause?: unknown
}

/** The API answered with a non-success status. */
export class FlatApiError extends FlatError {
  /** `'FlatApiError'` for a status no subclass covers; each subclass sets its own class name. */
  override name = 'FlatApiError'
  /** HTTP status of the response, e.g. `404`. */
  readonly status: number
  /** Flat's error code from the body, e.g. `SCORE_NOT_FOUND`; undefined when the body had none. */
  readonly code: string | undefined
  /** Flat's error `id` (internal errors only), or the request id header. */
  readonly requestId: string | undefined
  /** The parameter the server blamed, when it said. */
  readonly param: string | undefined
  /** HTTP method of the failed request, e.g. `GET`. */
  readonly method: string
  /** Path template of the failed request, e.g. `/scores/{score}`; never the filled URL or its query. */
  readonly path: string

  constructor(init: FlatApiErrorInit) {
    const parts = [`${init.method} ${init.path} failed with ${init.status}`]
    if (init.code) parts.push(init.code)
    let text = parts.join(' ')
    if (init.message) text += `: ${init.message}`
    if (init.param) text += ` (param ${init.param})`
    if (init.requestId) text += ` [id ${init.requestId}]`
    super(text, init.cause === undefined ? undefined : { cause: init.cause })
    this.status = init.status
    this.code = init.code
    this.requestId = init.requestId
    this.param = init.param
    this.method = init.method
    this.path = init.path
  }
}

/** 401: the token is missing, expired or revoked. */
export class FlatAuthenticationError extends FlatApiError {
  /** Always `'FlatAuthenticationError'`. */
  override name = 'FlatAuthenticationError'
}

/** 403 for any reason other than the rate limit: retrying will not help. */
export class FlatAuthorizationError extends FlatApiError {
  /** Always `'FlatAuthorizationError'`. */
  override name = 'FlatAuthorizationError'
}

/** What a {@link FlatRateLimitError} is built from: the API error plus the `X-RateLimit-*` headers. */
export interface FlatRateLimitErrorInit extends FlatApiErrorInit {
  /** Requests allowed per window (`X-RateLimit-Limit`). Default: none. */
  limit?: number | undefined
  /** Requests left in the window (`X-RateLimit-Remaining`). Default: none. */
  remaining?: number | undefined
  /** When the window resets (`X-RateLimit-Reset`). Default: none. */
  resetAt?: Date | undefined
}

/** 403 `API_RATE_LIMIT_EXCEEDED`: Flat's hourly budget is spent until `resetAt`. */
export class FlatRateLimitError extends FlatApiError {
  /** Always `'FlatRateLimitError'`. */
  override name = 'FlatRateLimitError'
  /** Requests allowed per window (`X-RateLimit-Limit`). */
  readonly limit: number | undefined
  /** Requests left in the window (`X-RateLimit-Remaining`); may be negative. */
  readonly remaining: number | undefined
  /** When the window resets, as a Date (`X-RateLimit-Reset`); undefined when the header was missing or unreadable. */
  readonly resetAt: Date | undefined

  constructor(init: FlatRateLimitErrorInit) {
    super(init)
    this.limit = init.limit
    this.remaining = init.remaining
    this.resetAt = init.resetAt
  }
}

/** 402: the account is over quota or the plan lacks the feature. */
export class FlatQuotaError extends FlatApiError {
  /** Always `'FlatQuotaError'`. */
  override name = 'FlatQuotaError'
}

/** 404: the resource does not exist or is not visible to this token. */
export class FlatNotFoundError extends FlatApiError {
  /** Always `'FlatNotFoundError'`. */
  override name = 'FlatNotFoundError'
}

/** 400 or 422: the request was refused as invalid. */
export class FlatValidationError extends FlatApiError {
  /** Always `'FlatValidationError'`. */
  override name = 'FlatValidationError'
}

/** 5xx: the server failed; usually worth retrying. */
export class FlatServerError extends FlatApiError {
  /** Always `'FlatServerError'`. */
  override name = 'FlatServerError'
}

/** The request never got an HTTP answer: DNS, refused or reset connection, TLS. */
export class FlatConnectionError extends FlatError {
  /** Always `'FlatConnectionError'`. */
  override name = 'FlatConnectionError'
  /** HTTP method of the request, e.g. `GET`. */
  readonly method: string
  /** Path template of the request, e.g. `/scores/{score}`; never the filled URL or its query. */
  readonly path: string

  constructor(target: RequestTarget, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(`${target.method} ${target.path} could not reach the server: ${reason}`, { cause })
    this.method = target.method
    this.path = target.path
  }
}

/** A single request ran past its per-request timeout. */
export class FlatTimeoutError extends FlatError {
  /** Always `'FlatTimeoutError'`. */
  override name = 'FlatTimeoutError'
  /** HTTP method of the request, e.g. `GET`. */
  readonly method: string
  /** Path template of the request, e.g. `/scores/{score}`; never the filled URL or its query. */
  readonly path: string
  /** The timeout that ran out, in milliseconds. */
  readonly timeoutMs: number

  constructor(target: RequestTarget, timeoutMs: number) {
    super(`${target.method} ${target.path} timed out after ${timeoutMs} ms`)
    this.method = target.method
    this.path = target.path
    this.timeoutMs = timeoutMs
  }
}

/** A success status whose body could not be parsed as the operation promises. */
export class FlatMalformedResponseError extends FlatError {
  /** Always `'FlatMalformedResponseError'`. */
  override name = 'FlatMalformedResponseError'
  /** HTTP status of the response, a success status. */
  readonly status: number
  /** HTTP method of the request, e.g. `GET`. */
  readonly method: string
  /** Path template of the request, e.g. `/scores/{score}`; never the filled URL or its query. */
  readonly path: string

  /** `problem` completes "answered 200 with ..."; by default the body was not valid JSON. */
  constructor(target: RequestTarget, status: number, cause: unknown, problem = 'a body that is not valid JSON') {
    super(`${target.method} ${target.path} answered ${status} with ${problem}`, { cause })
    this.status = status
    this.method = target.method
    this.path = target.path
  }
}

/** The task ended in state `error`. */
export class FlatTaskFailedError extends FlatError {
  /** Always `'FlatTaskFailedError'`. */
  override name = 'FlatTaskFailedError'
  /** The task as last polled, in state `error`; `result.error` says why, when the server said. */
  readonly task: Task

  constructor(task: Task) {
    const reason = task.result?.error ? `: ${task.result.error}` : ''
    super(`task ${task.id} failed${reason}`)
    this.task = task
  }
}

/** The task ended in state `canceled`. */
export class FlatTaskCanceledError extends FlatError {
  /** Always `'FlatTaskCanceledError'`. */
  override name = 'FlatTaskCanceledError'
  /** The task as last polled, in state `canceled`. */
  readonly task: Task

  constructor(task: Task) {
    super(`task ${task.id} was canceled`)
    this.task = task
  }
}

/** A wait reached its deadline before the task ended; `cause` is the last poll error seen along the way, if any. */
export class FlatWaitTimeoutError extends FlatError {
  /** `'FlatWaitTimeoutError'` for a task wait; `'FlatOmrWaitTimeoutError'` for an OMR job wait. */
  override name = 'FlatWaitTimeoutError'
  /** The task as last polled; undefined when no poll succeeded. */
  readonly lastTask: Task | undefined
  /** The time the wait was given, in milliseconds (for a resumed wait or `omr.run`, what was left of its deadline). */
  readonly timeoutMs: number

  constructor(id: string, timeoutMs: number, lastTask: Task | undefined, cause?: unknown) {
    const state = lastTask ? `; last state ${lastTask.state}` : '; no state observed'
    super(`waiting for task ${id} timed out after ${timeoutMs} ms${state}`, cause === undefined ? undefined : { cause })
    this.lastTask = lastTask
    this.timeoutMs = timeoutMs
  }
}

/** A request was redirected more often than allowed, or back to a URL it had already visited. */
export class FlatRedirectError extends FlatError {
  /** Always `'FlatRedirectError'`. */
  override name = 'FlatRedirectError'
  /** HTTP method of the original request, e.g. `GET`. */
  readonly method: string
  /** Path template of the original request, e.g. `/scores/{score}`; never the filled URL or its query. */
  readonly path: string
  /** Redirects followed before giving up. */
  readonly hops: number
  /** True when a redirect led back to a URL already visited. */
  readonly loop: boolean

  constructor(target: RequestTarget, hops: number, loop: boolean) {
    const reason = loop ? 'a redirect loop' : `more than ${hops} redirects`
    super(`${target.method} ${target.path} was stopped after ${reason}`)
    this.method = target.method
    this.path = target.path
    this.hops = hops
    this.loop = loop
  }
}

/** The OMR job ended in status `error`; `errorCode` is stable, `errorMessage` is localized for display. */
export class FlatOmrJobFailedError extends FlatError {
  /** Always `'FlatOmrJobFailedError'`. */
  override name = 'FlatOmrJobFailedError'
  /** The job as last polled, in status `error`. */
  readonly job: OmrJob
  /** Flat's failure code, e.g. `NO_MUSIC_DETECTED`; an open set, keep a fallback. */
  readonly errorCode: string | undefined
  /** The server's user-facing message, in the locale the job was read with. */
  readonly errorMessage: string | undefined

  constructor(job: OmrJob) {
    const code = job.errorCode ?? 'unknown error'
    super(`OMR job ${job.id} failed with ${code}${job.errorMessage ? `: ${job.errorMessage}` : ''}`)
    this.job = job
    this.errorCode = job.errorCode
    this.errorMessage = job.errorMessage
  }
}

/** The OMR job ended in status `canceled`. */
export class FlatOmrJobCanceledError extends FlatError {
  /** Always `'FlatOmrJobCanceledError'`. */
  override name = 'FlatOmrJobCanceledError'
  /** The job as last polled, in status `canceled`. */
  readonly job: OmrJob

  constructor(job: OmrJob) {
    super(`OMR job ${job.id} was canceled`)
    this.job = job
  }
}

/** A wait for an OMR job reached its deadline; `lastJob` is the last state observed, `lastTask` is undefined. */
export class FlatOmrWaitTimeoutError extends FlatWaitTimeoutError {
  /** Always `'FlatOmrWaitTimeoutError'`. */
  override name = 'FlatOmrWaitTimeoutError'
  /** The job as last polled; undefined when no poll succeeded. */
  readonly lastJob: OmrJob | undefined

  constructor(id: string, timeoutMs: number, lastJob: OmrJob | undefined, cause?: unknown) {
    super(id, timeoutMs, undefined, cause)
    const status = lastJob ? `; last status ${lastJob.status}` : '; no status observed'
    this.message = `waiting for OMR job ${id} timed out after ${timeoutMs} ms${status}`
    this.lastJob = lastJob
  }
}

const RATE_LIMIT_CODE = 'API_RATE_LIMIT_EXCEEDED'

/** Whether a parsed error body is Flat's rate-limit refusal. */
export function isRateLimitBody(body: unknown): boolean {
  return field(body, 'code') === RATE_LIMIT_CODE
}

function parseIntHeader(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name)
  if (raw === null || !/^\s*-?\d+\s*$/.test(raw)) return undefined
  return Number.parseInt(raw, 10)
}

/** `X-RateLimit-*` headers as numbers and a Date; absent or unparseable values are undefined. */
export function readRateLimit(headers: Headers): {
  /** Requests allowed per window (`X-RateLimit-Limit`). */
  limit?: number
  /** Requests left in the window (`X-RateLimit-Remaining`); may be negative. */
  remaining?: number
  /** When the window resets (`X-RateLimit-Reset`, epoch seconds), as a Date. */
  resetAt?: Date
} {
  const limit = parseIntHeader(headers, 'x-ratelimit-limit')
  const remaining = parseIntHeader(headers, 'x-ratelimit-remaining')
  const reset = parseIntHeader(headers, 'x-ratelimit-reset')
  const result: { limit?: number; remaining?: number; resetAt?: Date } = {}
  if (limit !== undefined) result.limit = limit
  if (remaining !== undefined) result.remaining = remaining
  if (reset !== undefined) result.resetAt = new Date(reset * 1000)
  return result
}

function field(body: unknown, name: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined

  const value = (body as Record<string, unknown>)[name]
  return typeof value === 'string' ? value : undefined
}

/** Marks an error body the SDK put in place of an empty one, so the factory can tell the server sent none. */
export const EMPTY_BODY_MARKER = 'flatSdkEmptyBody'

/** Options for {@link createApiError}. */
export interface CreateApiErrorOptions {
  /** An OAuth2 request: a 400 or 401 (bad code, revoked refresh token) is a FlatAuthenticationError. Default false. */
  authentication?: boolean
}

/**
 * The one place an HTTP failure becomes a typed error, from the status and the body's `code`.
 * `body` is what openapi-fetch returned as `error`: parsed JSON, the raw text when it was not JSON, or undefined when
 * the body was empty. OAuth2 error bodies (`error`, `error_description`) are read too.
 */
export function createApiError(
  target: RequestTarget,
  response: Response,
  body: unknown,
  options: CreateApiErrorOptions = {},
): FlatApiError {
  const empty = body === undefined || body === '' || field(body, EMPTY_BODY_MARKER) !== undefined
  const code = empty ? undefined : (field(body, 'code') ?? field(body, 'error'))
  const text = typeof body === 'string' && body.trim() ? body.trim().slice(0, 200) : undefined
  const serverMessage = empty ? undefined : (field(body, 'message') ?? field(body, 'error_description') ?? text)
  const statusText = response.statusText || undefined
  const init: FlatApiErrorInit = {
    ...target,
    status: response.status,
    code,
    message: serverMessage ?? (empty ? `${statusText ?? 'no message'} (empty body)` : statusText),
    requestId: field(body, 'id') ?? response.headers.get('x-request-id') ?? undefined,
    param: field(body, 'param'),
  }
  if (options.authentication && (response.status === 400 || response.status === 401)) {
    return new FlatAuthenticationError(init)
  }
  const { status } = response
  if (status === 403 && code === RATE_LIMIT_CODE) {
    return new FlatRateLimitError({ ...init, ...readRateLimit(response.headers) })
  }
  if (status === 401) return new FlatAuthenticationError(init)
  if (status === 403) return new FlatAuthorizationError(init)
  if (status === 402) return new FlatQuotaError(init)
  if (status === 404) return new FlatNotFoundError(init)
  if (status === 400 || status === 422) return new FlatValidationError(init)
  if (status >= 500) return new FlatServerError(init)
  return new FlatApiError(init)
}
