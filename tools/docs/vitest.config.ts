import { defineConfig } from 'vitest/config'
import { sharedTest } from '../../vitest.shared.js'

export default defineConfig({
  test: {
    ...sharedTest,
    include: ['test/**/*.test.ts'],
    // The compiler checks a few hundred examples, and the determinism test runs the JVM generator twice.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
})
