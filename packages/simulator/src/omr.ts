import type {
  OmrDetailsSubmission,
  OmrDetectedInstrument,
  OmrJob,
  OmrJobOutput,
  OmrJobProgress,
  OmrStepName,
} from '@flat-api/raw'
import { type BuiltinPart, builtinScoreXml } from './formats/builtin-score.js'
import { type Locale, omrErrorMessage, omrProgressText } from './locale.js'
import type { SimulatorState } from './state.js'
import type { Timers } from './timers.js'

export const OMR_EXPORT_FORMATS = ['musicxml', 'mxl', 'midi', 'thumbnail.png'] as const
export type OmrExportFormat = (typeof OMR_EXPORT_FORMATS)[number]

/** How a simulated OMR job runs once started. */
export interface OmrJobPlan {
  /** Processing time from start to `done`, not counting a pause at a step. Default 2000 ms. */
  durationMs?: number
  /**
   * Fraction of the processing after which the job stops at the `details` step, if the job lists it in
   * `interactiveSteps`. `false` never stops. Default 0.5.
   */
  pauseAt?: number | false
  /** Title the `details` step offers and the result carries unless overridden. Default: the first filename's stem. */
  detectedTitle?: string
  /** Parts the `details` step offers. Default one piano. */
  detectedInstruments?: OmrDetectedInstrument[]
  /** Ends in `error` with this code after `atFraction` (default 0.5) of the processing. */
  fail?: { errorCode: string; atFraction?: number }
  /** Pages charged at start. Default: the PDF pages (`/Type /Page` objects) plus one per image. */
  pages?: number
  /** Formats the finished job offers. Default all four. */
  exports?: OmrExportFormat[]
}

export interface OmrOptions {
  /** Plan of every job not given one through `sim.omr.queuePlan`. */
  plan?: OmrJobPlan
  /** Credits the account starts with. Default 100. */
  credits?: number
  /** Credits charged per page at start. Default 1. */
  costPerPage?: number
}

export interface OmrControl {
  /** The next created job follows `plan` (first queued, first used); later ones fall back to `omr.plan`. */
  queuePlan(plan: OmrJobPlan): void
  /** Long-polls currently held open. */
  readonly pendingWaits: number
  readonly remainingCredits: number
}

export interface OmrFile {
  bytes: Buffer
  filename?: string
  mimeType: string
}

export interface SimOmrJob {
  id: string
  createdAt: number
  modifiedAt: number
  output: OmrJobOutput
  interactiveSteps: OmrStepName[]
  locales: string[]
  collection?: string
  files: OmrFile[]
  plan: OmrJobPlan
  /** Start of the current processing stretch; undefined while a draft. */
  startedAt?: number
  /** Processing done before `startedAt`. */
  processedMs: number
  stepAnswered: boolean
  submission?: OmrDetailsSubmission
  canceledAt?: number
  chargedCredits: number
  scoreId?: string
  waiters: Set<() => void>
}

const PROGRESS_QUANTUM = 0.05
const DEFAULT_OMR_DURATION_MS = 2000
const DEFAULT_INSTRUMENTS: readonly OmrDetectedInstrument[] = [
  {
    index: 0,
    partName: 'Piano',
    instrumentId: 'keyboard.piano',
    instrumentName: 'Piano',
    midiProgram: 0,
    resolvedConfidence: 'high',
  },
]

const EVENT_RANK = { error: 0, awaitingInput: 1, done: 2 } as const

type Phase =
  | { status: 'draft' | 'canceled' }
  | { status: 'processing'; processedMs: number }
  | { status: 'awaitingInput' | 'error' | 'done'; atMs: number }

function countPages(file: OmrFile): number {
  if (file.mimeType !== 'application/pdf') return 1
  const pages = file.bytes.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0
  return Math.max(1, pages)
}

/** Whether the bytes look like what their type claims: a mismatch fails the job with `CORRUPTED_FILE`. */
function looksValid(file: OmrFile): boolean {
  const b = file.bytes
  switch (file.mimeType) {
    case 'application/pdf':
      return b.subarray(0, 4).toString('latin1') === '%PDF'
    case 'image/png':
      return b[0] === 0x89 && b[1] === 0x50
    case 'image/jpeg':
      return b[0] === 0xff && b[1] === 0xd8
    default:
      return true
  }
}

export class OmrStore {
  readonly jobs = new Map<string, SimOmrJob>()
  readonly idempotency = new Map<string, string>()
  private readonly queued: OmrJobPlan[] = []
  remainingCredits: number
  readonly costPerPage: number
  waits = 0

  constructor(
    private readonly state: SimulatorState,
    private readonly timers: Timers,
    private readonly options: OmrOptions,
    /** Whether `now` was injected: then the clock may jump, and long-polls look again at least every 250 ms. */
    private readonly clockInjected: boolean,
  ) {
    this.remainingCredits = options.credits ?? 100
    this.costPerPage = options.costPerPage ?? 1
  }

  /** A job that finished long ago (a seeded one): a one-page PDF read into MusicXML. */
  addFinished(id: string, title: string, createdAt: number): string {
    const file = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Page >> endobj\n')
    this.jobs.set(id, {
      id,
      createdAt,
      modifiedAt: createdAt,
      output: 'musicxml',
      interactiveSteps: [],
      locales: ['en'],
      files: [{ bytes: file, filename: `${title}.pdf`, mimeType: 'application/pdf' }],
      plan: { durationMs: 1000, detectedTitle: title },
      startedAt: createdAt,
      processedMs: 0,
      stepAnswered: false,
      chargedCredits: this.costPerPage,
      waiters: new Set(),
    })
    return id
  }

  queuePlan(plan: OmrJobPlan): void {
    this.queued.push(plan)
  }

  nextPlan(): OmrJobPlan {
    return this.queued.shift() ?? this.options.plan ?? {}
  }

  pages(job: SimOmrJob): number {
    return job.plan.pages ?? job.files.reduce((sum, file) => sum + countPages(file), 0)
  }

  estimatedCredits(job: SimOmrJob): number {
    return this.pages(job) * this.costPerPage
  }

  /** Starts processing; the caller has checked files and credits. */
  start(job: SimOmrJob): void {
    const now = this.state.now()
    if (job.plan.fail === undefined && !job.files.every(looksValid)) {
      job.plan = { ...job.plan, fail: { errorCode: 'CORRUPTED_FILE', atFraction: 0.1 } }
    }
    job.chargedCredits = this.estimatedCredits(job)
    this.remainingCredits -= job.chargedCredits
    job.startedAt = now
    job.modifiedAt = now
    this.notify(job)
  }

  answer(job: SimOmrJob, submission: OmrDetailsSubmission): void {
    const now = this.state.now()
    job.processedMs = this.pauseMs(job) ?? job.processedMs
    job.startedAt = now
    job.stepAnswered = true
    job.submission = submission
    job.modifiedAt = now
    this.notify(job)
  }

  cancel(job: SimOmrJob): void {
    const now = this.state.now()
    job.canceledAt = now
    job.modifiedAt = now
    this.remainingCredits += job.chargedCredits
    job.chargedCredits = 0
    this.notify(job)
  }

  notify(job: SimOmrJob): void {
    for (const wake of [...job.waiters]) wake()
  }

  private durationMs(job: SimOmrJob): number {
    return job.plan.durationMs ?? DEFAULT_OMR_DURATION_MS
  }

  private pauseMs(job: SimOmrJob): number | undefined {
    const pauseAt = job.plan.pauseAt ?? 0.5
    if (pauseAt === false || job.stepAnswered || !job.interactiveSteps.includes('details')) return undefined
    return pauseAt * this.durationMs(job)
  }

  phase(job: SimOmrJob): Phase {
    if (job.canceledAt !== undefined) return { status: 'canceled' }
    if (job.startedAt === undefined) return { status: 'draft' }
    const processedMs = job.processedMs + (this.state.now() - job.startedAt)
    const events: { atMs: number; status: 'error' | 'awaitingInput' | 'done' }[] = [
      { atMs: this.durationMs(job), status: 'done' },
    ]
    const pauseMs = this.pauseMs(job)
    if (pauseMs !== undefined) events.push({ atMs: pauseMs, status: 'awaitingInput' })
    if (job.plan.fail) events.push({ atMs: (job.plan.fail.atFraction ?? 0.5) * this.durationMs(job), status: 'error' })
    // The earliest event stops the processing; on a tie a failure comes first, then the pause.
    events.sort((a, b) => a.atMs - b.atMs || EVENT_RANK[a.status] - EVENT_RANK[b.status])
    const first = events[0] as (typeof events)[number]
    if (processedMs >= first.atMs) return first
    return { status: 'processing', processedMs }
  }

  /** Instant (simulator clock) at which the job's view next changes by itself; undefined when only a call changes it. */
  nextChangeAt(job: SimOmrJob): number | undefined {
    const phase = this.phase(job)
    if (phase.status !== 'processing' || job.startedAt === undefined) return undefined
    const durationMs = this.durationMs(job)
    const quantum = durationMs * PROGRESS_QUANTUM
    const candidates = [durationMs, (Math.floor(phase.processedMs / quantum) + 1) * quantum]
    const pauseMs = this.pauseMs(job)
    if (pauseMs !== undefined) candidates.push(pauseMs)
    if (job.plan.fail) candidates.push((job.plan.fail.atFraction ?? 0.5) * durationMs)
    const nextMs = Math.min(...candidates.filter((ms) => ms > phase.processedMs))
    return job.startedAt + (nextMs - job.processedMs)
  }

  /** When the processing reached `atMs`, on the simulator clock. */
  private instantOf(job: SimOmrJob, atMs: number): number {
    return (job.startedAt ?? job.createdAt) + (atMs - job.processedMs)
  }

  title(job: SimOmrJob): string {
    const stem = job.files[0]?.filename?.replace(/\.[^.]+$/, '')
    return job.submission?.title ?? job.plan.detectedTitle ?? (stem || 'Scanned score')
  }

  instruments(job: SimOmrJob): OmrDetectedInstrument[] {
    const detected = job.plan.detectedInstruments ?? DEFAULT_INSTRUMENTS
    const overrides = job.submission?.instruments ?? []
    return detected.map((instrument) => {
      const override = overrides.find((candidate) => candidate.index === instrument.index)
      if (!override) return { ...instrument }
      const merged = { ...instrument }
      if (override.partName !== undefined) merged.partName = override.partName
      if (override.instrumentId !== undefined) merged.instrumentId = override.instrumentId
      else if (override.midiProgram !== undefined) merged.midiProgram = override.midiProgram
      if (override.transposeKey !== undefined) merged.transposeKey = override.transposeKey
      return merged
    })
  }

  /** The recognized score as MusicXML, one part per (possibly overridden) instrument. */
  resultXml(job: SimOmrJob): string {
    const parts: BuiltinPart[] = this.instruments(job).map((instrument) => ({
      id: `P${instrument.index + 1}`,
      name: instrument.partName ?? instrument.instrumentName ?? `Part ${instrument.index + 1}`,
      midiProgram: (instrument.midiProgram ?? 0) + 1,
    }))
    return builtinScoreXml(this.title(job), parts)
  }

  exports(job: SimOmrJob): OmrExportFormat[] {
    return job.plan.exports ?? [...OMR_EXPORT_FORMATS]
  }

  /** A library job creates its score the first time it is seen done. */
  private settle(job: SimOmrJob, doneAt: number): void {
    if (job.output !== 'library' || job.scoreId) return
    const score = this.state.addScore({ xml: this.resultXml(job), title: this.title(job), createdAt: doneAt })
    job.scoreId = score.id
    const collection = job.collection ? this.state.collections.get(job.collection) : undefined
    collection?.scoreIds.push(score.id)
  }

  view(job: SimOmrJob, locale: Locale): OmrJob {
    const phase = this.phase(job)
    const view: OmrJob = {
      id: job.id,
      status: phase.status,
      output: job.output,
      interactiveSteps: job.interactiveSteps,
      locales: job.locales,
      creationDate: new Date(job.createdAt).toISOString(),
      modificationDate: new Date(job.modifiedAt).toISOString(),
      estimatedCredits: this.estimatedCredits(job),
    }
    const first = job.files[0]
    if (first) {
      view.originalFileMetadata = {
        numberOfPages: this.pages(job),
        fileCount: job.files.length,
        fileSize: job.files.reduce((sum, file) => sum + file.bytes.length, 0),
        mimeType: first.mimeType,
      }
      if (first.filename) {
        view.originalFileMetadata.filename = first.filename
        const extension = /\.([^.]+)$/.exec(first.filename)?.[1]
        if (extension) view.originalFileMetadata.fileExtension = extension.toLowerCase()
      }
    }
    const pages = Math.max(1, this.pages(job))
    if (phase.status === 'processing') {
      const fraction = phase.processedMs / this.durationMs(job)
      const percent = Math.min(99, Math.floor(fraction / PROGRESS_QUANTUM) * PROGRESS_QUANTUM * 100)
      const key = fraction < 0.1 ? 'OMR_QUEUED' : fraction < 0.85 ? 'OMR_PROCESSING_PAGE' : 'OMR_CREATING_SCORE'
      const page = Math.min(pages, 1 + Math.floor(((fraction - 0.1) / 0.75) * pages))
      const progress: OmrJobProgress = {
        percent: Math.round(percent),
        key,
        text: omrProgressText(key, locale, page, pages),
      }
      view.progress = progress
      view.modificationDate = new Date(Math.max(job.modifiedAt, this.state.now())).toISOString()
    } else if (phase.status === 'awaitingInput') {
      const percent = Math.round((phase.atMs / this.durationMs(job)) * 100)
      view.progress = {
        percent,
        key: 'OMR_AWAITING_DETAILS',
        text: omrProgressText('OMR_AWAITING_DETAILS', locale, 0, 0),
      }
      view.currentStep = 'details'
      view.pendingStep = {
        step: 'details',
        data: { step: 'details', title: this.title(job), instruments: this.instruments(job) },
      }
      view.modificationDate = new Date(this.instantOf(job, phase.atMs)).toISOString()
    } else if (phase.status === 'error') {
      const code = job.plan.fail?.errorCode ?? 'GENERIC'
      view.errorCode = code
      view.errorMessage = omrErrorMessage(code, locale)
      view.modificationDate = new Date(this.instantOf(job, phase.atMs)).toISOString()
    } else if (phase.status === 'done') {
      const doneAt = this.instantOf(job, phase.atMs)
      this.settle(job, doneAt)
      view.result = job.scoreId ? { score: job.scoreId, exports: this.exports(job) } : { exports: this.exports(job) }
      view.importedMetadata = {
        instruments: this.instruments(job).map((instrument) => instrument.instrumentId ?? 'keyboard.piano'),
        numberMeasures: 4,
        mainTempoQpm: 120,
        mainKeySignature: 0,
      }
      view.progress = { percent: 100 }
      view.modificationDate = new Date(doneAt).toISOString()
    }
    return view
  }

  /**
   * Resolves once the job's status or progress differs from `before`, or when `waitMs` have passed (simulator
   * clock), or at once with false when `signal` fires (client gone, simulator closing).
   */
  waitForChange(job: SimOmrJob, waitMs: number, before: string, locale: Locale, gone: AbortSignal): Promise<boolean> {
    const deadline = this.state.now() + waitMs
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const finish = (answered: boolean) => {
        this.timers.clear(timer)
        job.waiters.delete(check)
        gone.removeEventListener('abort', abandon)
        this.waits -= 1
        resolve(answered)
      }
      const abandon = () => finish(false)
      const check = () => {
        this.timers.clear(timer)
        const now = this.state.now()
        if (now >= deadline || signature(this.view(job, locale)) !== before) {
          finish(true)
          return
        }
        const next = Math.min(deadline, this.nextChangeAt(job) ?? deadline)
        const delayMs = Math.max(1, next - now)
        timer = this.timers.set(check, this.clockInjected ? Math.min(250, delayMs) : delayMs)
      }
      this.waits += 1
      job.waiters.add(check)
      gone.addEventListener('abort', abandon, { once: true })
      check()
    })
  }
}

/** What a long-poll watches: the status, the step and the progress. */
export function signature(view: OmrJob): string {
  return `${view.status}|${view.currentStep ?? ''}|${view.progress?.percent ?? ''}|${view.progress?.key ?? ''}`
}
