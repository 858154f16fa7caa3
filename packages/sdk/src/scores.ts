import { encodePathParam, type ScoreDetails, type ScorePrivacy, type Task } from '@flat-api/raw'
import type { ClientContext } from './context.js'
import {
  type DownloadedFile,
  decodeBody,
  type FormatData,
  fetchSignedFile,
  guardBody,
  kindOf,
  REVISION_FORMATS,
  type RevisionFormat,
} from './download.js'
import { asBytes, encodeBase64 } from './encoding.js'
import { FlatError, FlatMalformedResponseError } from './errors.js'
import { unwrap } from './request.js'
import type { TasksApi, WaitOptions } from './tasks.js'
import { redirectChain } from './transport.js'
import {
  checkDuration,
  checkObject,
  checkOneOf,
  checkOptionalString,
  checkParts,
  checkSignal,
  describe,
} from './validate.js'

/** Formats Flat renders through an asynchronous export task. */
export const EXPORT_FORMATS = ['mp3', 'wav'] as const
/** An audio format Flat renders through an export task: one of {@link EXPORT_FORMATS}. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** Options for `scores.export`: what to render, plus how to wait for the export task. */
export interface ExportOptions extends WaitOptions {
  /** Audio format. */
  format: ExportFormat
  /** Revision id, or `last`. Default `last`. */
  revision?: string
  /** Part UUIDs to export; all parts when omitted. */
  parts?: readonly string[]
}

/** Options for `scores.exportAndDownload`: those of an export, plus the download's own timeout. */
export interface ExportDownloadOptions extends ExportOptions {
  /** Timeout of the file download itself, in milliseconds. Default: the client's `timeoutMs`. */
  downloadTimeoutMs?: number
}

/** What `scores.exportAndDownload` resolves with: the audio file's exact bytes and the export task. */
export interface ExportedFile extends DownloadedFile<Uint8Array> {
  /** The done export task; `result.url` is where the file came from. */
  task: Task
}

/** Options for `scores.download`: the format, which revision and parts, and how to send the request. */
export interface DownloadOptions<F extends RevisionFormat = RevisionFormat> {
  /** The file format. `json` and `synchronizationPoints` are parsed, `xml` is a string, the rest are bytes. */
  format: F
  /** Revision id, or `last`. Default `last`. */
  revision?: string
  /** Part UUIDs to include; all parts when omitted. Sent comma-separated. */
  parts?: readonly string[]
  /** Only resolve the file's URL (`url=true`) instead of downloading it. Default false. */
  onlyUrl?: boolean
  /** For `privateLink` scores the caller does not collaborate on. Default: none. */
  sharingKey?: string
  /** For `mp3`: return the score's default track instead of the playback rendering. Default: the API's (false). */
  defaultTrack?: boolean
  /** Aborts the download. Default: none. */
  signal?: AbortSignal
  /** Per-request timeout for this download, in milliseconds. Default: the client's `timeoutMs`. */
  timeoutMs?: number
}

/** A file `scores.download` fetched, with the revision it was rendered from. */
export interface RevisionFile<D> extends DownloadedFile<D> {
  /** The revision served (`X-Flat-Score-Revision`), when the API said. */
  revision: string | undefined
  /** When that revision was saved (`X-Flat-Score-Revision-Date`). */
  revisionDate: Date | undefined
}

/** What `scores.download` resolves with under `onlyUrl: true`: where the file is, and its revision. */
export interface RevisionFileUrl {
  /** Absolute URL of the file, as the API answered it. */
  url: string
  /** The revision served (`X-Flat-Score-Revision`), when the API said. */
  revision: string | undefined
  /** When that revision was saved (`X-Flat-Score-Revision-Date`), when the API said. */
  revisionDate: Date | undefined
}

/** A file to create a new score from, with `scores.import`. */
export interface ImportInput {
  /** The file: text (MusicXML, ABC...) as a string, or any file as bytes (sent base64). */
  data: string | Uint8Array | ArrayBuffer
  /** The file's name; Flat uses its extension to detect the format. Default: none. */
  filename?: string
  /** Title of the new score. Default: taken from the file. */
  title?: string
  /** Who may see the new score. Default: the API's (private, or the collection's). */
  privacy?: ScorePrivacy
  /** Collection to create the score in. Default: the app's collection. */
  collection?: string
  /** Google Drive folder, for accounts that use Drive. Default: none. */
  googleDriveFolder?: string
}

/** Score helpers: downloads of a revision in any format, audio exports through a task, imports of a file. */
export interface ScoresApi {
  /** Starts an export task and waits for it: resolves with the done Task, whose `result.url` holds the file. */
  export(score: string, options: ExportOptions): Promise<Task>
  /** Exports through a task, then downloads `result.url` without the token. */
  exportAndDownload(score: string, options: ExportDownloadOptions): Promise<ExportedFile>
  /** `GET /scores/{score}/revisions/{revision}/{format}?url=true`: the file's URL, without downloading the file. */
  download<F extends RevisionFormat>(
    score: string,
    options: DownloadOptions<F> & { onlyUrl: true },
  ): Promise<RevisionFileUrl>
  /** `GET /scores/{score}/revisions/{revision}/{format}`, following the file-host redirect without the token. */
  download<F extends RevisionFormat>(
    score: string,
    options: DownloadOptions<F> & { onlyUrl?: false },
  ): Promise<RevisionFile<FormatData<F>>>
  /**
   * `POST /scores` for a file import, accepting the asynchronous flow: a 202 Task (e.g. a PDF through OMR) is waited
   * for and the new score fetched; a 200 is the score already. Told apart by status, not body.
   */
  import(input: ImportInput, options?: WaitOptions): Promise<ScoreDetails>
}

const PRIVACIES = ['public', 'private', 'organizationPublic', 'privateLink'] as const satisfies readonly ScorePrivacy[]

function checkPathParam(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${describe(value)}`)

  encodePathParam(name, value)
}

function checkRevision(value: unknown): void {
  if (value !== undefined) checkPathParam('revision', value)
}

function checkExportOptions(options: unknown): asserts options is ExportDownloadOptions {
  checkObject('export options', options)
  checkOneOf('format', options.format, EXPORT_FORMATS)
  checkRevision(options.revision)
  checkParts('parts', options.parts)
  checkDuration('downloadTimeoutMs', options.downloadTimeoutMs)
}

function checkDownloadOptions(options: unknown): asserts options is DownloadOptions {
  checkObject('download options', options)
  checkOneOf('format', options.format, REVISION_FORMATS)
  checkRevision(options.revision)
  checkParts('parts', options.parts)
  if (options.onlyUrl !== undefined && typeof options.onlyUrl !== 'boolean') {
    throw new TypeError(`onlyUrl must be a boolean, got ${describe(options.onlyUrl)}`)
  }
  if (options.defaultTrack !== undefined && typeof options.defaultTrack !== 'boolean') {
    throw new TypeError(`defaultTrack must be a boolean, got ${describe(options.defaultTrack)}`)
  }
  checkOptionalString('sharingKey', options.sharingKey)
  checkSignal('signal', options.signal)
  checkDuration('timeoutMs', options.timeoutMs)
}

function checkImportInput(input: unknown): asserts input is ImportInput {
  checkObject('import input', input)
  const { data } = input
  if (typeof data === 'string') {
    if (data.length === 0) throw new TypeError('data must not be empty')
  } else {
    const bytes = asBytes(data)
    if (!bytes) throw new TypeError(`data must be a string, a Uint8Array or an ArrayBuffer, got ${describe(data)}`)
    if (bytes.byteLength === 0) throw new TypeError('data must not be empty')
  }
  checkOptionalString('filename', input.filename)
  checkOptionalString('title', input.title)
  if (input.privacy !== undefined) checkOneOf('privacy', input.privacy, PRIVACIES)
  checkOptionalString('collection', input.collection)
  checkOptionalString('googleDriveFolder', input.googleDriveFolder)
}

function revisionOf(responses: readonly Response[]): Pick<RevisionFile<unknown>, 'revision' | 'revisionDate'> {
  let revision: string | undefined
  let revisionDate: Date | undefined
  for (const response of responses) {
    revision ??= response.headers.get('x-flat-score-revision') ?? undefined
    const date = response.headers.get('x-flat-score-revision-date')
    if (revisionDate === undefined && date !== null && !Number.isNaN(Date.parse(date))) revisionDate = new Date(date)
  }
  return { revision, revisionDate }
}

export function createScoresApi(context: ClientContext, tasks: TasksApi): ScoresApi {
  const exportTask = async (score: string, options: ExportOptions): Promise<Task> => {
    checkPathParam('score', score)
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
  }

  async function download(score: string, options: DownloadOptions): Promise<RevisionFile<unknown> | RevisionFileUrl> {
    checkPathParam('score', score)
    checkDownloadOptions(options)
    const { format, revision = 'last', parts, onlyUrl = false, sharingKey, defaultTrack, signal, timeoutMs } = options
    const target = { method: 'GET', path: '/scores/{score}/revisions/{revision}/{format}' }
    const query = {
      ...(parts ? { parts: parts.join(',') } : {}),
      ...(onlyUrl ? { url: true } : {}),
      ...(sharingKey ? { sharingKey } : {}),
      ...(defaultTrack === undefined ? {} : { defaultTrack }),
    }
    const call = context.raw.GET('/scores/{score}/revisions/{revision}/{format}', {
      params: { path: { score, revision, format }, query },
      parseAs: onlyUrl ? 'json' : 'arrayBuffer',
      ...(signal ? { signal } : {}),
      fetch: context.fetchWith({ readWhole: true, ...(timeoutMs ? { timeoutMs } : {}) }),
    })
    const { data, response } = await unwrap<unknown>(target, guardBody(target, signal, call))
    const revisionInfo = revisionOf([...redirectChain(response), response])
    if (onlyUrl) {
      const url = (data as { url?: unknown } | undefined)?.url
      if (typeof url !== 'string' || !URL.canParse(url)) {
        throw new FlatMalformedResponseError(target, response.status, undefined, 'no file URL in its body')
      }
      return { url, ...revisionInfo }
    }
    const file = decodeBody(target, response, data as ArrayBuffer | undefined, kindOf(format))
    return { ...file, ...revisionInfo }
  }

  async function exportAndDownload(score: string, options: ExportDownloadOptions): Promise<ExportedFile> {
    const { downloadTimeoutMs, ...exportOptions } = options
    const task = await exportTask(score, exportOptions)
    const target = { method: 'GET', path: '{task.result.url}' }
    const url = task.result?.url
    if (typeof url !== 'string') {
      throw new FlatError(`export task ${task.id} is done but has no result.url to download`)
    }
    const { response, buffer } = await fetchSignedFile(context, url, target, {
      signal: options.signal,
      timeoutMs: downloadTimeoutMs,
    })
    const file = decodeBody(target, response, buffer, 'bytes') as DownloadedFile<Uint8Array>
    return { ...file, task }
  }

  async function importScore(input: ImportInput, options: WaitOptions = {}): Promise<ScoreDetails> {
    checkImportInput(input)
    checkObject('import options', options)
    checkSignal('signal', options.signal)
    const { data, filename, title, privacy, collection, googleDriveFolder } = input
    const bytes = typeof data === 'string' ? undefined : asBytes(data)
    const body = {
      data: bytes ? encodeBase64(bytes) : (data as string),
      ...(bytes ? { dataEncoding: 'base64' as const } : {}),
      ...(filename === undefined ? {} : { filename }),
      ...(title === undefined ? {} : { title }),
      ...(privacy === undefined ? {} : { privacy }),
      ...(collection === undefined ? {} : { collection }),
      ...(googleDriveFolder === undefined ? {} : { googleDriveFolder }),
      supportsTasks: true,
    }
    const target = { method: 'POST', path: '/scores' }
    const signal = options.signal
    const { data: created, response } = await unwrap(
      target,
      context.raw.POST('/scores', { body, ...(signal ? { signal } : {}) }),
    )
    if (response.status !== 202) return created as ScoreDetails

    // Both bodies carry an `id`; only the status says this one is a Task to wait for.
    const done = await tasks.wait((created as Task).id, options)
    if (typeof done.score !== 'string' || done.score === '') {
      throw new FlatError(`import task ${done.id} is done but names no score`)
    }
    const { data: score } = await unwrap(
      { method: 'GET', path: '/scores/{score}' },
      context.raw.GET('/scores/{score}', { params: { path: { score: done.score } }, ...(signal ? { signal } : {}) }),
    )
    return score
  }

  return {
    export: exportTask,
    exportAndDownload,
    download: download as ScoresApi['download'],
    import: importScore,
  }
}
