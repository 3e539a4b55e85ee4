// Values that are there now or later. Most plugin code answers at once, and
// the hot path stays synchronous while it does: `andThen` waits only when
// it is handed a promise (hookable's one maybe-async runner, in one place
// instead of a hand-written branch at every call).

export type Maybe<T> = T | Promise<T>;

/** next(value) now, or once the promise settles. */
export function andThen<T, U>(value: Maybe<T>, next: (value: T) => Maybe<U>): Maybe<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** A value, or a promise of one, as something to wait for and nothing more. */
export function settled(value: unknown): Promise<void> | void {
  if (value instanceof Promise) return value.then(() => {});
}
