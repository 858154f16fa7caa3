/**
 * Runs a simulator in its own process, so on a two-core machine the server and the client under test each get a
 * core. Prints one JSON line (`SimProcessInfo`), then serves until SIGTERM or until its stdin closes (the parent
 * went away).
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { startSimulator } from '@flat-api/simulator'

export interface SimProcessInfo {
  baseUrl: string
  url: string
  taskId: string
  /** Distinct tasks in the same state, one per concurrent wait. */
  taskIds: string[]
  pid: number
}

export interface SimProcess extends SimProcessInfo {
  stop(): Promise<void>
}

const here = fileURLToPath(import.meta.url)

/** Starts the simulator child and resolves once it listens. */
export async function startSimProcess(): Promise<SimProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', here], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout })
  const info = await new Promise<SimProcessInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`simulator process exited early with code ${code}`)))
    lines.once('line', (line) => resolve(JSON.parse(line) as SimProcessInfo))
  })
  child.removeAllListeners('exit')
  return {
    ...info,
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}

async function serve(): Promise<void> {
  // The limiter stays on (so responses carry X-RateLimit-* as Flat's do) but never refuses.
  const sim = await startSimulator({ port: 0, logRequests: false, rateLimit: { limit: 1_000_000_000 } })
  // Running for years: every poll sees `doing` with a percent, the common case of a poll loop.
  const taskIds = Array.from(
    { length: 32 },
    () => sim.addTask({ durationMs: 10 * 365 * 86_400_000, queuedMs: 0, reportsPercent: true }).id,
  )
  const info: SimProcessInfo = {
    baseUrl: sim.baseUrl,
    url: sim.url,
    taskId: taskIds[0] as string,
    taskIds,
    pid: process.pid,
  }
  process.stdout.write(`${JSON.stringify(info)}\n`)
  let closing = false
  const close = async () => {
    if (closing) return
    closing = true
    await sim.close()
    process.exit(0)
  }
  process.once('SIGTERM', close)
  process.stdin.on('end', close)
  process.stdin.resume()
}

if (process.argv[1] === here) await serve()
