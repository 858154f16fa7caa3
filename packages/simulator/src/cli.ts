#!/usr/bin/env node
import { parseCliArgs, USAGE } from './cli-options.js'
import { startSimulator } from './server.js'

let parsed: ReturnType<typeof parseCliArgs>
try {
  parsed = parseCliArgs(process.argv.slice(2))
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}`)
  process.exit(2)
}

if (parsed.help) {
  process.stdout.write(USAGE)
  process.exit(0)
}

const simulator = await startSimulator(parsed.options)
process.stdout.write(`Flat API simulator listening on ${simulator.baseUrl} (files on ${simulator.fileHost.url})\n`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    simulator.close().then(() => process.exit(0))
  })
}
