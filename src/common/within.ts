// Bounding a wait that has no cancellation of its own (queries, describe calls).

/** `p`'s value, or undefined when `ms` pass first. The timer never keeps the process alive. */
export function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);
}
