/**
 * Exports a state machine as plain ASL JSON (JSONPath), for the local runner, the golden
 * files and `workflow/print-asl.ts`. The machine is built in a throwaway stack with each
 * step's function imported by a fixed ARN whose function name is the step id, so a runner
 * maps every Task back to its step with `functionNameOf`. No synth, no bundling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { CreateClusterMachine } from './create-cluster';
import { ScaleClusterMachine } from './scale-cluster';
import { MACHINE_STEP_IDS, type StepId } from './step-catalogue';
import { TeardownClusterMachine } from './teardown-cluster';

/** The machines that can be exported. */
export const MACHINE_NAMES = ['create-cluster', 'teardown-cluster', 'scale-cluster'] as const;
export type MachineName = (typeof MACHINE_NAMES)[number];

/** One state of an ASL definition (JSONPath). */
export interface AslState {
  readonly Type: 'Task' | 'Pass' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map';
  readonly Next?: string;
  readonly End?: boolean;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly ResultSelector?: Record<string, unknown>;
  readonly ResultPath?: string | null;
  readonly Retry?: readonly AslRetrier[];
  readonly Catch?: readonly { readonly ErrorEquals: readonly string[]; readonly Next: string; readonly ResultPath?: string }[];
  readonly Branches?: readonly AslDefinition[];
  readonly [key: string]: unknown;
}

export interface AslRetrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

/** A state machine definition, or a Parallel branch. */
export interface AslDefinition {
  readonly Comment?: string;
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
  readonly TimeoutSeconds?: number;
}

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';

/** The ARN a step's function is imported under in an exported definition. */
export function placeholderFunctionArn(stepId: StepId): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${stepId}`;
}

/** The given steps' functions imported by their placeholder ARNs (`Fn-<step id>` in `scope`). */
export function placeholderFunctions<Id extends StepId>(scope: Construct, stepIds: readonly Id[]): Record<Id, lambda.IFunction> {
  const functions = {} as Record<Id, lambda.IFunction>;
  for (const id of stepIds) functions[id] = lambda.Function.fromFunctionArn(scope, `Fn-${id}`, placeholderFunctionArn(id));
  return functions;
}

/** The function name in a Lambda ARN (`…:function:<name>[:qualifier]`), or the argument if it is a bare name. */
export function functionNameOf(arn: string): string {
  if (!arn.startsWith('arn:')) return arn;
  const parts = arn.split(':');
  if (parts[2] !== 'lambda' || parts[5] !== 'function' || !parts[6]) throw new Error(`not a Lambda function ARN: ${arn}`);
  return parts[6];
}

/** Builds a machine in a throwaway stack and returns its definition as plain JSON. */
export function exportAsl(machine: MachineName): AslDefinition {
  // Nothing is synthesized here, but an App creates its output directory at once: give it
  // a temporary one and remove it, so that every export leaves nothing behind.
  const outdir = mkdtempSync(join(tmpdir(), 'mesos-cluster-asl-'));
  try {
    return buildAsl(machine, new App({ outdir }));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function buildAsl(machine: MachineName, app: App): AslDefinition {
  const stack = new Stack(app, 'AslExport', { env: { region: REGION, account: ACCOUNT } });
  const built =
    machine === 'create-cluster'
      ? new CreateClusterMachine(stack, 'Machine', { functions: placeholderFunctions(stack, MACHINE_STEP_IDS[machine]) })
      : machine === 'scale-cluster'
        ? new ScaleClusterMachine(stack, 'Machine', { functions: placeholderFunctions(stack, MACHINE_STEP_IDS[machine]) })
        : new TeardownClusterMachine(stack, 'Machine', { functions: placeholderFunctions(stack, MACHINE_STEP_IDS[machine]) });
  const cfn = built.stateMachine.node.defaultChild as sfn.CfnStateMachine;
  const definition = flatten(stack.resolve(cfn.definitionString));
  if (typeof definition !== 'string') throw new Error(`${machine}: the definition did not resolve to a string`);
  return JSON.parse(definition) as AslDefinition;
}

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Resolves the CloudFormation functions CDK leaves in a definition (Fn::Join, pseudo-parameter Refs). */
function flatten(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(flatten);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first) {
    const [key, arg] = first;
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((p) => String(flatten(p))).join(separator);
    }
    if (key === 'Ref') {
      const pseudo = PSEUDO_PARAMETERS[arg as string];
      if (pseudo === undefined) throw new Error(`cannot flatten Ref ${String(arg)} in an exported definition`);
      return pseudo;
    }
    if (key.startsWith('Fn::')) throw new Error(`cannot flatten ${key} in an exported definition`);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, flatten(v)]));
}
