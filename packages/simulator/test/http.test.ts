import { afterEach, describe, expect, it } from 'vitest'
import { call, closeAll, importDemo, start } from './helpers.js'

afterEach(closeAll)

const EXPOSED = [
  'Link',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'X-Flat-Score-Revision',
  'X-Flat-Score-Revision-Date',
  'Content-Disposition',
]

function exposed(headers: Headers): string[] {
  return (headers.get('access-control-expose-headers') ?? '').split(',').map((name) => name.trim())
}

describe('CORS', () => {
  it('answers a preflight with 204, the methods and the headers a browser client sends', async () => {
    const sim = await start()

    const response = await fetch(`${sim.baseUrl}/tasks/abc`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://127.0.0.1:5173',
        'Access-Control-Request-Method': 'DELETE',
        'Access-Control-Request-Headers': 'authorization, x-flat-locale, x-trace',
      },
    })

    const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase()
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-allow-methods')).toContain('DELETE')
    for (const name of ['authorization', 'content-type', 'x-flat-locale', 'x-trace']) expect(allowed).toContain(name)
    expect(sim.rateLimit.windows).toEqual([])
  })

  it('allows any origin and exposes the headers clients read, on successes and errors alike', async () => {
    const sim = await start()
    const task = sim.addTask({ durationMs: 100 })

    const answers = await Promise.all([
      call(sim, 'GET', `/v2/tasks/${task.id}`),
      call(sim, 'GET', '/v2/tasks/abc', { token: null }),
      call(sim, 'GET', '/v2/nothing/here', { validate: false }),
    ])

    for (const answer of answers) {
      expect(answer.headers.get('access-control-allow-origin')).toBe('*')
      expect(exposed(answer.headers)).toEqual(expect.arrayContaining(EXPOSED))
    }
  })

  it('does the same on the file host', async () => {
    const sim = await start()
    const score = await importDemo(sim)
    const { headers } = await call(sim, 'GET', `/v2/scores/${score}/revisions/last/xml`)
    const location = headers.get('location') ?? ''

    const file = await fetch(location)
    const preflight = await fetch(location, {
      method: 'OPTIONS',
      headers: { 'Access-Control-Request-Method': 'GET', Origin: 'http://127.0.0.1:5173' },
    })

    expect(file.headers.get('access-control-allow-origin')).toBe('*')
    expect(exposed(file.headers)).toContain('Content-Disposition')
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
  })
})

describe('errors', () => {
  it('answers 401 without a bearer token, with a FlatErrorResponse and WWW-Authenticate', async () => {
    const sim = await start()

    const { status, body, headers } = await call(sim, 'GET', '/v2/me', { token: null })

    expect(status).toBe(401)
    expect(body).toEqual({ code: 'UNAUTHORIZED', message: expect.any(String) })
    expect(headers.get('www-authenticate')).toMatch(/^Bearer/)
  })

  it('answers 401 for a token not in the tokens option', async () => {
    const sim = await start({ tokens: ['good'] })

    expect((await call(sim, 'GET', '/v2/me', { token: 'bad' })).status).toBe(401)
    expect((await call(sim, 'GET', '/v2/me', { token: 'good' })).status).toBe(200)
  })

  it('answers 404 for an unknown route and for the empty id of a known one', async () => {
    const sim = await start()

    const unknown = await call(sim, 'GET', '/v2/nothing', { validate: false })
    const emptyId = await call(sim, 'GET', '/v2/tasks/', { validate: false })

    expect(unknown.status).toBe(404)
    expect(unknown.body).toEqual({ code: 'NOT_FOUND', message: 'No route for /v2/nothing' })
    expect(emptyId.status).toBe(404)
  })

  it('answers 405 with Allow for a method the route does not have', async () => {
    const sim = await start()

    const { status, body, headers } = await call(sim, 'DELETE', '/v2/tasks/abc', { validate: false })

    expect(status).toBe(405)
    expect(body).toMatchObject({ code: 'METHOD_NOT_ALLOWED' })
    expect(headers.get('allow')).toBe('GET, OPTIONS')
  })

  it('answers 400 for a body that is not JSON and for a malformed path escape', async () => {
    const sim = await start()

    const badJson = await fetch(`${sim.baseUrl}/scores`, {
      method: 'POST',
      headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
      body: '{nope',
    })
    const badEscape = await call(sim, 'GET', '/v2/tasks/%E0%A4%A', { validate: false })

    expect(badJson.status).toBe(400)
    expect(await badJson.json()).toMatchObject({ code: 'BAD_REQUEST' })
    expect(badEscape.status).toBe(400)
    expect(badEscape.body).toMatchObject({ param: 'task' })
  })

  it('routes an id holding an encoded slash as one path segment', async () => {
    const sim = await start()

    const { status, body } = await call(sim, 'GET', '/v2/tasks/a%2Fb%20c%3Fd')

    expect(status).toBe(404)
    expect(sim.requests.at(-1)?.url).toBe('/v2/tasks/a%2Fb%20c%3Fd')
    expect(body).toMatchObject({ code: 'TASK_NOT_FOUND' })
  })

  it('answers HEAD like GET without a body', async () => {
    const sim = await start()
    const task = sim.addTask({ durationMs: 100 })

    const response = await fetch(`${sim.baseUrl}/tasks/${task.id}`, {
      method: 'HEAD',
      headers: { Authorization: 'Bearer t' },
    })

    expect(response.status).toBe(200)
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0)
    expect((await response.arrayBuffer()).byteLength).toBe(0)
  })

  it('logs every request with its status, and can stop logging', async () => {
    const sim = await start()
    const quiet = await start({ logRequests: false })

    await call(sim, 'GET', '/v2/me')
    await call(sim, 'GET', '/v2/me', { token: null })
    await call(quiet, 'GET', '/v2/me')

    expect(sim.requests.map(({ method, url, status }) => [method, url, status])).toEqual([
      ['GET', '/v2/me', 200],
      ['GET', '/v2/me', 401],
    ])
    expect(quiet.requests).toEqual([])
  })

  it('closes twice without complaint', async () => {
    const sim = await start()

    await sim.close()
    await sim.close()

    await expect(fetch(`${sim.baseUrl}/me`)).rejects.toThrow()
  })
})
