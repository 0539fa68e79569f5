/**
 * A Step Functions stand-in for the bench and the tests: an SFNClient whose
 * StartExecution, DescribeExecution, ListExecutions and StopExecution are answered
 * in-process. StartExecution runs the named machine's exported ASL with the local runner
 * (cli/runner/local-runner.ts) against the given clients — the simulated cloud's — inside
 * the virtual-time session that is running, so many executions proceed side by side on
 * one clock, as Step Functions runs them side by side in an account.
 *
 * What it keeps of the service: execution names unique per machine (StartExecution with
 * the name of an open execution and the same input answers that execution; otherwise
 * ExecutionAlreadyExists), an unknown machine or execution answered with
 * StateMachineDoesNotExist / ExecutionDoesNotExist, ListExecutions newest first with
 * `statusFilter`, `maxResults` (default 100, at most 1000) and `nextToken`, StopExecution
 * ending a running execution ABORTED with the given error and cause. What it leaves out:
 * Step Functions' own API throttling (StartExecution's bucket holds hundreds of requests,
 * far more than a bench's burst), execution history (GetExecutionHistory) and every other
 * operation, which answer UnknownOperationException.
 */
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type ExecutionListItem,
  type ExecutionStatus,
  InvalidName,
  SFNClient,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { type AslMachine, type RunResult, runMachine } from '../cli/runner/local-runner';
import { TaskTokens } from '../cli/runner/task-tokens';
import { inVirtualSession } from '../cli/runner/virtual-time';
import type { StepClients } from '../functions/shared/step';
import { exportAsl, type MachineName } from '../workflow/export';

/** One execution as the stand-in holds it. */
export interface LocalExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly machine: MachineName;
  readonly name: string;
  /** The input as given (JSON text). */
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  error?: string;
  cause?: string;
  output?: string;
  /** Resolves when the run ends (also after a stop). */
  readonly done: Promise<RunResult>;
}

export interface LocalStepFunctionsOptions {
  /** The machines, by state machine ARN. */
  readonly machines: Readonly<Record<string, MachineName>>;
  /** The clients of one execution's steps (each execution gets its own, as each Lambda container has its own). */
  readonly clients: () => StepClients;
  /** The task tokens of the executions' callback tasks (those the cloud's SendTaskSuccess settles). @default a registry of its own */
  readonly taskTokens?: TaskTokens;
  readonly region?: string;
  /** The ASL of a machine. @default exportAsl (cached per machine) */
  readonly asl?: (machine: MachineName) => AslMachine;
}

/** Step Functions' default page of ListExecutions, and its largest. */
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;
/** The longest execution name Step Functions takes. */
const MAX_NAME = 80;

function executionArnOf(machineArn: string, name: string): string {
  return `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

function machineNameOf(machineArn: string): string {
  return machineArn.split(':').at(-1) ?? machineArn;
}

const meta = { $metadata: {} };

interface StackClient {
  middlewareStack: {
    add(
      middleware: (next: unknown, context: { commandName?: string }) => (args: { input: unknown }) => Promise<unknown>,
      options: { step: 'deserialize'; name: string; priority: 'high' }
    ): void;
  };
}

/** The stand-in: `client` is a real SFNClient (the SDK's retries included) whose requests it answers. */
export class LocalStepFunctions {
  readonly client: SFNClient;
  readonly #options: LocalStepFunctionsOptions;
  readonly #tokens: TaskTokens;
  readonly #executions = new Map<string, LocalExecution>();
  readonly #aborts = new Map<string, AbortController>();
  readonly #asl = new Map<MachineName, AslMachine>();

  constructor(options: LocalStepFunctionsOptions, clientConfig: { maxAttempts?: number } = {}) {
    this.#options = options;
    this.#tokens = options.taskTokens ?? new TaskTokens();
    this.client = new SFNClient({
      region: options.region ?? 'eu-west-1',
      credentials: { accessKeyId: 'AKIASIMULATEDCLOUD00', secretAccessKey: 'simulated-secret-access-key' },
      maxAttempts: clientConfig.maxAttempts ?? 4,
    });
    (this.client as unknown as StackClient).middlewareStack.add(
      (_next, context) => async (args) => {
        const output = this.answer(context.commandName ?? '', (args.input ?? {}) as Record<string, unknown>);
        return { output: { ...output, $metadata: { httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 } }, response: {} };
      },
      { step: 'deserialize', name: 'localStepFunctionsMiddleware', priority: 'high' }
    );
  }

  /** Every execution started, oldest first. */
  executions(): LocalExecution[] {
    return [...this.#executions.values()];
  }

  /** Resolves when every execution started so far has ended. */
  async settled(): Promise<void> {
    for (;;) {
      const open = this.executions().filter((e) => e.status === 'RUNNING');
      if (open.length === 0) return;
      await Promise.all(open.map((e) => e.done));
    }
  }

  #aslOf(machine: MachineName): AslMachine {
    let asl = this.#asl.get(machine);
    if (!asl) {
      asl = this.#options.asl ? this.#options.asl(machine) : (exportAsl(machine) as unknown as AslMachine);
      this.#asl.set(machine, asl);
    }
    return asl;
  }

  #machine(arn: unknown): MachineName {
    const machine = typeof arn === 'string' ? this.#options.machines[arn] : undefined;
    if (!machine) throw new StateMachineDoesNotExist({ message: `State Machine Does Not Exist: '${String(arn)}'`, ...meta });
    return machine;
  }

  #execution(arn: unknown): LocalExecution {
    const execution = typeof arn === 'string' ? this.#executions.get(arn) : undefined;
    if (!execution) throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${String(arn)}'`, ...meta });
    return execution;
  }

  /** Answers one request (the output without $metadata). */
  answer(commandName: string, input: Record<string, unknown>): object {
    switch (commandName) {
      case 'StartExecutionCommand':
        return this.#start(input);
      case 'DescribeExecutionCommand':
        return this.#describe(input);
      case 'ListExecutionsCommand':
        return this.#list(input);
      case 'StopExecutionCommand':
        return this.#stop(input);
      default:
        throw Object.assign(new Error(`${commandName.replace(/Command$/, '')} is not answered by the local Step Functions`), {
          name: 'UnknownOperationException',
          $fault: 'client',
          ...meta,
        });
    }
  }

  #start(input: Record<string, unknown>): object {
    const stateMachineArn = String(input.stateMachineArn ?? '');
    const machine = this.#machine(stateMachineArn);
    const name = typeof input.name === 'string' ? input.name : `${Date.now().toString(36)}${Math.random().toString(16).slice(2, 10)}`;
    if (name.length === 0 || name.length > MAX_NAME || /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/.test(name)) {
      throw new InvalidName({ message: `Invalid Name: '${name}'`, ...meta });
    }
    const text = typeof input.input === 'string' ? input.input : '{}';
    const executionArn = executionArnOf(stateMachineArn, name);
    const existing = this.#executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === text) return { executionArn, startDate: existing.startDate };
      throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${executionArn}'`, ...meta });
    }
    if (!inVirtualSession()) throw new Error('the local Step Functions runs executions inside a virtual-time session only');

    const abort = new AbortController();
    const startDate = new Date(Date.now());
    const done = runMachine({
      asl: this.#aslOf(machine),
      input: JSON.parse(text),
      executionName: name,
      clients: this.#options.clients(),
      clock: { now: startDate.getTime() },
      machineName: machineNameOf(stateMachineArn),
      region: this.#options.region,
      signal: abort.signal,
      taskTokens: this.#tokens,
    });
    const execution: LocalExecution = { executionArn, stateMachineArn, machine, name, input: text, startDate, status: 'RUNNING', done };
    this.#executions.set(executionArn, execution);
    this.#aborts.set(executionArn, abort);
    void done.then((result) => {
      this.#aborts.delete(executionArn);
      if (execution.status !== 'RUNNING') return; // stopped: StopExecution recorded the end
      execution.stopDate = new Date(result.endedAt);
      if (result.status === 'SUCCEEDED') {
        execution.status = 'SUCCEEDED';
        execution.output = JSON.stringify(result.output ?? null);
      } else {
        execution.status = result.error === 'States.Timeout' && /TimeoutSeconds/.test(result.cause ?? '') ? 'TIMED_OUT' : 'FAILED';
        execution.error = result.error;
        execution.cause = result.cause;
      }
    });
    return { executionArn, startDate };
  }

  #describe(input: Record<string, unknown>): object {
    const e = this.#execution(input.executionArn);
    return {
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: e.startDate,
      input: e.input,
      ...(e.stopDate ? { stopDate: e.stopDate } : {}),
      ...(e.output !== undefined ? { output: e.output } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.cause !== undefined ? { cause: e.cause } : {}),
    };
  }

  #list(input: Record<string, unknown>): object {
    const stateMachineArn = String(input.stateMachineArn ?? '');
    this.#machine(stateMachineArn);
    const page = typeof input.maxResults === 'number' && input.maxResults > 0 ? Math.min(input.maxResults, MAX_PAGE) : DEFAULT_PAGE;
    const from = typeof input.nextToken === 'string' ? Number(input.nextToken) : 0;
    const matching = this.executions()
      .filter((e) => e.stateMachineArn === stateMachineArn && (input.statusFilter === undefined || e.status === input.statusFilter))
      .reverse(); // newest first: executions are held in start order
    const executions: ExecutionListItem[] = matching.slice(from, from + page).map((e) => ({
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: e.startDate,
      ...(e.stopDate ? { stopDate: e.stopDate } : {}),
    }));
    return { executions, ...(from + page < matching.length ? { nextToken: String(from + page) } : {}) };
  }

  #stop(input: Record<string, unknown>): object {
    const e = this.#execution(input.executionArn);
    const stopDate = new Date(Date.now());
    if (e.status === 'RUNNING') {
      e.status = 'ABORTED';
      e.stopDate = stopDate;
      if (typeof input.error === 'string') e.error = input.error;
      if (typeof input.cause === 'string') e.cause = input.cause;
      this.#aborts.get(e.executionArn)?.abort();
    }
    return { stopDate: e.stopDate ?? stopDate };
  }
}
