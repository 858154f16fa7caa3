// Adds up every workspace's vitest JSON report into one closing line, so a CI log ends with the whole count.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
let passed = 0
let failed = 0
let skipped = 0
const rows = []
for (const group of ['packages', 'tools', 'openapi']) {
  const dirs =
    group === 'openapi'
      ? ['']
      : readdirSync(join(root, group), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => d.name)
  for (const dir of dirs) {
    const report = join(root, group, dir, '.vitest', 'results.json')
    if (!existsSync(report)) continue
    const results = JSON.parse(readFileSync(report, 'utf8'))
    passed += results.numPassedTests
    failed += results.numFailedTests
    skipped += results.numPendingTests + results.numTodoTests
    rows.push(
      `${join(group, dir).padEnd(22)} ${String(results.numPassedTests).padStart(5)} passed, ${results.numFailedTests} failed`,
    )
  }
}
process.stdout.write(`\n${rows.join('\n')}\n`)
process.stdout.write(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`)
process.exitCode = failed > 0 || rows.length === 0 ? 1 : 0
