import { afterEach, describe, expect, it } from 'vitest'
import { call, closeAll, manualClock, start } from './helpers.js'

afterEach(closeAll)

function budget(headers: Headers) {
  return {
    limit: headers.get('x-ratelimit-limit'),
    remaining: headers.get('x-ratelimit-remaining'),
    reset: headers.get('x-ratelimit-reset'),
  }
}

describe('rate limiting', () => {
  it('allows 7200 requests an hour by default once enabled, counting down on every /v2 response', async () => {
    const clock = manualClock(Date.UTC(2025, 0, 1, 12, 0, 0, 250))
    const sim = await start({ now: clock.now, rateLimit: {} })
    const task = sim.addTask({ durationMs: 1000 })

    const first = await call(sim, 'GET', `/v2/tasks/${task.id}`)
    const second = await call(sim, 'GET', '/v2/tasks/unknown')

    const resetSec = Math.ceil((Date.UTC(2025, 0, 1, 12, 0, 0, 250) + 3_600_000) / 1000)
    expect(budget(first.headers)).toEqual({ limit: '7200', remaining: '7199', reset: String(resetSec) })
    expect(second.status).toBe(404)
    expect(budget(second.headers)).toEqual({ limit: '7200', remaining: '7198', reset: String(resetSec) })
  })

  it('answers 403 API_RATE_LIMIT_EXCEEDED without Retry-After once over, and Remaining goes negative', async () => {
    const sim = await start({ rateLimit: { limit: 2, windowMs: 60_000 } })
    const task = sim.addTask({ durationMs: 1000 })

    const results = []
    for (let i = 0; i < 4; i++) results.push(await call(sim, 'GET', `/v2/tasks/${task.id}`))

    expect(results.map((result) => result.status)).toEqual([200, 200, 403, 403])
    expect(results.map((result) => result.headers.get('x-ratelimit-remaining'))).toEqual(['1', '0', '-1', '-2'])
    expect(results[2]?.body).toEqual({ code: 'API_RATE_LIMIT_EXCEEDED', message: expect.any(String) })
    expect(results[2]?.headers.get('retry-after')).toBeNull()
    expect(sim.rateLimit.rejected).toBe(2)
  })

  it('keeps one budget per bearer token', async () => {
    const sim = await start({ rateLimit: { limit: 1 } })
    const task = sim.addTask({ durationMs: 1000 })

    const alice = await call(sim, 'GET', `/v2/tasks/${task.id}`, { token: 'alice' })
    const aliceAgain = await call(sim, 'GET', `/v2/tasks/${task.id}`, { token: 'alice' })
    const bob = await call(sim, 'GET', `/v2/tasks/${task.id}`, { token: 'bob' })

    expect([alice.status, aliceAgain.status, bob.status]).toEqual([200, 403, 200])
    expect(sim.rateLimit.requestsInWindow('alice')).toBe(2)
    expect(sim.rateLimit.requestsInWindow('bob')).toBe(1)
  })

  it('opens a fresh window once the reset time has passed', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now, rateLimit: { limit: 1, windowMs: 10_000 } })
    const task = sim.addTask({ durationMs: 100_000 })
    const openedAt = clock.now()
    await call(sim, 'GET', `/v2/tasks/${task.id}`)
    const refused = await call(sim, 'GET', `/v2/tasks/${task.id}`)

    clock.advance(10_000)
    const later = await call(sim, 'GET', `/v2/tasks/${task.id}`)

    expect(refused.status).toBe(403)
    expect(Number(refused.headers.get('x-ratelimit-reset'))).toBe(Math.ceil((openedAt + 10_000) / 1000))
    expect(later.status).toBe(200)
    expect(budget(later.headers)).toEqual({
      limit: '1',
      remaining: '0',
      reset: String(Math.ceil((clock.now() + 10_000) / 1000)),
    })
    expect(sim.rateLimit.windows.map((window) => window.requests)).toEqual([2, 1])
  })

  it('refuses nothing and sends no budget headers when rateLimit is omitted, yet keeps counting', {
    timeout: 30_000,
  }, async () => {
    const sim = await start()
    const task = sim.addTask({ durationMs: 1000 })
    const statuses = new Set<number>()

    // One more than Flat's hourly budget, in batches over kept-alive sockets.
    for (let sent = 0; sent < 7201; sent += 601) {
      const batch = Array.from({ length: Math.min(601, 7201 - sent) }, () =>
        fetch(`${sim.baseUrl}/tasks/${task.id}`, { headers: { Authorization: 'Bearer t' } }).then(async (response) => {
          await response.arrayBuffer()
          statuses.add(response.status)
          return response.headers.get('x-ratelimit-limit')
        }),
      )
      expect(new Set(await Promise.all(batch))).toEqual(new Set([null]))
    }

    expect(statuses).toEqual(new Set([200]))
    expect(sim.rateLimit.enabled).toBe(false)
    expect(sim.rateLimit.windows[0]?.requests).toBe(7201)
  })

  it('treats rateLimit: false as off too', async () => {
    const sim = await start({ rateLimit: false })

    const { headers } = await call(sim, 'GET', '/v2/me')

    expect(headers.get('x-ratelimit-remaining')).toBeNull()
    expect(sim.rateLimit.enabled).toBe(false)
  })

  it('reports the peak number of requests seen within one second', async () => {
    const clock = manualClock(Date.UTC(2025, 0, 1, 0, 0, 0))
    const sim = await start({ now: clock.now, rateLimit: {} })
    const task = sim.addTask({ durationMs: 100_000 })

    for (let i = 0; i < 3; i++) await call(sim, 'GET', `/v2/tasks/${task.id}`)
    clock.advance(1500)
    await call(sim, 'GET', `/v2/tasks/${task.id}`)
    clock.advance(1000)
    for (let i = 0; i < 2; i++) await call(sim, 'GET', `/v2/tasks/${task.id}`)

    expect(sim.rateLimit.peakPerSecond).toBe(3)
    expect(sim.rateLimit.windows).toHaveLength(1)
    expect(sim.rateLimit.windows[0]?.requests).toBe(6)
  })

  it('counts refused and unauthenticated requests too, but not routes outside /v2', async () => {
    const sim = await start({ rateLimit: { limit: 10 } })

    const anonymous = await call(sim, 'GET', '/v2/tasks/abc', { token: null })
    await fetch(`${sim.url}/auth/oauth`)

    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('x-ratelimit-remaining')).toBe('9')
    expect(sim.rateLimit.windows.map((window) => [window.key, window.requests])).toEqual([['anonymous', 1]])
  })
})
