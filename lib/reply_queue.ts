/**
 * A FIFO of commands awaiting replies: amortised O(1) push and shift without
 * the O(n) cost of `Array.prototype.shift` on long queues.
 *
 * @module
 */

/** FIFO queue over an array with a moving head. */
export class ReplyQueue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** Number of queued items. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Appends an item at the tail. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** Removes and returns the head, or `undefined` when empty. */
  shift(): T | undefined {
    const items = this.#items;
    if (this.#head >= items.length) return undefined;
    const item = items[this.#head];
    items[this.#head++] = undefined;
    if (this.#head === items.length) {
      items.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= items.length) {
      // Reclaim the consumed prefix once it dominates the array.
      this.#items = items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** The head without removing it. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** The queued items, head first (a copy). */
  values(): T[] {
    return this.#items.slice(this.#head) as T[];
  }

  /** Whether `item` is queued. */
  includes(item: T): boolean {
    return this.#items.indexOf(item, this.#head) >= 0;
  }

  /** Removes `item` wherever it is (rare: timeouts and aborts). */
  remove(item: T): void {
    const i = this.#items.indexOf(item, this.#head);
    if (i >= 0) this.#items.splice(i, 1);
  }

  /** Empties the queue. */
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
