/**
 * SSM: Canonical's public image parameters, the account's own Parameter Store
 * (PutParameter, GetParameter, GetParametersByPath, DeleteParameter), managed-instance information, and Run
 * Command (SendCommand, ListCommands, GetCommandInvocation, ListCommandInvocations)
 * with per-document durations and Mesos effects.
 */
import type {
  Command,
  CommandInvocation,
  DeleteParameterCommandInput,
  DeleteParameterCommandOutput,
  DescribeInstanceInformationCommandInput,
  DescribeInstanceInformationCommandOutput,
  GetCommandInvocationCommandInput,
  GetCommandInvocationCommandOutput,
  GetParameterCommandInput,
  GetParameterCommandOutput,
  GetParametersByPathCommandInput,
  GetParametersByPathCommandOutput,
  InstanceInformation,
  ListCommandInvocationsCommandInput,
  ListCommandInvocationsCommandOutput,
  ListCommandsCommandInput,
  ListCommandsCommandOutput,
  Parameter,
  PutParameterCommandInput,
  PutParameterCommandOutput,
  SendCommandCommandInput,
  SendCommandCommandOutput,
} from '@aws-sdk/client-ssm';
import { ACCOUNT_ID, type Handler, type Out, op, PUBLIC_IMAGES, publicImage, type Sim } from './core';
import { ssmOnline } from './ec2/facts';
import { fail } from './errors';
import { watchCommand } from './events';
import { COMMAND_FAULT_OUTCOMES, takeFault } from './faults';
import { applySmokeTestAction, smokeTestStatusOutput } from './marathon';
import { registeredAgents, runsMaster } from './mesos';
import { mirrorRefusal } from './s3';
import { agentLoadOutput, applyDrain, parseAgentIps } from './scaling';
import type { CommandRecord, InstanceRecord, InvocationRecord, ParameterRecord } from './state';
import type { DocumentBehaviour } from './types';
import { newUuid } from './util/ids';

const PARAMETER_PATTERN = /^\/aws\/service\/canonical\/ubuntu\/server\/([\d.]+)\/stable\/current\/amd64\/hvm\/ebs-gp3\/ami-id$/;
const MAX_INSTANCES_PER_COMMAND = 50;
const COMMAND_OUTCOMES = COMMAND_FAULT_OUTCOMES;

// ---------------------------------------------------------------- parameters

/** Parameter Store's limits (Standard tier): name length, value size, hierarchy depth, page size. */
const MAX_NAME_LENGTH = 1011;
const MAX_VALUE_BYTES = 4096;
const MAX_LEVELS = 15;
const MAX_PAGE = 10;
const PARAMETER_TYPES = ['String', 'StringList', 'SecureString'] as const;

function storedParameters(sim: Sim): Record<string, ParameterRecord> {
  sim.state.parameters ??= {};
  return sim.state.parameters;
}

function parameterView(sim: Sim, p: ParameterRecord): Parameter {
  return {
    Name: p.name,
    Type: p.type,
    Value: p.value,
    Version: p.version,
    DataType: 'text',
    ARN: `arn:aws:ssm:${sim.region}:${ACCOUNT_ID}:parameter${p.name.startsWith('/') ? '' : '/'}${p.name}`,
    LastModifiedDate: new Date(p.lastModified),
  };
}

const getParameter = op<GetParameterCommandInput>((sim, input): Out<GetParameterCommandOutput> => {
  const name = input.Name ?? '';
  const stored = storedParameters(sim)[name];
  if (stored) return { Parameter: parameterView(sim, stored) };
  const release = PARAMETER_PATTERN.exec(name)?.[1];
  const image = release === undefined ? undefined : PUBLIC_IMAGES[release];
  if (!image) throw fail('ParameterNotFound', `Parameter ${name} not found.`);
  return {
    Parameter: {
      Name: name,
      Type: 'String',
      Value: image.imageId,
      Version: 1,
      DataType: 'aws:ec2:image',
      ARN: `arn:aws:ssm:${sim.region}::parameter${name}`,
      LastModifiedDate: new Date('2025-09-25T00:00:00.000Z'),
    },
  };
});

/**
 * PutParameter: creates a parameter, or with Overwrite a new version of it. Without
 * Overwrite an existing name is refused (ParameterAlreadyExists): one caller wins, which
 * makes a create-only put a lock. Tags are taken only at creation (with Overwrite they are
 * refused, as the service does).
 */
const putParameter = op<PutParameterCommandInput>((sim, input): Out<PutParameterCommandOutput> => {
  const name = input.Name ?? '';
  if (name.length === 0 || name.length > MAX_NAME_LENGTH)
    throw fail('ValidationException', `Parameter name must be 1 to ${MAX_NAME_LENGTH} characters`);
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) throw fail('ValidationException', `Parameter name ${name} may contain only a-zA-Z0-9_.-/`);
  if (name.startsWith('/') && name.split('/').length - 1 > MAX_LEVELS)
    throw fail('HierarchyLevelLimitExceededException', `Parameter ${name} has more than ${MAX_LEVELS} levels`);
  if (/^\/?(aws|ssm)/i.test(name)) throw fail('ValidationException', `Parameter name ${name} must not begin with aws or ssm`);
  const value = input.Value ?? '';
  if (value.length === 0 || Buffer.byteLength(value) > MAX_VALUE_BYTES)
    throw fail('ValidationException', `Parameter value must be 1 to ${MAX_VALUE_BYTES} bytes`);
  if (input.Overwrite && input.Tags && input.Tags.length > 0)
    throw fail(
      'ValidationException',
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag."
    );
  const params = storedParameters(sim);
  const existing = params[name];
  if (existing && !input.Overwrite)
    throw fail(
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.'
    );
  const type = input.Type ?? existing?.type;
  if (!type || !(PARAMETER_TYPES as readonly string[]).includes(type))
    throw fail('ValidationException', 'Type is required for a new parameter: String, StringList or SecureString');
  const tags: Record<string, string> = { ...(existing?.tags ?? {}) };
  for (const tag of input.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
  const version = (existing?.version ?? 0) + 1;
  params[name] = { name, type: type as ParameterRecord['type'], value, version, lastModified: sim.now(), tags };
  return { Version: version, Tier: 'Standard' };
});

/** GetParametersByPath: the parameters under a path (its direct children, or all below it with Recursive), by name, in pages. */
const getParametersByPath = op<GetParametersByPathCommandInput>((sim, input): Out<GetParametersByPathCommandOutput> => {
  const path = input.Path ?? '';
  if (!path.startsWith('/')) throw fail('ValidationException', `Path ${path} must begin with /`);
  const max = input.MaxResults ?? MAX_PAGE;
  if (!Number.isInteger(max) || max < 1 || max > MAX_PAGE)
    throw fail('ValidationException', `MaxResults must be between 1 and ${MAX_PAGE}`);
  const prefix = path.endsWith('/') ? path : `${path}/`;
  const matching = Object.values(storedParameters(sim))
    .filter((p) => p.name.startsWith(prefix) && (input.Recursive || !p.name.slice(prefix.length).includes('/')))
    .sort((a, b) => a.name.localeCompare(b.name));
  const start = input.NextToken === undefined ? 0 : Number.parseInt(input.NextToken, 10);
  if (!Number.isInteger(start) || start < 0) throw fail('ValidationException', 'The NextToken is not valid');
  const page = matching.slice(start, start + max);
  const next = start + max < matching.length ? String(start + max) : undefined;
  return { Parameters: page.map((p) => parameterView(sim, p)), ...(next === undefined ? {} : { NextToken: next }) };
});

const deleteParameter = op<DeleteParameterCommandInput>((sim, input): Out<DeleteParameterCommandOutput> => {
  const name = input.Name ?? '';
  const params = storedParameters(sim);
  if (!params[name]) throw fail('ParameterNotFound', `Parameter ${name} not found.`);
  delete params[name];
  return {};
});

// ---------------------------------------------------------------- managed instances

function pingStatus(sim: Sim, inst: InstanceRecord): 'Online' | 'ConnectionLost' | undefined {
  if (inst.ssmOnlineAt === null || sim.now() < inst.ssmOnlineAt) return undefined;
  if (ssmOnline(sim, inst)) return 'Online';
  const terminatingAt = inst.terminateRequestedAt;
  if (terminatingAt !== undefined && inst.ssmOnlineAt < terminatingAt) return 'ConnectionLost';
  return undefined;
}

function informationView(sim: Sim, inst: InstanceRecord, status: 'Online' | 'ConnectionLost'): InstanceInformation {
  return {
    InstanceId: inst.id,
    PingStatus: status,
    LastPingDateTime: new Date(status === 'Online' ? sim.now() : (inst.terminateRequestedAt ?? sim.now())),
    AgentVersion: '3.3.1957.0',
    IsLatestVersion: true,
    PlatformType: 'Linux',
    PlatformName: 'Ubuntu',
    PlatformVersion: publicImage(inst.imageId)?.release ?? '24.04',
    ResourceType: 'EC2Instance',
    IPAddress: inst.privateIp,
    ComputerName: `ip-${inst.privateIp.replaceAll('.', '-')}.${sim.region}.compute.internal`,
    SourceId: inst.id,
    SourceType: 'AWS::EC2::Instance',
  };
}

const describeInstanceInformation = op<DescribeInstanceInformationCommandInput>(
  (sim, input): Out<DescribeInstanceInformationCommandOutput> => {
    const filters: { key: string; values: string[] }[] = [
      ...(input.Filters ?? []).map((f) => ({ key: f.Key ?? '', values: f.Values ?? [] })),
      ...(input.InstanceInformationFilterList ?? []).map((f) => ({ key: f.key ?? '', values: f.valueSet ?? [] })),
    ];
    const known = ['InstanceIds', 'PingStatus', 'ResourceType', 'PlatformTypes'];
    for (const filter of filters) {
      if (!known.includes(filter.key) && !filter.key.startsWith('tag:') && filter.key !== 'tag-key') {
        throw fail('InvalidFilterKey', `The filter key ${filter.key} is not valid`);
      }
    }
    const list: InstanceInformation[] = [];
    for (const inst of sim.list('instance')) {
      const status = pingStatus(sim, inst);
      if (!status) continue;
      const ok = filters.every((filter) => {
        const values = filter.values;
        if (filter.key === 'InstanceIds') return values.includes(inst.id);
        if (filter.key === 'PingStatus') return values.includes(status);
        if (filter.key === 'ResourceType') return values.includes('EC2Instance');
        if (filter.key === 'PlatformTypes') return values.includes('Linux');
        if (filter.key === 'tag-key') return values.some((v) => v in inst.tags);
        const tag = inst.tags[filter.key.slice(4)];
        return tag !== undefined && values.includes(tag);
      });
      if (ok) list.push(informationView(sim, inst, status));
    }
    return { InstanceInformationList: list };
  }
);

// ---------------------------------------------------------------- commands

interface InvocationStatus {
  status: 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';
  details: string;
  responseCode: number;
  startedAt?: number;
  endedAt?: number;
  stdout: string;
  stderr: string;
}

const OUTPUT: Record<string, string> = {
  'configure-master': 'ZooKeeper, Mesos master and Marathon configured\n',
  'configure-slave': 'Mesos agent and Docker installed\n',
  'drain-agents': 'maintenance schedule updated; agents draining\n',
};

/** Documents that only a running Mesos master can answer. */
const MASTER_DOCUMENTS: readonly DocumentBehaviour[] = ['count-agents', 'agent-load', 'drain-agents', 'marathon-smoke-test'];

/** The state of one invocation now, computed from its planned times and what happened to the instance. */
function invocationStatus(sim: Sim, command: CommandRecord, inv: InvocationRecord): InvocationStatus {
  const now = sim.now();
  const inst = sim.state.instances[inv.instanceId];
  const lostAt = inst?.terminateRequestedAt;
  if (lostAt !== undefined && lostAt < inv.endAt && now >= lostAt) {
    const started = lostAt >= inv.inProgressAt ? inv.inProgressAt : undefined;
    return {
      status: 'Failed',
      details: started ? 'Failed' : 'Undeliverable',
      responseCode: -1,
      startedAt: started,
      endedAt: lostAt,
      stdout: '',
      stderr: 'The instance was terminated.\n',
    };
  }
  if (now < inv.inProgressAt) return { status: 'Pending', details: 'Pending', responseCode: -1, stdout: '', stderr: '' };
  if (now < inv.endAt)
    return { status: 'InProgress', details: 'InProgress', responseCode: -1, startedAt: inv.inProgressAt, stdout: '', stderr: '' };
  const ended = { startedAt: inv.inProgressAt, endedAt: inv.endAt };
  if (inv.outcome === 'TimedOut')
    return { status: 'TimedOut', details: 'ExecutionTimedOut', responseCode: -1, ...ended, stdout: '', stderr: 'Execution timed out.\n' };
  if (inv.outcome === 'Cancelled') return { status: 'Cancelled', details: 'Cancelled', responseCode: -1, ...ended, stdout: '', stderr: '' };
  if (inv.outcome === 'Failed')
    return {
      status: 'Failed',
      details: 'Failed',
      responseCode: 1,
      ...ended,
      stdout: '',
      stderr: `${command.failureOutput ?? 'failed to run commands: exit status 1'}\n`,
    };
  if (MASTER_DOCUMENTS.includes(command.behaviour) && (!inst || !runsMaster(inst, inv.endAt))) {
    return {
      status: 'Failed',
      details: 'Failed',
      responseCode: 1,
      ...ended,
      stdout: '',
      stderr: 'no Mesos master runs on this instance\n',
    };
  }
  if (command.behaviour === 'marathon-smoke-test' && command.parameters.SmokeTestAction?.[0] === 'status') {
    inv.output ??= smokeTestStatusOutput(sim, inst as InstanceRecord, inv.endAt);
    return { status: 'Success', details: 'Success', responseCode: 0, ...ended, stdout: inv.output, stderr: '' };
  }
  if (command.behaviour === 'count-agents' || command.behaviour === 'agent-load') {
    if (inv.output === undefined) {
      const master = inst as InstanceRecord;
      inv.output =
        command.behaviour === 'count-agents'
          ? `${registeredAgents(sim, master, inv.endAt).length}\n`
          : agentLoadOutput(sim, master, inv.endAt);
    }
    return { status: 'Success', details: 'Success', responseCode: 0, ...ended, stdout: inv.output, stderr: '' };
  }
  return { status: 'Success', details: 'Success', responseCode: 0, ...ended, stdout: OUTPUT[command.behaviour] ?? '', stderr: '' };
}

function commandStatus(sim: Sim, command: CommandRecord): { status: Command['Status']; completed: number; errors: number } {
  const statuses = command.invocations.map((inv) => invocationStatus(sim, command, inv).status);
  const done = statuses.filter((s) => s !== 'Pending' && s !== 'InProgress');
  const errors = done.filter((s) => s !== 'Success').length;
  let status: Command['Status'];
  if (statuses.every((s) => s === 'Pending')) status = 'Pending';
  else if (done.length < statuses.length) status = 'InProgress';
  else if (errors === 0) status = 'Success';
  else if (statuses.includes('TimedOut')) status = 'TimedOut';
  else if (statuses.every((s) => s === 'Cancelled')) status = 'Cancelled';
  else status = 'Failed';
  return { status, completed: done.length, errors };
}

function commandView(sim: Sim, command: CommandRecord): Command {
  const { status, completed, errors } = commandStatus(sim, command);
  return {
    CommandId: command.id,
    DocumentName: command.documentName,
    DocumentVersion: '$DEFAULT',
    Comment: command.comment,
    ExpiresAfter: new Date(command.requestedAt + (command.timeoutSeconds ?? 3600) * 1000),
    Parameters: command.parameters,
    InstanceIds: command.invocations.map((inv) => inv.instanceId),
    Targets: [],
    RequestedDateTime: new Date(command.requestedAt),
    Status: status,
    StatusDetails: status,
    MaxConcurrency: '50',
    MaxErrors: '0',
    TargetCount: command.invocations.length,
    CompletedCount: completed,
    ErrorCount: errors,
    DeliveryTimedOutCount: 0,
    TimeoutSeconds: command.timeoutSeconds,
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
  };
}

const sendCommand = op<SendCommandCommandInput>((sim, input): Out<SendCommandCommandOutput> => {
  const documentName = input.DocumentName ?? '';
  const behaviour = sim.documents[documentName];
  if (!behaviour) throw fail('InvalidDocument', `Document with name ${documentName} does not exist.`);
  const ids = input.InstanceIds ?? [];
  if (ids.length === 0) throw fail('InvalidParameters', 'SendCommand needs InstanceIds (Targets are not simulated)');
  if (ids.length > MAX_INSTANCES_PER_COMMAND)
    throw fail('InvalidParameters', `At most ${MAX_INSTANCES_PER_COMMAND} instance ids per command`);
  const timeout = input.TimeoutSeconds;
  if (timeout !== undefined && (timeout < 30 || timeout > 2592000))
    throw fail('InvalidParameters', 'TimeoutSeconds must be between 30 and 2592000');
  const notOnline = ids.filter((id) => {
    const inst = sim.state.instances[id];
    return !inst || sim.inConsistencyWindow(inst) || !ssmOnline(sim, inst);
  });
  if (notOnline.length > 0) {
    throw fail('InvalidInstanceId', `Instances [[${notOnline.join(', ')}]] not in a valid state for account ${ACCOUNT_ID}`);
  }
  const fault = takeFault(sim.state.faults, `Command:${documentName}`);
  // drain-agents refuses a malformed AgentIps before it does anything.
  const agentIps = behaviour === 'drain-agents' ? parseAgentIps(input.Parameters?.AgentIps?.[0]) : [];
  // With PackageSource mirror, the configure scripts check the downloaded packages first.
  const packageRefusal = mirrorPackagesRefusal(sim, behaviour, input.Parameters ?? {});
  const refused = agentIps === undefined || packageRefusal !== undefined ? 'Failed' : undefined;
  const outcome = fault ? (COMMAND_OUTCOMES.find((o) => o === fault.code) ?? 'Failed') : (refused ?? 'Success');
  const now = sim.now();
  const duration = sim.model.commandDurationsMs[behaviour];
  const command: CommandRecord = {
    id: newUuid(sim.state, 'command'),
    documentName,
    behaviour,
    parameters: { ...(input.Parameters ?? {}) },
    comment: input.Comment,
    timeoutSeconds: timeout,
    requestedAt: now,
    ...(packageRefusal !== undefined && !fault ? { failureOutput: packageRefusal } : {}),
    invocations: ids.map((instanceId) => {
      const inProgressAt = now + sim.latency(sim.model.ssmDeliveryMs);
      return { instanceId, inProgressAt, endAt: inProgressAt + sim.latency(duration), outcome };
    }),
  };
  sim.state.commands[command.id] = command;
  watchCommandEvents(sim, command);
  if (outcome === 'Success') {
    for (const inv of command.invocations) {
      const inst = sim.state.instances[inv.instanceId] as InstanceRecord;
      if (behaviour === 'configure-master') inst.masterAt = Math.min(inst.masterAt ?? Number.POSITIVE_INFINITY, inv.endAt);
      if (behaviour === 'configure-slave') inst.agentInstalledAt = Math.min(inst.agentInstalledAt ?? Number.POSITIVE_INFINITY, inv.endAt);
      if (behaviour === 'drain-agents' && runsMaster(inst, inv.endAt)) applyDrain(sim, inst, agentIps ?? [], inv.endAt);
      if (behaviour === 'marathon-smoke-test' && runsMaster(inst, inv.endAt)) {
        applySmokeTestAction(sim, inst, input.Parameters?.SmokeTestAction?.[0], inv.endAt);
      }
    }
  }
  return { Command: commandView(sim, command) };
});

/**
 * The status-change events of a command: a look when each invocation starts and ends
 * (and now, for a change made now such as its instance's termination).
 */
export function watchCommandEvents(sim: Sim, command: CommandRecord): void {
  const times = [sim.now(), ...command.invocations.flatMap((inv) => [inv.inProgressAt, inv.endAt])];
  watchCommand(sim, command.id, times, () => {
    const current = sim.state.commands[command.id];
    if (!current) return undefined;
    return {
      status: commandStatus(sim, current).status ?? 'Pending',
      documentName: current.documentName,
      requestedAt: current.requestedAt,
      expiresAt: current.requestedAt + (current.timeoutSeconds ?? 3600) * 1000,
      parameters: current.parameters,
      invocations: current.invocations.map((inv) => ({ instanceId: inv.instanceId, status: invocationStatus(sim, current, inv).status })),
    };
  });
}

/** The status-change events of the commands still running on an instance being terminated now. */
export function watchCommandsOnTermination(sim: Sim, instanceId: string): void {
  if (!sim.events?.listening) return;
  for (const command of Object.values(sim.state.commands)) {
    if (command.invocations.some((inv) => inv.instanceId === instanceId && inv.endAt > sim.now())) watchCommandEvents(sim, command);
  }
}

/**
 * Why a configure command that installs from the mirror fails (the first package the mirror
 * cannot serve with the SHA256 the command names), or undefined.
 */
function mirrorPackagesRefusal(
  sim: Sim,
  behaviour: DocumentBehaviour,
  parameters: Record<string, string[] | undefined>
): string | undefined {
  if (behaviour !== 'configure-master' && behaviour !== 'configure-slave') return undefined;
  if (parameters.PackageSource?.[0] !== 'mirror') return undefined;
  const packages = [['aventer-mesos', 'Mesos']];
  if (behaviour === 'configure-master') packages.push(['marathon', 'Marathon']);
  for (const [name, param] of packages) {
    const key = parameters[`${param}PackageKey`]?.[0] ?? '';
    const sha = parameters[`${param}PackageSha256`]?.[0] ?? '';
    const version = parameters[`${param}Version`]?.[0] ?? '';
    const refusal = mirrorRefusal(sim, `${name} ${version}`, key, sha);
    if (refusal) return refusal;
  }
  return undefined;
}

function findCommand(sim: Sim, commandId: string | undefined, code: string): CommandRecord {
  const command = commandId === undefined ? undefined : sim.state.commands[commandId];
  if (!command)
    throw fail(code, code === 'InvocationDoesNotExist' ? 'The command invocation does not exist' : `Command ${commandId} not found`);
  return command;
}

const listCommands = op<ListCommandsCommandInput>((sim, input): Out<ListCommandsCommandOutput> => {
  let commands =
    input.CommandId !== undefined ? [findCommand(sim, input.CommandId, 'InvalidCommandId')] : Object.values(sim.state.commands);
  if (input.InstanceId !== undefined) commands = commands.filter((c) => c.invocations.some((inv) => inv.instanceId === input.InstanceId));
  const views = commands.map((c) => commandView(sim, c));
  const filtered = views.filter((view) =>
    (input.Filters ?? []).every((f) => {
      if (f.key === 'DocumentName') return view.DocumentName === f.value;
      if (f.key === 'Status') return view.Status === f.value;
      if (f.key === 'InvokedAfter') return (view.RequestedDateTime?.getTime() ?? 0) >= Date.parse(f.value ?? '');
      if (f.key === 'InvokedBefore') return (view.RequestedDateTime?.getTime() ?? 0) <= Date.parse(f.value ?? '');
      throw fail('InvalidFilterKey', `The filter key ${f.key} is not valid`);
    })
  );
  return { Commands: filtered };
});

function iso(t: number | undefined): string {
  return t === undefined ? '' : new Date(t).toISOString();
}

function elapsed(status: InvocationStatus, now: number): string {
  if (status.startedAt === undefined) return '';
  return `PT${(((status.endedAt ?? now) - status.startedAt) / 1000).toFixed(3)}S`;
}

const getCommandInvocation = op<GetCommandInvocationCommandInput>((sim, input): Out<GetCommandInvocationCommandOutput> => {
  const command = findCommand(sim, input.CommandId, 'InvocationDoesNotExist');
  const inv = command.invocations.find((i) => i.instanceId === input.InstanceId);
  if (!inv || sim.now() < command.requestedAt + sim.model.consistencyWindowMs) {
    throw fail('InvocationDoesNotExist', 'The command invocation does not exist');
  }
  const status = invocationStatus(sim, command, inv);
  return {
    CommandId: command.id,
    InstanceId: inv.instanceId,
    Comment: command.comment,
    DocumentName: command.documentName,
    DocumentVersion: '$DEFAULT',
    PluginName: input.PluginName ?? 'aws:runShellScript',
    ResponseCode: status.responseCode,
    ExecutionStartDateTime: iso(status.startedAt),
    ExecutionElapsedTime: elapsed(status, sim.now()),
    ExecutionEndDateTime: iso(status.endedAt),
    Status: status.status,
    StatusDetails: status.details,
    StandardOutputContent: status.stdout,
    StandardOutputUrl: '',
    StandardErrorContent: status.stderr,
    StandardErrorUrl: '',
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
  };
});

const listCommandInvocations = op<ListCommandInvocationsCommandInput>((sim, input): Out<ListCommandInvocationsCommandOutput> => {
  const commands =
    input.CommandId !== undefined ? [findCommand(sim, input.CommandId, 'InvalidCommandId')] : Object.values(sim.state.commands);
  const invocations: CommandInvocation[] = [];
  for (const command of commands) {
    // Too early after SendCommand the list is empty (200), as on AWS.
    if (sim.now() < command.requestedAt + sim.model.consistencyWindowMs) continue;
    for (const inv of command.invocations) {
      if (input.InstanceId !== undefined && inv.instanceId !== input.InstanceId) continue;
      const status = invocationStatus(sim, command, inv);
      invocations.push({
        CommandId: command.id,
        InstanceId: inv.instanceId,
        InstanceName: '',
        Comment: command.comment,
        DocumentName: command.documentName,
        DocumentVersion: '$DEFAULT',
        RequestedDateTime: new Date(command.requestedAt),
        Status: status.status,
        StatusDetails: status.details,
        TraceOutput: '',
        StandardOutputUrl: '',
        StandardErrorUrl: '',
        CommandPlugins: input.Details
          ? [
              {
                Name: 'aws:runShellScript',
                Status: status.status,
                StatusDetails: status.details,
                ResponseCode: status.responseCode,
                ResponseStartDateTime: status.startedAt === undefined ? undefined : new Date(status.startedAt),
                ResponseFinishDateTime: status.endedAt === undefined ? undefined : new Date(status.endedAt),
                Output: `${status.stdout}${status.stderr}`.slice(0, 2500),
                StandardOutputUrl: '',
                StandardErrorUrl: '',
              },
            ]
          : [],
        CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
      });
    }
  }
  return { CommandInvocations: invocations };
});

/** The SSM operations, by operation name. */
export const ssmHandlers: Record<string, Handler> = {
  GetParameter: getParameter,
  PutParameter: putParameter,
  GetParametersByPath: getParametersByPath,
  DeleteParameter: deleteParameter,
  DescribeInstanceInformation: describeInstanceInformation,
  SendCommand: sendCommand,
  ListCommands: listCommands,
  GetCommandInvocation: getCommandInvocation,
  ListCommandInvocations: listCommandInvocations,
};
