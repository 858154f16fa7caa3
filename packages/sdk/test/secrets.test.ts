import { inspect } from 'node:util'
import type { Simulator } from '@flat-api/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { createFlatClient, type Logger } from '../src/index.js'
import { setup } from './helpers.js'

const TOKEN = 'flat_pat_3f9c2e7b1d5a48_super_secret'

let sim: Simulator | undefined

afterEach(async () => {
  await sim?.close()
  sim = undefined
})

/** Every way a value could leak the token when it is printed, logged or serialized. */
function renderings(value: unknown): string[] {
  const out = [inspect(value, { depth: 8 }), inspect(value, { showHidden: true, depth: 8 }), String(value)]
  try {
    out.push(JSON.stringify(value) ?? '')
  } catch {
    // Circular structures cannot be serialized, so they cannot leak that way either.
  }
  if (value instanceof Error) out.push(value.message, value.stack ?? '', inspect(value.cause, { depth: 8 }))
  return out
}

describe('the token never leaks', () => {
  it('appears in no error of any kind: API, connection, timeout, task', async () => {
    ;({ sim } = await setup({ rateLimit: false }))
    const logged: unknown[] = []
    const logger: Logger = { debug: (...args) => logged.push(args), warn: (...args) => logged.push(args) }
    const flat = createFlatClient({ accessToken: TOKEN, baseUrl: sim.baseUrl, logger, retry: false, timeoutMs: 300 })
    const failing = sim.addTask({ durationMs: 10, outcome: 'error' })
    const errors: unknown[] = []
    const unreachable = createFlatClient({ accessToken: TOKEN, baseUrl: 'http://127.0.0.1:9/v2', retry: false })

    errors.push(await flat.tasks.get('0123456789abcdef00000000').catch((e: unknown) => e))
    errors.push(await flat.tasks.wait(failing.id, { initialDelayMs: 20 }).catch((e: unknown) => e))
    errors.push(await flat.tasks.wait('0123456789abcdef00000000', { timeoutMs: 1 }).catch((e: unknown) => e))
    errors.push(await unreachable.tasks.get('abc').catch((e: unknown) => e))
    errors.push(await flat.scores.export('nope', { format: 'mp3' }).catch((e: unknown) => e))

    expect(errors.map((e) => (e as Error).name)).toEqual([
      'FlatNotFoundError',
      'FlatTaskFailedError',
      'FlatWaitTimeoutError',
      'FlatConnectionError',
      'FlatNotFoundError',
    ])
    for (const error of errors) for (const text of renderings(error)) expect(text).not.toContain(TOKEN)
    for (const text of renderings(flat)) expect(text).not.toContain(TOKEN)
    for (const entry of logged) for (const text of renderings(entry)) expect(text).not.toContain(TOKEN)
  })

  it('is never sent to the file host, neither on a revision download nor on an export result', async () => {
    ;({ sim } = await setup({ rateLimit: false, exportDurationMs: 50 }))
    const flat = createFlatClient({
      accessToken: TOKEN,
      baseUrl: sim.baseUrl,
      requestsPerHour: Number.POSITIVE_INFINITY,
    })
    const score = await flat.scores.import({ data: (await import('./helpers.js')).SCORE_XML, title: 'Secret test' })

    await flat.scores.download(score.id, { format: 'midi' })
    await flat.scores.exportAndDownload(score.id, { format: 'wav' })

    const hostRequests = sim.fileHost.requests
    expect(hostRequests.length).toBeGreaterThanOrEqual(2)
    expect(hostRequests.every((request) => request.authorization === false)).toBe(true)
  })

  it('refuses plain http to a host that is not loopback unless the user opts in', () => {
    expect(() => createFlatClient({ accessToken: TOKEN, baseUrl: 'http://api.flat.io/v2' })).toThrow(/https/)
    expect(() =>
      createFlatClient({ accessToken: TOKEN, baseUrl: 'http://flat.internal.test/v2', allowInsecureHttp: true }),
    ).not.toThrow()
    expect(() => createFlatClient({ accessToken: TOKEN, baseUrl: 'http://[::1]:8080/v2' })).not.toThrow()
  })
})
