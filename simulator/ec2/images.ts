/** EC2 images (AMIs) and their snapshots, including Canonical's public Ubuntu images. */
import type {
  CreateImageCommandInput,
  CreateImageCommandOutput,
  DeleteSnapshotCommandInput,
  DeregisterImageCommandInput,
  DescribeImagesCommandInput,
  DescribeImagesCommandOutput,
  DescribeSnapshotsCommandInput,
  DescribeSnapshotsCommandOutput,
  Image,
  Snapshot,
} from '@aws-sdk/client-ec2';
import {
  ACCOUNT_ID,
  CANONICAL_ACCOUNT_ID,
  type Handler,
  idList,
  type Out,
  op,
  PUBLIC_IMAGES,
  publicImage,
  type Sim,
  tagList,
} from '../core';
import { fail } from '../errors';
import { imageDeregistered, watchImage } from '../events';
import type { ImageRecord, SnapshotRecord } from '../state';
import { checkFilterNames, type FilterSpec, matchesFilters } from '../util/filters';

const NAME_PATTERN = /^[a-zA-Z0-9().\-/_ [\]@']{3,128}$/;
/** When Canonical published the simulated public images. */
const PUBLIC_CREATION_DATE = '2025-09-25T00:00:00.000Z';

function ownImageView(sim: Sim, image: ImageRecord): Image {
  return {
    ImageId: image.id,
    Name: image.name,
    Description: image.description,
    State: sim.imageState(image),
    OwnerId: ACCOUNT_ID,
    CreationDate: new Date(image.createdAt).toISOString(),
    Architecture: 'x86_64',
    ImageType: 'machine',
    Public: false,
    RootDeviceName: image.rootDeviceName,
    RootDeviceType: 'ebs',
    VirtualizationType: 'hvm',
    Hypervisor: 'xen',
    EnaSupport: true,
    PlatformDetails: 'Linux/UNIX',
    UsageOperation: 'RunInstances',
    SourceInstanceId: image.sourceInstanceId,
    BlockDeviceMappings: image.mappings.map((m) => ({
      DeviceName: m.deviceName,
      Ebs: {
        SnapshotId: m.snapshotId,
        VolumeSize: m.size,
        VolumeType: m.volumeType as 'gp3',
        DeleteOnTermination: true,
        Encrypted: m.encrypted,
      },
    })),
    Tags: tagList(image.tags),
  };
}

function publicImageView(imageId: string): Image | undefined {
  const image = publicImage(imageId);
  if (!image) return undefined;
  return {
    ImageId: image.imageId,
    Name: image.name,
    Description: `Canonical, Ubuntu, ${image.release} LTS, amd64`,
    State: 'available',
    OwnerId: CANONICAL_ACCOUNT_ID,
    CreationDate: PUBLIC_CREATION_DATE,
    Architecture: 'x86_64',
    ImageType: 'machine',
    Public: true,
    RootDeviceName: '/dev/sda1',
    RootDeviceType: 'ebs',
    VirtualizationType: 'hvm',
    Hypervisor: 'xen',
    EnaSupport: true,
    PlatformDetails: 'Linux/UNIX',
    UsageOperation: 'RunInstances',
    BlockDeviceMappings: [
      {
        DeviceName: '/dev/sda1',
        Ebs: {
          SnapshotId: `snap-0${image.imageId.slice(5)}`,
          VolumeSize: 8,
          VolumeType: 'gp3',
          DeleteOnTermination: true,
          Encrypted: false,
        },
      },
    ],
  };
}

const IMAGE_FILTERS: FilterSpec<Image> = {
  name: (i) => [i.Name],
  'image-id': (i) => [i.ImageId],
  state: (i) => [i.State],
  'owner-id': (i) => [i.OwnerId],
  architecture: (i) => [i.Architecture],
  'is-public': (i) => [i.Public],
  'root-device-type': (i) => [i.RootDeviceType],
  'virtualization-type': (i) => [i.VirtualizationType],
  description: (i) => [i.Description],
};

const createImage = op<CreateImageCommandInput>((sim, input): Out<CreateImageCommandOutput> => {
  const name = input.Name ?? '';
  if (!NAME_PATTERN.test(name)) {
    throw fail(
      'InvalidAMIName.Malformed',
      `AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'`
    );
  }
  const duplicate = sim.list('image').find((image) => image.name === name);
  if (duplicate) throw fail('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${duplicate.id}`);
  const inst = sim.get('instance', input.InstanceId);
  if (sim.instanceState(inst) !== 'running') {
    throw fail('IncorrectInstanceState', `The instance '${inst.id}' is not in a state from which it can be imaged.`);
  }
  const imageTags = sim.tagsFor(input.TagSpecifications, 'image', ['image', 'snapshot']);
  const snapshotTags = sim.tagsFor(input.TagSpecifications, 'snapshot', ['image', 'snapshot']);
  const now = sim.now();
  const availableAt = now + sim.latency(sim.model.imageAvailableMs);
  const id = sim.id('ami');
  const mappings: ImageRecord['mappings'] = [];
  for (const volume of inst.volumes) {
    const snapshot: SnapshotRecord = {
      id: sim.id('snap'),
      createdAt: now,
      tags: { ...snapshotTags },
      volumeId: volume.volumeId,
      size: volume.size,
      encrypted: volume.encrypted,
      description: `Created by CreateImage(${inst.id}) for ${id}`,
      completedAt: availableAt,
    };
    sim.state.snapshots[snapshot.id] = snapshot;
    mappings.push({
      deviceName: volume.deviceName,
      snapshotId: snapshot.id,
      size: volume.size,
      volumeType: volume.volumeType,
      encrypted: volume.encrypted,
    });
  }
  sim.state.images[id] = {
    id,
    createdAt: now,
    tags: imageTags,
    name,
    description: input.Description,
    sourceInstanceId: inst.id,
    availableAt,
    snapshotIds: mappings.map((m) => m.snapshotId),
    rootDeviceName: '/dev/sda1',
    mappings,
    agentInstalled: inst.agentImage || (inst.agentInstalledAt !== undefined && inst.agentInstalledAt <= now),
  };
  watchImage(sim, id);
  return { ImageId: id };
});

const describeImages = op<DescribeImagesCommandInput>((sim, input): Out<DescribeImagesCommandOutput> => {
  checkFilterNames(input.Filters, IMAGE_FILTERS);
  const ids = idList(input.ImageIds);
  let candidates: Image[];
  if (ids) {
    const missing = ids.filter((id) => !publicImage(id) && !tryGet(sim, id));
    if (missing.length > 0) throw fail('InvalidAMIID.NotFound', `The image id '[${missing.join(', ')}]' does not exist`);
    candidates = ids.map((id) => publicImageView(id) ?? ownImageView(sim, sim.get('image', id, true)));
  } else {
    candidates = [
      ...sim.list('image').map((image) => ownImageView(sim, image)),
      ...Object.values(PUBLIC_IMAGES).map((image) => publicImageView(image.imageId) as Image),
    ];
  }
  const owners = input.Owners ?? [];
  if (owners.length > 0) {
    const accounts = owners.map((owner) => (owner === 'self' ? ACCOUNT_ID : owner));
    candidates = candidates.filter((image) => accounts.includes(image.OwnerId ?? ''));
  }
  return { Images: candidates.filter((image) => matchesFilters(input.Filters, image, tagsOf(image), IMAGE_FILTERS)) };
});

function tryGet(sim: Sim, id: string): ImageRecord | undefined {
  try {
    return sim.get('image', id, true);
  } catch {
    return undefined;
  }
}

function tagsOf(image: Image): Record<string, string> {
  return Object.fromEntries((image.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

const deregisterImage = op<DeregisterImageCommandInput>((sim, input) => {
  if (input.ImageId !== undefined && publicImage(input.ImageId)) {
    throw fail('AuthFailure', `Not authorized for image:${input.ImageId}`);
  }
  const image = sim.get('image', input.ImageId);
  delete sim.state.images[image.id];
  imageDeregistered(sim, image.id);
  const deleted = [];
  if (input.DeleteAssociatedSnapshots) {
    for (const snapshotId of image.snapshotIds) {
      if (sim.state.snapshots[snapshotId]) {
        delete sim.state.snapshots[snapshotId];
        deleted.push({ ResourceId: snapshotId, ReturnCode: 'success' as const });
      }
    }
  }
  return { Return: true, ...(input.DeleteAssociatedSnapshots ? { DeleteSnapshotResults: deleted } : {}) };
});

/**
 * A snapshot's progress in whole percent, as DescribeSnapshots reports it: here linear in
 * time from its creation to its completion (EC2's own progress is coarser and not linear).
 */
function snapshotProgress(sim: Sim, snapshot: SnapshotRecord): number {
  if (sim.snapshotState(snapshot) === 'completed') return 100;
  const span = snapshot.completedAt - snapshot.createdAt;
  if (span <= 0) return 99;
  return Math.min(99, Math.max(0, Math.floor(((sim.now() - snapshot.createdAt) / span) * 100)));
}

function snapshotView(sim: Sim, snapshot: SnapshotRecord): Snapshot {
  const state = sim.snapshotState(snapshot);
  return {
    SnapshotId: snapshot.id,
    VolumeId: snapshot.volumeId,
    State: state,
    Progress: `${snapshotProgress(sim, snapshot)}%`,
    StartTime: new Date(snapshot.createdAt),
    VolumeSize: snapshot.size,
    OwnerId: ACCOUNT_ID,
    Description: snapshot.description,
    Encrypted: snapshot.encrypted,
    StorageTier: 'standard',
    Tags: tagList(snapshot.tags),
  };
}

function snapshotFilters(sim: Sim): FilterSpec<SnapshotRecord> {
  return {
    'snapshot-id': (s) => [s.id],
    status: (s) => [sim.snapshotState(s)],
    'volume-id': (s) => [s.volumeId],
    'volume-size': (s) => [s.size],
    description: (s) => [s.description],
    'owner-id': () => [ACCOUNT_ID],
    encrypted: (s) => [s.encrypted],
  };
}

const describeSnapshots = op<DescribeSnapshotsCommandInput>((sim, input): Out<DescribeSnapshotsCommandOutput> => {
  const spec = snapshotFilters(sim);
  checkFilterNames(input.Filters, spec);
  const ids = idList(input.SnapshotIds);
  let candidates = ids ? sim.getAll('snapshot', ids) : sim.list('snapshot');
  const owners = input.OwnerIds ?? [];
  if (owners.length > 0 && !owners.some((owner) => owner === 'self' || owner === ACCOUNT_ID)) candidates = [];
  return { Snapshots: candidates.filter((s) => matchesFilters(input.Filters, s, s.tags, spec)).map((s) => snapshotView(sim, s)) };
});

const deleteSnapshot = op<DeleteSnapshotCommandInput>((sim, input) => {
  const snapshot = sim.get('snapshot', input.SnapshotId);
  const user = sim.list('image').find((image) => image.snapshotIds.includes(snapshot.id));
  if (user) throw fail('InvalidSnapshot.InUse', `The snapshot ${snapshot.id} is currently in use by ${user.id}`);
  delete sim.state.snapshots[snapshot.id];
  return {};
});

/** The image and snapshot operations, by operation name. */
export const imageHandlers: Record<string, Handler> = {
  CreateImage: createImage,
  DescribeImages: describeImages,
  DeregisterImage: deregisterImage,
  DescribeSnapshots: describeSnapshots,
  DeleteSnapshot: deleteSnapshot,
};
