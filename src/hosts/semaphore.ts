// Caps concurrent work (SSH channels per connection) with p-limit; waiters are served in arrival order.
// The executor holds a slot across several awaits (connect, open channel, stream), so this adapter hands out a
// release function instead of wrapping one callback. p-limit counts a slot as taken until that release is called,
// and a caller arriving in the tick a slot frees queues behind the earlier waiters rather than slipping past them.
import pLimit, { type LimitFunction } from "p-limit";

export class Semaphore {
  private readonly limiter: LimitFunction;

  constructor(limit: number) {
    this.limiter = pLimit(limit);
  }

  /** Resolves once a slot is free, with the function that gives it back (calling it twice frees one slot). */
  acquire(): Promise<() => void> {
    return new Promise((granted) => {
      void this.limiter(() => new Promise<void>((release) => granted(() => release())));
    });
  }
}
