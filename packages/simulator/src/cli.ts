#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { startSimulator } from './server.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    'export-duration-ms': { type: 'string', default: '2000' },
    'failure-rate': { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
})

if (values.help) {
  process.stdout.write(
    'Usage: flat-simulator [--port 4010] [--host 127.0.0.1] [--export-duration-ms 2000] [--failure-rate 0] [--seed 1]\n',
  )
  process.exit(0)
}

const simulator = await startSimulator({
  port: Number(values.port),
  host: values.host,
  exportDurationMs: Number(values['export-duration-ms']),
  failureRate: Number(values['failure-rate']),
  seed: Number(values.seed),
})
process.stdout.write(`Flat API simulator listening on ${simulator.baseUrl}\n`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    simulator.close().then(() => process.exit(0))
  })
}
