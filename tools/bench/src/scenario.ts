/**
 * Runs one scenario in this process and writes its result as JSON to stdout (progress goes to stderr). main.ts starts
 * one process per scenario, so no scenario inherits another's heap, JIT state or open sockets.
 *
 *   node --expose-gc --import tsx tools/bench/src/scenario.ts <scenario> [--quick]
 */
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { runBundle } from './bundle.js'
import { CODEGEN_FULL, CODEGEN_QUICK, runCodegen } from './codegen.js'
import { COLD_START_FULL, COLD_START_QUICK, runColdStart } from './cold-start.js'
import { OVERHEAD_FULL, OVERHEAD_QUICK, runOverhead } from './overhead.js'
import { SCENARIOS, type ScenarioName, type ScenarioResults } from './report.js'
import { runScale, SCALE_FULL, SCALE_QUICK } from './scale.js'
import { runWaiting, WAITING_FULL, WAITING_QUICK } from './waiting.js'

export function runScenario<K extends ScenarioName>(
  name: K,
  quick: boolean,
  log: (line: string) => void,
): Promise<ScenarioResults[K]> {
  const runners: { [N in ScenarioName]: () => Promise<ScenarioResults[N]> } = {
    overhead: () => runOverhead(quick ? OVERHEAD_QUICK : OVERHEAD_FULL, log),
    'cold-start': () => runColdStart(quick ? COLD_START_QUICK : COLD_START_FULL, log),
    bundle: () => runBundle(log),
    waiting: () => runWaiting(quick ? WAITING_QUICK : WAITING_FULL, log),
    scale: () => runScale(quick ? SCALE_QUICK : SCALE_FULL, log),
    codegen: () => runCodegen(quick ? CODEGEN_QUICK : CODEGEN_FULL, log),
  }
  return runners[name]()
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    options: { quick: { type: 'boolean', default: false } },
    allowPositionals: true,
  })
  const [name] = positionals
  if (!(SCENARIOS as readonly string[]).includes(name ?? '')) {
    throw new Error(`unknown scenario ${JSON.stringify(name)}; choose from ${SCENARIOS.join(', ')}`)
  }
  const result = await runScenario(name as ScenarioName, values.quick ?? false, (line) =>
    process.stderr.write(`${line}\n`),
  )
  process.stdout.write(JSON.stringify(result))
}
