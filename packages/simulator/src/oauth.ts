import type { Reply } from './http.js'

export interface OAuthOptions {
  clientId: string
  clientSecret: string
  /** Lifetime of issued access tokens in milliseconds. Default 3,600,000. */
  accessTokenTtlMs?: number
  /** Authorization codes accepted once each, besides those `/auth/oauth` hands out. */
  codes?: readonly string[]
  /** Scope reported with issued tokens. Default `scores collections omr`. */
  scope?: string
  /** Issue a new refresh token on every refresh and invalidate the old one. Default true. */
  rotateRefreshTokens?: boolean
}

export interface IssuedTokens {
  access_token: string
  refresh_token: string
  token_type: 'Bearer'
  /** Seconds. */
  expires_in: number
  scope: string
}

export interface OAuthControl {
  /** `refresh_token` grant requests received, successful or not. */
  readonly refreshCount: number
  /** Token endpoint requests received, all grants. */
  readonly tokenRequests: number
  /** Issues tokens directly, as if an authorization code had been exchanged. */
  issue(): IssuedTokens
  /** Makes every access token issued so far expired: the next API call with one answers 401. */
  expireAccessTokens(): void
}

type Verdict = 'valid' | 'expired' | 'unknown'

interface PendingCode {
  clientId: string
  redirectUri?: string
}

function oauthError(status: number, error: string, description: string): Reply {
  return { status, json: { error, error_description: description }, headers: { 'Cache-Control': 'no-store' } }
}

/** The authorization-code and refresh-token grants of Flat's OAuth2 server, with tokens the API then accepts. */
export class OAuthServer implements OAuthControl {
  refreshCount = 0
  tokenRequests = 0
  private readonly accessTokens = new Map<string, number>()
  private readonly refreshTokens = new Set<string>()
  private readonly codes = new Map<string, PendingCode>()
  private readonly ttlMs: number

  constructor(
    private readonly options: OAuthOptions,
    private readonly now: () => number,
    private readonly token: (prefix: string) => string,
  ) {
    this.ttlMs = options.accessTokenTtlMs ?? 3_600_000
    if (!(this.ttlMs > 0)) throw new RangeError(`oauth.accessTokenTtlMs must be > 0, got ${this.ttlMs}`)
    for (const code of options.codes ?? []) this.codes.set(code, { clientId: options.clientId })
  }

  check(accessToken: string): Verdict {
    const expiresAt = this.accessTokens.get(accessToken)
    if (expiresAt === undefined) return 'unknown'
    return this.now() < expiresAt ? 'valid' : 'expired'
  }

  issue(): IssuedTokens {
    const access = this.token('at')
    const refresh = this.token('rt')
    this.accessTokens.set(access, this.now() + this.ttlMs)
    this.refreshTokens.add(refresh)
    return {
      access_token: access,
      refresh_token: refresh,
      token_type: 'Bearer',
      expires_in: Math.round(this.ttlMs / 1000),
      scope: this.options.scope ?? 'scores collections omr',
    }
  }

  expireAccessTokens(): void {
    const past = this.now() - 1
    for (const token of this.accessTokens.keys()) this.accessTokens.set(token, past)
  }

  /** `GET /auth/oauth`: approves at once and sends the browser back with a code and the state. */
  authorize(query: URLSearchParams): Reply {
    const redirectUri = query.get('redirect_uri')
    if (query.get('client_id') !== this.options.clientId) {
      return oauthError(400, 'invalid_client', 'Unknown client_id')
    }
    if (!redirectUri || !URL.canParse(redirectUri)) {
      return oauthError(400, 'invalid_request', 'redirect_uri must be an absolute URL')
    }
    if (query.get('response_type') !== 'code') {
      return oauthError(400, 'unsupported_response_type', 'Only response_type=code is simulated')
    }
    const code = this.token('code')
    this.codes.set(code, { clientId: this.options.clientId, redirectUri })
    const target = new URL(redirectUri)
    target.searchParams.set('code', code)
    const state = query.get('state')
    if (state !== null) target.searchParams.set('state', state)
    return { status: 302, headers: { Location: target.href, 'Cache-Control': 'no-store' } }
  }

  /** `POST /oauth/access_token` with the client authenticated by body fields or HTTP Basic. */
  exchange(fields: Record<string, string>, authorization: string | undefined): Reply {
    this.tokenRequests += 1
    if (fields.grant_type === 'refresh_token') this.refreshCount += 1
    const basic = /^Basic (.+)$/i.exec(authorization ?? '')?.[1]
    const [basicId, basicSecret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':') : []
    const clientId = fields.client_id ?? basicId
    const clientSecret = fields.client_secret ?? basicSecret
    if (clientId !== this.options.clientId || clientSecret !== this.options.clientSecret) {
      return oauthError(401, 'invalid_client', 'Client authentication failed')
    }

    switch (fields.grant_type) {
      case 'authorization_code': {
        const code = fields.code ? this.codes.get(fields.code) : undefined
        if (!fields.code || !code) return oauthError(400, 'invalid_grant', 'The authorization code is invalid or used')
        if (code.redirectUri !== undefined && code.redirectUri !== fields.redirect_uri) {
          return oauthError(400, 'invalid_grant', 'redirect_uri does not match the authorization request')
        }
        this.codes.delete(fields.code)
        return { status: 200, json: this.issue(), headers: { 'Cache-Control': 'no-store' } }
      }
      case 'refresh_token': {
        const refresh = fields.refresh_token
        if (!refresh || !this.refreshTokens.has(refresh)) {
          return oauthError(400, 'invalid_grant', 'The refresh token is invalid, expired or revoked')
        }
        const issued = this.issue()
        if (this.options.rotateRefreshTokens ?? true) this.refreshTokens.delete(refresh)
        else {
          this.refreshTokens.delete(issued.refresh_token)
          issued.refresh_token = refresh
        }
        return { status: 200, json: issued, headers: { 'Cache-Control': 'no-store' } }
      }
      case undefined:
        return oauthError(400, 'invalid_request', 'grant_type is required')
      default:
        return oauthError(400, 'unsupported_grant_type', `grant_type ${fields.grant_type} is not supported`)
    }
  }
}
