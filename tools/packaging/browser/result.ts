/** One task observation as the page showed it. */
export interface ShownProgress {
  state: string
  percent: number | undefined
}

/** What the page leaves on `window.flatResult` once it has finished, for the test that drives it. */
export type PageResult =
  | {
      ok: true
      scoreId: string
      taskId: string
      state: string
      /** Every observation shown while waiting, then the final task. */
      shown: ShownProgress[]
      /** Size of the downloaded file, its type and its first four bytes. */
      bytes: number
      contentType: string | null
      head: number[]
    }
  | { ok: false; error: string }

declare global {
  interface Window {
    flatResult?: PageResult
    /** Each distinct text of `#progress-text`, recorded by the test from DOM mutations. */
    progressTexts?: string[]
  }
}
