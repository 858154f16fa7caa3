const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Standard base64 with padding; no dependency on Buffer or btoa, so it runs the same in browsers and Node. */
export function encodeBase64(bytes: Uint8Array): string {
  const out: string[] = []
  let chunk = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number
    const b = bytes[i + 1]
    const c = bytes[i + 2]
    const triple = (a << 16) | ((b ?? 0) << 8) | (c ?? 0)
    chunk += ALPHABET[(triple >> 18) & 63]
    chunk += ALPHABET[(triple >> 12) & 63]
    chunk += b === undefined ? '=' : ALPHABET[(triple >> 6) & 63]
    chunk += c === undefined ? '=' : ALPHABET[triple & 63]
    // Joined in slices: one string grown by millions of `+=` is slow in some engines.
    if (chunk.length >= 8192) {
      out.push(chunk)
      chunk = ''
    }
  }
  out.push(chunk)
  return out.join('')
}

/** Bytes of a Uint8Array or ArrayBuffer, or undefined for anything else. */
export function asBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  return undefined
}
