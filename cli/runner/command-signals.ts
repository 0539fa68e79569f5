/**
 * The completion signals of the in-process runs on the simulated cloud, wired as the stack
 * wires them on AWS (infra/constructs/command-signals.ts): the cloud's Step Functions
 * answers (SendTaskSuccess) settle the runs' task tokens, and a rule on the cloud's event
 * bus hands every final command status of the configure documents to Relay Command Signal,
 * as the EventBridge rule does with its Lambda.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { commandSignalPattern } from '../../functions/shared/command-signals';
import { invokeStep, type StepClients } from '../../functions/shared/step';
import type { SimulatedCloud } from '../../simulator';
import { simulatedClients } from '../../simulator/clients';
import { loadStep } from './step-registry';
import { TaskTokens } from './task-tokens';

/** The name of the rule on the simulated bus. */
export const COMMAND_SIGNAL_RULE = 'mesos-cluster-command-signals';

/**
 * Connects `cloud` to `tokens` (a fresh registry by default) and routes its command status
 * events to Relay Command Signal, run with `clients` (its config names the table and the
 * documents). Returns the tokens, to hand to every run against the cloud.
 */
export function connectCommandSignals(cloud: SimulatedCloud, clients: StepClients, tokens = new TaskTokens()): TaskTokens {
  cloud.connectTaskTokens(tokens);
  const { documents } = clients.config;
  const relay = loadStep('relay-command-signal');
  cloud.putRule(COMMAND_SIGNAL_RULE, commandSignalPattern([documents.configureMaster, documents.configureSlave]), (event) =>
    invokeStep(relay, event, clients)
  );
  return tokens;
}

/**
 * A Step Functions client for `--local` runs, whose state machines run in this process:
 * SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat settle `tokens` (the runner's), since
 * the tokens are this process's and AWS would not know them. The steps' other clients
 * stay the account's.
 */
export function inProcessStepFunctions(tokens: TaskTokens, region: string): SFNClient {
  const answerer = {
    async handle(_service: string, commandName: string, input: Record<string, unknown>): Promise<unknown> {
      const token = String(input.taskToken ?? '');
      if (commandName === 'SendTaskSuccessCommand') tokens.sendSuccess(token, String(input.output ?? ''));
      else if (commandName === 'SendTaskFailureCommand')
        tokens.sendFailure(token, input.error as string | undefined, input.cause as string | undefined);
      else if (commandName === 'SendTaskHeartbeatCommand') tokens.sendHeartbeat(token);
      else throw new Error(`the in-process Step Functions answers the task token calls only, not ${commandName}`);
      return {};
    },
  };
  return simulatedClients(answerer, region).sfn;
}
