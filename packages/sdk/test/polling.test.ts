import type { Task } from '@flat-api/raw'
import { describe, expect, it } from 'vitest'
import { createManualClock, FlatNotFoundError, FlatRateLimitError, FlatServerError } from '../src/index.js'
import { type Classification, newPosition, type Pollable, type PollEnv, poll } from '../src/polling/core.js'
import { EtaEstimator, effectivePercent } from '../src/polling/eta.js'
import { backoffDelayMs, DEFAULT_POLLING, resolvePollingOptions } from '../src/polling/options.js'
import { PollScheduler } from '../src/polling/scheduler.js'

const NO_JITTER = { ...DEFAULT_POLLING, initialDelayMs: 500, maxDelayMs: 8000, multiplier: 2, jitter: 0 }

/** A scripted task: `script(atMs)` says what the server would answer at that time. */
function scripted(clock: { now(): number }, script: (atMs: number) => Task | Error) {
  const sentAt: number[] = []
  const target: Pollable<Task> = {
    async fetch() {
      sentAt.push(clock.now())
      const answer = script(clock.now())
      if (answer instanceof Error) throw answer
      return answer
    },
    classify: (task): Classification =>
      task.state === 'done'
        ? 'done'
        : task.state === 'error'
          ? 'failed'
          : task.state === 'canceled'
            ? 'canceled'
            : 'pending',
    fingerprint: (task) => JSON.stringify([task.state, task.progress?.percent ?? null]),
    percent: effectivePercent,
  }
  return { target, sentAt }
}

function env(clock: ReturnType<typeof createManualClock>, scheduler?: PollScheduler): PollEnv {
  return { clock, random: () => 0.5, scheduler, maxRateLimitWaitMs: 60_000 }
}

async function runToEnd<T>(clock: ReturnType<typeof createManualClock>, promise: Promise<T>): Promise<T> {
  let settled = false
  promise.finally(() => {
    settled = true
  })
  while (!settled && (await clock.next())) {
    // each step fires one timer
  }
  return promise
}

const apiError = (Cls: typeof FlatServerError, status: number, extra: object = {}) =>
  new Cls({ method: 'GET', path: '/tasks/{task}', status, ...extra })

describe('backoffDelayMs', () => {
  it.each([
    [{ initialDelayMs: 500, multiplier: 2, maxDelayMs: 8000, jitter: 0 }, 0, 0.9, 500],
    [{ initialDelayMs: 500, multiplier: 2, maxDelayMs: 8000, jitter: 0 }, 3, 0.9, 4000],
    [{ initialDelayMs: 500, multiplier: 2, maxDelayMs: 8000, jitter: 0 }, 10, 0.9, 8000],
    [{ initialDelayMs: 1000, multiplier: 1.5, maxDelayMs: 60000, jitter: 0.5 }, 2, 0, 2250],
    [{ initialDelayMs: 1000, multiplier: 1.5, maxDelayMs: 60000, jitter: 0.5 }, 2, 1, 1125],
    [{ initialDelayMs: 1000, multiplier: 1, maxDelayMs: 1000, jitter: 1 }, 5, 0.25, 750],
  ])('with %j at attempt %i and random %d waits %d ms', (overrides, attempt, random, expected) => {
    const options = resolvePollingOptions(DEFAULT_POLLING, overrides)
    expect(backoffDelayMs(options, attempt, () => random)).toBeCloseTo(expected, 6)
  })

  it('keeps a zero initial delay at zero however many polls have passed, never NaN', () => {
    const options = resolvePollingOptions(DEFAULT_POLLING, { initialDelayMs: 0, multiplier: 1.6 })
    for (const attempt of [0, 10, 1600, 5000]) expect(backoffDelayMs(options, attempt, () => 0.5)).toBe(0)
  })

  it('grants no slot while the caller is still running synchronously, only from the timer', async () => {
    const clock = createManualClock()
    const scheduler = new PollScheduler(clock, 7200)
    const granted: number[] = []
    for (let i = 0; i < 5; i += 1) scheduler.acquire({ likelihood: () => 0.3 }).then(() => granted.push(clock.now()))
    await Promise.resolve()

    expect(granted).toEqual([])
    while (granted.length < 5 && (await clock.next())) {}
    // 500 ms slots plus 1% slack.
    expect(granted).toEqual([0, 505, 1010, 1515, 2020])
  })

  it('keeps every jittered delay between (1 - jitter) x and 1 x the base delay, never above the cap', () => {
    const options = resolvePollingOptions(DEFAULT_POLLING, { initialDelayMs: 200, maxDelayMs: 3000, jitter: 0.3 })
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const base = Math.min(3000, 200 * options.multiplier ** attempt)
      for (const r of [0, 0.1, 0.5, 0.999999]) {
        const delay = backoffDelayMs(options, attempt, () => r)
        expect(delay).toBeGreaterThanOrEqual(base * 0.7 - 1e-9)
        expect(delay).toBeLessThanOrEqual(base)
      }
    }
  })
})

describe('resolvePollingOptions', () => {
  it.each([
    ['timeoutMs', -5],
    ['initialDelayMs', Number.NaN],
    ['maxDelayMs', -1],
    ['multiplier', 0.9],
    ['jitter', 1.5],
    ['initialDelayMs', Number.POSITIVE_INFINITY],
  ])('rejects %s = %d with a RangeError naming it', (name, value) => {
    expect(() => resolvePollingOptions(DEFAULT_POLLING, { [name]: value })).toThrow(RangeError)
    expect(() => resolvePollingOptions(DEFAULT_POLLING, { [name]: value })).toThrow(name)
  })

  it('rejects a string where a number belongs with a TypeError', () => {
    expect(() => resolvePollingOptions(DEFAULT_POLLING, { timeoutMs: '5' as unknown as number })).toThrow(TypeError)
  })
})

describe('poll on a manual clock', () => {
  it('polls at once, then after each growing delay, until done', async () => {
    const clock = createManualClock()
    const { target, sentAt } = scripted(clock, (t) => ({ id: 't', state: t >= 3000 ? 'done' : 'doing' }))

    const outcome = await runToEnd(clock, poll(env(clock), target, { options: NO_JITTER }))

    expect(outcome.kind).toBe('done')
    expect(sentAt).toEqual([0, 500, 1500, 3500])
    expect(outcome.polls).toBe(4)
    expect(clock.pending).toBe(0)
  })

  it('times out at the deadline with the last value and leaves no timer behind', async () => {
    const clock = createManualClock()
    const { target, sentAt } = scripted(clock, () => ({ id: 't', state: 'doing' }))

    const outcome = await runToEnd(clock, poll(env(clock), target, { options: NO_JITTER, deadlineAt: 5000 }))

    expect(outcome.kind).toBe('timeout')
    expect(outcome.last?.state).toBe('doing')
    expect(clock.now()).toBe(5000)
    expect(sentAt).toEqual([0, 500, 1500, 3500])
    expect(clock.pending).toBe(0)
  })

  it('aborts mid-sleep at once with the reason and sends nothing more', async () => {
    const clock = createManualClock()
    const { target, sentAt } = scripted(clock, () => ({ id: 't', state: 'doing' }))
    const controller = new AbortController()
    const reason = new Error('stop')

    const running = poll(env(clock), target, { options: NO_JITTER, signal: controller.signal })
    await clock.advance(600)
    controller.abort(reason)
    const outcome = await running

    expect(outcome).toMatchObject({ kind: 'aborted', reason })
    expect(sentAt).toEqual([0, 500])
    expect(clock.pending).toBe(0)
  })

  it('retries 5xx with backoff and fails at once on a 404', async () => {
    const clock = createManualClock()
    let calls = 0
    const { target, sentAt } = scripted(clock, () => {
      calls += 1
      if (calls <= 2) return apiError(FlatServerError, 503)
      return apiError(FlatNotFoundError as typeof FlatServerError, 404)
    })

    const outcome = await runToEnd(clock, poll(env(clock), target, { options: NO_JITTER }))

    expect(outcome.kind).toBe('error')
    expect(outcome.kind === 'error' && outcome.error).toBeInstanceOf(FlatNotFoundError)
    expect(outcome.transientErrors).toBe(2)
    expect(sentAt).toEqual([0, 500, 1500])
  })

  it.each([
    ['a reset 2 s ahead waits for the reset plus a margin', 2000, 2250],
    ['a reset in the past falls back to backoff, not a zero-delay loop', -5000, 500],
  ])('on a rate limit, %s', async (_, resetOffsetMs, expectedSecondAt) => {
    const clock = createManualClock(1_000_000)
    let calls = 0
    const { target, sentAt } = scripted(clock, (t) => {
      calls += 1
      if (calls === 1) {
        return new FlatRateLimitError({
          method: 'GET',
          path: '/tasks/{task}',
          status: 403,
          code: 'API_RATE_LIMIT_EXCEEDED',
          resetAt: new Date(t + resetOffsetMs),
        })
      }
      return { id: 't', state: 'done' }
    })

    await runToEnd(clock, poll(env(clock), target, { options: NO_JITTER }))

    expect(sentAt.map((t) => t - 1_000_000)).toEqual([0, expectedSecondAt])
  })

  it('never retries in a tight loop even with a zero initial delay', async () => {
    const clock = createManualClock()
    const { target, sentAt } = scripted(clock, () => apiError(FlatServerError, 500))
    const options = { ...NO_JITTER, initialDelayMs: 0 }

    await runToEnd(clock, poll(env(clock), target, { options, deadlineAt: 1000 }))

    for (let i = 1; i < sentAt.length; i += 1)
      expect((sentAt[i] as number) - (sentAt[i - 1] as number)).toBeGreaterThanOrEqual(100)
  })

  it('polls close to the estimated finish of a task that reports percent', async () => {
    const clock = createManualClock()
    const doneAtMs = 60_000
    const { target, sentAt } = scripted(clock, (t) =>
      t >= doneAtMs
        ? { id: 't', state: 'done' }
        : { id: 't', state: 'doing', progress: { percent: (t / doneAtMs) * 100 } },
    )
    const options = { ...NO_JITTER, maxDelayMs: 30_000 }

    const outcome = await runToEnd(clock, poll(env(clock), target, { options }))

    const resolvedAt = sentAt.at(-1) as number
    expect(outcome.kind).toBe('done')
    expect(resolvedAt - doneAtMs).toBeGreaterThanOrEqual(0)
    expect(resolvedAt - doneAtMs).toBeLessThanOrEqual(1000)
    // Plain backoff capped at 30 s would need 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5, 61.5 s: 8 polls, 1.5 s late.
    expect(sentAt.length).toBeLessThanOrEqual(7)
  })

  it('takes a parent’s percent from its children when it reports none', () => {
    const parent = {
      id: 'p',
      state: 'doing' as const,
      children: [
        { id: 'a', state: 'done' as const },
        { id: 'b', state: 'doing' as const, progress: { percent: 50 } },
        { id: 'c', state: 'created' as const },
      ],
    }
    expect(effectivePercent(parent)).toBe(50)
    expect(effectivePercent({ state: 'doing' })).toBeUndefined()
  })

  it('restarts the estimate when the percent goes backwards', () => {
    const eta = new EtaEstimator()
    eta.observe(0, 0)
    eta.observe(1000, 50)
    expect(eta.estimateDoneAt()).toBe(2000)
    eta.observe(2000, 10)
    expect(eta.estimateDoneAt()).toBeUndefined()
    eta.observe(3000, 20)
    expect(eta.estimateDoneAt()).toBe(11_000)
  })

  it('resumes from a saved position with the same backoff', async () => {
    const clock = createManualClock()
    const { target, sentAt } = scripted(clock, (t) => ({ id: 't', state: t >= 10_000 ? 'done' : 'doing' }))

    await runToEnd(clock, poll(env(clock), target, { options: NO_JITTER, position: newPosition(3) }))

    // Attempt 3 continues at 4 s, then 8 s (the cap).
    expect(sentAt).toEqual([0, 4000, 12_000])
  })
})

describe('PollScheduler', () => {
  it('spaces grants evenly at the budget, whatever the number of waiters', async () => {
    const clock = createManualClock()
    const scheduler = new PollScheduler(clock, 3600)
    const grantedAt: number[] = []
    for (let i = 0; i < 20; i += 1) scheduler.acquire({ likelihood: () => 0.3 }).then(() => grantedAt.push(clock.now()))

    while (grantedAt.length < 20 && (await clock.next())) {}

    expect(grantedAt).toHaveLength(20)
    for (let i = 1; i < grantedAt.length; i += 1)
      expect((grantedAt[i] as number) - (grantedAt[i - 1] as number)).toBe(1010) // 1000 ms slots plus 1% slack
  })

  it('grants the next slot to the waiter most likely to be done', async () => {
    const clock = createManualClock()
    const scheduler = new PollScheduler(clock, 3600)
    const order: string[] = []
    const first = scheduler.acquire({ likelihood: () => 0 })
    await clock.next()
    await first
    for (const [name, likelihood] of [
      ['unlikely', 0],
      ['likely', 1],
      ['middling', 0.5],
    ] as const) {
      scheduler.acquire({ likelihood: () => likelihood }).then(() => order.push(name))
    }

    while (order.length < 3 && (await clock.next())) {}

    expect(order).toEqual(['likely', 'middling', 'unlikely'])
  })

  it('pauses every waiter until the reset when the server says the budget is spent', async () => {
    const clock = createManualClock(1_000_000)
    const scheduler = new PollScheduler(clock, Number.POSITIVE_INFINITY)
    scheduler.observe(0, new Date(1_004_000))
    let grantedAt = -1

    scheduler.acquire({ likelihood: () => 1 }).then(() => {
      grantedAt = clock.now()
    })
    while (grantedAt < 0 && (await clock.next())) {}

    expect(grantedAt).toBe(1_004_250)
  })

  it('spreads the rest of the window’s budget over the time left', () => {
    const clock = createManualClock(0)
    const scheduler = new PollScheduler(clock, 7200)
    scheduler.observe(60, new Date(600_000))

    expect(scheduler.stats().effectivePerHour).toBeCloseTo(360, 6)
  })

  it('drops an aborted waiter from the queue with the signal’s reason', async () => {
    const clock = createManualClock()
    const scheduler = new PollScheduler(clock, 3600)
    const first = scheduler.acquire({ likelihood: () => 0 })
    await clock.next()
    await first
    const controller = new AbortController()
    const pending = scheduler.acquire({ likelihood: () => 0, signal: controller.signal })
    controller.abort('gone')

    await expect(pending).rejects.toBe('gone')
    expect(scheduler.stats().pending).toBe(0)
    expect(clock.pending).toBe(0)
  })

  it('rejects a budget that is not a positive number', () => {
    expect(() => new PollScheduler(createManualClock(), 0)).toThrow(/requestsPerHour/)
    expect(() => new PollScheduler(createManualClock(), Number.NaN)).toThrow(RangeError)
  })
})
