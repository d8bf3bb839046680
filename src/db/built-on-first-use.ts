/**
 * An object made only when first touched. A transaction's drizzle query builder is one: most steps only
 * use the raw `Query`, and building one (a relational query builder per table) is not free on a path
 * that runs for every message.
 */
export function builtOnFirstUse<T extends object>(build: () => T): T {
  let built: T | undefined;
  return new Proxy({} as T, {
    get: (_target, property) => {
      built ??= build();
      const value = Reflect.get(built, property) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(built) : value;
    },
  });
}
