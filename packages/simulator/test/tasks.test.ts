import type { Task } from '@flat-api/raw'
import { afterEach, describe, expect, it } from 'vitest'
import { call, closeAll, manualClock, start } from './helpers.js'

afterEach(closeAll)

async function getTask(sim: Awaited<ReturnType<typeof start>>, id: string, validate = true) {
  return call(sim, 'GET', `/v2/tasks/${id}`, { validate })
}

describe('tasks with children', () => {
  it('reports children with percent while the parent only has text, and ends when the last child does', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now })
    const parent = sim.addTask({
      durationMs: 100,
      queuedMs: 0,
      children: [
        { durationMs: 1000, queuedMs: 0 },
        { durationMs: 2000, queuedMs: 0 },
      ],
    })
    const [first, second] = parent.children ?? []

    clock.advance(500)
    const halfway = (await getTask(sim, parent.id)).body as Task
    clock.advance(1000)
    const oneDone = (await getTask(sim, parent.id)).body as Task
    clock.advance(500)
    const done = (await getTask(sim, parent.id)).body as Task

    expect(halfway.state).toBe('doing')
    expect(halfway.progress).toEqual({ text: '0 of 2 subtasks finished' })
    expect(halfway.children?.map((child) => [child.state, child.progress?.percent])).toEqual([
      ['doing', 50],
      ['doing', 25],
    ])
    expect(oneDone.progress).toEqual({ text: '1 of 2 subtasks finished' })
    expect(oneDone.children?.map((child) => child.state)).toEqual(['done', 'doing'])
    expect(done.state).toBe('done')
    expect(done.progress).toBeUndefined()
    expect(done.doneDate).toBe(new Date(clock.now()).toISOString())
    const child = (await getTask(sim, second?.id ?? '')).body as Task
    expect(child).toMatchObject({ id: second?.id, state: 'done', progress: { percent: 100 } })
    expect(new Set([parent.id, first?.id, second?.id]).size).toBe(3)
  })

  it('fails the parent when a child fails', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now })
    const parent = sim.addTask({ durationMs: 10, children: [{ durationMs: 20 }, { durationMs: 30, outcome: 'error' }] })

    clock.advance(30)
    const task = (await getTask(sim, parent.id)).body as Task

    expect(task.state).toBe('error')
    expect(task.children?.map((child) => child.state)).toEqual(['done', 'error'])
    expect(task.result?.error).toEqual(expect.any(String))
    expect(task.errorHistory?.length).toBeGreaterThan(0)
  })
})

describe('scripted task steps', () => {
  it('can go back from doing to created before it finishes', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now })
    const task = sim.addTask({
      durationMs: 300,
      steps: [
        { durationMs: 100, state: 'doing', percent: 40 },
        { durationMs: 100, state: 'created' },
        { durationMs: 100, state: 'doing', percent: 70, text: 'Again' },
      ],
    })

    const seen: [string, number | undefined, string | undefined][] = []
    for (let i = 0; i < 4; i++) {
      const view = (await getTask(sim, task.id)).body as Task
      seen.push([view.state, view.progress?.percent, view.progress?.text])
      clock.advance(100)
    }

    expect(seen).toEqual([
      ['doing', 40, undefined],
      ['created', undefined, undefined],
      ['doing', 70, 'Again'],
      ['done', 100, undefined],
    ])
  })

  it('reports a state the spec does not know while the step lasts, then finishes as planned', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now })
    const task = sim.addTask({ durationMs: 1000, outcome: 'canceled', steps: [{ durationMs: 200, state: 'paused' }] })

    const paused = (await getTask(sim, task.id, false)).body as { state: string }
    clock.advance(500)
    const stillPaused = (await getTask(sim, task.id, false)).body as { state: string }
    clock.advance(500)
    const canceled = (await getTask(sim, task.id)).body as Task

    expect(paused.state).toBe('paused')
    expect(stillPaused.state).toBe('paused')
    expect(canceled.state).toBe('canceled')
  })
})

describe('removing a task', () => {
  it('makes later polls answer 404 and says whether there was such a task', async () => {
    const sim = await start()
    const task = sim.addTask({ durationMs: 60_000, children: [{ durationMs: 100 }] })
    const child = task.children?.[0]?.id ?? ''
    expect((await getTask(sim, task.id)).status).toBe(200)

    expect(sim.removeTask(task.id)).toBe(true)
    expect(sim.removeTask(task.id)).toBe(false)
    const gone = await getTask(sim, task.id)
    const childGone = await getTask(sim, child)

    expect(gone.status).toBe(404)
    expect(gone.body).toEqual({ code: 'TASK_NOT_FOUND', message: 'Task not found' })
    expect(childGone.status).toBe(404)
  })
})

describe('task ids and views', () => {
  it('gives every task, child included, a distinct 24-hex id', async () => {
    const sim = await start()
    const ids = Array.from({ length: 500 }, () =>
      sim.addTask({ durationMs: 1, children: [{ durationMs: 1 }] }),
    ).flatMap((task) => [task.id, ...(task.children ?? []).map((child) => child.id)])

    expect(new Set(ids).size).toBe(1000)
    expect(ids.every((id) => /^[0-9a-f]{24}$/.test(id))).toBe(true)
  })

  it('marks only a created task as cancellable and dates it from its creation', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now })
    const task = sim.addTask({ durationMs: 1000, queuedMs: 100 })

    const created = (await getTask(sim, task.id)).body as Task
    clock.advance(500)
    const doing = (await getTask(sim, task.id)).body as Task

    expect(created).toMatchObject({ state: 'created', isCancellable: true, type: 'audio-export' })
    expect(created.creationDate).toBe(new Date(clock.now() - 500).toISOString())
    expect(doing).toMatchObject({ state: 'doing', isCancellable: false, progress: { percent: 44 } })
  })

  it('refuses a plan with a negative duration', async () => {
    const sim = await start()

    expect(() => sim.addTask({ durationMs: -1 })).toThrow(/durationMs/)
    expect(() => sim.addTask({ durationMs: 1, children: [{ durationMs: Number.NaN }] })).toThrow(/children\[0\]/)
  })
})
