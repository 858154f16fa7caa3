/**
 * Estimates when a task reporting `progress.percent` will finish, from the percent observed over time.
 * Uses the first and latest samples of the current run of rising percent: robust to a few noisy readings and
 * cheap (two numbers per waiter).
 */
export class EtaEstimator {
  private firstAt = Number.NaN
  private firstPercent = Number.NaN
  private lastAt = Number.NaN
  private lastPercent = Number.NaN

  /** Records a percent seen at `atMs`; a percent that goes backwards restarts the estimate. */
  observe(atMs: number, percent: number | undefined): void {
    if (percent === undefined || !Number.isFinite(percent)) return
    const clamped = Math.max(0, Math.min(100, percent))
    if (Number.isNaN(this.firstAt) || clamped < this.lastPercent) {
      this.firstAt = atMs
      this.firstPercent = clamped
    }
    this.lastAt = atMs
    this.lastPercent = clamped
  }

  /** The estimated completion time in epoch ms, or undefined while there is not enough to go on. */
  estimateDoneAt(): number | undefined {
    const elapsedMs = this.lastAt - this.firstAt
    const gained = this.lastPercent - this.firstPercent
    if (!(elapsedMs > 0) || !(gained > 0)) return undefined
    const msPerPercent = elapsedMs / gained
    return this.lastAt + (100 - this.lastPercent) * msPerPercent
  }

  /** Estimated total duration of the rising run so far, for sizing margins. */
  spanMs(): number | undefined {
    const doneAt = this.estimateDoneAt()
    return doneAt === undefined ? undefined : doneAt - this.firstAt
  }

  toJSON(): [number, number, number, number] | undefined {
    if (Number.isNaN(this.firstAt)) return undefined
    return [this.firstAt, this.firstPercent, this.lastAt, this.lastPercent]
  }

  static from(saved: readonly number[] | undefined): EtaEstimator {
    const estimator = new EtaEstimator()
    if (saved?.length === 4 && saved.every(Number.isFinite)) {
      ;[estimator.firstAt, estimator.firstPercent, estimator.lastAt, estimator.lastPercent] = saved as [
        number,
        number,
        number,
        number,
      ]
    }
    return estimator
  }
}

/**
 * A parent task without a percent of its own takes the mean of its children's (a done child counts 100), so the
 * estimate covers hierarchical tasks too.
 */
export function effectivePercent(task: {
  state: string
  progress?: { percent?: number }
  children?: readonly { state: string; progress?: { percent?: number }; children?: readonly unknown[] }[]
}): number | undefined {
  const own = task.progress?.percent
  if (typeof own === 'number' && Number.isFinite(own)) return own
  if (task.state === 'done') return 100
  const children = task.children ?? []
  if (children.length === 0) return undefined
  let sum = 0
  let known = 0
  for (const child of children) {
    const percent = effectivePercent(child as Parameters<typeof effectivePercent>[0])
    if (percent === undefined) continue
    sum += percent
    known += 1
  }
  // Children that say nothing count as not started, so the mean never overstates the progress.
  return known === 0 ? undefined : sum / children.length
}
