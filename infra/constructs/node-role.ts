/**
 * The identity of the cluster nodes: a role with AmazonSSMManagedInstanceCore (the SSM
 * agent registers, receives Run Command, reports results) and its instance profile, which
 * Launch Instances names in RunInstances. The leading master also publishes the cluster's
 * Mesos allocation to CloudWatch (namespace MesosCluster) for the scaling alarms. Nodes need
 * nothing else: they fetch packages from the internet and talk to each other inside the VPC.
 */

import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CLUSTER_METRICS } from '../../functions/shared/documents';
import { acknowledgeWildcards } from '../nag';

/** The role and instance profile of the masters and slaves. */
export class NodeRole extends Construct {
  readonly role: iam.Role;
  readonly instanceProfile: iam.InstanceProfile;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Mesos cluster nodes: SSM managed instance (Run Command configures them)',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason:
        "AmazonSSMManagedInstanceCore is AWS's maintained minimum for the SSM agent (registration, Run Command, messages); a copy would drift from it",
    });
    // PutMetricData has no resources; the condition limits it to the product's namespace.
    const publish = new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': CLUSTER_METRICS.namespace } },
    });
    this.role.addToPrincipalPolicy(publish);
    acknowledgeWildcards(this.role, [
      {
        statement: publish,
        reason: `cloudwatch:PutMetricData supports no resource-level permissions; the cloudwatch:namespace condition allows only ${CLUSTER_METRICS.namespace}`,
      },
    ]);
    this.instanceProfile = new iam.InstanceProfile(this, 'InstanceProfile', { role: this.role });
  }
}
