export {
  type Change,
  type ChangeKind,
  diffSpecs,
  formatDiffJson,
  formatDiffText,
  type OperationDiff,
  type OperationRef,
  type SchemaDiff,
  type SchemaRef,
  type SpecDiff,
} from './diff.js'
export { formatLock, LOCK_FILE, lockPath, readLock, type SpecLock, writeLock } from './lock.js'
export { assertLocalRefsResolve, assertOpenApi3, openApiInfo } from './openapi.js'
export {
  applyOverlay,
  type LoadedOverlay,
  loadOverlays,
  mergeInto,
  type OverlayAction,
  type OverlayDocument,
  validateOverlay,
} from './overlay.js'
export { findRepoRoot } from './repo.js'
export {
  CACHE_DIR,
  OVERLAYS_DIR,
  RESOLVED_FILE,
  renderResolvedSpec,
  type SyncOptions,
  type SyncResult,
  syncSpec,
} from './sync.js'
export { type UpdateOptions, type UpdateResult, updateLock } from './update.js'
export { type FetchLike, listOperations, SpecToolError } from './util.js'
