/**
 * Discard Image Bake: undoes a scale-out's bake of a cluster's slave image that failed, so
 * that a failed scale leaves no template slave, image or snapshot behind. It terminates
 * the cluster's template slaves (found by tag, so a launch whose answer was lost is found
 * too), then deletes the cluster's slave images and their snapshots as Delete Images does:
 * an image another live cluster already uses is handed over and kept. A scale-out bakes only
 * for a cluster without an available image, so the images it owns then are this bake's.
 * Last it deletes the cluster's claims on image bakes, so that a cluster waiting for this
 * bake takes it over. Safe to run twice: instances already terminating, images and claims
 * already gone are skipped.
 */
import { TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { deleteClusterImages } from '../delete-images/delete-images';
import { hasCode } from '../shared/aws-errors';
import { releaseClaims } from '../shared/bake-claims';
import type { DiscardImageBakeInput, DiscardImageBakeOutput } from '../shared/contracts';
import { findInstances, isString } from '../shared/discovery';
import { defineStep, type StepClients } from '../shared/step';
import { TAG_ROLE, tagValue } from '../shared/tags';

export const discardImageBakeStep = defineStep(
  'discard-image-bake',
  async ({ clusterId }: DiscardImageBakeInput, { ec2, ssm }: Pick<StepClients, 'ec2' | 'ssm'>): Promise<DiscardImageBakeOutput> => {
    const live = await findInstances(ec2, clusterId, ['pending', 'running', 'stopping', 'stopped']);
    const templates = live
      .filter((i) => tagValue(i.Tags, TAG_ROLE) === 'template-slave')
      .map((i) => i.InstanceId)
      .filter(isString);
    if (templates.length > 0) {
      try {
        await ec2.send(new TerminateInstancesCommand({ InstanceIds: templates }));
      } catch (err) {
        if (!hasCode(err, 'InvalidInstanceID.NotFound')) throw err;
      }
    }
    const images = await deleteClusterImages(ec2, clusterId);
    const claimsReleased = await releaseClaims(ssm, clusterId);
    return { terminated: templates, deleted: images.deleted, kept: images.kept, claimsReleased };
  }
);
