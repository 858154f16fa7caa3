import { defineConfig } from 'vitest/config'
import { sharedTest } from '../../vitest.shared.js'

export default defineConfig({
  test: {
    ...sharedTest,
    include: ['test/**/*.test.ts'],
    // Prism is a child process that takes a few seconds to load the spec on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
