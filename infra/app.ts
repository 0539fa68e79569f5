/**
 * The CDK app: `npx cdk synth` (offline, no credentials needed). The stack is
 * account-agnostic; its Region comes from AWS_REGION (default eu-west-1). cdk-nag's
 * AwsSolutions checks run as a validation plugin: a finding fails the synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MesosClusterStack } from './stacks/mesos-cluster-stack';

const app = new App();
new MesosClusterStack(app, process.env.MESOS_CLUSTER_STACK_NAME ?? 'MesosCluster', {
  env: { region: process.env.AWS_REGION ?? process.env.CDK_DEFAULT_REGION ?? 'eu-west-1' },
  description: 'Mesos clusters on AWS as a serverless Step Functions workflow',
  wireScaleMachine: true,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
