import { inspect } from 'node:util'
import type { Simulator } from '@flat-api/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { createFlatClient, type FlatClientOptions, SDK_VERSION } from '../src/index.js'
import { recordingFetch, setup } from './helpers.js'

let sim: Simulator | undefined

afterEach(async () => {
  await sim?.close()
  sim = undefined
})

describe('createFlatClient', () => {
  it.each([
    ['https://api.example.com/v2', {}],
    ['http://127.0.0.1:4010/v2', {}],
    ['http://localhost:4010/v2', {}],
    ['http://[::1]:4010/v2', {}],
    ['http://flat.internal:8080/v2', { allowInsecureHttp: true }],
  ])('accepts %s', (baseUrl, extra) => {
    expect(() => createFlatClient({ baseUrl, ...extra })).not.toThrow()
  })

  it.each([
    ['http://flat.internal/v2', TypeError, 'allowInsecureHttp'],
    ['http://10.0.0.5/v2', TypeError, 'loopback'],
    ['ftp://api.example.com/v2', TypeError, 'https'],
    ['api.flat.io/v2', TypeError, 'absolute URL'],
    ['https://user:pw@api.example.com/v2', TypeError, 'credentials'],
    ['https://api.example.com/v2?key=k', TypeError, 'query'],
  ])('refuses the base URL %s', (baseUrl, ErrorClass, message) => {
    expect(() => createFlatClient({ baseUrl })).toThrow(ErrorClass)
    expect(() => createFlatClient({ baseUrl })).toThrow(message)
  })

  it.each([
    [{ timeoutMs: 0 }, RangeError, 'timeoutMs'],
    [{ timeoutMs: '5s' }, TypeError, 'timeoutMs'],
    [{ accessToken: 42 }, TypeError, 'accessToken'],
    [{ accessToken: 'a\nb' }, TypeError, 'accessToken'],
    [{ allowInsecureHttp: 'yes' }, TypeError, 'allowInsecureHttp'],
    [{ locale: 'fr FR' }, TypeError, 'locale'],
    [{ userAgent: 'x\r\ny' }, TypeError, 'userAgent'],
    [{ fetch: 'fetch' }, TypeError, 'fetch'],
    [{ logger: 'console' }, TypeError, 'logger'],
    [{ requestsPerHour: 0 }, RangeError, 'requestsPerHour'],
  ])('refuses %j with a %o naming the option', (options, ErrorClass, name) => {
    const create = () => createFlatClient({ baseUrl: 'http://127.0.0.1:1/v2', ...(options as FlatClientOptions) })
    expect(create).toThrow(ErrorClass)
    expect(create).toThrow(name)
  })

  it('never echoes a malformed token in its error', () => {
    expect(() => createFlatClient({ accessToken: 'sekrit\nvalue' })).toThrow(/^(?!.*sekrit)/s)
  })

  it('hides the token from JSON, toString and util.inspect', () => {
    const flat = createFlatClient({ accessToken: 'tok_very_secret', baseUrl: 'http://127.0.0.1:1/v2' })

    for (const text of [JSON.stringify(flat), String(flat), inspect(flat), inspect(flat, { showHidden: true })]) {
      expect(text).not.toContain('tok_very_secret')
    }
    expect(JSON.parse(JSON.stringify(flat))).toMatchObject({
      baseUrl: 'http://127.0.0.1:1/v2',
      accessToken: '[redacted]',
    })
  })

  it('calls a token function once per request and sends what it returns, with the User-Agent', async () => {
    ;({ sim } = await setup())
    const recorder = recordingFetch()
    let calls = 0
    const flat = createFlatClient({
      accessToken: async () => {
        calls += 1
        return `token-${calls}`
      },
      baseUrl: sim.baseUrl,
      userAgent: 'my-app/1.0',
      fetch: recorder.fetch,
    })

    await flat.raw.GET('/me')
    await flat.raw.GET('/me')

    expect(calls).toBe(2)
    expect(recorder.sent.map((r) => r.headers.get('authorization'))).toEqual(['Bearer token-1', 'Bearer token-2'])
    expect(recorder.sent[0]?.headers.get('user-agent')).toBe(`my-app/1.0 flat-api-sdk/${SDK_VERSION}`)
  })

  it('refuses a token function result with a line break, without sending or echoing it', async () => {
    ;({ sim } = await setup())
    const flat = createFlatClient({ accessToken: () => 'bad\r\ntoken', baseUrl: sim.baseUrl })

    const error = await flat.raw.GET('/me').catch((e: unknown) => e)

    expect(error).toBeInstanceOf(TypeError)
    expect(String(error)).not.toContain('bad')
    expect(sim.requests).toHaveLength(0)
  })

  it('keeps raw results in openapi-fetch’s { data, error, response } shape', async () => {
    ;({ sim } = await setup())
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })

    const missing = await flat.raw.GET('/scores/{score}', { params: { path: { score: 'nope' } } })

    expect(missing.data).toBeUndefined()
    expect(missing.error).toMatchObject({ code: 'SCORE_NOT_FOUND' })
    expect(missing.response.status).toBe(404)
  })
})
