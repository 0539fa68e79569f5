/**
 * Check Image: whether the slave image is available. Right after CreateImage the id may
 * not be visible yet (eventual consistency): that is pending, not an error.
 */
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import type { CheckImageInput, CheckImageOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { defineStep, type StepClients } from '../shared/step';

const PENDING_STATES = ['pending', 'transient'];

/** Reports whether the slave image is pending or available; FatalError when it failed. */
export const checkImageStep = defineStep(
  'check-image',
  async (input: CheckImageInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<CheckImageOutput> => {
    let image: { State?: string; StateReason?: { Code?: string; Message?: string } } | undefined;
    try {
      const result = await ec2.send(new DescribeImagesCommand({ ImageIds: [input.imageId] }));
      image = result.Images?.find((i) => i.ImageId === input.imageId);
    } catch (err) {
      if (hasCode(err, 'InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable')) return { state: 'pending' };
      throw err;
    }
    if (!image) return { state: 'pending' };
    const state = image.State ?? 'pending';
    if (state === 'available') return { state: 'available' };
    if (PENDING_STATES.includes(state)) return { state: 'pending' };
    const reason = image.StateReason ? `: ${image.StateReason.Code ?? ''} ${image.StateReason.Message ?? ''}`.trimEnd() : '';
    throw new FatalError(`image ${input.imageId} is ${state}${reason}`);
  }
);
