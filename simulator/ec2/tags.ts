/** EC2 CreateTags / DeleteTags on any simulated resource, by id. */
import type { CreateTagsCommandInput, DeleteTagsCommandInput } from '@aws-sdk/client-ec2';
import { checkedTags, type Handler, op, type Sim } from '../core';
import { fail } from '../errors';
import type { Tags } from '../state';

type TaggableKind = 'vpc' | 'subnet' | 'igw' | 'routeTable' | 'address' | 'nat' | 'sg' | 'instance' | 'image' | 'snapshot';

const PREFIXES: [string, TaggableKind][] = [
  ['vpc-', 'vpc'],
  ['subnet-', 'subnet'],
  ['igw-', 'igw'],
  ['rtb-', 'routeTable'],
  ['eipalloc-', 'address'],
  ['nat-', 'nat'],
  ['sg-', 'sg'],
  ['i-', 'instance'],
  ['ami-', 'image'],
  ['snap-', 'snapshot'],
];

/** The tag record of a resource id (looked up by id, so inside the consistency window it is NotFound). */
function tagsOf(sim: Sim, id: string): Tags {
  if (id.startsWith('vol-')) {
    for (const inst of sim.list('instance')) {
      const volume = inst.volumes.find((v) => v.volumeId === id);
      if (volume && sim.holdsNetwork(inst)) {
        if (sim.inConsistencyWindow(inst)) break;
        return volume.tags;
      }
    }
    throw fail('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
  }
  const entry = PREFIXES.find(([prefix]) => id.startsWith(prefix));
  if (!entry) throw fail('InvalidID', `The ID '${id}' is not valid`);
  return sim.get(entry[1], id, true).tags;
}

const createTags = op<CreateTagsCommandInput>((sim, input) => {
  const resources = input.Resources ?? [];
  if (resources.length === 0) throw fail('MissingParameter', 'The request must contain the parameter resourceIdSet');
  const tags = checkedTags(input.Tags);
  const targets = resources.map((id) => tagsOf(sim, id));
  if (targets.some((target) => Object.keys({ ...target, ...tags }).length > 50)) {
    throw fail('TagLimitExceeded', 'The maximum number of tags per resource is 50');
  }
  for (const target of targets) Object.assign(target, tags);
  return {};
});

const deleteTags = op<DeleteTagsCommandInput>((sim, input) => {
  const targets = (input.Resources ?? []).map((id) => tagsOf(sim, id));
  for (const target of targets) {
    if (!input.Tags?.length) {
      for (const key of Object.keys(target)) delete target[key];
      continue;
    }
    for (const tag of input.Tags) {
      const key = tag.Key ?? '';
      if (tag.Value === undefined || target[key] === tag.Value) delete target[key];
    }
  }
  return {};
});

/** The tagging operations, by operation name. */
export const tagHandlers: Record<string, Handler> = { CreateTags: createTags, DeleteTags: deleteTags };
