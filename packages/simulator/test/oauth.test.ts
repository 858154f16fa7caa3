import { afterEach, describe, expect, it } from 'vitest'
import type { Simulator } from '../src/index.js'
import { call, closeAll, manualClock, start } from './helpers.js'

afterEach(closeAll)

const CLIENT = { clientId: 'app', clientSecret: 's3cret' }
const REDIRECT = 'http://127.0.0.1:9/callback?from=app'

async function token(sim: Simulator, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${sim.url}/oauth/access_token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

async function authorize(sim: Simulator, query: Record<string, string>) {
  return fetch(`${sim.url}/auth/oauth?${new URLSearchParams(query)}`, { redirect: 'manual' })
}

describe('the authorization code flow', () => {
  it('redirects back with a code and the state, and the code buys tokens the API accepts', async () => {
    const sim = await start({ oauth: CLIENT, tokens: [] })

    const page = await authorize(sim, {
      response_type: 'code',
      client_id: 'app',
      redirect_uri: REDIRECT,
      state: 'xyz/=+',
      scope: 'scores',
    })
    const back = new URL(page.headers.get('location') ?? '')
    const code = back.searchParams.get('code') ?? ''
    const issued = await token(sim, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      ...clientFields(),
    })
    const me = await call(sim, 'GET', '/v2/me', { token: String(issued.body.access_token) })
    const reused = await token(sim, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      ...clientFields(),
    })

    expect(page.status).toBe(302)
    expect(back.origin + back.pathname).toBe('http://127.0.0.1:9/callback')
    expect(back.searchParams.get('from')).toBe('app')
    expect(back.searchParams.get('state')).toBe('xyz/=+')
    expect(issued.status).toBe(200)
    expect(issued.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 })
    expect(issued.body.refresh_token).toEqual(expect.any(String))
    expect(me.status).toBe(200)
    expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
  })

  it('refuses a redirect_uri other than the one authorized', async () => {
    const sim = await start({ oauth: CLIENT })
    const page = await authorize(sim, { response_type: 'code', client_id: 'app', redirect_uri: REDIRECT })
    const code = new URL(page.headers.get('location') ?? '').searchParams.get('code') ?? ''

    const result = await token(sim, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'http://127.0.0.1:9/other',
      ...clientFields(),
    })

    expect(result).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
  })

  it('takes the client credentials by HTTP Basic too, and preset codes once', async () => {
    const sim = await start({ oauth: { ...CLIENT, codes: ['preset'] } })
    const basic = { Authorization: `Basic ${Buffer.from('app:s3cret').toString('base64')}` }

    const first = await token(sim, { grant_type: 'authorization_code', code: 'preset' }, basic)
    const second = await token(sim, { grant_type: 'authorization_code', code: 'preset' }, basic)

    expect(first.status).toBe(200)
    expect(second.status).toBe(400)
  })

  it.each([
    [
      'a wrong secret',
      { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'app', client_secret: 'no' },
      401,
      'invalid_client',
    ],
    ['an unknown grant', { grant_type: 'password', ...clientFields() }, 400, 'unsupported_grant_type'],
    ['no grant', clientFields(), 400, 'invalid_request'],
  ])('answers %s with the OAuth2 error shape', async (_, fields, status, error) => {
    const sim = await start({ oauth: CLIENT })

    const result = await token(sim, fields)

    expect(result.status).toBe(status)
    expect(result.body).toEqual({ error, error_description: expect.any(String) })
  })

  it('refuses an unknown client on the authorization page', async () => {
    const sim = await start({ oauth: CLIENT })

    const page = await authorize(sim, { response_type: 'code', client_id: 'other', redirect_uri: REDIRECT })

    expect(page.status).toBe(400)
  })

  it('serves neither endpoint when OAuth is off', async () => {
    const sim = await start()

    expect((await token(sim, { grant_type: 'refresh_token' })).status).toBe(404)
    expect(() => sim.oauth.issue()).toThrow(/oauth/)
  })
})

describe('expiry and refresh', () => {
  it('answers 401 with a FlatErrorResponse once the token expires, until a refresh replaces it', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now, oauth: { ...CLIENT, accessTokenTtlMs: 60_000 }, tokens: [] })
    const issued = sim.oauth.issue()

    const fresh = await call(sim, 'GET', '/v2/me', { token: issued.access_token })
    clock.advance(60_000)
    const expired = await call(sim, 'GET', '/v2/me', { token: issued.access_token })
    const refreshed = await token(sim, {
      grant_type: 'refresh_token',
      refresh_token: issued.refresh_token,
      ...clientFields(),
    })
    const again = await call(sim, 'GET', '/v2/me', { token: String(refreshed.body.access_token) })
    const replay = await token(sim, {
      grant_type: 'refresh_token',
      refresh_token: issued.refresh_token,
      ...clientFields(),
    })

    expect(fresh.status).toBe(200)
    expect(expired.status).toBe(401)
    expect(expired.body).toEqual({ code: 'TOKEN_EXPIRED', message: expect.any(String) })
    expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(refreshed.body.refresh_token).not.toBe(issued.refresh_token)
    expect(again.status).toBe(200)
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(sim.oauth.refreshCount).toBe(2)
  })

  it('keeps the refresh token when rotation is off', async () => {
    const sim = await start({ oauth: { ...CLIENT, rotateRefreshTokens: false } })
    const issued = sim.oauth.issue()

    const one = await token(sim, {
      grant_type: 'refresh_token',
      refresh_token: issued.refresh_token,
      ...clientFields(),
    })
    const two = await token(sim, {
      grant_type: 'refresh_token',
      refresh_token: issued.refresh_token,
      ...clientFields(),
    })

    expect([one.status, two.status]).toEqual([200, 200])
    expect(one.body.refresh_token).toBe(issued.refresh_token)
  })

  it('expires every issued token on demand, while other tokens follow the tokens option', async () => {
    const sim = await start({ oauth: CLIENT, tokens: ['static'] })
    const issued = sim.oauth.issue()

    sim.oauth.expireAccessTokens()

    expect((await call(sim, 'GET', '/v2/me', { token: issued.access_token })).status).toBe(401)
    expect((await call(sim, 'GET', '/v2/me', { token: 'static' })).status).toBe(200)
    expect((await call(sim, 'GET', '/v2/me', { token: 'made-up' })).status).toBe(401)
    expect(sim.oauth.tokenRequests).toBe(0)
  })
})

function clientFields(): Record<string, string> {
  return { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }
}
