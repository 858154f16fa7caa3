import type {
  OmrCapabilities,
  OmrJob,
  OmrJobFileUploadResult,
  OmrJobInputFile,
  OmrJobOutput,
  OmrPendingStep,
  OmrStepName,
  OmrStepSubmission,
  paths,
} from '@flat-api/raw'
import { encodePathParam } from '@flat-api/raw'
import type { ClientContext } from './context.js'
import { type DownloadedFile, decodeBody, type FormatData, guardBody, kindOf } from './download.js'
import { asBytes, encodeBase64 } from './encoding.js'
import {
  FlatApiError,
  FlatError,
  FlatOmrJobCanceledError,
  FlatOmrJobFailedError,
  FlatOmrWaitTimeoutError,
} from './errors.js'
import type { Classification, Pollable } from './polling/core.js'
import { newPosition, poll } from './polling/core.js'
import { type PollingOptions, resolvePollingOptions } from './polling/options.js'
import { unwrap } from './request.js'
import {
  checkFunction,
  checkInteger,
  checkLocale,
  checkObject,
  checkOneOf,
  checkOptionalString,
  checkSignal,
  describe,
} from './validate.js'

/** Formats `GET /omr/jobs/{job}/exports/{format}` serves: `musicxml` is a string, the rest bytes. */
export const OMR_EXPORT_FORMATS = [
  'musicxml',
  'mxl',
  'midi',
  'thumbnail.png',
] as const satisfies readonly paths['/omr/jobs/{job}/exports/{format}']['parameters']['path']['format'][]
/** A format a done OMR job can be exported in: one of {@link OMR_EXPORT_FORMATS}. */
export type OmrExportFormat = (typeof OMR_EXPORT_FORMATS)[number]
type DeclaredExportFormat = paths['/omr/jobs/{job}/exports/{format}']['parameters']['path']['format']
const exhaustive: [DeclaredExportFormat] extends [OmrExportFormat] ? true : false = true
void exhaustive

const OUTPUTS = ['library', 'musicxml'] as const satisfies readonly OmrJobOutput[]
const STEPS = ['details'] as const satisfies readonly OmrStepName[]
const KNOWN_STATUSES: ReadonlySet<string> = new Set([
  'draft',
  'processing',
  'awaitingInput',
  'done',
  'error',
  'canceled',
])

/** The longest server-side wait the API accepts, in seconds. */
export const OMR_MAX_WAIT_SECONDS = 25
/** A long poll's request timeout exceeds its server wait by this much, so a slow answer is not cut off. */
const LONG_POLL_MARGIN_MS = 10_000
/** A long poll is sent only this soon after the previous answer; later, a plain look comes first. */
const LONG_POLL_GAP_MS = 250

/** One input page or document: a PDF or an image, as bytes. */
export interface OmrFile {
  /** The file's bytes, sent base64; must not be empty. */
  data: Uint8Array | ArrayBuffer
  /** Shown in Flat and used to detect the type. Default: none. */
  filename?: string
  /** E.g. `application/pdf`, `image/jpeg`. Default: inferred by the server from `filename`. */
  mimeType?: string
}

/** Options every OMR request accepts. */
export interface OmrRequestOptions {
  /** Aborts the request. Default: none. */
  signal?: AbortSignal
  /** `X-Flat-Locale` for this call (progress texts, error messages). Default: the client's `locale`. */
  locale?: string
}

/** Options for `omr.create`: a draft without files, or a one-shot job with `files` and `autoStart`. */
export interface OmrCreateOptions extends OmrRequestOptions {
  /** Files for a one-shot job; omit for a draft. Default: none. */
  files?: readonly OmrFile[]
  /** Start at once (one-shot); needs `files`. Default false. */
  autoStart?: boolean
  /** `library` creates a score; `musicxml` only produces exports. Default: the API's (`library`). */
  output?: OmrJobOutput
  /** Steps the job pauses at for `onStep`; steps not listed are resolved by the server's defaults. Default `[]`. */
  interactiveSteps?: readonly OmrStepName[]
  /** OCR language hints (BCP 47), first one first. Default: none. */
  locales?: readonly string[]
  /** Collection for the new score (`library` output). Default: the app's collection. */
  collection?: string
  /** A retry with the same key returns the same job instead of a second one. Default: none. */
  idempotencyKey?: string
}

/** What `onStep` answers: overrides for the pending step, or undefined to keep the detected values. */
export type OmrStepHandler = (
  step: OmrPendingStep,
  context: { job: OmrJob; signal: AbortSignal | undefined },
) => OmrStepSubmission | undefined | Promise<OmrStepSubmission | undefined>

/** Options for `omr.wait`: pacing (the client's `polling` by default), progress, step answers and long polls. */
export interface OmrWaitOptions extends PollingOptions, OmrRequestOptions {
  /** Called with each observed change of status or progress. Default: none. */
  onProgress?: (job: OmrJob) => void
  /** Answers a step the job pauses at. Default: none (a pending step is submitted with the detected values). */
  onStep?: OmrStepHandler
  /** Server-side wait per poll, in seconds, 0 to 25; 0 polls with backoff instead of long-polling. Default 25. */
  longPollSeconds?: number
}

/**
 * Options for `omr.run`: how to create the job, how to wait for it, and which export to download. `autoStart`
 * defaults to true here; false creates a draft, uploads the files one by one, then starts it. `timeoutMs` covers the
 * whole run, uploads included.
 */
export interface OmrRunOptions<F extends OmrExportFormat | undefined = undefined>
  extends Omit<OmrCreateOptions, 'files' | 'interactiveSteps'>,
    OmrWaitOptions {
  /** Steps to pause at for `onStep`. Default `['details']` with `onStep`, `[]` without. */
  interactiveSteps?: readonly OmrStepName[]
  /** Export to download once done. Default `musicxml` for `output: 'musicxml'`, none for `library`. */
  exportFormat?: F
}

/** What `omr.run` resolves with: the done job, the new score's id, and the export when one was downloaded. */
export interface OmrRunResult<D> {
  /** The job, in status `done`. */
  job: OmrJob
  /** The created score's id (`library` output). */
  score: string | undefined
  /** The downloaded export, when one was asked for (or implied by `output: 'musicxml'`). */
  file: DownloadedFile<D> | undefined
}

/** OMR jobs (`/omr/jobs`): `run` goes from files to result in one call; the other methods are its single steps. */
export interface OmrApi {
  /** From files to result: creates the job, follows it (long poll), answers steps, downloads the export. */
  run<F extends OmrExportFormat | undefined = undefined>(
    files: readonly OmrFile[],
    options?: OmrRunOptions<F>,
  ): Promise<OmrRunResult<F extends OmrExportFormat ? FormatData<F> : string>>
  /** `POST /omr/jobs`: a draft (201) without files, a started job (202) with files and `autoStart`. */
  create(options?: OmrCreateOptions): Promise<OmrJob>
  /** `POST /omr/jobs/{job}/files`: adds one file to a draft. */
  addFile(job: string, file: OmrFile, options?: OmrRequestOptions): Promise<OmrJobFileUploadResult>
  /** `POST /omr/jobs/{job}/start`. */
  start(job: string, options?: OmrRequestOptions): Promise<OmrJob>
  /** `GET /omr/jobs/{job}`; `waitSeconds` long-polls up to that long for a change. */
  get(job: string, options?: OmrRequestOptions & { waitSeconds?: number }): Promise<OmrJob>
  /** Follows the job until `done`, answering steps; `error` and `canceled` reject with typed errors. */
  wait(job: string, options?: OmrWaitOptions): Promise<OmrJob>
  /** `POST /omr/jobs/{job}/steps/{step}`. */
  submitStep(job: string, submission: OmrStepSubmission, options?: OmrRequestOptions): Promise<OmrJob>
  /** `POST /omr/jobs/{job}/cancel`: cancels a draft or a running job (credits are given back). */
  cancel(job: string, options?: OmrRequestOptions): Promise<OmrJob>
  /** `GET /omr/jobs/{job}/exports/{format}`, with the filename from `Content-Disposition`. */
  download<F extends OmrExportFormat>(
    job: string,
    format: F,
    options?: OmrRequestOptions,
  ): Promise<DownloadedFile<FormatData<F>>>
  /** `GET /omr/capabilities`. */
  capabilities(options?: OmrRequestOptions): Promise<OmrCapabilities>
}

function checkJobId(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`job must be a string, got ${describe(value)}`)

  encodePathParam('job', value)
}

function checkRequestOptions(
  name: string,
  options: unknown,
): asserts options is OmrRequestOptions & Record<string, unknown> {
  checkObject(name, options)
  checkSignal('signal', options.signal)
  checkLocale('locale', options.locale)
}

function checkFile(name: string, file: unknown): asserts file is OmrFile {
  checkObject(name, file)
  const bytes = asBytes(file.data)
  if (!bytes) throw new TypeError(`${name}.data must be a Uint8Array or an ArrayBuffer, got ${describe(file.data)}`)
  if (bytes.byteLength === 0) throw new TypeError(`${name}.data must not be empty`)

  checkOptionalString(`${name}.filename`, file.filename)
  checkOptionalString(`${name}.mimeType`, file.mimeType)
}

function checkFiles(files: unknown): asserts files is readonly OmrFile[] {
  if (!Array.isArray(files)) throw new TypeError(`files must be an array of files, got ${describe(files)}`)

  for (const [index, file] of files.entries()) checkFile(`files[${index}]`, file)
}

function checkCreateOptions(options: unknown): asserts options is OmrCreateOptions {
  checkRequestOptions('create options', options)
  if (options.files !== undefined) checkFiles(options.files)
  if (options.autoStart !== undefined && typeof options.autoStart !== 'boolean') {
    throw new TypeError(`autoStart must be a boolean, got ${describe(options.autoStart)}`)
  }
  if (options.autoStart && !(options.files as unknown[] | undefined)?.length) {
    throw new TypeError('autoStart needs at least one file in files')
  }
  if (options.output !== undefined) checkOneOf('output', options.output, OUTPUTS)
  if (options.interactiveSteps !== undefined) {
    if (!Array.isArray(options.interactiveSteps)) {
      throw new TypeError(`interactiveSteps must be an array, got ${describe(options.interactiveSteps)}`)
    }
    for (const [index, step] of options.interactiveSteps.entries())
      checkOneOf(`interactiveSteps[${index}]`, step, STEPS)
  }
  if (options.locales !== undefined) {
    if (!Array.isArray(options.locales))
      throw new TypeError(`locales must be an array, got ${describe(options.locales)}`)
    for (const [index, tag] of options.locales.entries()) checkLocale(`locales[${index}]`, tag)
  }
  checkOptionalString('collection', options.collection)
  checkOptionalString('idempotencyKey', options.idempotencyKey)
}

function checkWaitOptions(options: unknown): asserts options is OmrWaitOptions {
  checkRequestOptions('wait options', options)
  checkFunction('onProgress', options.onProgress)
  checkFunction('onStep', options.onStep)
  if (options.longPollSeconds !== undefined) {
    checkInteger('longPollSeconds', options.longPollSeconds, 0, OMR_MAX_WAIT_SECONDS)
  }
}

function toInputFile(file: OmrFile): OmrJobInputFile {
  return {
    file: encodeBase64(asBytes(file.data) as Uint8Array),
    ...(file.filename === undefined ? {} : { filename: file.filename }),
    ...(file.mimeType === undefined ? {} : { mimeType: file.mimeType }),
  }
}

function header(locale: string | undefined): { header?: { 'X-Flat-Locale': string } } {
  return locale ? { header: { 'X-Flat-Locale': locale } } : {}
}

function signalOf(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {}
}

export function jobFingerprint(job: OmrJob): string {
  return JSON.stringify([
    job.status,
    job.currentStep ?? null,
    job.progress?.percent ?? null,
    job.progress?.key ?? null,
    job.progress?.text ?? null,
    job.errorCode ?? null,
  ])
}

export function createOmrApi(context: ClientContext): OmrApi {
  const { raw, clock } = context

  async function create(options: OmrCreateOptions = {}): Promise<OmrJob> {
    checkCreateOptions(options)
    const { files, autoStart, output, interactiveSteps = [], locales, collection, idempotencyKey } = options
    const body = {
      interactiveSteps: [...interactiveSteps],
      ...(files?.length ? { files: files.map(toInputFile) } : {}),
      ...(autoStart === undefined ? {} : { autoStart }),
      ...(output === undefined ? {} : { output }),
      ...(locales === undefined ? {} : { locales: [...locales] }),
      ...(collection === undefined ? {} : { collection }),
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    }
    const { data } = await unwrap(
      { method: 'POST', path: '/omr/jobs' },
      raw.POST('/omr/jobs', { params: header(options.locale), body, ...signalOf(options.signal) }),
    )
    return data
  }

  async function addFile(job: string, file: OmrFile, options: OmrRequestOptions = {}) {
    checkJobId(job)
    checkFile('file', file)
    checkRequestOptions('options', options)
    const { data } = await unwrap(
      { method: 'POST', path: '/omr/jobs/{job}/files' },
      raw.POST('/omr/jobs/{job}/files', {
        params: { path: { job }, ...header(options.locale) },
        body: toInputFile(file),
        ...signalOf(options.signal),
      }),
    )
    return data
  }

  async function start(job: string, options: OmrRequestOptions = {}): Promise<OmrJob> {
    checkJobId(job)
    checkRequestOptions('options', options)
    const { data } = await unwrap(
      { method: 'POST', path: '/omr/jobs/{job}/start' },
      raw.POST('/omr/jobs/{job}/start', {
        params: { path: { job }, ...header(options.locale) },
        ...signalOf(options.signal),
      }),
    )
    return data
  }

  /** One `GET /omr/jobs/{job}`; a long poll gets a request timeout above its server wait and no client retries. */
  async function fetchJob(
    job: string,
    waitMs: number,
    locale: string | undefined,
    signal?: AbortSignal,
    polling = false,
  ) {
    const waitSeconds = Math.max(0, Math.min(OMR_MAX_WAIT_SECONDS, Math.floor(waitMs / 1000)))
    const timeoutMs = Math.max(context.transport.timeoutMs, waitSeconds * 1000 + LONG_POLL_MARGIN_MS)
    const settings = polling ? { retry: false as const, timeoutMs } : { timeoutMs }
    const { data } = await unwrap(
      { method: 'GET', path: '/omr/jobs/{job}' },
      raw.GET('/omr/jobs/{job}', {
        params: { path: { job }, ...(waitSeconds > 0 ? { query: { wait: waitSeconds } } : {}), ...header(locale) },
        ...(polling || waitSeconds > 0 ? { fetch: context.fetchWith(settings) } : {}),
        ...signalOf(signal),
      }),
    )
    return data
  }

  async function get(job: string, options: OmrRequestOptions & { waitSeconds?: number } = {}): Promise<OmrJob> {
    checkJobId(job)
    checkRequestOptions('options', options)
    if (options.waitSeconds !== undefined) checkInteger('waitSeconds', options.waitSeconds, 0, OMR_MAX_WAIT_SECONDS)
    return fetchJob(job, (options.waitSeconds ?? 0) * 1000, options.locale, options.signal)
  }

  async function submitStep(job: string, submission: OmrStepSubmission, options: OmrRequestOptions = {}) {
    checkJobId(job)
    checkObject('submission', submission)
    checkOneOf('submission.step', submission.step, STEPS)
    checkRequestOptions('options', options)
    const { data } = await unwrap(
      { method: 'POST', path: '/omr/jobs/{job}/steps/{step}' },
      raw.POST('/omr/jobs/{job}/steps/{step}', {
        params: { path: { job, step: submission.step }, ...header(options.locale) },
        body: submission,
        ...signalOf(options.signal),
      }),
    )
    return data
  }

  async function cancel(job: string, options: OmrRequestOptions = {}): Promise<OmrJob> {
    checkJobId(job)
    checkRequestOptions('options', options)
    const { data } = await unwrap(
      { method: 'POST', path: '/omr/jobs/{job}/cancel' },
      raw.POST('/omr/jobs/{job}/cancel', {
        params: { path: { job }, ...header(options.locale) },
        ...signalOf(options.signal),
      }),
    )
    return data
  }

  async function download(job: string, format: OmrExportFormat, options: OmrRequestOptions = {}) {
    checkJobId(job)
    checkOneOf('format', format, OMR_EXPORT_FORMATS)
    checkRequestOptions('options', options)
    const target = { method: 'GET', path: '/omr/jobs/{job}/exports/{format}' }
    const call = raw.GET('/omr/jobs/{job}/exports/{format}', {
      params: { path: { job, format }, ...header(options.locale) },
      parseAs: 'arrayBuffer',
      fetch: context.fetchWith({ readWhole: true }),
      ...signalOf(options.signal),
    })
    const { data, response } = await unwrap<unknown>(target, guardBody(target, options.signal, call))
    return decodeBody(target, response, data as ArrayBuffer | undefined, kindOf(format))
  }

  async function capabilities(options: OmrRequestOptions = {}): Promise<OmrCapabilities> {
    checkRequestOptions('options', options)
    const { data } = await unwrap(
      { method: 'GET', path: '/omr/capabilities' },
      raw.GET('/omr/capabilities', { params: header(options.locale), ...signalOf(options.signal) }),
    )
    return data
  }

  /** Submits the pending step: the handler's overrides, or the detected values when there is no handler. */
  async function answer(job: OmrJob, options: OmrWaitOptions): Promise<void> {
    const pending: OmrPendingStep | undefined =
      job.pendingStep ?? (job.currentStep ? ({ step: job.currentStep } as OmrPendingStep) : undefined)
    if (!pending) throw new FlatError(`OMR job ${job.id} awaits input but names no step`)

    const submission = (await options.onStep?.(pending, { job, signal: options.signal })) ?? { step: pending.step }
    if (options.signal?.aborted) throw options.signal.reason

    if (submission.step !== pending.step) {
      throw new TypeError(`onStep must answer step ${JSON.stringify(pending.step)}, got ${describe(submission.step)}`)
    }
    try {
      await submitStep(job.id, submission, {
        ...signalOf(options.signal),
        ...(options.locale ? { locale: options.locale } : {}),
      })
    } catch (error) {
      // 409: the step was answered already (another waiter, another device); the next poll shows where it stands.
      if (!(error instanceof FlatApiError && error.status === 409)) throw error
    }
  }

  async function wait(job: string, options: OmrWaitOptions = {}): Promise<OmrJob> {
    checkJobId(job)
    checkWaitOptions(options)
    const polling = resolvePollingOptions(context.polling, options, 'wait')
    const deadlineAt = clock.now() + polling.timeoutMs
    const serverWaitMs = (options.longPollSeconds ?? OMR_MAX_WAIT_SECONDS) * 1000
    let answeredAt = Number.NEGATIVE_INFINITY
    const target: Pollable<OmrJob> = {
      async fetch(signal, waitMs) {
        // The server holds a long poll until the job differs from what it was when the request arrived. After a
        // pause (pacing, backoff) the job may have changed unseen, so look first; never hold past the deadline.
        const fresh = clock.now() - answeredAt <= LONG_POLL_GAP_MS
        const holdMs = fresh ? Math.min(waitMs, deadlineAt - clock.now()) : 0
        const value = await fetchJob(job, holdMs, options.locale, signal, true)
        answeredAt = clock.now()
        return value
      },
      classify(value): Classification {
        if (value.status === 'error') return 'failed'
        if (value.status === 'canceled') return 'canceled'
        // A job that waits for the client, or was never started, will not move by itself: hand control back.
        if (value.status === 'done' || value.status === 'awaitingInput' || value.status === 'draft') return 'done'

        if (!KNOWN_STATUSES.has(value.status)) context.reportUnknownState(value.status, `OMR job ${value.id}`)
        return 'pending'
      },
      fingerprint: jobFingerprint,
      percent: (value) => value.progress?.percent,
    }
    let lastFingerprint: string | undefined
    const onChange = (value: OmrJob): void => {
      const fingerprint = jobFingerprint(value)
      if (fingerprint === lastFingerprint) return

      lastFingerprint = fingerprint
      options.onProgress?.(value)
    }
    while (true) {
      const outcome = await poll(context.pollEnv, target, {
        options: polling,
        signal: options.signal,
        deadlineAt,
        position: newPosition(),
        serverWaitMs,
        onChange,
      })
      switch (outcome.kind) {
        case 'done':
          if (outcome.value.status === 'done') return outcome.value

          if (outcome.value.status === 'draft') {
            throw new FlatError(`OMR job ${job} is a draft: add files and start it before waiting`)
          }
          await answer(outcome.value, options)
          continue
        case 'failed':
          throw new FlatOmrJobFailedError(outcome.value)
        case 'canceled':
          throw new FlatOmrJobCanceledError(outcome.value)
        case 'timeout':
          throw new FlatOmrWaitTimeoutError(job, polling.timeoutMs, outcome.last, outcome.lastError)
        case 'aborted':
          throw outcome.reason
        case 'error':
          throw outcome.error
      }
    }
  }

  async function run(files: readonly OmrFile[], options: OmrRunOptions<OmrExportFormat | undefined> = {}) {
    checkFiles(files)
    if (files.length === 0) throw new TypeError('files must hold at least one file')

    checkWaitOptions(options)
    const { timeoutMs } = resolvePollingOptions(context.polling, options, 'wait')
    if (options.exportFormat !== undefined) checkOneOf('exportFormat', options.exportFormat, OMR_EXPORT_FORMATS)
    const { autoStart = true, onStep, exportFormat, signal, locale } = options
    const startedAt = clock.now()
    const request = { ...signalOf(signal), ...(locale ? { locale } : {}) }
    const creation: OmrCreateOptions = {
      ...request,
      interactiveSteps: options.interactiveSteps ?? (onStep ? ['details'] : []),
      ...(options.output === undefined ? {} : { output: options.output }),
      ...(options.locales === undefined ? {} : { locales: options.locales }),
      ...(options.collection === undefined ? {} : { collection: options.collection }),
      ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
    }
    checkCreateOptions(creation)

    let created: OmrJob
    if (autoStart) {
      created = await create({ ...creation, files, autoStart: true })
    } else {
      const draft = await create(creation)
      for (const file of files) await addFile(draft.id, file, request)
      created = await start(draft.id, request)
    }
    options.onProgress?.(created)

    // One deadline for the whole run: creating and uploading count against it too.
    const remainingMs = Math.max(1, timeoutMs - (clock.now() - startedAt))
    const job = await wait(created.id, { ...options, timeoutMs: remainingMs })
    const format = exportFormat ?? (job.output === 'musicxml' ? 'musicxml' : undefined)
    const file = format === undefined ? undefined : await download(job.id, format, request)
    return { job, score: job.result?.score, file }
  }

  return {
    run: run as OmrApi['run'],
    create,
    addFile,
    start,
    get,
    wait,
    submitStep,
    cancel,
    download: download as OmrApi['download'],
    capabilities,
  }
}
