/** Paging through the Describe calls of EC2 and CloudWatch (no client of its own). */

/** A guard against a service that keeps returning a NextToken. */
const MAX_PAGES = 100;

/** Reads every page of a Describe call that paginates with NextToken. */
export async function allPages<T>(fetch: (token: string | undefined) => Promise<{ items?: T[]; next?: string }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await fetch(token);
    items.push(...(result.items ?? []));
    if (!result.next || result.next === token) break;
    token = result.next;
  }
  return items;
}
