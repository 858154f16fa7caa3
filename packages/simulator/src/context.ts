import type { FileHost } from './files.js'
import type { OmrStore } from './omr.js'
import type { Paginator } from './pagination.js'
import type { SimulatorState } from './state.js'
import type { TaskStore } from './tasks.js'

/** Everything the route handlers share. */
export interface SimContext {
  now: () => number
  newId: () => string
  /** Draws export and import outcomes, apart from ids so seeding a library does not change them. */
  outcomeRandom: () => number
  state: SimulatorState
  tasks: TaskStore
  omr: OmrStore
  files: FileHost
  paginator: Paginator
  origin: () => string
  /** Aborted when the simulator closes: long-polls give up at once. */
  closing: AbortSignal
  config: {
    exportDurationMs: number
    importDurationMs: number
    failureRate: number
    maxScores: number
    exportUrls: 'api' | 'fileHost'
  }
}
