// The channel cap of an SSH connection: however callers arrive and leave, no more than the limit hold a slot at once.
import { describe, expect, it } from "vitest";
import { Semaphore } from "../../src/hosts/semaphore.js";

/** Counts how many callers hold a slot and the most that ever held one together. */
function tracker() {
  let active = 0;
  let peak = 0;
  return {
    get peak() {
      return peak;
    },
    enter() {
      active++;
      peak = Math.max(peak, active);
    },
    leave() {
      active--;
    },
  };
}

describe("Semaphore", () => {
  it.each([1, 2, 4])("lets at most %i through when a new caller arrives in the tick a slot is freed", async (limit) => {
    const sem = new Semaphore(limit);
    const seen = tracker();
    const held: (() => void)[] = [];
    for (let i = 0; i < limit; i++) {
      held.push(await sem.acquire());
      seen.enter();
    }
    // One caller queues behind the full semaphore.
    const queued = sem.acquire().then((release) => {
      seen.enter();
      return release;
    });
    // A slot is freed and, in the same tick, one more caller arrives: N + 1 race for N slots.
    held.shift()!();
    seen.leave();
    const late = sem.acquire().then((release) => {
      seen.enter();
      return release;
    });
    const first = await Promise.race([queued, late]);
    await new Promise((r) => setTimeout(r, 10));
    expect(seen.peak).toBe(limit);
    first();
    seen.leave();
    // The other one gets the freed slot; a release called twice frees one slot only.
    (await queued)();
    (await late)();
    for (const release of held) release();
  });

  it("never has more than the limit running under a random mix of arrivals and departures", async () => {
    const limit = 3;
    const sem = new Semaphore(limit);
    const seen = tracker();
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const work = async () => {
      const release = await sem.acquire();
      seen.enter();
      for (let t = Math.floor(random() * 4); t > 0; t--) await Promise.resolve();
      seen.leave();
      release();
    };
    const callers: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      callers.push(work());
      if (random() < 0.5) await Promise.resolve();
    }
    await Promise.all(callers);
    expect(seen.peak).toBe(limit);
  });

  it("serves waiters in arrival order and ignores a second release", async () => {
    const sem = new Semaphore(1);
    const first = await sem.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      sem.acquire().then((release) => {
        order.push(n);
        release();
      }),
    );
    first();
    first();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    // After everything is released, the single slot is free again and only one caller gets it at once.
    const a = await sem.acquire();
    let secondIn = false;
    const b = sem.acquire().then((release) => {
      secondIn = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(secondIn).toBe(false);
    a();
    (await b)();
  });
});
