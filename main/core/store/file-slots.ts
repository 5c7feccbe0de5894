/** A counting semaphore: at most `size` holders at once, the rest wait in arrival order. */
export class FileSlots {
  private used = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  /** Resolves with a release function once a slot is free; call it exactly once. */
  async acquire(): Promise<() => void> {
    if (this.used >= Math.max(1, this.size)) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter so no newcomer can overtake it.
      if (next) next();
      else this.used--;
    };
  }
}
