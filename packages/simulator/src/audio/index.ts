import { encodeMp3, resolveMp3Bitrate } from './mp3.js'
import { parseMusicXml } from './musicxml.js'
import { DEFAULT_SAMPLE_RATE, renderPcm } from './synth.js'
import { encodeWav } from './wav.js'

export { DEFAULT_MP3_KBPS, encodeMp3, mp3BitratesKbps, resolveMp3Bitrate } from './mp3.js'
export type { Mp3Info } from './mp3-frames.js'
export { MP3_SAMPLE_RATES, readMp3Frames } from './mp3-frames.js'
export type { ParsedScore, ScoreNote } from './musicxml.js'
export { DEFAULT_TEMPO_QPM, parseMusicXml } from './musicxml.js'
export type { RenderPcmOptions } from './synth.js'
export { DEFAULT_SAMPLE_RATE, renderPcm } from './synth.js'
export type { WavInfo } from './wav.js'
export { encodeWav, readWavInfo } from './wav.js'

export type AudioFormat = 'mp3' | 'wav'

export interface RenderAudioOptions {
  partIds?: readonly string[]
  /** Default 44100. For MP3 it must be a rate MP3 supports (see `MP3_SAMPLE_RATES`). */
  sampleRate?: number
}

export interface RenderedAudio {
  bytes: Uint8Array
  /** As Flat's API names them: `audio/mp3` or `audio/wav`. */
  contentType: string
  durationSec: number
}

const CONTENT_TYPES: Readonly<Record<AudioFormat, string>> = { mp3: 'audio/mp3', wav: 'audio/wav' }

/**
 * MusicXML text in, a playable audio file out. Throws `TypeError` for a score it cannot read and `RangeError` for an
 * unknown format, part id or unusable sample rate.
 */
export function renderAudio(xml: string, format: AudioFormat, options: RenderAudioOptions = {}): RenderedAudio {
  if (format !== 'mp3' && format !== 'wav') throw new RangeError(`Unknown audio format "${String(format)}"`)
  const score = parseMusicXml(xml)
  const sampleRate = options.sampleRate ?? DEFAULT_SAMPLE_RATE
  // Fail before the (comparatively slow) rendering when the MP3 encoder would refuse the rate anyway.
  const kbps = format === 'mp3' ? resolveMp3Bitrate(sampleRate) : undefined
  const pcm = renderPcm(score, { sampleRate, partIds: options.partIds })
  const bytes = format === 'mp3' ? encodeMp3(pcm, sampleRate, kbps) : encodeWav(pcm, sampleRate)
  return { bytes, contentType: CONTENT_TYPES[format], durationSec: score.durationSec }
}
