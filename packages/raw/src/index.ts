export type { RawClient, RawClientOptions } from './client.js'
export { createRawClient, DEFAULT_BASE_URL } from './client.js'
export type * from './generated/schema.gen.js'
export { encodePathParam, serializePath } from './path.js'
