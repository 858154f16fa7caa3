import type { ViteUserConfig } from 'vitest/config'

/**
 * Settings every workspace's tests share: a JSON report that tools/test-summary.mjs adds up into one closing line,
 * and timeouts sized for a 2-core machine running several suites at once.
 */
export const sharedTest = {
  testTimeout: 30_000,
  hookTimeout: 30_000,
  reporters: ['default', 'json'],
  outputFile: { json: '.vitest/results.json' },
} satisfies NonNullable<ViteUserConfig['test']>
