/** "Did you mean": the closest of a list of names to what the user typed. */

/** The edit distance of two strings (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

/**
 * The candidate nearest to `typed` (case-insensitively), if it is near enough to be a
 * typo: at most a third of the typed length in edits (and at least one).
 */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  const lower = typed.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = distance(lower, name.toLowerCase());
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(1, Math.floor(typed.length / 3)) ? best.name : undefined;
}

/** ` (did you mean X?)` when a candidate is near `typed`, else ''. */
export function didYouMean(typed: string, candidates: readonly string[]): string {
  const name = closest(typed, candidates);
  return name ? ` (did you mean ${name}?)` : '';
}
