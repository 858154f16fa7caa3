import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runDemo, summaryLine } from './demo.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const token = process.env.FLAT_ACCESS_TOKEN || undefined

try {
  const result = await runDemo({
    outDir: resolve(root, 'out'),
    accessToken: token,
    scoreId: process.env.FLAT_SCORE_ID || undefined,
    write: (text) => process.stdout.write(text),
    isTTY: Boolean(process.stdout.isTTY),
  })
  process.stdout.write(`${summaryLine(result, root)}\n`)
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
}
