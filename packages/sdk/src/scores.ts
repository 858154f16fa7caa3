import type { Task } from '@flat-api/raw'
import type { ClientContext } from './context.js'
import { unwrap } from './request.js'
import type { TasksApi, WaitOptions } from './tasks.js'

/** Formats Flat renders through an asynchronous export task. */
export const EXPORT_FORMATS = ['mp3', 'wav'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export interface ExportOptions extends WaitOptions {
  /** Audio format. */
  format: ExportFormat
  /** Revision id, or `last`. Default `last`. */
  revision?: string
  /** Part UUIDs to export; all parts when omitted. */
  parts?: readonly string[]
}

export interface ScoresApi {
  /** Starts an export task and waits for it: resolves with the done Task, whose `result.url` holds the file. */
  export(score: string, options: ExportOptions): Promise<Task>
}

function checkExportOptions(options: ExportOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`export options must be an object, got ${String(options)}`)
  }
  if (!EXPORT_FORMATS.includes(options.format)) {
    throw new RangeError(`format must be one of ${EXPORT_FORMATS.join(', ')}, got ${JSON.stringify(options.format)}`)
  }
  if (options.revision !== undefined && typeof options.revision !== 'string') {
    throw new TypeError(`revision must be a string, got ${typeof options.revision}`)
  }
  if (options.parts !== undefined) {
    if (!Array.isArray(options.parts)) throw new TypeError('parts must be an array of part UUIDs')
    for (const [index, part] of options.parts.entries()) {
      if (typeof part !== 'string' || part.length === 0) {
        throw new TypeError(`parts[${index}] must be a non-empty string, got ${JSON.stringify(part)}`)
      }
    }
  }
}

export function createScoresApi(context: ClientContext, tasks: TasksApi): ScoresApi {
  return {
    async export(score, options) {
      checkExportOptions(options)
      const { format, revision = 'last', parts, ...waitOptions } = options
      const init = {
        params: { path: { score, revision, format } },
        ...(parts ? { body: { parts: [...parts] } } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      }
      const target = { method: 'POST', path: '/scores/{score}/revisions/{revision}/{format}/task' }
      const { data: task } = await unwrap(
        target,
        context.raw.POST('/scores/{score}/revisions/{revision}/{format}/task', init),
      )
      return tasks.wait(task.id, waitOptions)
    },
  }
}
