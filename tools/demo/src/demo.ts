import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Task } from '@flat-api/raw'
import { createFlatClient } from '@flat-api/sdk'
import { startSimulator } from '@flat-api/simulator'

export const DEMO_SCORE = fileURLToPath(new URL('../scores/hello-flat.musicxml', import.meta.url))

export interface DemoOptions {
  /** Folder the MP3 lands in. */
  outDir: string
  /** Real-API mode when set; otherwise an in-process simulator. */
  accessToken?: string | undefined
  /** With a token: export this existing score instead of importing the demo one. */
  scoreId?: string | undefined
  /** Simulated export duration. */
  exportDurationMs?: number
  /** Receives progress; a TTY gets a redrawn bar. */
  write?: (text: string) => void
  isTTY?: boolean
}

export interface DemoResult {
  taskId: string
  state: string
  scoreId: string
  bytes: number
  path: string
  elapsedMs: number
  simulated: boolean
}

const BAR_WIDTH = 30

export function progressLine(task: Task): string {
  const percent = task.progress?.percent
  if (percent === undefined) return `${task.state.padEnd(7)} ${task.progress?.text ?? ''}`.trimEnd()
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * BAR_WIDTH)
  return `${task.state.padEnd(7)} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(percent)).padStart(3)}%`
}

async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.partial`
  await writeFile(tmp, bytes)
  await rename(tmp, path)
}

/** Imports the demo score (or takes an existing one), exports it to MP3 through a task, and downloads the file. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const write = options.write ?? (() => {})
  const startedAt = performance.now()
  const simulated = !options.accessToken
  const simulator = simulated ? await startSimulator({ exportDurationMs: options.exportDurationMs ?? 3000 }) : undefined
  try {
    const flat = createFlatClient({
      accessToken: options.accessToken ?? 'demo-token',
      userAgent: 'flat-api-demo',
      ...(simulator ? { baseUrl: simulator.baseUrl } : {}),
    })
    let scoreId = options.scoreId
    if (!scoreId || simulated) {
      const data = await readFile(DEMO_SCORE, 'utf8')
      const created = await flat.raw.POST('/scores', { body: { title: 'Hello Flat', data, privacy: 'private' } })
      if (!created.data)
        throw new Error(`import failed with ${created.response.status}: ${JSON.stringify(created.error)}`)
      scoreId = created.data.id
      write(`imported score ${scoreId}\n`)
    }

    let lastLine = ''
    const task = await flat.scores.export(scoreId, {
      format: 'mp3',
      onProgress(update) {
        const line = progressLine(update)
        if (line === lastLine) return
        lastLine = line
        write(options.isTTY ? `\r${line}` : `${line}\n`)
      },
    })
    if (options.isTTY) write('\n')

    const url = task.result?.url
    if (!url) throw new Error(`task ${task.id} is done but has no result URL`)
    // The file host is another origin: the token stays home.
    const response = await fetch(url)
    if (!response.ok) throw new Error(`downloading the export failed with ${response.status}`)
    const bytes = new Uint8Array(await response.arrayBuffer())
    const path = join(options.outDir, `${scoreId}.mp3`)
    await writeAtomic(path, bytes)
    return {
      taskId: task.id,
      state: task.state,
      scoreId,
      bytes: bytes.byteLength,
      path,
      elapsedMs: performance.now() - startedAt,
      simulated,
    }
  } finally {
    await simulator?.close()
  }
}

export function summaryLine(result: DemoResult, cwd: string = process.cwd()): string {
  const where = relative(cwd, resolve(result.path)) || result.path
  const seconds = (result.elapsedMs / 1000).toFixed(1)
  const mode = result.simulated ? 'simulator' : 'api.flat.io'
  return `task ${result.taskId} ${result.state} · ${result.bytes} bytes · ${where} · ${seconds} s elapsed (${mode})`
}
