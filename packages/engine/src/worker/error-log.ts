/** Collects iteration errors and passes each distinct message on once per interval with a repeat count. */
export class ErrorLog {
  readonly #pending = new Map<string, number>();
  readonly #maxDistinct: number;

  constructor(maxDistinct = 20) {
    this.#maxDistinct = maxDistinct;
  }

  add(message: string): void {
    const n = this.#pending.get(message);
    if (n !== undefined) this.#pending.set(message, n + 1);
    else if (this.#pending.size < this.#maxDistinct) this.#pending.set(message, 1);
  }

  /** Returns the collected messages with their counts and forgets them. */
  drain(): { message: string; repeated: number }[] {
    const out = [...this.#pending].map(([message, repeated]) => ({ message, repeated }));
    this.#pending.clear();
    return out;
  }
}
