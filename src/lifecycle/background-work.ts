/**
 * Work started without awaiting it (after a commit, from a socket event) that a shutdown must still
 * wait for, so nothing writes to the database after close. A failure is logged by `onError`, never thrown.
 */
export class BackgroundWork {
  readonly #running = new Set<Promise<void>>();

  run(work: Promise<unknown>, onError: (error: unknown) => void): void {
    const job: Promise<void> = work.then(() => undefined, onError).finally(() => this.#running.delete(job));
    this.#running.add(job);
  }

  /** Resolves once nothing runs, including work started while waiting. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}
