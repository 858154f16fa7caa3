import type { RawClient } from '@flat-api/raw'
import type { Logger } from './logger.js'
import type { Clock } from './polling/clock.js'
import type { PollDeps } from './polling/core.js'
import type { ResolvedPollingOptions } from './polling/options.js'

/** What the resource helpers share within one client. */
export interface ClientContext {
  raw: RawClient
  polling: ResolvedPollingOptions
  clock: Clock
  random: () => number
  logger: Logger | undefined
  pollDeps(fetchTask: PollDeps['fetchTask']): PollDeps
}
