/**
 * Cold start: a fresh `node` process per measurement imports one client, builds it and makes its first request.
 * Processes are spawned in alternating order across clients. The figure is the child's own time from process start to
 * the first response; the child also reports its import and first-request times, and the parent its wall time from
 * spawn to exit.
 */
import { spawn } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { startSimulator } from '@flat-api/simulator'
import { build } from 'esbuild'
import { median, percentiles, round, roundOrder } from './measure.js'

export const COLD_PEERS = ['fetch', 'openapi-fetch', 'raw', 'sdk', 'flat-api'] as const
export type ColdPeer = (typeof COLD_PEERS)[number]

export interface ColdStartOptions {
  runsPerPeer: number
}

export const COLD_START_FULL: ColdStartOptions = { runsPerPeer: 20 }
export const COLD_START_QUICK: ColdStartOptions = { runsPerPeer: 4 }

export interface ColdFigures {
  runs: number
  wallMs: { p50: number; p90: number }
  sinceStartMs: { p50: number; p90: number }
  importMs: number
  firstRequestMs: number
  /** Median start-to-response time over bare fetch's. */
  ratioToFetch: number
  /** Median start-to-response time minus bare fetch's: what importing and using the client adds. */
  addedMs: number
}

export interface ColdStartResult {
  options: ColdStartOptions
  peers: Record<ColdPeer, ColdFigures>
}

interface ChildReport {
  importMs: number
  firstRequestMs: number
  sinceStartMs: number
}

const benchRoot = fileURLToPath(new URL('..', import.meta.url))

/** Compiles the child to plain ESM beside the bench, so bare specifiers resolve through its node_modules. */
async function compileChild(): Promise<string> {
  const outfile = `${benchRoot}out/cold-child.mjs`
  await mkdir(`${benchRoot}out`, { recursive: true })
  await build({
    entryPoints: [`${benchRoot}src/cold-child.ts`],
    outfile,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: false,
    logLevel: 'silent',
  })
  return outfile
}

function runChild(
  script: string,
  peer: ColdPeer,
  baseUrl: string,
  taskId: string,
): Promise<ChildReport & { wallMs: number }> {
  const env = { ...process.env }
  delete env.NODE_OPTIONS
  return new Promise((resolve, reject) => {
    const startedAt = performance.now()
    const child = spawn(process.execPath, [script, peer, baseUrl, taskId], { cwd: benchRoot, env })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString()
    })
    child.once('error', reject)
    child.once('exit', (code) => {
      const wallMs = performance.now() - startedAt
      if (code !== 0) {
        reject(new Error(`cold start of ${peer} exited with ${code}: ${err.trim()}`))
        return
      }
      resolve({ ...(JSON.parse(out) as ChildReport), wallMs })
    })
  })
}

export async function runColdStart(
  options: ColdStartOptions,
  log: (line: string) => void = () => {},
): Promise<ColdStartResult> {
  const script = await compileChild()
  const sim = await startSimulator({ port: 0, rateLimit: false, logRequests: false })
  try {
    const task = sim.addTask({ durationMs: 3_600_000, queuedMs: 0 })
    const samples = Object.fromEntries(COLD_PEERS.map((peer) => [peer, [] as (ChildReport & { wallMs: number })[]]))
    // One unmeasured pass warms the file-system cache for every client.
    for (const peer of COLD_PEERS) await runChild(script, peer, sim.baseUrl, task.id)
    for (let i = 0; i < options.runsPerPeer; i += 1) {
      for (const peer of roundOrder(COLD_PEERS, i))
        samples[peer]?.push(await runChild(script, peer, sim.baseUrl, task.id))
    }
    const readyOf = (peer: ColdPeer) => median((samples[peer] ?? []).map((s) => s.sinceStartMs))
    const fetchReadyMs = readyOf('fetch')
    const peers = {} as Record<ColdPeer, ColdFigures>
    for (const peer of COLD_PEERS) {
      const runs = samples[peer] ?? []
      const [wall90] = percentiles(
        runs.map((s) => s.wallMs),
        [90],
      ) as [number]
      const [since90] = percentiles(
        runs.map((s) => s.sinceStartMs),
        [90],
      ) as [number]
      const wall50 = median(runs.map((s) => s.wallMs))
      const since50 = median(runs.map((s) => s.sinceStartMs))
      peers[peer] = {
        runs: runs.length,
        wallMs: { p50: round(wall50, 1), p90: round(wall90, 1) },
        sinceStartMs: { p50: round(since50, 1), p90: round(since90, 1) },
        importMs: round(median(runs.map((s) => s.importMs)), 1),
        firstRequestMs: round(median(runs.map((s) => s.firstRequestMs)), 1),
        ratioToFetch: round(readyOf(peer) / fetchReadyMs),
        addedMs: round(readyOf(peer) - fetchReadyMs, 1),
      }
      log(`  ${peer}: start to response p50 ${peers[peer].sinceStartMs.p50} ms, import ${peers[peer].importMs} ms`)
    }
    return { options, peers }
  } finally {
    await sim.close()
  }
}
