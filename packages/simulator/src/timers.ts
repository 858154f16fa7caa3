/** Timers that never keep the process alive and all stop at once when the simulator closes. */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>()
  private closed = false

  set(callback: () => void, delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.pending.delete(timer)
      if (!this.closed) callback()
    }, delayMs)
    timer.unref()
    this.pending.add(timer)
    return timer
  }

  clear(timer: NodeJS.Timeout | undefined): void {
    if (!timer) return
    clearTimeout(timer)
    this.pending.delete(timer)
  }

  get size(): number {
    return this.pending.size
  }

  clearAll(): void {
    this.closed = true
    for (const timer of this.pending) clearTimeout(timer)
    this.pending.clear()
  }
}
