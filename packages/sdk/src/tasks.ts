import type { Task } from '@flat-api/raw'
import type { ClientContext } from './context.js'
import { FlatTaskCanceledError, FlatTaskFailedError, FlatWaitTimeoutError } from './errors.js'
import { type PollOutcome, pollTask } from './polling/core.js'
import { type PollingOptions, resolvePollingOptions } from './polling/options.js'
import { unwrap } from './request.js'

export interface GetOptions {
  /** Aborts the request. Default: none. */
  signal?: AbortSignal
}

export interface WaitOptions extends PollingOptions {
  /** Aborts the wait: it rejects at once with the signal's reason and sends nothing more. Default: none. */
  signal?: AbortSignal
  /** Called with each observed change of state, progress or children. Default: none. */
  onProgress?: (task: Task) => void
}

export interface TasksApi {
  /** `GET /tasks/{task}`. */
  get(id: string, options?: GetOptions): Promise<Task>
  /** Polls until the task is done and resolves with it; throws a typed error for every other ending. */
  wait(id: string, options?: WaitOptions): Promise<Task>
  /** Yields the task each time it changes, ending after its terminal state; `break` stops polling. */
  watch(id: string, options?: WaitOptions): AsyncIterableIterator<Task>
}

const TASK_TARGET = { method: 'GET', path: '/tasks/{task}' }

function checkTaskId(id: unknown): asserts id is string {
  if (typeof id !== 'string') throw new TypeError(`task id must be a string, got ${typeof id}`)
}

/** Turns a non-success outcome into the error the public helpers throw. */
export function outcomeError(id: string, timeoutMs: number, outcome: PollOutcome): unknown {
  switch (outcome.kind) {
    case 'failed':
      return new FlatTaskFailedError(outcome.task)
    case 'canceled':
      return new FlatTaskCanceledError(outcome.task)
    case 'timeout':
      return new FlatWaitTimeoutError(id, timeoutMs, outcome.lastTask, outcome.lastError)
    case 'aborted':
      return outcome.reason
    case 'error':
      return outcome.error
    case 'done':
      return undefined
  }
}

export function createTasksApi(context: ClientContext): TasksApi {
  const fetchTask = async (id: string, signal?: AbortSignal): Promise<Task> => {
    const init = { params: { path: { task: id } }, ...(signal ? { signal } : {}) }
    const { data } = await unwrap(TASK_TARGET, context.raw.GET('/tasks/{task}', init))
    return data
  }

  async function* watch(id: string, options: WaitOptions = {}): AsyncGenerator<Task, void, undefined> {
    checkTaskId(id)
    const resolved = resolvePollingOptions(context.polling, options, 'wait')
    const stop = new AbortController()
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal
    const queue: Task[] = []
    let wake: (() => void) | undefined
    let outcome: PollOutcome | undefined
    const run = pollTask(context.pollDeps(fetchTask), id, {
      options: resolved,
      signal,
      onChange(task) {
        queue.push(task)
        wake?.()
      },
    }).then((result) => {
      outcome = result
      wake?.()
    })
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
          throw outcomeError(id, resolved.timeoutMs, outcome)
        }
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        wake = undefined
      }
    } finally {
      stop.abort()
      await run
    }
  }

  return {
    async get(id, options = {}) {
      checkTaskId(id)
      return fetchTask(id, options.signal)
    },
    watch,
    async wait(id, options = {}) {
      let last: Task | undefined
      for await (const task of watch(id, options)) last = task
      if (last?.state === 'done') return last
      if (last?.state === 'error') throw new FlatTaskFailedError(last)
      throw new FlatTaskCanceledError(last as Task)
    },
  }
}
