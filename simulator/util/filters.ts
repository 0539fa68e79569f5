/** EC2-style Describe filters: `Name` + `Values` (with `*` and `?` wildcards), tags included. */
import { fail } from '../errors';
import type { Tags } from '../state';

export interface FilterInput {
  Name?: string;
  Values?: string[];
}

/** The filters a resource kind supports: filter name -> the resource's values for it. */
export type FilterSpec<R> = Record<string, (resource: R) => readonly (string | number | boolean | undefined)[]>;

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 's');
}

function isTagFilter(name: string): boolean {
  return name.startsWith('tag:') || name === 'tag-key' || name === 'tag-value';
}

/** Rejects unknown filter names the way EC2 does (InvalidParameterValue), even when nothing would match. */
export function checkFilterNames<R>(filters: readonly FilterInput[] | undefined, spec: FilterSpec<R>): void {
  for (const filter of filters ?? []) {
    if (!filter.Name) throw fail('InvalidParameterValue', 'The filter name must not be empty');
    if (!isTagFilter(filter.Name) && !(filter.Name in spec)) {
      throw fail('InvalidParameterValue', `The filter '${filter.Name}' is invalid`);
    }
  }
}

/** True when the resource matches every filter (a filter matches when any of its values matches). */
export function matchesFilters<R>(filters: readonly FilterInput[] | undefined, resource: R, tags: Tags, spec: FilterSpec<R>): boolean {
  for (const filter of filters ?? []) {
    const name = filter.Name ?? '';
    let actual: readonly (string | number | boolean | undefined)[];
    if (name.startsWith('tag:')) actual = [tags[name.slice(4)]];
    else if (name === 'tag-key') actual = Object.keys(tags);
    else if (name === 'tag-value') actual = Object.values(tags);
    else actual = spec[name]?.(resource) ?? [];
    const present = actual.filter((v) => v !== undefined).map(String);
    const wanted = (filter.Values ?? []).map(globToRegExp);
    if (!present.some((value) => wanted.some((re) => re.test(value)))) return false;
  }
  return true;
}
