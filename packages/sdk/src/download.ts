import type { paths } from '@flat-api/raw'
import type { ClientContext } from './context.js'
import {
  createApiError,
  FlatConnectionError,
  FlatError,
  FlatMalformedResponseError,
  type RequestTarget,
} from './errors.js'
import { parseContentDisposition } from './headers.js'
import type { RequestSettings } from './transport.js'
import { withTarget } from './transport.js'

/** Every format `GET /scores/{score}/revisions/{revision}/{format}` serves. */
export const REVISION_FORMATS = [
  'json',
  'mxl',
  'xml',
  'mp3',
  'wav',
  'midi',
  'flat',
  'thumbnail.png',
  'synchronizationPoints',
] as const satisfies readonly paths['/scores/{score}/revisions/{revision}/{format}']['parameters']['path']['format'][]

/** A format a score revision can be downloaded in: one of {@link REVISION_FORMATS}. */
export type RevisionFormat = (typeof REVISION_FORMATS)[number]
type DeclaredRevisionFormat = paths['/scores/{score}/revisions/{revision}/{format}']['parameters']['path']['format']
const exhaustive: [DeclaredRevisionFormat] extends [RevisionFormat] ? true : false = true
void exhaustive

/** Formats whose body is JSON, parsed; formats in neither list stay bytes. */
export const JSON_FORMATS = ['json', 'synchronizationPoints'] as const
/** Formats whose body is text (uncompressed MusicXML), decoded to a string. */
export const TEXT_FORMATS = ['xml', 'musicxml'] as const

/**
 * What `data` holds for a format: parsed JSON (`unknown`) for `json` and `synchronizationPoints`, a string for the
 * uncompressed MusicXML of `xml` and `musicxml`, and the exact bytes (`Uint8Array`) for every other format.
 */
export type FormatData<F extends string> = F extends (typeof JSON_FORMATS)[number]
  ? unknown
  : F extends (typeof TEXT_FORMATS)[number]
    ? string
    : Uint8Array

/** A downloaded file: its body, decoded as {@link FormatData} describes, and what the response said about it. */
export interface DownloadedFile<D> {
  /** The body: parsed JSON (undefined for an empty body), a string, or the exact bytes, depending on the format. */
  data: D
  /** `Content-Type` of the file, as sent. */
  contentType: string | undefined
  /** From `Content-Disposition` (`filename*` preferred), reduced to a safe base name. */
  filename: string | undefined
  /** Size of the body in bytes, as received. */
  bytes: number
}

type Kind = 'json' | 'text' | 'bytes'

export function kindOf(format: string): Kind {
  if ((JSON_FORMATS as readonly string[]).includes(format)) return 'json'
  if ((TEXT_FORMATS as readonly string[]).includes(format)) return 'text'
  return 'bytes'
}

/** Text in the encoding its byte-order mark names, UTF-8 without one. */
function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes)
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes)
  return new TextDecoder('utf-8').decode(bytes)
}

/** Turns a received body into what `kind` promises; a JSON format that does not parse is a malformed response. */
export function decodeBody(
  target: RequestTarget,
  response: Response,
  buffer: ArrayBuffer | undefined,
  kind: Kind,
): DownloadedFile<unknown> {
  const bytes = buffer ? new Uint8Array(buffer) : new Uint8Array(0)
  let data: unknown = bytes
  if (kind === 'text') data = decodeText(bytes)
  if (kind === 'json') {
    try {
      data = bytes.length === 0 ? undefined : JSON.parse(decodeText(bytes))
    } catch (cause) {
      throw new FlatMalformedResponseError(target, response.status, cause)
    }
  }
  return {
    data,
    contentType: response.headers.get('content-type') ?? undefined,
    filename: parseContentDisposition(response.headers.get('content-disposition')).filename,
    bytes: bytes.byteLength,
  }
}

/**
 * Reading a binary body happens after the transport returned, outside its error mapping: a cut connection there is
 * a bare TypeError from fetch, made a FlatConnectionError here. An abort keeps its reason.
 */
export async function guardBody<T>(
  target: RequestTarget,
  signal: AbortSignal | undefined,
  work: Promise<T>,
): Promise<T> {
  try {
    return await work
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    if (error instanceof FlatError || !(error instanceof TypeError)) throw error
    throw new FlatConnectionError(target, error)
  }
}

export interface FileFetchOptions {
  signal?: AbortSignal | undefined
  timeoutMs?: number | undefined
}

/**
 * Downloads a signed file URL (an export task's `result.url`) with the client's timeout and retries but never the
 * token, whatever its origin.
 */
export async function fetchSignedFile(
  context: ClientContext,
  url: string,
  target: RequestTarget,
  options: FileFetchOptions,
): Promise<{ response: Response; buffer: ArrayBuffer }> {
  const parsed = URL.canParse(url) ? new URL(url) : undefined
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new FlatMalformedResponseError(target, 200, undefined, 'a file URL that is not http(s)')
  }
  const settings: RequestSettings = {
    auth: 'never',
    readWhole: true,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  }
  const request = withTarget(
    new Request(parsed.href, {
      method: 'GET',
      headers: { 'User-Agent': context.transport.userAgent },
      ...(options.signal ? { signal: options.signal } : {}),
    }),
    target,
  )
  const response = await context.fetchWith(settings)(request)
  if (!response.ok) {
    const text = await guardBody(target, options.signal, response.text())
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {
      // A file host answers in plain text or HTML as often as in JSON.
    }
    throw createApiError(target, response, body)
  }
  const buffer = await guardBody(target, options.signal, response.arrayBuffer())
  return { response, buffer }
}
