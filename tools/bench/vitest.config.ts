import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The scale scenario measures heap after a full collection.
    execArgv: ['--expose-gc'],
    // Child processes (simulator, cold starts, tsc) take seconds on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
})
