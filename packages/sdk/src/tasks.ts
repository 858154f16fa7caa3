import { encodePathParam, type Task } from '@flat-api/raw'
import type { ClientContext } from './context.js'
import { FlatTaskCanceledError, FlatTaskFailedError, FlatWaitTimeoutError } from './errors.js'
import { type Classification, newPosition, type Pollable, type PollOutcome } from './polling/core.js'
import { effectivePercent } from './polling/eta.js'
import type { PollHub, SubscriberSpec } from './polling/hub.js'
import { type PollingOptions, type ResolvedPollingOptions, resolvePollingOptions } from './polling/options.js'
import { unwrap } from './request.js'

/** Options for `tasks.get`. */
export interface GetOptions {
  /** Aborts the request. Default: none. */
  signal?: AbortSignal
}

/** Options of a wait for a task: pacing (the client's `polling` by default), abort and progress. */
export interface WaitOptions extends PollingOptions {
  /** Aborts the wait: it rejects at once with the signal's reason and sends nothing more. Default: none. */
  signal?: AbortSignal
  /** Called with each observed change of state, progress or children. Default: none. */
  onProgress?: (task: Task) => void
}

/** A saved pending wait: plain JSON, safe to store and resume in another process. */
export interface TaskWaitCheckpoint {
  /** Always `'flat-task-wait'`: marks the object as a saved task wait. */
  kind: 'flat-task-wait'
  /** Format version of the checkpoint; always 1. */
  version: 1
  /** Id of the task waited for. */
  taskId: string
  /** Absolute deadline, epoch milliseconds. */
  deadlineAt: number
  /** Backoff position: polls scheduled so far. */
  attempt: number
  /** Completion-estimate samples, when the task reported a percent. */
  eta?: number[]
  /** The last state observed, if any. */
  lastState?: string
}

/** A pending wait: a promise of the done task that can also be saved with `JSON.stringify`. */
export interface TaskWait extends Promise<Task> {
  /** Id of the task waited for; empty when the arguments were refused. */
  readonly taskId: string
  /** A checkpoint of the wait, for `tasks.resume`; throws the wait's error when the arguments were refused. */
  toJSON(): TaskWaitCheckpoint
}

/** Options for `tasks.resume`: those of a wait without `timeoutMs`, since the checkpoint keeps its deadline. */
export type ResumeOptions = Pick<WaitOptions, 'signal' | 'onProgress'> & Omit<PollingOptions, 'timeoutMs'>

/** Tasks (`/tasks/{task}`): get one, or follow it to its end; waits and watches of one task share one poll loop. */
export interface TasksApi {
  /** `GET /tasks/{task}`. */
  get(id: string, options?: GetOptions): Promise<Task>
  /** Polls until the task is done and resolves with it; throws a typed error for every other ending. */
  wait(id: string, options?: WaitOptions): TaskWait
  /** Yields the task each time it changes, ending after its terminal state; `break` stops polling. */
  watch(id: string, options?: WaitOptions): AsyncGenerator<Task, void, undefined>
  /** Resumes a wait saved with `toJSON()`, keeping its absolute deadline and backoff position. */
  resume(checkpoint: TaskWaitCheckpoint, options?: ResumeOptions): TaskWait
}

const TASK_TARGET = { method: 'GET', path: '/tasks/{task}' }
const KNOWN_PENDING: ReadonlySet<string> = new Set(['created', 'blocked', 'doing'])

function checkTaskId(id: unknown): asserts id is string {
  if (typeof id !== 'string') throw new TypeError(`path parameter "task" must be a string, got ${typeof id}`)
  encodePathParam('task', id)
}

/** The parts of a task a watcher cares about, as a comparable string. */
export function taskFingerprint(task: Task): string {
  const project = (t: Task): unknown => [
    t.state,
    t.progress?.percent ?? null,
    t.progress?.text ?? null,
    t.result?.url ?? null,
    t.result?.error ?? null,
    (t.children ?? []).map(project),
  ]
  return JSON.stringify(project(task))
}

/** Turns a non-success outcome into the error the public helpers throw, carrying what was observed. */
function outcomeError(id: string, timeoutMs: number, outcome: PollOutcome<Task>): unknown {
  switch (outcome.kind) {
    case 'failed':
      return new FlatTaskFailedError(outcome.value)
    case 'canceled':
      return new FlatTaskCanceledError(outcome.value)
    case 'timeout':
      return new FlatWaitTimeoutError(id, timeoutMs, outcome.last, outcome.lastError)
    case 'aborted':
      return outcome.reason
    case 'error':
      if (outcome.error instanceof Error && outcome.last !== undefined) {
        Object.defineProperty(outcome.error, 'lastTask', { value: outcome.last, enumerable: false, configurable: true })
      }
      return outcome.error
    case 'done':
      return undefined
  }
}

function checkCheckpoint(checkpoint: unknown): asserts checkpoint is TaskWaitCheckpoint {
  const c = checkpoint as Partial<TaskWaitCheckpoint> | null
  if (!c || typeof c !== 'object' || c.kind !== 'flat-task-wait' || c.version !== 1) {
    throw new TypeError('checkpoint must be a task wait saved with toJSON()')
  }
  if (typeof c.taskId !== 'string') throw new TypeError('checkpoint.taskId must be a string')
  if (typeof c.deadlineAt !== 'number' || Number.isNaN(c.deadlineAt)) {
    throw new RangeError(`checkpoint.deadlineAt must be a number, got ${String(c.deadlineAt)}`)
  }
  if (typeof c.attempt !== 'number' || !Number.isInteger(c.attempt) || c.attempt < 0) {
    throw new RangeError(`checkpoint.attempt must be a non-negative integer, got ${String(c.attempt)}`)
  }
}

/** The task as a Pollable; a class so a loop holds one object, not a bundle of closures. */
class TaskTarget implements Pollable<Task> {
  constructor(
    private readonly fetchTask: (id: string, signal?: AbortSignal) => Promise<Task>,
    private readonly context: ClientContext,
    private readonly id: string,
  ) {}

  fetch(signal: AbortSignal): Promise<Task> {
    return this.fetchTask(this.id, signal)
  }

  classify(task: Task): Classification {
    if (task.state === 'done') return 'done'
    if (task.state === 'error') return 'failed'
    if (task.state === 'canceled') return 'canceled'
    if (!KNOWN_PENDING.has(task.state)) this.context.reportUnknownState(task.state, `task ${task.id}`)
    return 'pending'
  }

  fingerprint(task: Task): string {
    return taskFingerprint(task)
  }

  percent(task: Task): number | undefined {
    return effectivePercent(task)
  }
}

/** The promise a wait returns, with `toJSON` on its prototype rather than a closure per wait. */
class TaskWaitPromise extends Promise<Task> implements TaskWait {
  static override get [Symbol.species](): PromiseConstructor {
    return Promise
  }

  declare readonly taskId: string
  declare pending: PendingWait

  toJSON(): TaskWaitCheckpoint {
    return this.pending.checkpoint()
  }
}

/** One pending wait: its promise, and the subscriber the hub calls back. */
class PendingWait implements SubscriberSpec<Task> {
  lastState: string | undefined
  readonly promise: TaskWaitPromise
  readonly signal: AbortSignal | undefined
  readonly deadlineAt: number
  private resolve!: (task: Task) => void
  private reject!: (reason: unknown) => void

  constructor(
    private readonly plan: WatchPlan,
    private readonly hub: PollHub,
    private readonly options: WaitOptions | ResumeOptions,
  ) {
    this.signal = options.signal
    this.deadlineAt = plan.deadlineAt
    this.promise = new TaskWaitPromise((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
    Object.defineProperty(this.promise, 'taskId', { value: plan.id, enumerable: true })
    Object.defineProperty(this.promise, 'pending', { value: this })
  }

  onChange(task: Task): void {
    this.lastState = task.state
    this.options.onProgress?.(task)
  }

  onOutcome(outcome: PollOutcome<Task>): void {
    if (outcome.kind === 'done') this.resolve(outcome.value)
    else this.reject(outcomeError(this.plan.id, this.plan.timeoutMs, outcome))
  }

  checkpoint(): TaskWaitCheckpoint {
    const position = this.hub.position(`task:${this.plan.id}`)
    const checkpoint: TaskWaitCheckpoint = {
      kind: 'flat-task-wait',
      version: 1,
      taskId: this.plan.id,
      deadlineAt: this.plan.deadlineAt,
      attempt: position?.attempt ?? this.plan.startAttempt,
    }
    const eta = position?.eta?.toJSON() ?? this.plan.eta
    if (eta) checkpoint.eta = [...eta]
    if (this.lastState) checkpoint.lastState = this.lastState
    return checkpoint
  }
}

interface WatchPlan {
  id: string
  deadlineAt: number
  timeoutMs: number
  startAttempt: number
  eta: number[] | undefined
}

export function createTasksApi(context: ClientContext): TasksApi {
  const { clock, hub } = context

  // A poll is sent once (`polling`): the poll loop retries on its own schedule and budget, not the client's.
  const fetchTask = async (id: string, signal?: AbortSignal, polling = false): Promise<Task> => {
    const init = {
      params: { path: { task: id } },
      ...(signal ? { signal } : {}),
      ...(polling ? { fetch: context.pollFetch } : {}),
    }
    const { data } = await unwrap(TASK_TARGET, context.raw.GET('/tasks/{task}', init))
    return data
  }

  const loopSpec = (plan: WatchPlan, polling: ResolvedPollingOptions) => ({
    target: new TaskTarget((id, signal) => fetchTask(id, signal, true), context, plan.id),
    options: polling,
    position: newPosition(plan.startAttempt, plan.eta),
  })

  function subscribe(
    plan: WatchPlan,
    options: WaitOptions | ResumeOptions,
    onChange: (task: Task) => void,
    onOutcome: (outcome: PollOutcome<Task>) => void,
  ) {
    const polling = resolvePollingOptions(context.polling, options, 'wait')
    return hub.join(`task:${plan.id}`, () => loopSpec(plan, polling), {
      signal: options.signal,
      deadlineAt: plan.deadlineAt,
      onChange,
      onOutcome,
    })
  }

  async function* watchPlan(plan: WatchPlan, options: WaitOptions): AsyncGenerator<Task, void, undefined> {
    const queue: Task[] = []
    let wake: (() => void) | undefined
    let outcome: PollOutcome<Task> | undefined
    let settle: (() => void) | undefined
    const settled = new Promise<void>((resolve) => {
      settle = resolve
    })
    const subscription = subscribe(
      plan,
      options,
      (task) => {
        queue.push(task)
        wake?.()
      },
      (result) => {
        outcome = result
        settle?.()
        wake?.()
      },
    )
    try {
      while (true) {
        const next = queue.shift()
        if (next) {
          options.onProgress?.(next)
          yield next
          continue
        }
        if (outcome) {
          // A task that ended, even in failure, is a normal end of the stream; the rest are errors.
          if (outcome.kind === 'done' || outcome.kind === 'failed' || outcome.kind === 'canceled') return
          throw outcomeError(plan.id, plan.timeoutMs, outcome)
        }
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        wake = undefined
      }
    } finally {
      subscription.leave()
      await settled
    }
  }

  function planFor(id: string, options: WaitOptions): WatchPlan {
    checkTaskId(id)
    const { timeoutMs } = resolvePollingOptions(context.polling, options, 'wait')
    return { id, deadlineAt: clock.now() + timeoutMs, timeoutMs, startAttempt: 0, eta: undefined }
  }

  function waitFor(plan: WatchPlan, options: WaitOptions | ResumeOptions): TaskWait {
    // No generator or queue here: a wait is one promise and one subscriber, which keeps thousands of them cheap.
    const pending = new PendingWait(plan, hub, options)
    const polling = resolvePollingOptions(context.polling, options, 'wait')
    hub.join(`task:${plan.id}`, () => loopSpec(plan, polling), pending)
    return pending.promise
  }

  const reject = (error: unknown): TaskWait =>
    Object.assign(Promise.reject(error), {
      taskId: '',
      toJSON: (): TaskWaitCheckpoint => {
        throw error
      },
    })

  return {
    async get(id, options = {}) {
      checkTaskId(id)
      return fetchTask(id, options.signal)
    },
    watch(id, options = {}) {
      return watchPlan(planFor(id, options), options)
    },
    wait(id, options = {}) {
      let plan: WatchPlan
      try {
        plan = planFor(id, options)
      } catch (error) {
        return reject(error)
      }
      return waitFor(plan, options)
    },
    resume(checkpoint, options = {}) {
      try {
        checkCheckpoint(checkpoint)
      } catch (error) {
        return reject(error)
      }
      const timeoutMs = Math.max(0, checkpoint.deadlineAt - clock.now())
      const plan: WatchPlan = {
        id: checkpoint.taskId,
        deadlineAt: checkpoint.deadlineAt,
        timeoutMs,
        startAttempt: checkpoint.attempt,
        eta: checkpoint.eta,
      }
      return waitFor(plan, options)
    },
  }
}
