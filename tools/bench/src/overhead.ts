/**
 * Per-request overhead: `GET /tasks/{task}` in a closed loop through each client, sequentially and with many in
 * flight, against a simulator in its own process. Rounds alternate the order of the contenders; ratios are taken
 * per round (paired) and summarized by their median and range.
 */
import { type BreakdownOptions, type BreakdownResult, runBreakdown } from './breakdown.js'
import { guardedFetch } from './guard.js'
import {
  closedLoop,
  collectGarbage,
  type LoopResult,
  mean,
  percentiles,
  round,
  roundOrder,
  type Spread,
  spread,
} from './measure.js'
import { createPeer, PEER_NAMES, type Peer, type PeerName } from './peers.js'
import { startSimProcess } from './sim-process.js'

export interface OverheadOptions {
  rounds: number
  sequentialRequests: number
  concurrentRequests: number
  concurrency: number
  warmupRequests: number
  /** Time cap of one measured block. */
  maxBlockMs: number
  breakdown: BreakdownOptions
}

// Many short rounds rather than a few long ones: drift on this machine is slow, so pairing within a round cancels it.
export const OVERHEAD_FULL: OverheadOptions = {
  rounds: 28,
  sequentialRequests: 400,
  concurrentRequests: 800,
  concurrency: 16,
  warmupRequests: 600,
  maxBlockMs: 20_000,
  breakdown: { rounds: 7, calls: 3000, primitiveOps: 20_000 },
}

export const OVERHEAD_QUICK: OverheadOptions = {
  rounds: 2,
  sequentialRequests: 300,
  concurrentRequests: 600,
  concurrency: 16,
  warmupRequests: 200,
  maxBlockMs: 5_000,
  breakdown: { rounds: 2, calls: 800, primitiveOps: 4000 },
}

export interface ModeFigures {
  requests: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  /** Client-process CPU per request; the server runs in another process. */
  cpuUsPerRequest: number
  msPerRequestByRound: number[]
  cpuUsPerRequestByRound: number[]
}

export type Mode = 'sequential' | 'concurrent'

export interface OverheadResult {
  options: OverheadOptions
  peers: PeerName[]
  figures: Record<Mode, Record<PeerName, ModeFigures>>
  /** `a/b`: a's time per request over b's, per round; above 1 means a is slower. */
  ratios: Record<Mode, Record<string, Spread>>
  /** The same pairs on client CPU per request. */
  cpuRatios: Record<Mode, Record<string, Spread>>
  breakdown: BreakdownResult
}

/** The pairs the report needs, numerator first. */
export const RATIO_PAIRS: readonly (readonly [PeerName, PeerName])[] = [
  ['openapi-fetch', 'fetch'],
  ['raw', 'fetch'],
  ['sdk', 'fetch'],
  ['flat-api', 'fetch'],
  ['sdk.raw', 'fetch'],
  ['sdk.poll', 'fetch'],
  ['lean', 'fetch'],
  ['raw', 'openapi-fetch'],
  ['sdk', 'raw'],
  ['sdk.raw', 'raw'],
  ['sdk', 'sdk.raw'],
  ['sdk.poll', 'raw'],
  ['openapi-fetch', 'flat-api'],
  ['raw', 'flat-api'],
  ['sdk', 'flat-api'],
  ['lean', 'raw'],
  ['sdk', 'lean'],
  ['sdk.poll', 'lean'],
]

function summarize(blocks: LoopResult[]): ModeFigures {
  const latencies = blocks.flatMap((block) => block.latenciesMs)
  const requests = blocks.reduce((sum, block) => sum + block.requests, 0)
  const elapsedMs = blocks.reduce((sum, block) => sum + block.elapsedMs, 0)
  const cpuUs = blocks.reduce((sum, block) => sum + block.cpuUs, 0)
  const [p50Ms, p99Ms] = percentiles(latencies, [50, 99]) as [number, number]
  return {
    requests,
    requestsPerSecond: round((requests / elapsedMs) * 1000, 1),
    p50Ms: round(p50Ms),
    p99Ms: round(p99Ms),
    cpuUsPerRequest: round(cpuUs / requests, 1),
    msPerRequestByRound: blocks.map((block) => round(block.elapsedMs / block.requests, 4)),
    cpuUsPerRequestByRound: blocks.map((block) => round(block.cpuUs / block.requests, 1)),
  }
}

function pairRatios(figures: Record<PeerName, ModeFigures>, key: 'msPerRequestByRound' | 'cpuUsPerRequestByRound') {
  const ratios: Record<string, Spread> = {}
  for (const [a, b] of RATIO_PAIRS) {
    const left = figures[a][key]
    const right = figures[b][key]
    ratios[`${a}/${b}`] = spread(left.map((value, index) => value / (right[index] as number)))
  }
  return ratios
}

export async function runOverhead(
  options: OverheadOptions,
  log: (line: string) => void = () => {},
): Promise<OverheadResult> {
  const sim = await startSimProcess()
  try {
    const send = guardedFetch(sim.url)
    const peers = PEER_NAMES.map((name) => createPeer(name, sim.baseUrl, send))
    const measure = (peer: Peer, requests: number, concurrency: number, maxMs: number): Promise<LoopResult> =>
      peer.pollLoop
        ? peer.pollLoop(sim.taskIds.slice(0, concurrency), requests, maxMs)
        : closedLoop(() => peer.getTask(sim.taskId), { requests, concurrency, maxMs })

    // Warm-up, with every URL checked: each contender must return the task before it is measured.
    for (const peer of peers) {
      const task = await peer.getTask(sim.taskId)
      if (task.id !== sim.taskId) throw new Error(`${peer.name} returned task ${task.id}, expected ${sim.taskId}`)
      await measure(peer, options.warmupRequests, 4, options.maxBlockMs)
    }
    send.checking = false

    const blocks: Record<Mode, Record<PeerName, LoopResult[]>> = {
      sequential: Object.fromEntries(PEER_NAMES.map((name) => [name, []])) as unknown as Record<PeerName, LoopResult[]>,
      concurrent: Object.fromEntries(PEER_NAMES.map((name) => [name, []])) as unknown as Record<PeerName, LoopResult[]>,
    }
    for (let r = 0; r < options.rounds; r += 1) {
      const modes: Mode[] = r % 2 === 0 ? ['sequential', 'concurrent'] : ['concurrent', 'sequential']
      for (const mode of modes) {
        for (const peer of roundOrder(peers, r)) {
          collectGarbage()
          const result = await measure(
            peer,
            mode === 'sequential' ? options.sequentialRequests : options.concurrentRequests,
            mode === 'sequential' ? 1 : options.concurrency,
            options.maxBlockMs,
          )
          blocks[mode][peer.name].push(result)
        }
      }
      const seq = blocks.sequential
      log(
        `  round ${r + 1}/${options.rounds}: sequential ms/request ${PEER_NAMES.map(
          (name) => `${name} ${round(mean(seq[name].slice(-1).map((b) => b.elapsedMs / b.requests)), 3)}`,
        ).join(', ')}`,
      )
    }

    const figures = {
      sequential: Object.fromEntries(PEER_NAMES.map((name) => [name, summarize(blocks.sequential[name])])),
      concurrent: Object.fromEntries(PEER_NAMES.map((name) => [name, summarize(blocks.concurrent[name])])),
    } as Record<Mode, Record<PeerName, ModeFigures>>
    await sim.stop()
    log('  breakdown (in process, stubbed fetch)')
    const breakdown = await runBreakdown(options.breakdown, log)
    return {
      options,
      peers: [...PEER_NAMES],
      figures,
      ratios: {
        sequential: pairRatios(figures.sequential, 'msPerRequestByRound'),
        concurrent: pairRatios(figures.concurrent, 'msPerRequestByRound'),
      },
      cpuRatios: {
        sequential: pairRatios(figures.sequential, 'cpuUsPerRequestByRound'),
        concurrent: pairRatios(figures.concurrent, 'cpuUsPerRequestByRound'),
      },
      breakdown,
    }
  } finally {
    await sim.stop()
  }
}
