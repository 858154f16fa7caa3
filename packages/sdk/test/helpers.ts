import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Simulator, type SimulatorOptions, startSimulator } from '@flat-api/simulator'
import { createFlatClient, type FlatClient, type FlatClientOptions } from '../src/index.js'

export const SCORE_XML = readFileSync(
  fileURLToPath(new URL('../../../tools/demo/scores/hello-flat.musicxml', import.meta.url)),
  'utf8',
)

export const FAST_POLLING = { initialDelayMs: 10, maxDelayMs: 40, multiplier: 1.5, jitter: 0 }

export async function setup(
  simulatorOptions: SimulatorOptions = {},
  clientOptions: FlatClientOptions = {},
): Promise<{ sim: Simulator; flat: FlatClient }> {
  const sim = await startSimulator(simulatorOptions)
  const flat = createFlatClient({
    accessToken: 'test-token',
    baseUrl: sim.baseUrl,
    polling: FAST_POLLING,
    requestsPerHour: Number.POSITIVE_INFINITY,
    ...clientOptions,
  })
  return { sim, flat }
}

export async function importScore(flat: FlatClient): Promise<string> {
  const { data, error } = await flat.raw.POST('/scores', { body: { data: SCORE_XML, title: 'Test' } })
  if (!data) throw new Error(`import failed: ${JSON.stringify(error)}`)
  return data.id
}
