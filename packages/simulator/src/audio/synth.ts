import type { ParsedScore } from './musicxml.js'

export interface RenderPcmOptions {
  /** Samples per second; a positive integer. Default 44100. */
  sampleRate?: number
  /** Render only these parts. Default: every part. */
  partIds?: readonly string[]
}

export const DEFAULT_SAMPLE_RATE = 44100

/** Harmonic number and relative amplitude: a soft, organ-like timbre that is easy to tell apart from silence. */
const HARMONICS: readonly (readonly [number, number])[] = [
  [1, 1],
  [2, 0.35],
  [3, 0.15],
]
// Short linear ramps at both ends of every note: long enough to avoid clicks, short enough to keep rhythm crisp.
const ATTACK_SEC = 0.005
const RELEASE_SEC = 0.03
// Notes fade from full level towards SUSTAIN_LEVEL, so repeated pitches stay distinguishable.
const SUSTAIN_LEVEL = 0.6
const DECAY_PER_SEC = 3
// Normalize the loudest sample to -1 dBFS, leaving headroom for MP3 encoding overshoot.
const PEAK_LEVEL = 0.891 * 32767

/** Validates a sample rate option, throwing `RangeError` on anything but a positive integer. */
export function checkSampleRate(sampleRate: number): number {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new RangeError(`sampleRate must be a positive integer, got ${sampleRate}`)
  }
  return sampleRate
}

/**
 * Renders the score as mono 16-bit PCM: each note is a sine with two overtones under an attack/decay/release
 * envelope, and the mix is scaled so its peak sits just below full scale (it never clips).
 * The result has exactly `round(durationSec * sampleRate)` samples. Throws `RangeError` for an unknown part id.
 */
export function renderPcm(score: ParsedScore, options: RenderPcmOptions = {}): Int16Array {
  const sampleRate = checkSampleRate(options.sampleRate ?? DEFAULT_SAMPLE_RATE)
  const known = new Set(score.parts.map((part) => part.id))
  for (const id of options.partIds ?? []) {
    if (!known.has(id)) {
      throw new RangeError(`Unknown part id "${id}"; the score has parts: ${[...known].join(', ') || '(none)'}`)
    }
  }
  const keep = options.partIds === undefined ? undefined : new Set(options.partIds)

  const length = Math.max(0, Math.round(score.durationSec * sampleRate))
  const mix = new Float64Array(length)
  const nyquist = sampleRate / 2
  const decayPerSample = Math.exp(-DECAY_PER_SEC / sampleRate)

  for (const note of score.notes) {
    if (keep !== undefined && !keep.has(note.partId)) continue
    const start = Math.max(0, Math.round(note.startSec * sampleRate))
    const end = Math.min(length, Math.round((note.startSec + note.durationSec) * sampleRate))
    const count = end - start
    if (count <= 0) continue

    const frequency = 440 * 2 ** ((note.midi - 69) / 12)
    // Overtones at or above Nyquist would alias into audible noise; drop them.
    const partials = HARMONICS.filter(([harmonic]) => frequency * harmonic < nyquist)
    const totalAmplitude = partials.reduce((sum, [, amplitude]) => sum + amplitude, 0)
    if (totalAmplitude === 0) continue
    const amplitudes = Float64Array.from(partials, ([, amplitude]) => amplitude / totalAmplitude)
    // Each partial runs as a sine recurrence, sin(n+1)w = 2cos(w) sin(nw) - sin(n-1)w, far cheaper than Math.sin
    // per sample and accurate to well below 16-bit resolution over any note length.
    const steps = partials.map(([harmonic]) => (2 * Math.PI * frequency * harmonic) / sampleRate)
    const coefficients = Float64Array.from(steps, (step) => 2 * Math.cos(step))
    // Seeded with the two samples before the note (n = -1, -2), so the note starts at sin(0) = 0.
    const previous = Float64Array.from(steps, (step) => -Math.sin(step))
    const beforePrevious = Float64Array.from(steps, (step) => -Math.sin(2 * step))

    const attack = Math.max(1, Math.min(Math.round(ATTACK_SEC * sampleRate), Math.floor(count / 2)))
    const release = Math.max(1, Math.min(Math.round(RELEASE_SEC * sampleRate), count - attack))
    let decay = 1
    for (let i = 0; i < count; i++) {
      let envelope = SUSTAIN_LEVEL + (1 - SUSTAIN_LEVEL) * decay
      if (i < attack) envelope *= i / attack
      const remaining = count - i
      if (remaining < release) envelope *= remaining / release
      decay *= decayPerSample

      let sample = 0
      for (let p = 0; p < coefficients.length; p++) {
        const current = (coefficients[p] ?? 0) * (previous[p] ?? 0) - (beforePrevious[p] ?? 0)
        beforePrevious[p] = previous[p] ?? 0
        previous[p] = current
        sample += (amplitudes[p] ?? 0) * current
      }
      mix[start + i] = (mix[start + i] ?? 0) + envelope * sample
    }
  }

  let peak = 0
  for (let i = 0; i < length; i++) peak = Math.max(peak, Math.abs(mix[i] ?? 0))
  const pcm = new Int16Array(length)
  if (peak === 0) return pcm
  const gain = PEAK_LEVEL / peak
  for (let i = 0; i < length; i++) {
    pcm[i] = Math.max(-32768, Math.min(32767, Math.round((mix[i] ?? 0) * gain)))
  }
  return pcm
}
