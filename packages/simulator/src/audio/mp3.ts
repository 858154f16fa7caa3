import { Mp3Encoder } from '@breezystack/lamejs'
import { layer3BitratesKbps, MP3_SAMPLE_RATES, mpegVersionFor } from './mp3-frames.js'

export const DEFAULT_MP3_KBPS = 128

// LAME encodes MPEG-2.5 (8 to 12 kHz) at 64 kbps at most, although the frame header could say more.
const MPEG25_MAX_KBPS = 64

/** The bitrates `encodeMp3` accepts at `sampleRate`; empty when MP3 cannot carry that rate. */
export function mp3BitratesKbps(sampleRate: number): readonly number[] {
  const bitrates = layer3BitratesKbps(sampleRate)
  return mpegVersionFor(sampleRate) === '2.5' ? bitrates.filter((kbps) => kbps <= MPEG25_MAX_KBPS) : bitrates
}

/** The bitrate `encodeMp3` will use, or a `RangeError` when the sample rate or bitrate cannot be encoded. */
export function resolveMp3Bitrate(sampleRate: number, kbps?: number): number {
  const bitrates = mp3BitratesKbps(sampleRate)
  if (bitrates.length === 0) {
    throw new RangeError(`MP3 cannot use a sample rate of ${sampleRate} Hz; use one of ${MP3_SAMPLE_RATES.join(', ')}`)
  }
  const bitrateKbps = kbps ?? Math.min(DEFAULT_MP3_KBPS, bitrates[bitrates.length - 1] ?? DEFAULT_MP3_KBPS)
  if (!bitrates.includes(bitrateKbps)) {
    throw new RangeError(`MP3 at ${sampleRate} Hz cannot use ${bitrateKbps} kbps; use one of ${bitrates.join(', ')}`)
  }
  return bitrateKbps
}

// One MPEG-1 Layer III frame's worth of samples per call keeps the encoder's scratch buffer small.
const BLOCK_SAMPLES = 1152

/**
 * Encodes mono 16-bit PCM as a constant-bitrate MP3. `sampleRate` must be one MP3 can carry (8000 to 48000 Hz,
 * see `MP3_SAMPLE_RATES`) and `kbps` one of `mp3BitratesKbps(sampleRate)`; otherwise `RangeError`. `kbps` defaults to
 * 128, or 64 at the MPEG-2.5 rates (8000, 11025, 12000 Hz). At low bitrates LAME may choose a lower output sample
 * rate (e.g. 32 kbps from 44100 Hz comes out at 22050 Hz); the duration is unchanged.
 */
export function encodeMp3(pcm: Int16Array, sampleRate: number, kbps?: number): Uint8Array {
  const bitrateKbps = resolveMp3Bitrate(sampleRate, kbps)
  const encoder = new Mp3Encoder(1, sampleRate, bitrateKbps)
  const chunks: Uint8Array[] = []
  let totalBytes = 0
  const keep = (chunk: ArrayBufferView): void => {
    if (chunk.byteLength === 0) return
    // The encoder returns a fresh Int8Array (despite its typings); view that memory as unsigned bytes.
    chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    totalBytes += chunk.byteLength
  }
  for (let start = 0; start < pcm.length; start += BLOCK_SAMPLES) {
    keep(encoder.encodeBuffer(pcm.subarray(start, start + BLOCK_SAMPLES)))
  }
  keep(encoder.flush())

  const bytes = new Uint8Array(totalBytes)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
}
