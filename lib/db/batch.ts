/**
 * Reads asked for while `concurrency` earlier reads are still running, gathered into one call of `load` (at most
 * `maxBatch` keys): on a quiet server each read goes out at once, alone; under load the ones that wait for a running
 * load go together, as one statement. `load` answers the keys in the order given; it may also hand a
 * key's value over as soon as it has it (`answer`), so that the first keys of a batch are not held until the last.
 *
 * Why: on two cores shared by the web server and PostgreSQL, a statement's fixed part (the round trip, waking the
 * backend and the server again, executor start-up) was about a third of a 1,000-rating read's cost.
 */
export class Batcher<K, V> {
  private waiting: { key: K; resolve: (value: V) => void; reject: (err: unknown) => void }[] = [];
  private running = 0;

  constructor(
    private readonly load: (keys: K[], answer: (index: number, value: V) => void) => Promise<V[]>,
    private readonly opts: { concurrency: number; maxBatch: number },
  ) {}

  get(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      this.waiting.push({ key, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.opts.concurrency && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.opts.maxBatch);
      this.running++;
      Promise.resolve()
        // A key answered early keeps that value: its promise is settled, so the later resolve or reject does nothing.
        .then(() =>
          this.load(
            batch.map((b) => b.key),
            (index, value) => {
              if (!batch[index]) throw new RangeError(`answer for key ${index} of a batch of ${batch.length}`);
              batch[index].resolve(value);
            },
          ),
        )
        .then(
          (values) => {
            if (values.length !== batch.length) throw new Error(`a batch of ${batch.length} keys was answered with ${values.length} values`);
            batch.forEach((b, i) => b.resolve(values[i]));
          },
        )
        .catch((err: unknown) => batch.forEach((b) => b.reject(err)))
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }
}
