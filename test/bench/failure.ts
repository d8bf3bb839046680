/** A failure the bench explains itself (bad setup, a wrong result): printed without a stack trace. */
export class BenchFailure extends Error {
  override name = 'BenchFailure';
}
