import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { inspect } from 'node:util'
import type { Simulator } from '@flat-api/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import {
  createAuthorizationUrl,
  createFlatClient,
  createOAuthTokenSource,
  DEFAULT_AUTHORIZE_URL,
  DEFAULT_TOKEN_URL,
  exchangeCode,
  FlatAuthenticationError,
  OAUTH_SCOPES,
  type OAuthTokens,
} from '../src/index.js'
import { type Stub, setup, startStub } from './helpers.js'

let sim: Simulator | undefined
let stub: Stub | undefined

afterEach(async () => {
  await sim?.close()
  await stub?.close()
  sim = undefined
  stub = undefined
})

const CLIENT = { clientId: 'app-123', clientSecret: 'client-secret-shh' }
const SPEC_PATH = fileURLToPath(new URL('../../../openapi/flat-api.yaml', import.meta.url))

async function oauthSim(options: { accessTokenTtlMs?: number; rotateRefreshTokens?: boolean } = {}) {
  ;({ sim } = await setup({ oauth: { ...CLIENT, ...options }, tokens: ['unrelated'], rateLimit: false }))
  return { sim, tokenUrl: `${sim.url}/oauth/access_token`, authorizeUrl: `${sim.url}/auth/oauth` }
}

/** Every way a secret could leak when something is printed, logged or serialized. */
function printed(value: unknown): string {
  return [
    String(value),
    JSON.stringify(value) ?? '',
    inspect(value, { depth: 5 }),
    inspect(value, { showHidden: true }),
  ].join('\n')
}

describe('the authorization-code flow', () => {
  it('builds the authorization URL, and the code it yields exchanges for tokens the API accepts', async () => {
    const { sim, tokenUrl, authorizeUrl } = await oauthSim()
    const redirectUri = 'http://127.0.0.1:9/callback'

    const url = createAuthorizationUrl({
      clientId: CLIENT.clientId,
      redirectUri,
      scopes: ['scores', 'omr'],
      state: 'xyz-state',
      authorizeUrl,
    })
    const query = new URL(url).searchParams
    expect(Object.fromEntries(query)).toEqual({
      response_type: 'code',
      client_id: 'app-123',
      redirect_uri: redirectUri,
      scope: 'scores omr',
      state: 'xyz-state',
    })
    const approval = await fetch(url, { redirect: 'manual' })
    const back = new URL(approval.headers.get('location') ?? '')
    expect(back.searchParams.get('state')).toBe('xyz-state')

    const tokens = await exchangeCode({ ...CLIENT, code: back.searchParams.get('code') ?? '', redirectUri, tokenUrl })

    expect(tokens.accessToken).toMatch(/^at_/)
    expect(tokens.refreshToken).toMatch(/^rt_/)
    expect(tokens.expiresAt?.getTime()).toBeGreaterThan(Date.now())
    const flat = createFlatClient({ accessToken: tokens.accessToken, baseUrl: sim.baseUrl })
    await expect(flat.raw.GET('/me')).resolves.toMatchObject({ response: { status: 200 } })
  })

  it('refuses a bad code with FlatAuthenticationError, naming the OAuth error and never the secret', async () => {
    const { tokenUrl } = await oauthSim()

    const error = await exchangeCode({ ...CLIENT, code: 'nope', redirectUri: 'http://127.0.0.1:9/cb', tokenUrl }).catch(
      (e: unknown) => e,
    )

    expect(error).toBeInstanceOf(FlatAuthenticationError)
    expect((error as FlatAuthenticationError).code).toBe('invalid_grant')
    expect(String(error)).toContain('POST /oauth/access_token failed with 400 invalid_grant')
    expect(printed(error)).not.toContain(CLIENT.clientSecret)
    expect(printed(error)).not.toContain('nope')
  })

  it('does not follow a redirect from the token endpoint, which would re-send the secret', async () => {
    stub = await startStub((_request, res) => {
      res.writeHead(307, { Location: 'http://127.0.0.1:9/steal' })
      res.end()
    })

    const error = await exchangeCode({
      ...CLIENT,
      code: 'c',
      redirectUri: 'http://127.0.0.1:9/cb',
      tokenUrl: `${stub.url}/oauth/access_token`,
    }).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(Error)
    expect(stub.requests).toHaveLength(1)
    expect(printed(error)).not.toContain(CLIENT.clientSecret)
  })

  it.each([
    [{ scopes: ['scores', 'root'] }, RangeError, 'scopes[1]'],
    [{ scopes: [] }, TypeError, 'scopes'],
    [{ state: '' }, TypeError, 'state'],
    [{ redirectUri: 'callback' }, TypeError, 'redirectUri'],
    [{ authorizeUrl: 'http://flat.example/auth' }, TypeError, 'authorizeUrl'],
  ])('refuses %j with a %o naming the option', (override, ErrorClass, name) => {
    const options = {
      clientId: 'id',
      redirectUri: 'https://app.example/cb',
      scopes: ['scores'],
      state: 's',
      authorizeUrl: 'http://127.0.0.1:9/auth/oauth',
      ...override,
    }
    expect(() => createAuthorizationUrl(options as never)).toThrow(ErrorClass)
    expect(() => createAuthorizationUrl(options as never)).toThrow(name)
  })

  it('points at Flat by default: authorize on flat.io, tokens on api.flat.io outside /v2', () => {
    expect(DEFAULT_AUTHORIZE_URL).toBe('https://flat.io/auth/oauth')
    expect(DEFAULT_TOKEN_URL).toBe('https://api.flat.io/oauth/access_token')
  })

  it('lists exactly the scopes of the spec’s OAuth2 security scheme', () => {
    const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as {
      components: { securitySchemes: { OAuth2: { flows: { authorizationCode: { scopes: Record<string, string> } } } } }
    }
    const scopes = Object.keys(spec.components.securitySchemes.OAuth2.flows.authorizationCode.scopes)
    expect([...OAUTH_SCOPES].sort()).toEqual(scopes.sort())
  })
})

describe('createOAuthTokenSource', () => {
  it('refreshes an expired token once for 20 requests that all hit the expiry together', async () => {
    const { sim, tokenUrl } = await oauthSim()
    const issued = sim.oauth.issue()
    const source = createOAuthTokenSource({
      ...CLIENT,
      tokenUrl,
      accessToken: issued.access_token,
      refreshToken: issued.refresh_token,
      expiresAt: Date.now() - 1000,
    })
    const flat = createFlatClient({ accessToken: source, baseUrl: sim.baseUrl })

    const results = await Promise.all(Array.from({ length: 20 }, () => flat.raw.GET('/me')))

    expect(results.every((result) => result.response.status === 200)).toBe(true)
    expect(sim.oauth.refreshCount).toBe(1)
    expect(sim.requests.filter((r) => r.url === '/v2/me').every((r) => r.status === 200)).toBe(true)
  })

  it('refreshes once and re-sends once when 20 requests meet a 401 for a token it thought valid', async () => {
    const { sim, tokenUrl } = await oauthSim()
    const issued = sim.oauth.issue()
    const source = createOAuthTokenSource({
      ...CLIENT,
      tokenUrl,
      accessToken: issued.access_token,
      refreshToken: issued.refresh_token,
    })
    const flat = createFlatClient({ accessToken: source, baseUrl: sim.baseUrl })
    sim.oauth.expireAccessTokens()

    const results = await Promise.all(Array.from({ length: 20 }, () => flat.raw.GET('/me')))

    expect(results.map((result) => result.response.status)).toEqual(Array(20).fill(200))
    expect(sim.oauth.refreshCount).toBe(1)
    const statuses = sim.requests.filter((r) => r.url === '/v2/me').map((r) => r.status)
    expect(statuses.filter((status) => status === 401)).toHaveLength(20)
    expect(statuses.filter((status) => status === 200)).toHaveLength(20)
  })

  it('refreshes ahead of the expiry margin and hands every new set of tokens to onTokens', async () => {
    const { sim, tokenUrl } = await oauthSim({ accessTokenTtlMs: 30_000 })
    const issued = sim.oauth.issue()
    const stored: OAuthTokens[] = []
    const source = createOAuthTokenSource({
      ...CLIENT,
      tokenUrl,
      accessToken: issued.access_token,
      refreshToken: issued.refresh_token,
      expiresAt: Date.now() + 30_000,
      onTokens: (tokens) => {
        stored.push({ ...tokens })
      },
    })

    // 30 s left is inside the 60 s margin: each call refreshes, with the rotated refresh token each time.
    const first = await source.getAccessToken()
    const second = await source.getAccessToken()

    expect(first).not.toBe(issued.access_token)
    expect(second).not.toBe(first)
    expect(stored).toHaveLength(2)
    expect(stored[1]?.refreshToken).not.toBe(stored[0]?.refreshToken)
    expect(sim.oauth.refreshCount).toBe(2)
  })

  it('surfaces a refresh the server refuses as FlatAuthenticationError, without leaking a secret', async () => {
    const { sim, tokenUrl } = await oauthSim()
    const source = createOAuthTokenSource({
      ...CLIENT,
      tokenUrl,
      accessToken: 'at_stale',
      refreshToken: 'rt_revoked',
      expiresAt: new Date(Date.now() - 1),
    })
    const flat = createFlatClient({ accessToken: source, baseUrl: sim.baseUrl })

    const error = await flat.tasks.get('0123456789abcdef01234567').catch((e: unknown) => e)

    expect(error).toBeInstanceOf(FlatAuthenticationError)
    expect((error as FlatAuthenticationError).code).toBe('invalid_grant')
    for (const secret of [CLIENT.clientSecret, 'rt_revoked', 'at_stale']) expect(printed(error)).not.toContain(secret)
    expect(sim.requests.filter((r) => r.url.startsWith('/v2/'))).toHaveLength(0)
  })

  it('surfaces an unreachable token endpoint as FlatAuthenticationError with the cause', async () => {
    stub = await startStub((_request, res) => {
      res.writeHead(503)
      res.end()
    })
    const source = createOAuthTokenSource({
      ...CLIENT,
      tokenUrl: `${stub.url}/oauth/access_token`,
      accessToken: 'at',
      refreshToken: 'rt',
      expiresAt: 0,
    })

    const error = (await source.getAccessToken().catch((e: unknown) => e)) as FlatAuthenticationError

    expect(error).toBeInstanceOf(FlatAuthenticationError)
    expect(error.status).toBe(503)
    expect(error.cause).toBeInstanceOf(Error)
  })

  it('fails an expired token without a refresh token as FlatAuthenticationError, before any request', async () => {
    const { sim, tokenUrl } = await oauthSim()
    const source = createOAuthTokenSource({ ...CLIENT, tokenUrl, accessToken: 'at', expiresAt: 0 })
    const flat = createFlatClient({ accessToken: source, baseUrl: sim.baseUrl })

    await expect(flat.raw.GET('/me')).rejects.toBeInstanceOf(FlatAuthenticationError)
    expect(sim.requests).toHaveLength(0)
  })

  it('never shows tokens or the client secret in JSON, toString or util.inspect', async () => {
    const { sim, tokenUrl } = await oauthSim()
    const issued = sim.oauth.issue()
    const source = createOAuthTokenSource({
      ...CLIENT,
      tokenUrl,
      accessToken: issued.access_token,
      refreshToken: issued.refresh_token,
      expiresAt: 0,
    })
    const flat = createFlatClient({ accessToken: source, baseUrl: sim.baseUrl })
    let tokens: OAuthTokens | undefined
    const other = sim.oauth.issue()
    const refreshing = createOAuthTokenSource({
      ...CLIENT,
      tokenUrl,
      accessToken: 'x',
      refreshToken: other.refresh_token,
      expiresAt: 0,
      onTokens: (t) => {
        tokens = t
      },
    })
    await refreshing.getAccessToken()
    await source.getAccessToken()

    const secrets = [CLIENT.clientSecret, issued.access_token, issued.refresh_token, tokens?.accessToken ?? '?']
    secrets.push(tokens?.refreshToken ?? '?', other.refresh_token)
    for (const value of [source, flat, tokens]) {
      for (const secret of secrets) expect(printed(value)).not.toContain(secret)
    }
    // Spreading is the deliberate way to store tokens.
    expect(JSON.parse(JSON.stringify({ ...tokens })).accessToken).toBe(tokens?.accessToken)
  })

  it.each([
    [{ accessToken: '' }, TypeError, 'accessToken'],
    [{ clientSecret: '' }, TypeError, 'clientSecret'],
    [{ expiresAt: 'tomorrow' }, TypeError, 'expiresAt'],
    [{ tokenUrl: 'http://flat.example/oauth/access_token' }, TypeError, 'tokenUrl'],
    [{ refreshMarginMs: -5 }, RangeError, 'refreshMarginMs'],
    [{ onTokens: 'store' }, TypeError, 'onTokens'],
  ])('refuses %j with a %o naming the option', (override, ErrorClass, name) => {
    const options = { ...CLIENT, accessToken: 'at', tokenUrl: 'http://127.0.0.1:9/oauth/access_token', ...override }
    expect(() => createOAuthTokenSource(options as never)).toThrow(ErrorClass)
    expect(() => createOAuthTokenSource(options as never)).toThrow(name)
  })
})
