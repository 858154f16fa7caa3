import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Task } from '@flat-api/raw'
import type { Simulator } from '@flat-api/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { createFlatClient, type FlatClient, FlatWaitTimeoutError } from '../src/index.js'
import { setup } from './helpers.js'

let sim: Simulator | undefined
let flat: FlatClient

afterEach(async () => {
  await sim?.close()
  sim = undefined
})

const taskRequests = (s: Simulator, id: string) => s.requests.filter((r) => r.url === `/v2/tasks/${id}`)

describe('coalesced waits over real HTTP', () => {
  it('shares one poll loop among ten waiters of the same task: one request per poll', async () => {
    ;({ sim, flat } = await setup())
    const created = sim.addTask({ durationMs: 400, queuedMs: 50 })

    const results = await Promise.all(Array.from({ length: 10 }, () => flat.tasks.wait(created.id)))

    expect(results.every((task) => task.state === 'done')).toBe(true)
    const requests = taskRequests(sim, created.id)
    const solo = await setup()
    try {
      const single = solo.sim.addTask({ durationMs: 400, queuedMs: 50 })
      await solo.flat.tasks.wait(single.id)
      // Ten waiters cost what one costs (give or take a poll of timing noise), not ten times as much.
      expect(requests.length).toBeLessThanOrEqual(taskRequests(solo.sim, single.id).length + 1)
    } finally {
      await solo.sim.close()
    }
    expect(requests.length).toBeLessThan(20)
  })

  it('detaches only the waiter that aborts; the others still finish', async () => {
    ;({ sim, flat } = await setup())
    const created = sim.addTask({ durationMs: 300 })
    const controller = new AbortController()

    const leaving = flat.tasks.wait(created.id, { signal: controller.signal })
    const staying = flat.tasks.wait(created.id)
    await new Promise((resolve) => setTimeout(resolve, 30))
    controller.abort(new Error('bye'))

    await expect(leaving).rejects.toThrow('bye')
    await expect(staying).resolves.toMatchObject({ state: 'done' })
  })

  it('gives each waiter its own deadline', async () => {
    ;({ sim, flat } = await setup())
    const created = sim.addTask({ durationMs: 400 })

    const short = flat.tasks.wait(created.id, { timeoutMs: 50 })
    const long = flat.tasks.wait(created.id, { timeoutMs: 10_000 })

    await expect(short).rejects.toBeInstanceOf(FlatWaitTimeoutError)
    await expect(long).resolves.toMatchObject({ state: 'done' })
  })

  it('stops polling once the last waiter leaves', async () => {
    ;({ sim, flat } = await setup())
    const created = sim.addTask({ durationMs: 60_000 })
    const controller = new AbortController()
    const waits = [1, 2, 3].map(() => flat.tasks.wait(created.id, { signal: controller.signal }).catch(() => 'left'))

    await new Promise((resolve) => setTimeout(resolve, 60))
    controller.abort()
    expect(await Promise.all(waits)).toEqual(['left', 'left', 'left'])
    // A poll already on the wire when the abort came may still land; count from after it could have.
    await new Promise((resolve) => setTimeout(resolve, 30))
    const sent = sim.requests.length
    await new Promise((resolve) => setTimeout(resolve, 150))

    expect(sim.requests.length).toBe(sent)
  })

  it('lets a watcher join a running wait and see the current state first', async () => {
    ;({ sim, flat } = await setup())
    const created = sim.addTask({ durationMs: 200, queuedMs: 0 })
    const waiting = flat.tasks.wait(created.id)
    await new Promise((resolve) => setTimeout(resolve, 40))
    const seen: Task[] = []

    for await (const task of flat.tasks.watch(created.id)) seen.push(task)

    expect(seen[0]?.state).toBe('doing')
    expect(seen.at(-1)?.state).toBe('done')
    await expect(waiting).resolves.toMatchObject({ state: 'done' })
  })
})

describe('saved waits', () => {
  it('resumes a wait saved as JSON in another client and finishes with the same outcome', async () => {
    ;({ sim, flat } = await setup())
    const created = sim.addTask({ durationMs: 250 })
    const controller = new AbortController()

    const first = flat.tasks.wait(created.id, { signal: controller.signal, timeoutMs: 5_000 })
    await new Promise((resolve) => setTimeout(resolve, 40))
    const saved = JSON.parse(JSON.stringify(first))
    controller.abort()
    await first.catch(() => {})

    const other = createFlatClient({
      accessToken: 't',
      baseUrl: sim.baseUrl,
      requestsPerHour: Number.POSITIVE_INFINITY,
    })
    const task = await other.tasks.resume(saved)

    expect(saved).toMatchObject({ kind: 'flat-task-wait', version: 1, taskId: created.id })
    expect(saved.deadlineAt).toBeGreaterThan(Date.now())
    expect(saved.attempt).toBeGreaterThan(0)
    expect(task.state).toBe('done')
  })

  it('keeps the absolute deadline of a resumed wait', async () => {
    ;({ sim, flat } = await setup())
    const created = sim.addTask({ durationMs: 60_000 })
    const checkpoint = {
      kind: 'flat-task-wait' as const,
      version: 1 as const,
      taskId: created.id,
      deadlineAt: Date.now() + 80,
      attempt: 2,
    }

    const started = Date.now()
    await expect(flat.tasks.resume(checkpoint)).rejects.toBeInstanceOf(FlatWaitTimeoutError)

    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('rejects a checkpoint that is not one', async () => {
    ;({ sim, flat } = await setup())

    await expect(flat.tasks.resume({ kind: 'nope' } as never)).rejects.toThrow(TypeError)
    expect(sim.requests).toHaveLength(0)
  })
})

describe('process lifetime', () => {
  it('lets a child process exit promptly once its wait settles', async () => {
    ;({ sim } = await setup())
    const created = sim.addTask({ durationMs: 200 })
    const sdk = fileURLToPath(new URL('../dist/index.js', import.meta.url))
    const script = `
      import { createFlatClient } from ${JSON.stringify(sdk)}
      const flat = createFlatClient({ accessToken: 't', baseUrl: ${JSON.stringify(sim.baseUrl)}, polling: { timeoutMs: 600000 } })
      const task = await flat.tasks.wait(${JSON.stringify(created.id)})
      process.stdout.write('settled ' + task.state + '\\n')
    `
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let settledAt = 0
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('settled')) settledAt ||= Date.now()
    })
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    const exitedAt = Date.now()

    expect(code).toBe(0)
    expect(output.trim()).toBe('settled done')
    // A leftover 10-minute deadline timer or a poll timer would hold the process open far longer.
    expect(exitedAt - settledAt).toBeLessThan(1500)
  })
})
