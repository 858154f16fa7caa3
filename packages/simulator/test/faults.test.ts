import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { FAULT_KINDS, type FaultKind, type Simulator } from '../src/index.js'
import { call, closeAll, DEMO_XML, importDemo, start, TOKEN } from './helpers.js'

afterEach(closeAll)

function only(kind: FaultKind, extra: object = {}) {
  return { faults: { rate: 1, kinds: { [kind]: 1 }, ...extra } }
}

/** A GET over node:http, to see what arrived before the socket went: status, headers, bytes, and how it ended. */
function rawGet(
  url: string,
): Promise<{ status?: number; headers?: Record<string, unknown>; received: number; ended: string }> {
  return new Promise((resolve) => {
    let received = 0
    let status: number | undefined
    let headers: Record<string, unknown> | undefined
    const req = request(url, { headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
      status = res.statusCode
      headers = res.headers
      res.on('data', (chunk: Buffer) => {
        received += chunk.length
      })
      res.on('end', () => resolve({ status, headers, received, ended: res.complete ? 'complete' : 'incomplete' }))
      res.on('error', (error) => resolve({ status, headers, received, ended: error.message }))
    })
    req.on('error', (error) =>
      resolve({ status, headers, received, ended: (error as NodeJS.ErrnoException).code ?? 'error' }),
    )
    req.end()
  })
}

describe('fault injection', () => {
  it('injects the same faults for the same seed and request sequence, and others for another seed', async () => {
    const run = async (seed: number) => {
      const sim = await start({ faults: { seed, rate: 0.5, slowMs: 5, hugeBodyBytes: 64 } })
      const task = sim.addTask({ durationMs: 60_000 })
      for (let i = 0; i < 60; i++) {
        await fetch(`${sim.baseUrl}/tasks/${task.id}?i=${i}`, {
          headers: { Authorization: `Bearer ${TOKEN}` },
          redirect: 'manual',
        })
          .then((response) => response.arrayBuffer())
          .catch(() => undefined)
      }
      return {
        faults: sim.faults.log.map((fault) => `${fault.kind} ${fault.detail} ${fault.url.split('?')[1]}`),
        injected: { ...sim.faults.injected },
        logged: sim.requests.filter((entry) => entry.fault).length,
      }
    }

    const one = await run(11)
    const same = await run(11)
    const other = await run(12)

    expect(same).toEqual(one)
    expect(other.faults).not.toEqual(one.faults)
    expect(one.faults.length).toBeGreaterThan(15)
    expect(one.faults.length).toBeLessThan(45)
    expect(Object.values(one.injected).reduce((sum, count) => sum + count, 0)).toBe(one.faults.length)
    expect(one.logged).toBe(one.faults.length)
    expect(Object.keys(one.injected)).toEqual([...FAULT_KINDS])
  })

  it('leaves paths that do not match alone, and injects nothing at rate 0', async () => {
    const sim = await start({ faults: { rate: 1, paths: /^\/v2\/tasks\// } })
    const quiet = await start({ faults: { rate: 0 } })

    const me = await call(sim, 'GET', '/v2/me')
    await call(quiet, 'GET', '/v2/me')

    expect(me.status).toBe(200)
    expect(sim.faults.log).toEqual([])
    expect(quiet.faults.log).toEqual([])
  })

  it('answers serverError with a 500, 502 or 503, some of them with an empty body', async () => {
    const sim = await start(only('serverError'))

    const results = []
    // Faults are off-spec on purpose: an empty 5xx declares nothing.
    for (let i = 0; i < 30; i++) results.push(await call(sim, 'GET', `/v2/me?i=${i}`, { validate: false }))

    expect(new Set(results.map((result) => result.status))).toEqual(new Set([500, 502, 503]))
    expect(results.some((result) => result.bytes.length === 0)).toBe(true)
    expect(results.find((result) => result.status === 500 && result.body)?.body).toMatchObject({
      id: expect.any(String),
    })
  })

  it('answers rateLimit with a 403 API_RATE_LIMIT_EXCEEDED whose reset is a few seconds ahead, no Retry-After', async () => {
    const sim = await start(only('rateLimit'))

    const { status, body, headers } = await call(sim, 'GET', '/v2/me')

    const aheadSec = Number(headers.get('x-ratelimit-reset')) - Date.now() / 1000
    expect(status).toBe(403)
    expect(body).toMatchObject({ code: 'API_RATE_LIMIT_EXCEEDED' })
    expect(aheadSec).toBeGreaterThan(1)
    expect(aheadSec).toBeLessThanOrEqual(5)
    expect(headers.get('retry-after')).toBeNull()
  })

  it('resets the connection mid-answer with connectionReset, after the operation ran', async () => {
    const sim = await start(only('connectionReset', { paths: /^\/v2\/scores$/ }))

    const outcome = await call(sim, 'POST', '/v2/scores', { json: { data: DEMO_XML, title: 'Lost reply' } }).catch(
      (error: unknown) => error,
    )
    const listed = await call(sim, 'GET', '/v2/users/me/scores')

    expect(outcome).toBeInstanceOf(Error)
    expect((listed.body as { title: string }[]).map((score) => score.title)).toEqual(['Lost reply'])
    expect(sim.faults.injected.connectionReset).toBe(1)
  })

  it('promises more bytes than it sends with truncatedJson', async () => {
    const sim = await start(only('truncatedJson'))
    const task = sim.addTask({ durationMs: 1000 })

    const result = await rawGet(`${sim.baseUrl}/tasks/${task.id}`)

    expect(result.status).toBe(200)
    expect(Number(result.headers?.['content-length'])).toBeGreaterThan(result.received)
    expect(result.received).toBeGreaterThan(0)
    expect(result.ended).not.toBe('complete')
  })

  it('answers late with slow', async () => {
    const sim = await start(only('slow', { slowMs: 300 }))
    const task = sim.addTask({ durationMs: 1000 })

    const startedAt = performance.now()
    const { status } = await call(sim, 'GET', `/v2/tasks/${task.id}`)

    expect(status).toBe(200)
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(290)
  })

  it('answers 200 with a body that is not JSON with malformedJson', async () => {
    const sim = await start(only('malformedJson'))

    const response = await fetch(`${sim.baseUrl}/me`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    const text = await response.text()

    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(() => JSON.parse(text)).toThrow()
  })

  it('sends a multi-megabyte body with hugeBody', async () => {
    const sim = await start(only('hugeBody', { hugeBodyBytes: 3 * 1024 * 1024 }))

    const response = await fetch(`${sim.baseUrl}/me`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    const text = await response.text()

    expect(text.length).toBe(3 * 1024 * 1024)
    expect(JSON.parse(text).padding.length).toBeGreaterThan(3_000_000)
  })

  it('redirects to the same URL, past what fetch follows, with redirectLoop', async () => {
    const sim = await start(only('redirectLoop'))

    const manual = await fetch(`${sim.baseUrl}/me?x=1`, { redirect: 'manual' })
    const followed = await fetch(`${sim.baseUrl}/me?x=2`).catch((error: unknown) => error)

    expect(manual.status).toBe(302)
    expect(manual.headers.get('location')).toBe(`${sim.baseUrl}/me?x=1`)
    expect(followed).toBeInstanceOf(TypeError)
    expect(sim.requests.filter((entry) => entry.url === '/v2/me?x=2')).toHaveLength(21)
    expect(sim.faults.injected.redirectLoop).toBe(2)
  })

  it('reaches the file host only with fileHost: true', async () => {
    const faulty = async (fileHost: boolean): Promise<Simulator> =>
      start({ faults: { rate: 1, kinds: { serverError: 1 }, paths: /^$/, fileHost } })
    const off = await faulty(false)
    const on = await faulty(true)

    const download = async (sim: Simulator) => {
      const score = await importDemo(sim)
      const { headers } = await call(sim, 'GET', `/v2/scores/${score}/revisions/last/json`)
      return (await fetch(headers.get('location') ?? '')).status
    }

    expect(await download(off)).toBe(200)
    expect([500, 502, 503]).toContain(await download(on))
  })

  it('refuses a rate outside 0 to 1', async () => {
    await expect(start({ faults: { rate: 2 } })).rejects.toThrow(/faults.rate/)
  })
})
