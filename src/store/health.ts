import { MongoError, MongoNetworkError, MongoNotConnectedError, MongoOperationTimeoutError, MongoServerSelectionError, MongoTopologyClosedError, type Db } from 'mongodb';

/**
 * Whether an error means the database cannot be reached right now (down, frozen, or the network
 * to it cut): retrying later can succeed, so a request answers 503 with Retry-After and a channel
 * redelivers. Any other error is not helped by retrying.
 * @example if (isDatabaseUnavailable(error)) throw new HttpError(503, 'unavailable', …);
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof MongoNetworkError || e instanceof MongoServerSelectionError || e instanceof MongoOperationTimeoutError) return true;
    // the client closed or not yet connected (the app stopping), a primary stepping down
    if (e instanceof MongoNotConnectedError || e instanceof MongoTopologyClosedError) return true;
    if (e instanceof MongoError && e.hasErrorLabel('RetryableWriteError')) return true;
  }
  return false;
}

export interface DatabaseHealthOptions {
  /** How often the database is pinged (default every second). */
  readonly everyMs?: number;
  /** How long a ping may take before the database counts as unreachable (default 1 s). */
  readonly timeoutMs?: number;
  /** Called once when the database stops answering and once when it is back (with how long it was gone). */
  readonly onChange?: (up: boolean, downForMs: number) => void;
}

/**
 * Pings the database on a timer and knows, at any moment, whether it answers: so `/healthz` answers
 * at once, requests waiting on a frozen or dead database are cut short with 503, and the outage is
 * logged once when it starts and once when it ends, instead of at every failed poll.
 * @example const health = new DatabaseHealth(db, { onChange: (up) => log.warn('database', up ? 'back' : 'unreachable') }); health.start();
 */
export class DatabaseHealth {
  private upNow = true;
  private downSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<boolean> | undefined;
  private readonly listeners = new Set<(up: boolean) => void>();
  private readonly everyMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly db: Db,
    private readonly options: DatabaseHealthOptions = {},
  ) {
    this.everyMs = options.everyMs ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 1_000;
  }

  /** Whether the last ping was answered in time. */
  get up(): boolean {
    return this.upNow;
  }

  /** Calls `listener` at every change; returns a function that removes it. */
  onChange(listener: (up: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Pings now (one ping at a time), within the timeout; records and returns the answer. */
  check(): Promise<boolean> {
    this.checking ??= this.ping().then((ok) => {
      this.checking = undefined;
      this.record(ok);
      return ok;
    });
    return this.checking;
  }

  private async ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.timeoutMs);
    });
    const answered = this.db.command({ ping: 1 }, { timeoutMS: this.timeoutMs }).then(
      () => true,
      // any failure to ping means "not answering"; what failed is not needed to say so
      () => false,
    );
    try {
      return await Promise.race([answered, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private record(ok: boolean): void {
    if (ok === this.upNow) return;
    this.upNow = ok;
    const now = Date.now();
    if (!ok) this.downSince = now;
    this.options.onChange?.(ok, ok ? now - this.downSince : 0);
    for (const listener of this.listeners) listener(ok);
  }
}
