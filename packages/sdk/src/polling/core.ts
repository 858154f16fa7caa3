import type { Task } from '@flat-api/raw'
import {
  FlatConnectionError,
  FlatMalformedResponseError,
  FlatRateLimitError,
  FlatServerError,
  FlatTimeoutError,
} from '../errors.js'
import { type Clock, sleep } from './clock.js'
import { backoffDelayMs, type ResolvedPollingOptions } from './options.js'

export const TERMINAL_STATES: ReadonlySet<string> = new Set(['done', 'canceled', 'error'])
const KNOWN_STATES: ReadonlySet<string> = new Set(['created', 'blocked', 'doing', 'done', 'canceled', 'error'])

/** Extra wait after a rate-limit reset, so the first request lands in the new window. */
const RESET_MARGIN_MS = 250

/** What one poll loop needs from the outside world. */
export interface PollDeps {
  /** One `GET /tasks/{task}`; throws the SDK's typed errors. */
  fetchTask(id: string, signal: AbortSignal): Promise<Task>
  clock: Clock
  random: () => number
  /** Longest a rate-limit reset is waited for before falling back to the deadline. */
  maxRateLimitWaitMs: number
  /** Called once per unknown state string a task reports. */
  onUnknownState?: (state: string, task: Task) => void
}

export interface PollRun {
  options: ResolvedPollingOptions
  signal?: AbortSignal | undefined
  /** Called with each task that differs from the last one seen (state, progress or children). */
  onChange?: ((task: Task) => void) | undefined
}

interface Observed {
  /** Successful polls. */
  polls: number
  /** Polls that failed with a transient error and were retried. */
  transientErrors: number
  /** The last task seen, if any poll succeeded. */
  lastTask: Task | undefined
  elapsedMs: number
}

/** What happened to a wait. The loop never throws; the public helpers turn this into a value or an error. */
export type PollOutcome =
  | (Observed & { kind: 'done' | 'failed' | 'canceled'; task: Task })
  | (Observed & { kind: 'timeout'; lastError: unknown })
  | (Observed & { kind: 'aborted'; reason: unknown })
  | (Observed & { kind: 'error'; error: unknown })

/** Worth another poll: the server or the network failed, not the request itself. */
export function isTransientError(error: unknown): boolean {
  return (
    error instanceof FlatServerError ||
    error instanceof FlatConnectionError ||
    error instanceof FlatTimeoutError ||
    error instanceof FlatMalformedResponseError ||
    error instanceof FlatRateLimitError
  )
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

const DEADLINE = Symbol('deadline')

/**
 * Polls `GET /tasks/{task}` until the task reaches a terminal state, the deadline passes, the signal aborts or a
 * permanent error arrives, and reports which. Every timer and listener it creates is released before it returns.
 */
export async function pollTask(deps: PollDeps, id: string, run: PollRun): Promise<PollOutcome> {
  const { clock, random } = deps
  const { options, signal } = run
  const startedAt = clock.now()
  const inner = new AbortController()
  const onAbort = (): void => inner.abort(signal?.reason)
  signal?.addEventListener('abort', onAbort, { once: true })
  if (signal?.aborted) inner.abort(signal.reason)
  const deadline = clock.setTimeout(() => inner.abort(DEADLINE), options.timeoutMs)

  let polls = 0
  let transientErrors = 0
  let lastTask: Task | undefined
  let lastError: unknown
  let lastFingerprint: string | undefined
  let attempt = 0
  const observed = (): Observed => ({ polls, transientErrors, lastTask, elapsedMs: clock.now() - startedAt })
  const stopped = (): PollOutcome => {
    const reason: unknown = inner.signal.reason
    if (reason === DEADLINE) return { kind: 'timeout', lastError, ...observed() }
    return { kind: 'aborted', reason, ...observed() }
  }

  try {
    while (!inner.signal.aborted) {
      let delayMs: number
      try {
        const task = await deps.fetchTask(id, inner.signal)
        polls += 1
        lastTask = task
        const fingerprint = taskFingerprint(task)
        if (fingerprint !== lastFingerprint) {
          lastFingerprint = fingerprint
          run.onChange?.(task)
        }
        if (TERMINAL_STATES.has(task.state)) {
          const kind = task.state === 'done' ? 'done' : task.state === 'error' ? 'failed' : 'canceled'
          return { kind, task, ...observed() }
        }
        if (!KNOWN_STATES.has(task.state)) deps.onUnknownState?.(task.state, task)
        delayMs = backoffDelayMs(options, attempt, random)
        attempt += 1
      } catch (error) {
        if (inner.signal.aborted) return stopped()
        if (!isTransientError(error)) return { kind: 'error', error, ...observed() }
        transientErrors += 1
        lastError = error
        delayMs = retryDelayMs(deps, options, error, attempt)
        attempt += 1
      }
      try {
        await sleep(delayMs, clock, inner.signal)
      } catch {
        return stopped()
      }
    }
    return stopped()
  } finally {
    clock.clearTimeout(deadline)
    signal?.removeEventListener('abort', onAbort)
  }
}

/** A rate limit waits for its reset (capped); anything else, or a reset that is missing or past, backs off. */
function retryDelayMs(deps: PollDeps, options: ResolvedPollingOptions, error: unknown, attempt: number): number {
  const backoff = backoffDelayMs(options, attempt, deps.random)
  if (!(error instanceof FlatRateLimitError) || !error.resetAt) return backoff
  const untilReset = error.resetAt.getTime() - deps.clock.now()
  if (!Number.isFinite(untilReset) || untilReset <= 0) return backoff
  return Math.min(untilReset + RESET_MARGIN_MS, deps.maxRateLimitWaitMs)
}
