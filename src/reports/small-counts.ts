/**
 * Counts small enough to point at a family (issue 16): in a download, 1 to 4 are written "<5". The page
 * and the JSON API show exact counts: coordinators may read every case anyway, and a download is what
 * leaves the organisation (to a funder, a mailbox, a shared drive). 0 stays 0: it identifies nobody.
 */
export const SMALL_COUNT_BELOW = 5;
export const SMALL_COUNT_TEXT = `<${SMALL_COUNT_BELOW}`;

export const isSmallCount = (n: number): boolean => n > 0 && n < SMALL_COUNT_BELOW;

/** A count as a download shows it: the number, or "<5". */
export function downloadCount(n: number): number | string {
  return isSmallCount(n) ? SMALL_COUNT_TEXT : n;
}
