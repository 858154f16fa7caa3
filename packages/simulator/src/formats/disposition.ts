/** Characters RFC 5987 allows unescaped in an ext-value besides letters and digits. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/

/** Percent-encodes UTF-8 as RFC 5987 `ext-value` wants: stricter than `encodeURIComponent` (which keeps `'()*`). */
export function encodeRfc5987(value: string): string {
  let out = ''
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte)
    out += byte < 0x80 && ATTR_CHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** Path separators and control characters never reach a filename, whatever the title holds. */
function safeFilename(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return name.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim() || 'score'
}

/** An ASCII stand-in for clients that ignore `filename*`: accents dropped, anything else non-ASCII replaced. */
export function asciiFilename(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\%]/g, '_')
  return ascii.trim() || 'score'
}

/** `attachment` with both an ASCII `filename` and the exact UTF-8 `filename*`. */
export function contentDisposition(filename: string): string {
  const safe = safeFilename(filename)
  return `attachment; filename="${asciiFilename(safe)}"; filename*=UTF-8''${encodeRfc5987(safe)}`
}
