/**
 * Timeouts that share one timer. Contexts made with the same timeout get their deadlines in the order they are
 * made, so a first-in-first-out queue needs one timer, armed for its oldest live entry, instead of a setTimeout and
 * a clearTimeout per context. This is what a service's requests need: they all get `REQUEST_TIMEOUT` (unless the
 * client asks for less) and most end long before it. Should the wall clock step back, a later entry may be due
 * before an earlier one: it is then ended when the earlier one is (its `err` reports the deadline on time anyway).
 */
import type { CancelContext, DeadlineTimer } from './cancel-context.js';

/** Ended entries at the front beyond which the queue's array is compacted. */
const COMPACT_AT = 1024;

/**
 * One shared timer for the contexts of one timeout (internal: the service's request deadlines). A context uses it
 * when made with it as its `shared` timer: `new CancelContext(parent, name, Date.now() + queue.timeoutMs, undefined,
 * queue)` (the service's `RequestContext` passes it through).
 */
export class DeadlineQueue implements DeadlineTimer {
  /** Contexts by deadline order; an ended one leaves a hole (undefined) so it is not kept alive. */
  #entries: (CancelContext | undefined)[] = [];
  /** Index of the first entry not yet expired or skipped. */
  #head = 0;
  /** Slot number of `#entries[0]` (slots keep counting across compactions). */
  #base = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The deadline the timer is armed for: due when it fires, whatever the wall clock says (as a timer per context). */
  #armedFor = 0;

  /**
   * @param timeoutMs the timeout every context given this queue has: their deadlines (`now + timeoutMs`) then come
   * in the order they are added, which the one timer relies on
   */
  constructor(readonly timeoutMs: number) {}

  _add(ctx: CancelContext): void {
    ctx._slot = this.#base + this.#entries.length;
    this.#entries.push(ctx);
    if (this.#timer === undefined) this.#arm(ctx._deadline as number);
  }

  _remove(ctx: CancelContext): void {
    const index = ctx._slot - this.#base;
    if (index >= this.#head) this.#entries[index] = undefined;
  }

  #arm(deadline: number): void {
    this.#armedFor = deadline;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, deadline - Date.now()));
    this.#timer.unref();
  }

  /** Expires every entry whose deadline has come, then re-arms for the next live one. */
  #fire(): void {
    this.#timer = undefined;
    const now = Math.max(Date.now(), this.#armedFor);
    const entries = this.#entries;
    let next: number | undefined;
    while (this.#head < entries.length) {
      const ctx = entries[this.#head];
      if (ctx !== undefined && (ctx._deadline as number) > now) {
        next = ctx._deadline as number;
        break;
      }
      entries[this.#head] = undefined;
      this.#head++;
      ctx?._expire();
    }
    if (this.#head >= COMPACT_AT && this.#head * 2 >= entries.length) {
      this.#entries = entries.slice(this.#head);
      this.#base += this.#head;
      this.#head = 0;
    }
    if (next !== undefined) this.#arm(next);
  }
}
