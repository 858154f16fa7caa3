import type { AppScopes } from '@flat-api/raw'
import {
  createApiError,
  FlatApiError,
  FlatAuthenticationError,
  FlatConnectionError,
  FlatMalformedResponseError,
  FlatTimeoutError,
  type RequestTarget,
} from './errors.js'
import { type Clock, linkAbort, systemClock } from './polling/clock.js'
import { INSPECT } from './secrets.js'
import type { FetchLike, TokenSource } from './transport.js'
import { checkDuration, checkFunction, checkObject, checkSignal, checkString, describe } from './validate.js'

/**
 * The scopes of the spec's OAuth2 security scheme (`components.securitySchemes.OAuth2`). The generated types carry
 * them only as the `AppScopes` schema, so the list lives here; the type check below and a test against the resolved
 * spec keep it in step.
 */
export const OAUTH_SCOPES = [
  'account.public_profile',
  'account.email',
  'account.education_profile',
  'scores.readonly',
  'scores.social',
  'scores',
  'collections.readonly',
  'collections.add_scores',
  'collections',
  'notifications.readonly',
  'edu.resources',
  'edu.resources.readonly',
  'edu.classes',
  'edu.classes.readonly',
  'edu.assignments',
  'edu.assignments.readonly',
  'edu.admin',
  'edu.admin.lti',
  'edu.admin.lti.readonly',
  'edu.admin.users',
  'edu.admin.users.readonly',
  'tasks.readonly',
  'omr',
] as const satisfies readonly AppScopes[]

/** One scope an app can ask for: one of {@link OAUTH_SCOPES}. */
export type OAuthScope = (typeof OAUTH_SCOPES)[number]
const exhaustive: [AppScopes] extends [OAuthScope] ? true : false = true
void exhaustive

/** Where users approve an app. */
export const DEFAULT_AUTHORIZE_URL = 'https://flat.io/auth/oauth'
/** Where codes and refresh tokens are exchanged; outside `/v2`. */
export const DEFAULT_TOKEN_URL = 'https://api.flat.io/oauth/access_token'
const DEFAULT_TIMEOUT_MS = 30_000
/** Refresh this long before the token expires, so a request never leaves with a token about to lapse. */
const DEFAULT_REFRESH_MARGIN_MS = 60_000
const REDACTED = '[redacted]'
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/

function checkEndpoint(name: string, value: unknown): URL {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw new TypeError(`${name} must be an absolute URL, got ${describe(value)}`)
  }
  const url = new URL(value)
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname))
  if (!secure)
    throw new TypeError(`${name} must use https unless the host is loopback, got ${JSON.stringify(url.origin)}`)
  return url
}

/** Options for {@link createAuthorizationUrl}. */
export interface AuthorizationUrlOptions {
  /** Your app's client id. */
  clientId: string
  /** Where Flat sends the user back with `code` and `state`; must match the app's settings. */
  redirectUri: string
  /** Scopes to ask for; ask for the fewest that work. */
  scopes: readonly OAuthScope[]
  /** An unguessable value you check on the way back (CSRF protection). */
  state: string
  /** Authorization endpoint; https unless the host is loopback. Default `https://flat.io/auth/oauth`. */
  authorizeUrl?: string
}

/** The URL to send a user to for the OAuth2 authorization-code flow. */
export function createAuthorizationUrl(options: AuthorizationUrlOptions): string {
  checkObject('authorization options', options)
  checkString('clientId', options.clientId)
  if (typeof options.redirectUri !== 'string' || !URL.canParse(options.redirectUri)) {
    throw new TypeError(`redirectUri must be an absolute URL, got ${describe(options.redirectUri)}`)
  }
  if (!Array.isArray(options.scopes) || options.scopes.length === 0) {
    throw new TypeError(`scopes must be a non-empty array of scopes, got ${describe(options.scopes)}`)
  }
  for (const [index, scope] of options.scopes.entries()) {
    if (!(OAUTH_SCOPES as readonly string[]).includes(scope)) {
      throw new RangeError(`scopes[${index}] must be one of ${OAUTH_SCOPES.join(', ')}, got ${describe(scope)}`)
    }
  }
  checkString('state', options.state)
  const url = checkEndpoint('authorizeUrl', options.authorizeUrl ?? DEFAULT_AUTHORIZE_URL)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', options.clientId)
  url.searchParams.set('redirect_uri', options.redirectUri)
  url.searchParams.set('scope', [...new Set(options.scopes)].join(' '))
  url.searchParams.set('state', options.state)
  return url.href
}

/** Tokens from the token endpoint. Printing shows them redacted; spread the object (`{ ...tokens }`) to store it. */
export interface OAuthTokens {
  /** The access token, sent as `Authorization: Bearer ...`. */
  accessToken: string
  /** Present when the server issued one; a refresh may rotate it. */
  refreshToken: string | undefined
  /** When the access token stops working, from `expires_in`. */
  expiresAt: Date | undefined
  /** The token type the server named; `Bearer` when it named none. */
  tokenType: string
  /** Granted scopes, when the server said. */
  scopes: string[] | undefined
}

interface TokenRequest {
  tokenUrl: URL
  fields: Record<string, string>
  fetch: FetchLike
  signal: AbortSignal | undefined
  timeoutMs: number
  clock: Clock
}

function redactedTokens(tokens: OAuthTokens): Record<string, unknown> {
  return {
    accessToken: REDACTED,
    refreshToken: tokens.refreshToken === undefined ? undefined : REDACTED,
    expiresAt: tokens.expiresAt?.toISOString(),
    tokenType: tokens.tokenType,
    scopes: tokens.scopes,
  }
}

function hideSecrets(tokens: OAuthTokens): OAuthTokens {
  // Non-enumerable, so `{ ...tokens }` is a plain copy a caller can store on purpose.
  Object.defineProperties(tokens, {
    toJSON: { value: () => redactedTokens(tokens) },
    [INSPECT]: { value: () => `OAuthTokens ${JSON.stringify(redactedTokens(tokens))}` },
  })
  return tokens
}

function parseTokens(target: RequestTarget, response: Response, body: unknown, clock: Clock): OAuthTokens {
  const record = (body ?? {}) as Record<string, unknown>
  const accessToken = record.access_token
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new FlatMalformedResponseError(target, response.status, undefined, 'no access_token in its body')
  }
  const expiresIn = Number(record.expires_in)
  const scope = typeof record.scope === 'string' ? record.scope : undefined
  return hideSecrets({
    accessToken,
    refreshToken: typeof record.refresh_token === 'string' && record.refresh_token ? record.refresh_token : undefined,
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(clock.now() + expiresIn * 1000) : undefined,
    tokenType: typeof record.token_type === 'string' ? record.token_type : 'Bearer',
    scopes: scope === undefined ? undefined : scope.split(/[\s,]+/).filter(Boolean),
  })
}

/** One form POST to the token endpoint. Errors name the endpoint and the OAuth error code, never a secret. */
async function requestTokens(request: TokenRequest): Promise<OAuthTokens> {
  const { tokenUrl, clock, timeoutMs, signal } = request
  const target = { method: 'POST', path: tokenUrl.pathname }
  if (signal?.aborted) throw signal.reason

  const controller = new AbortController()
  const unlink = linkAbort(signal, controller)
  const timer = clock.setTimeout(() => controller.abort(new FlatTimeoutError(target, timeoutMs)), timeoutMs)
  try {
    let response: Response
    try {
      response = await request.fetch(
        new Request(tokenUrl.href, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
          body: new URLSearchParams(request.fields).toString(),
          signal: controller.signal,
          // A redirect would re-send the secret to wherever it points.
          redirect: 'error',
        }),
      )
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason
      throw new FlatConnectionError(target, error)
    }
    let text: string
    try {
      text = await response.text()
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason
      throw new FlatConnectionError(target, error)
    }
    let body: unknown = text
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      // Left as text: the error factory shows the start of it.
    }
    if (!response.ok) throw createApiError(target, response, body, { authentication: true })
    return parseTokens(target, response, body, clock)
  } finally {
    clock.clearTimeout(timer)
    unlink()
  }
}

/** The app's credentials and how to reach the token endpoint; shared by the OAuth2 helpers that call it. */
export interface TokenEndpointOptions {
  /** Your app's client id. */
  clientId: string
  /** Your app's client secret: keep it on a server. */
  clientSecret: string
  /** Token endpoint; https unless the host is loopback. Default `https://api.flat.io/oauth/access_token`. */
  tokenUrl?: string
  /** Fetch implementation. Default `globalThis.fetch`. */
  fetch?: FetchLike
  /** Timeout of each token request, in milliseconds. Default 30000. */
  timeoutMs?: number
}

/** Options for {@link exchangeCode}: the code from the redirect, plus the token endpoint settings. */
export interface ExchangeCodeOptions extends TokenEndpointOptions {
  /** The `code` Flat sent to your redirect URI. */
  code: string
  /** The same `redirectUri` the authorization URL used. */
  redirectUri: string
  /** Aborts the exchange. Default: none. */
  signal?: AbortSignal
}

function checkEndpointOptions(options: TokenEndpointOptions): { tokenUrl: URL; fetch: FetchLike; timeoutMs: number } {
  checkString('clientId', options.clientId)
  if (typeof options.clientSecret !== 'string' || options.clientSecret === '') {
    throw new TypeError('clientSecret must be a non-empty string')
  }
  checkFunction('fetch', options.fetch)
  checkDuration('timeoutMs', options.timeoutMs, true)
  return {
    tokenUrl: checkEndpoint('tokenUrl', options.tokenUrl ?? DEFAULT_TOKEN_URL),
    fetch: options.fetch ?? ((request) => globalThis.fetch(request)),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  }
}

/** Exchanges an authorization code for tokens; a refused code is a `FlatAuthenticationError`. */
export async function exchangeCode(options: ExchangeCodeOptions): Promise<OAuthTokens> {
  checkObject('exchange options', options)
  checkString('code', options.code)
  if (typeof options.redirectUri !== 'string' || !URL.canParse(options.redirectUri)) {
    throw new TypeError(`redirectUri must be an absolute URL, got ${describe(options.redirectUri)}`)
  }
  checkSignal('signal', options.signal)
  const endpoint = checkEndpointOptions(options)
  return requestTokens({
    ...endpoint,
    fields: {
      grant_type: 'authorization_code',
      code: options.code,
      redirect_uri: options.redirectUri,
      client_id: options.clientId,
      client_secret: options.clientSecret,
    },
    signal: options.signal,
    clock: systemClock,
  })
}

/** Options for {@link createOAuthTokenSource}: the current tokens, plus the token endpoint to refresh them at. */
export interface OAuthTokenSourceOptions extends TokenEndpointOptions {
  /** The current access token, sent until it expires or is refused. */
  accessToken: string
  /** Needed to refresh; without it an expired token is an authentication error. Default: none. */
  refreshToken?: string
  /** When `accessToken` expires, as a Date or epoch milliseconds. Default: unknown (refreshed only after a 401). */
  expiresAt?: Date | number
  /** Receives every new set of tokens, to store them (refresh tokens may rotate). Default: none. */
  onTokens?: (tokens: OAuthTokens) => void | Promise<void>
  /** Refresh this long before `expiresAt`, in milliseconds. Default 60000. */
  refreshMarginMs?: number
  /** Time source; inject one in tests. Default: the system clock. */
  clock?: Clock
}

/** A token source for `createFlatClient({ accessToken })` that refreshes transparently, one refresh at a time. */
export interface OAuthTokenSource extends TokenSource {
  /** When the current access token expires, if known. */
  readonly expiresAt: Date | undefined
  /** Forces a refresh; with `rejected`, only if that is still the current token. */
  refresh(rejected?: string): Promise<string>
}

function toDate(name: string, value: unknown): Date | undefined {
  if (value === undefined) return undefined

  const date = value instanceof Date ? value : typeof value === 'number' ? new Date(value) : undefined
  if (!date || Number.isNaN(date.getTime())) {
    throw new TypeError(`${name} must be a Date or epoch milliseconds, got ${describe(value)}`)
  }
  return date
}

/** Creates a refreshing token source; tokens and the client secret never show in its JSON or `util.inspect`. */
export function createOAuthTokenSource(options: OAuthTokenSourceOptions): OAuthTokenSource {
  checkObject('token source options', options)
  if (typeof options.accessToken !== 'string' || options.accessToken === '') {
    throw new TypeError('accessToken must be a non-empty string')
  }
  if (options.refreshToken !== undefined && (typeof options.refreshToken !== 'string' || !options.refreshToken)) {
    throw new TypeError('refreshToken must be a non-empty string')
  }
  checkFunction('onTokens', options.onTokens)
  if (
    options.refreshMarginMs !== undefined &&
    !(options.refreshMarginMs >= 0 && Number.isFinite(options.refreshMarginMs))
  ) {
    throw new RangeError(`refreshMarginMs must be a finite number >= 0, got ${describe(options.refreshMarginMs)}`)
  }
  const endpoint = checkEndpointOptions(options)
  const clock = options.clock ?? systemClock
  const marginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS
  const target = { method: 'POST', path: endpoint.tokenUrl.pathname }
  let accessToken = options.accessToken
  let refreshToken = options.refreshToken
  let expiresAt = toDate('expiresAt', options.expiresAt)
  let inFlight: Promise<string> | undefined

  const failure = (message: string, cause?: unknown): FlatAuthenticationError =>
    new FlatAuthenticationError({
      ...target,
      status: cause instanceof FlatApiError ? cause.status : 401,
      code: cause instanceof FlatApiError ? cause.code : undefined,
      message,
      cause,
    })

  async function renew(): Promise<string> {
    if (refreshToken === undefined) throw failure('the access token expired and there is no refresh token')

    let tokens: OAuthTokens
    try {
      tokens = await requestTokens({
        ...endpoint,
        fields: {
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: options.clientId,
          client_secret: options.clientSecret,
        },
        signal: undefined,
        clock,
      })
    } catch (error) {
      if (error instanceof FlatAuthenticationError) throw error
      throw failure('refreshing the access token failed', error)
    }
    accessToken = tokens.accessToken
    refreshToken = tokens.refreshToken ?? refreshToken
    expiresAt = tokens.expiresAt
    await options.onTokens?.(tokens)
    return accessToken
  }

  const refresh = (rejected?: string): Promise<string> => {
    // A 401 for a token already replaced: the refresh it calls for has happened.
    if (rejected !== undefined && rejected !== accessToken && inFlight === undefined)
      return Promise.resolve(accessToken)
    inFlight ??= renew().finally(() => {
      inFlight = undefined
    })
    return inFlight
  }

  const summary = () => ({
    kind: 'OAuthTokenSource',
    accessToken: REDACTED,
    refreshToken: refreshToken === undefined ? undefined : REDACTED,
    expiresAt: expiresAt?.toISOString(),
    tokenUrl: endpoint.tokenUrl.href,
  })
  const source: OAuthTokenSource = {
    get expiresAt() {
      return expiresAt
    },
    async getAccessToken() {
      if (inFlight) return inFlight
      if (expiresAt !== undefined && expiresAt.getTime() - marginMs <= clock.now()) return refresh()
      return accessToken
    },
    refresh,
  }
  Object.defineProperties(source, {
    toJSON: { value: summary },
    toString: { value: () => 'OAuthTokenSource [redacted]' },
    [INSPECT]: { value: () => `OAuthTokenSource ${JSON.stringify(summary())}` },
  })
  return source
}
