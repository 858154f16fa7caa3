import { defineConfig } from 'vitest/config'
import { sharedTest } from '../../vitest.shared.js'

export default defineConfig({
  test: {
    ...sharedTest,
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // npm, tsc and Chromium run as child processes: seconds, not milliseconds, on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
