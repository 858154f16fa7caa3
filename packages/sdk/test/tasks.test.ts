import type { Task } from '@flat-api/raw'
import type { Simulator } from '@flat-api/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createFlatClient,
  FlatAuthenticationError,
  type FlatClient,
  FlatNotFoundError,
  FlatTaskCanceledError,
  FlatTaskFailedError,
  FlatWaitTimeoutError,
} from '../src/index.js'
import { importScore, setup } from './helpers.js'

let sim: Simulator
let flat: FlatClient

afterEach(async () => {
  await sim?.close()
})

describe('tasks over real HTTP', () => {
  it('gets a task by id', async () => {
    ;({ sim, flat } = await setup())
    const created = sim.addTask({ durationMs: 10_000 })

    const task = await flat.tasks.get(created.id)

    expect(task.id).toBe(created.id)
    expect(['created', 'doing']).toContain(task.state)
  })

  it('waits for a task to be done and reports rising progress on the way', async () => {
    ;({ sim, flat } = await setup())
    const created = sim.addTask({ durationMs: 300, queuedMs: 30 })
    const seen: Task[] = []

    const task = await flat.tasks.wait(created.id, { onProgress: (t) => seen.push(t) })

    expect(task.state).toBe('done')
    expect(seen.at(-1)).toEqual(task)
    const percents = seen.map((t) => t.progress?.percent).filter((p): p is number => p !== undefined)
    expect(percents.length).toBeGreaterThanOrEqual(3)
    expect(percents.at(-1)).toBe(100)
    expect([...percents].sort((a, b) => a - b)).toEqual(percents)
  })

  it('rejects with FlatTaskFailedError carrying the task when the task fails', async () => {
    ;({ sim, flat } = await setup())
    const created = sim.addTask({ durationMs: 60, outcome: 'error' })

    const error = await flat.tasks.wait(created.id).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(FlatTaskFailedError)
    expect((error as FlatTaskFailedError).task.id).toBe(created.id)
    expect((error as FlatTaskFailedError).task.state).toBe('error')
  })

  it('rejects with FlatTaskCanceledError when the task is canceled', async () => {
    ;({ sim, flat } = await setup())
    const created = sim.addTask({ durationMs: 60, outcome: 'canceled' })

    const error = await flat.tasks.wait(created.id).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(FlatTaskCanceledError)
    expect((error as FlatTaskCanceledError).task.state).toBe('canceled')
  })

  it('rejects an unknown id with a not-found error that says 404', async () => {
    ;({ sim, flat } = await setup())

    const error = await flat.tasks.wait('0123456789abcdef01234567').catch((e: unknown) => e)

    expect(error).toBeInstanceOf(FlatNotFoundError)
    expect((error as FlatNotFoundError).status).toBe(404)
    expect(String(error)).toContain('404')
    expect(String(error)).toContain('GET /tasks/{task}')
    expect(sim.requests).toHaveLength(1)
  })

  it('rejects with FlatWaitTimeoutError holding the last task when the deadline passes', async () => {
    ;({ sim, flat } = await setup())
    const created = sim.addTask({ durationMs: 60_000 })

    const error = await flat.tasks.wait(created.id, { timeoutMs: 50 }).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(FlatWaitTimeoutError)
    expect((error as FlatWaitTimeoutError).lastTask?.id).toBe(created.id)
    expect((error as FlatWaitTimeoutError).timeoutMs).toBe(50)
  })

  it('rejects with the signal reason on abort and sends nothing more', async () => {
    ;({ sim, flat } = await setup())
    const created = sim.addTask({ durationMs: 60_000 })
    const controller = new AbortController()
    const reason = new Error('user gave up')

    const waiting = flat.tasks.wait(created.id, { signal: controller.signal, initialDelayMs: 5_000, maxDelayMs: 5_000 })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const sent = sim.requests.length
    controller.abort(reason)

    await expect(waiting).rejects.toBe(reason)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(sent).toBe(1)
    expect(sim.requests.length).toBe(sent)
  })

  it('fails with FlatAuthenticationError without a token', async () => {
    ;({ sim } = await setup())
    const anonymous = createFlatClient({ baseUrl: sim.baseUrl })
    const created = sim.addTask({ durationMs: 100 })

    await expect(anonymous.tasks.get(created.id)).rejects.toBeInstanceOf(FlatAuthenticationError)
  })

  it.each([
    ['empty', ''],
    ['dot', '.'],
    ['dot-dot', '..'],
    ['encoded dot-dot', '%2E%2E'],
    ['encoded dot', '%2e'],
  ])('rejects a %s task id with a TypeError naming the parameter before any request', async (_, id) => {
    ;({ sim, flat } = await setup())

    await expect(flat.tasks.get(id)).rejects.toThrow(TypeError)
    await expect(flat.tasks.wait(id)).rejects.toThrow(/"task"/)
    expect(sim.requests).toHaveLength(0)
  })

  it.each([
    ['negative timeoutMs', { timeoutMs: -1 }, /timeoutMs/],
    ['NaN initialDelayMs', { initialDelayMs: Number.NaN }, /initialDelayMs.*NaN/],
    ['max below initial', { initialDelayMs: 100, maxDelayMs: 10 }, /maxDelayMs/],
    ['multiplier below 1', { multiplier: 0.5 }, /multiplier/],
    ['jitter above 1', { jitter: 2 }, /jitter/],
  ])('rejects %s with a RangeError naming the option', async (_, options, message) => {
    ;({ sim, flat } = await setup())

    await expect(flat.tasks.wait('abc', options)).rejects.toThrow(RangeError)
    await expect(flat.tasks.wait('abc', options)).rejects.toThrow(message)
    expect(sim.requests).toHaveLength(0)
  })

  it('stops polling when a watch loop breaks', async () => {
    ;({ sim, flat } = await setup())
    const created = sim.addTask({ durationMs: 60_000, queuedMs: 0 })

    for await (const task of flat.tasks.watch(created.id)) {
      expect(task.id).toBe(created.id)
      break
    }
    const sent = sim.requests.length
    await new Promise((resolve) => setTimeout(resolve, 100))

    expect(sim.requests.length).toBe(sent)
  })
})

describe('scores.export over real HTTP', () => {
  it('exports a score to MP3 and resolves with the done task and its file URL', async () => {
    ;({ sim, flat } = await setup({ exportDurationMs: 150 }))
    const score = await importScore(flat)

    const task = await flat.scores.export(score, { format: 'mp3' })

    expect(task.state).toBe('done')
    expect(task.score).toBe(score)
    expect(task.result?.url).toMatch(new RegExp(`^${sim.url}/files/`))
    const file = await fetch(task.result?.url ?? '')
    expect(file.headers.get('content-type')).toBe('audio/mp3')
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(10_000)
  })

  it('sends the parts as the task body and rejects an unknown part as a validation error', async () => {
    ;({ sim, flat } = await setup({ exportDurationMs: 50 }))
    const score = await importScore(flat)

    const task = await flat.scores.export(score, { format: 'wav', parts: ['P1'] })
    expect(task.state).toBe('done')
    await expect(flat.scores.export(score, { format: 'wav', parts: ['nope'] })).rejects.toMatchObject({
      status: 400,
      param: 'parts',
    })
  })

  it('rejects an unsupported format with a RangeError before any request', async () => {
    ;({ sim, flat } = await setup())

    await expect(flat.scores.export('abc', { format: 'ogg' as 'mp3' })).rejects.toThrow(/format.*"ogg"/)
    expect(sim.requests).toHaveLength(0)
  })
})
