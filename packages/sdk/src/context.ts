import type { RawClient } from '@flat-api/raw'
import type { Logger } from './logger.js'
import type { Clock } from './polling/clock.js'
import type { PollHub } from './polling/hub.js'
import type { ResolvedPollingOptions } from './polling/options.js'
import type { PollScheduler } from './polling/scheduler.js'

/** What the resource helpers share within one client. */
export interface ClientContext {
  raw: RawClient
  polling: ResolvedPollingOptions
  clock: Clock
  random: () => number
  logger: Logger | undefined
  scheduler: PollScheduler
  hub: PollHub
  /** Reports a state string the SDK does not know, once per client and state. */
  reportUnknownState(state: string, subject: string): void
}
