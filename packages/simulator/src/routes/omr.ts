import type { OmrCapabilities, OmrDetailsSubmission, OmrJobOutput, OmrStepName } from '@flat-api/raw'
import { parseMusicXml } from '../audio/index.js'
import type { SimContext } from '../context.js'
import { contentDisposition } from '../formats/disposition.js'
import { encodeMidi } from '../formats/midi.js'
import { writeMxl } from '../formats/mxl.js'
import { renderThumbnail } from '../formats/thumbnail.js'
import { fail, HttpError, integerParam, isRecord, NO_REPLY, ok, type RequestContext, type Router } from '../http.js'
import { pickLocale } from '../locale.js'
import { OMR_EXPORT_FORMATS, type OmrExportFormat, type OmrFile, type SimOmrJob, signature } from '../omr.js'
import { enumParam, pageReply } from './paging.js'

const STEPS: readonly OmrStepName[] = ['details']
const OUTPUTS: readonly OmrJobOutput[] = ['library', 'musicxml']
const STATUSES = ['draft', 'processing', 'awaitingInput', 'done', 'error', 'canceled'] as const
const ACCEPTED_TYPES = ['application/pdf', 'image/png', 'image/jpeg']
const MAX_FILES = 20
const MAX_FILE_BYTES = 20 * 1024 * 1024
const MAX_WAIT_SEC = 25
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const EXTENSION_TYPES: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
}
const EXPORT_EXTENSIONS: Readonly<Record<OmrExportFormat, string>> = {
  musicxml: 'musicxml',
  mxl: 'mxl',
  midi: 'mid',
  'thumbnail.png': 'png',
}
const SUBMISSION_KEYS = new Set(['step', 'title', 'mainLanguage', 'instruments'])
const OVERRIDE_KEYS = new Set(['index', 'instrumentId', 'partName', 'transposeKey', 'midiProgram'])

function bad(message: string, param: string): HttpError {
  return new HttpError(400, 'BAD_REQUEST', message, param)
}

/** An inline or uploaded input file, decoded and typed; throws `HttpError` naming `param` when unusable. */
function readFile(value: unknown, param: string): OmrFile {
  if (!isRecord(value) || typeof value.file !== 'string') throw bad('Each file needs a base64 `file`', param)
  const data = value.file.replace(/\s+/g, '')
  if (data.length === 0 || !BASE64.test(data)) throw bad('file must be non-empty base64', param)
  const bytes = Buffer.from(data, 'base64')
  if (bytes.length > MAX_FILE_BYTES) throw bad(`A file may hold at most ${MAX_FILE_BYTES} bytes`, param)
  const filename = typeof value.filename === 'string' ? value.filename : undefined
  const extension = /\.([^.]+)$/.exec(filename ?? '')?.[1]?.toLowerCase()
  const sniffed = bytes.subarray(0, 4).toString('latin1') === '%PDF' ? 'application/pdf' : undefined
  const mimeType =
    typeof value.mimeType === 'string' ? value.mimeType : (EXTENSION_TYPES[extension ?? ''] ?? sniffed ?? '')
  if (!ACCEPTED_TYPES.includes(mimeType)) {
    throw new HttpError(400, 'UNSUPPORTED_FORMAT', `Accepted types: ${ACCEPTED_TYPES.join(', ')}`, param)
  }
  return filename ? { bytes, filename, mimeType } : { bytes, mimeType }
}

function checkSubmission(body: unknown, step: string, instrumentCount: number): OmrDetailsSubmission {
  if (!isRecord(body)) throw bad('The body must be an OmrStepSubmission object', 'step')
  if (body.step !== step) throw bad(`The body's step must be ${step}`, 'step')
  for (const key of Object.keys(body)) if (!SUBMISSION_KEYS.has(key)) throw bad(`Unknown field ${key}`, key)
  if (body.title !== undefined && (typeof body.title !== 'string' || body.title.length > 500)) {
    throw bad('title must be a string of at most 500 characters', 'title')
  }
  if (
    body.mainLanguage !== undefined &&
    (typeof body.mainLanguage !== 'string' || body.mainLanguage.length < 1 || body.mainLanguage.length > 35)
  ) {
    throw bad('mainLanguage must be a BCP 47 tag of 1 to 35 characters', 'mainLanguage')
  }
  if (body.instruments !== undefined) {
    if (!Array.isArray(body.instruments) || body.instruments.length > 200) {
      throw bad('instruments must be an array of at most 200 overrides', 'instruments')
    }
    for (const override of body.instruments as unknown[]) {
      if (!isRecord(override) || !Number.isInteger(override.index))
        throw bad('Each override needs an index', 'instruments')
      for (const key of Object.keys(override)) {
        if (!OVERRIDE_KEYS.has(key)) throw bad(`Unknown override field ${key}`, 'instruments')
      }
      if ((override.index as number) < 0 || (override.index as number) >= instrumentCount) {
        throw bad(`No detected part has index ${override.index}`, 'instruments')
      }
      if (override.transposeKey !== undefined && !/^[A-G][b#]?$/.test(String(override.transposeKey))) {
        throw bad('transposeKey must be a pitch class like F or Bb', 'instruments')
      }
      const program = override.midiProgram
      if (
        program !== undefined &&
        !(Number.isInteger(program) && (program as number) >= 0 && (program as number) <= 127)
      ) {
        throw bad('midiProgram must be an integer from 0 to 127', 'instruments')
      }
    }
  }
  return body as unknown as OmrDetailsSubmission
}

export function registerOmrRoutes(router: Router, sim: SimContext): void {
  const { omr } = sim
  const locale = (ctx: RequestContext) => pickLocale(ctx.req.headers['x-flat-locale'])
  const jobOf = (id: string | undefined): SimOmrJob => {
    const job = omr.jobs.get(id ?? '')
    if (!job) throw new HttpError(404, 'OMR_JOB_NOT_FOUND', 'OMR job not found')
    return job
  }

  router.add('GET', '/v2/omr/capabilities', {}, () => {
    const capabilities: OmrCapabilities = {
      steps: [...STEPS],
      formats: [...OMR_EXPORT_FORMATS],
      outputs: [...OUTPUTS],
      maxFiles: MAX_FILES,
      maxPages: 100,
      maxParallelJobs: 5,
      maxFileSize: MAX_FILE_BYTES,
      acceptedMimeTypes: ACCEPTED_TYPES,
      costPerPage: omr.costPerPage,
      remainingCredits: omr.remainingCredits,
      locales: ['en', 'fr'],
    }
    return ok('/omr/capabilities', 'get', 200, capabilities)
  })

  router.add('POST', '/v2/omr/jobs', { body: 'json' }, (ctx) => {
    const body = ctx.body
    if (!isRecord(body)) return fail(400, 'BAD_REQUEST', 'The body must be an OmrJobCreation object')
    const idempotencyKey = typeof body.idempotencyKey === 'string' ? body.idempotencyKey : undefined
    const earlier = idempotencyKey ? omr.jobs.get(omr.idempotency.get(idempotencyKey) ?? '') : undefined
    if (earlier) {
      return ok('/omr/jobs', 'post', earlier.startedAt === undefined ? 201 : 202, omr.view(earlier, locale(ctx)))
    }

    const output = (body.output ?? 'library') as OmrJobOutput
    if (!OUTPUTS.includes(output)) throw bad(`output must be one of ${OUTPUTS.join(', ')}`, 'output')
    const interactiveSteps = (body.interactiveSteps ?? []) as OmrStepName[]
    if (!Array.isArray(interactiveSteps) || interactiveSteps.some((step) => !STEPS.includes(step))) {
      throw bad(`interactiveSteps may only list ${STEPS.join(', ')}`, 'interactiveSteps')
    }
    const locales = (body.locales ?? []) as string[]
    if (!Array.isArray(locales) || locales.some((tag) => typeof tag !== 'string')) {
      throw bad('locales must be an array of BCP 47 tags', 'locales')
    }
    if (body.collection !== undefined && typeof body.collection !== 'string') {
      throw bad('collection must be a collection id', 'collection')
    }
    if (body.files !== undefined && !Array.isArray(body.files)) throw bad('files must be an array', 'files')
    const files = ((body.files ?? []) as unknown[]).map((file) => readFile(file, 'files'))
    if (files.length > MAX_FILES) throw bad(`At most ${MAX_FILES} files per job`, 'files')
    const autoStart = body.autoStart === true
    if (autoStart && files.length === 0) throw bad('autoStart needs files', 'autoStart')

    const now = sim.now()
    const job: SimOmrJob = {
      id: sim.newId(),
      createdAt: now,
      modifiedAt: now,
      output,
      interactiveSteps: [...new Set(interactiveSteps)],
      locales,
      files,
      plan: omr.nextPlan(),
      processedMs: 0,
      stepAnswered: false,
      chargedCredits: 0,
      waiters: new Set(),
      ...(typeof body.collection === 'string' ? { collection: body.collection } : {}),
    }
    if (autoStart && omr.estimatedCredits(job) > omr.remainingCredits) {
      return fail(402, 'OMR_INSUFFICIENT_CREDITS', 'Not enough OMR credits left for this job')
    }
    omr.jobs.set(job.id, job)
    if (idempotencyKey) omr.idempotency.set(idempotencyKey, job.id)
    if (!autoStart) return ok('/omr/jobs', 'post', 201, omr.view(job, locale(ctx)))
    omr.start(job)
    return ok('/omr/jobs', 'post', 202, omr.view(job, locale(ctx)))
  })

  router.add('GET', '/v2/omr/jobs', {}, (ctx) => {
    const status = enumParam(ctx.query, 'status', STATUSES)
    const language = locale(ctx)
    // Newest first; the status filter needs each job's current view.
    const views = [...omr.jobs.values()]
      .reverse()
      .map((job) => omr.view(job, language))
      .filter((view) => !status || view.status === status)
    return pageReply(sim, ctx, views, { maxLimit: 1000, defaultLimit: 50 }, (view) => view)
  })

  router.add('GET', '/v2/omr/jobs/{job}', {}, async (ctx) => {
    const job = jobOf(ctx.params.job)
    const waitSec = integerParam(ctx.query, 'wait', 0, MAX_WAIT_SEC) ?? 0
    const language = locale(ctx)
    const first = omr.view(job, language)
    // A finished job never changes again: no reason to hold the request.
    const finished = first.status === 'done' || first.status === 'error' || first.status === 'canceled'
    if (waitSec === 0 || finished) return ok('/omr/jobs/{job}', 'get', 200, first)

    const gone = new AbortController()
    ctx.res.once('close', () => gone.abort())
    const answered = await omr.waitForChange(
      job,
      waitSec * 1000,
      signature(first),
      language,
      AbortSignal.any([gone.signal, sim.closing]),
    )
    if (!answered) return NO_REPLY
    return ok('/omr/jobs/{job}', 'get', 200, omr.view(job, language))
  })

  router.add('POST', '/v2/omr/jobs/{job}/files', { body: 'json' }, ({ params, body }) => {
    const job = jobOf(params.job)
    if (job.startedAt !== undefined || job.canceledAt !== undefined) {
      return fail(409, 'OMR_JOB_NOT_DRAFT', 'Files can only be added to a draft job')
    }
    if (job.files.length >= MAX_FILES) throw bad(`At most ${MAX_FILES} files per job`, 'file')
    job.files.push(readFile(body, 'file'))
    job.modifiedAt = sim.now()
    return ok('/omr/jobs/{job}/files', 'post', 200, { fileIndex: job.files.length - 1, fileCount: job.files.length })
  })

  router.add('GET', '/v2/omr/jobs/{job}/files/{index}', {}, ({ params }) => {
    const job = jobOf(params.job)
    const index = /^\d+$/.test(params.index ?? '') ? Number(params.index) : -1
    const file = job.files[index]
    // Only a JPEG input can be answered as the image/jpeg the spec declares; other pages are not rendered.
    if (file?.mimeType !== 'image/jpeg') return fail(404, 'NOT_FOUND', 'No page image at this index')
    return { status: 200, bytes: file.bytes, headers: { 'Content-Type': 'image/jpeg' } }
  })

  router.add('POST', '/v2/omr/jobs/{job}/start', {}, (ctx) => {
    const job = jobOf(ctx.params.job)
    if (job.startedAt !== undefined || job.canceledAt !== undefined) {
      return fail(409, 'OMR_JOB_NOT_DRAFT', 'Only a draft job can be started')
    }
    if (job.files.length === 0) return fail(400, 'OMR_NO_FILES', 'Add at least one file before starting', 'files')
    if (omr.estimatedCredits(job) > omr.remainingCredits) {
      return fail(402, 'OMR_INSUFFICIENT_CREDITS', 'Not enough OMR credits left for this job')
    }
    omr.start(job)
    return ok('/omr/jobs/{job}/start', 'post', 202, omr.view(job, locale(ctx)))
  })

  router.add('POST', '/v2/omr/jobs/{job}/steps/{step}', { body: 'json' }, (ctx) => {
    const job = jobOf(ctx.params.job)
    const step = ctx.params.step ?? ''
    if (!(STEPS as readonly string[]).includes(step)) throw bad(`Unknown step ${JSON.stringify(step)}`, 'step')
    const view = omr.view(job, locale(ctx))
    if (view.status !== 'awaitingInput' || view.currentStep !== step) {
      return fail(409, 'OMR_STEP_NOT_PENDING', `The job is not awaiting the ${step} step`)
    }
    omr.answer(job, checkSubmission(ctx.body, step, omr.instruments(job).length))
    return ok('/omr/jobs/{job}/steps/{step}', 'post', 202, omr.view(job, locale(ctx)))
  })

  router.add('GET', '/v2/omr/jobs/{job}/exports/{format}', {}, (ctx) => {
    const job = jobOf(ctx.params.job)
    const format = ctx.params.format as OmrExportFormat
    if (!OMR_EXPORT_FORMATS.includes(format) || !omr.exports(job).includes(format)) {
      return fail(404, 'FORMAT_NOT_AVAILABLE', `This job has no ${ctx.params.format} export`)
    }
    if (omr.view(job, locale(ctx)).status !== 'done') {
      return fail(409, 'OMR_JOB_NOT_DONE', 'The job has not finished yet')
    }
    const xml = omr.resultXml(job)
    const bytes =
      format === 'musicxml'
        ? Buffer.from(xml, 'utf8')
        : format === 'mxl'
          ? writeMxl(xml)
          : format === 'midi'
            ? encodeMidi(parseMusicXml(xml))
            : renderThumbnail(parseMusicXml(xml))
    // The spec declares application/octet-stream for every format, so that is the type sent.
    const headers = {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': contentDisposition(`${omr.title(job)}.${EXPORT_EXTENSIONS[format]}`),
    }
    return { status: 200, bytes, headers }
  })

  router.add('POST', '/v2/omr/jobs/{job}/cancel', {}, (ctx) => {
    const job = jobOf(ctx.params.job)
    const status = omr.view(job, locale(ctx)).status
    if (status === 'done' || status === 'error' || status === 'canceled') {
      return fail(409, 'OMR_JOB_FINISHED', `The job is already ${status}`)
    }
    omr.cancel(job)
    return ok('/omr/jobs/{job}/cancel', 'post', 200, omr.view(job, locale(ctx)))
  })
}
