/**
 * Runs tasks with the same key one after another, in the order they were queued; different keys run
 * concurrently. On PGlite this is the only thing that orders one conversation's messages (its
 * advisory locks exclude nothing); on Postgres the row lock does it across processes and this keeps
 * a process from queueing many waiting transactions on one row.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  get size(): number {
    return this.#tails.size;
  }
}
