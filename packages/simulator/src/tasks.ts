import type { Task } from '@flat-api/raw'

export type TaskState = Task['state']

/**
 * One scripted stretch of a task's life. `state` may be a state the spec does not know (`'paused'`) or go back
 * (`doing` then `created`), for clients that must survive both.
 */
export interface TaskStep {
  durationMs: number
  state: TaskState | (string & {})
  /** `progress.percent` during the step; left out when undefined. */
  percent?: number
  /** `progress.text` during the step. */
  text?: string
}

/** How a simulated task moves through its states; times are offsets from creation in milliseconds. */
export interface TaskPlan {
  /** When the terminal `outcome` is reached. A parent also waits for its last child. */
  durationMs: number
  /** Time spent in `created` before work starts. Default 10% of the duration. */
  queuedMs?: number
  /** Whether `doing` reports `progress.percent`. Default true; always false for a parent with children. */
  reportsPercent?: boolean
  /** Terminal state reached at `durationMs`. Default `done`; a parent whose child failed ends in `error`. */
  outcome?: 'done' | 'error' | 'canceled'
  type?: string
  /** Subtasks, each with its own id, reported in `children` and gettable on their own. */
  children?: TaskPlan[]
  /** Scripted states from creation on, replacing `created` then `doing`; the last step lasts until `durationMs`. */
  steps?: TaskStep[]
}

export interface SimTask {
  id: string
  createdAt: number
  plan: TaskPlan
  queuedMs: number
  /** Offset of the terminal state: the plan's duration, or the last child's end if later. */
  endMs: number
  outcome: 'done' | 'error' | 'canceled'
  children: SimTask[]
  /** Fields every view carries (`format`, `score`, `revision`). */
  fields: Partial<Task>
  /** Fields added once the task is done, e.g. `result.url` or the imported `score`. */
  doneFields?: (task: SimTask) => Partial<Task>
  parts?: readonly string[]
}

const FAILURE = { result: { error: 'The task failed' }, errorHistory: ['TASK_FAILED'] }

export class TaskStore {
  private readonly tasks = new Map<string, SimTask>()

  constructor(
    private readonly now: () => number,
    private readonly newId: () => string,
  ) {}

  create(plan: TaskPlan, extra: Pick<SimTask, 'fields' | 'doneFields' | 'parts'> = { fields: {} }): SimTask {
    validatePlan(plan)
    return this.build(plan, this.now(), extra)
  }

  private build(plan: TaskPlan, createdAt: number, extra: Pick<SimTask, 'fields' | 'doneFields' | 'parts'>): SimTask {
    const children = (plan.children ?? []).map((child) => this.build(child, createdAt, { fields: {} }))
    const endMs = Math.max(plan.durationMs, ...children.map((child) => child.endMs))
    const childFailed = children.some((child) => child.outcome === 'error')
    const task: SimTask = {
      id: this.newId(),
      createdAt,
      plan,
      queuedMs: plan.queuedMs ?? Math.round(plan.durationMs * 0.1),
      endMs,
      outcome: childFailed && (plan.outcome ?? 'done') === 'done' ? 'error' : (plan.outcome ?? 'done'),
      children,
      ...extra,
    }
    this.tasks.set(task.id, task)
    return task
  }

  get(id: string): SimTask | undefined {
    return this.tasks.get(id)
  }

  /** Forgets a task and its children: later polls answer 404. */
  remove(id: string): boolean {
    const task = this.tasks.get(id)
    if (!task) return false
    const forget = (node: SimTask) => {
      this.tasks.delete(node.id)
      for (const child of node.children) forget(child)
    }
    forget(task)
    return true
  }

  state(task: SimTask): string {
    return this.view(task).state
  }

  /** The task as `GET /tasks/{task}` shows it now. */
  view(task: SimTask): Task {
    const now = this.now()
    const elapsed = now - task.createdAt
    const created = new Date(task.createdAt).toISOString()
    const view: Task = { id: task.id, type: task.plan.type ?? 'audio-export', state: 'created', ...task.fields }
    view.creationDate = created
    view.modificationDate = created
    const hasChildren = task.children.length > 0

    if (elapsed >= task.endMs) {
      const finished = new Date(task.createdAt + task.endMs).toISOString()
      view.state = task.outcome
      view.modificationDate = finished
      if (task.outcome === 'done') {
        view.doneDate = finished
        if (!hasChildren) view.progress = { percent: 100 }
        if (task.doneFields) Object.assign(view, task.doneFields(task))
      } else if (task.outcome === 'error') {
        Object.assign(view, FAILURE)
      }
    } else if (task.plan.steps && task.plan.steps.length > 0) {
      const step = stepAt(task.plan.steps, elapsed)
      // An unknown state string is the point of some scripts: the spec's enum does not bind a fault.
      view.state = step.state as TaskState
      view.modificationDate = new Date(now).toISOString()
      const progress: NonNullable<Task['progress']> = {}
      if (step.percent !== undefined) progress.percent = step.percent
      if (step.text !== undefined) progress.text = step.text
      if (step.percent !== undefined || step.text !== undefined) view.progress = progress
    } else if (elapsed >= task.queuedMs) {
      view.state = 'doing'
      view.modificationDate = new Date(now).toISOString()
      if (hasChildren) {
        const done = task.children.filter((child) => elapsed >= child.endMs).length
        view.progress = { text: `${done} of ${task.children.length} subtasks finished` }
      } else if (task.plan.reportsPercent ?? true) {
        const fraction = (elapsed - task.queuedMs) / Math.max(1, task.endMs - task.queuedMs)
        view.progress = { percent: Math.min(99, Math.floor(fraction * 100)) }
      } else {
        view.progress = { text: 'Rendering' }
      }
    }
    if (hasChildren) view.children = task.children.map((child) => this.view(child))
    return { ...view, isCancellable: view.state === 'created' }
  }
}

function stepAt(steps: readonly TaskStep[], elapsed: number): TaskStep {
  let start = 0
  for (const step of steps) {
    start += step.durationMs
    if (elapsed < start) return step
  }
  return steps.at(-1) as TaskStep
}

function validatePlan(plan: TaskPlan, path = 'plan'): void {
  if (!(plan.durationMs >= 0)) throw new RangeError(`${path}.durationMs must be >= 0, got ${plan.durationMs}`)
  if (plan.queuedMs !== undefined && !(plan.queuedMs >= 0)) {
    throw new RangeError(`${path}.queuedMs must be >= 0, got ${plan.queuedMs}`)
  }
  for (const [index, step] of (plan.steps ?? []).entries()) {
    if (!(step.durationMs >= 0)) {
      throw new RangeError(`${path}.steps[${index}].durationMs must be >= 0, got ${step.durationMs}`)
    }
  }
  for (const [index, child] of (plan.children ?? []).entries()) validatePlan(child, `${path}.children[${index}]`)
}
