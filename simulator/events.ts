/**
 * EventBridge, as far as the workflow's completion signals need it: the default event bus
 * of the simulated account, on which EC2 and Systems Manager put their state-change
 * events, rules matching them by event pattern, and each rule's target called with the
 * event on the virtual clock.
 *
 * The events, their `detail-type`s and `detail` fields as AWS documents them:
 * - `EC2 Command Status-change Notification` and `EC2 Command Invocation Status-change
 *   Notification` (source `aws.ssm`; detail `command-id`, `document-name`, `expire-after`,
 *   `parameters`, `requested-date-time`, `status`, and `instance-id` for an invocation):
 *   https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-systems-manager-event-examples.html
 *   ("Run Command Events");
 * - `EC2 AMI State Change` (source `aws.ec2`; detail `RequestId`, `ImageId`, `State`,
 *   `ErrorMessage`; resource `arn:aws:ec2:<region>::image/<id>`):
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitor-ami-events.html;
 * - `EC2 Instance State-change Notification` (source `aws.ec2`; detail `instance-id`,
 *   `state`): https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-instance-state-changes.html.
 *
 * Delivery: AWS services put these events on a best-effort basis
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/event-delivery-level.html), and a
 * Lambda target is invoked asynchronously, Lambda retrying a failed invocation twice, one
 * and then two minutes later
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
 * Here an event reaches its targets `eventDeliveryMs` (latency model, jittered like every
 * latency) after the change; a target that throws is called again 60 s and 180 s after its
 * first attempt. Injected event faults drop a delivery (a missed event) or delay it.
 *
 * Time: the cloud otherwise never sets a timer; the bus does, and only while at least one
 * rule exists. Every change that can raise an event schedules a look at the moment it
 * happens (a `setTimeout` on the caller's clock, faked in virtual time); the look computes
 * the resource's state then and puts an event when it changed since the last one. Rules,
 * targets and the pending looks belong to this process and are not saved with the state: a
 * change that a saved and reloaded cloud reaches later raises no event.
 */
import type { Sim } from './core';
import { ACCOUNT_ID } from './core';
import { newUuid } from './util/ids';

/** An event as EventBridge hands it to a rule's target. */
export interface CloudEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** When the change happened, ISO 8601 to the second (`2026-01-01T08:00:00Z`). */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

/**
 * An event pattern, the subset of EventBridge's syntax the product's rules use
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html): each
 * field names an array of values the event's field must equal one of (for an array field:
 * share one with), or a nested pattern for an object field (`detail`). Besides literal
 * values an array may hold `{ prefix: 'x' }`, `{ 'anything-but': [...] }` and
 * `{ exists: true | false }`. Every field of the pattern must match; fields the pattern
 * does not name are ignored.
 */
export type EventPattern = { readonly [field: string]: readonly PatternValue[] | EventPattern };
export type PatternValue =
  | string
  | number
  | boolean
  | null
  | { readonly prefix: string }
  | { readonly 'anything-but': readonly (string | number)[] }
  | { readonly exists: boolean };

/** A rule's target: the function the event is handed to (a Lambda's handler, say). */
export type EventTarget = (event: CloudEvent) => unknown;

/** An injected event fault: the next `count` deliveries of matching events (no count: every one). */
export interface EventFaultSpec {
  /** `drop`: the target never gets the event; `delay`: it gets it `delayMs` later than it would. */
  readonly kind: 'drop' | 'delay';
  /** Only events of this `detail-type` (default: any). */
  readonly detailType?: string;
  /** Only deliveries to this rule (default: any). */
  readonly rule?: string;
  readonly delayMs?: number;
  readonly count?: number;
}

/** One delivery of an event to one rule's target, as it went. */
export interface EventDelivery {
  readonly rule: string;
  readonly event: CloudEvent;
  /** Virtual time the change happened. */
  readonly emittedAt: number;
  /** Virtual time the target was (last) called; absent when dropped or not yet due. */
  deliveredAt?: number;
  outcome: 'pending' | 'delivered' | 'dropped' | 'failed';
  /** Target calls made (a failing target is retried). */
  attempts: number;
  error?: string;
}

interface Rule {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly target: EventTarget;
}

/** The retry delays of a failed target call after its first attempt (Lambda's asynchronous invocation). */
const TARGET_RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000];

/** Refuses a pattern outside the supported subset, naming the field. */
function checkPattern(pattern: unknown, where: string): void {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) throw new Error(`${where}: a pattern is a JSON object`);
  for (const [field, value] of Object.entries(pattern)) {
    const path = `${where}.${field}`;
    if (Array.isArray(value)) {
      if (value.length === 0) throw new Error(`${path}: an empty array matches nothing`);
      for (const item of value) checkPatternValue(item, path);
    } else checkPattern(value, path);
  }
}

function checkPatternValue(item: unknown, path: string): void {
  if (item === null || ['string', 'number', 'boolean'].includes(typeof item)) return;
  const keys = typeof item === 'object' ? Object.keys(item as object) : [];
  const [key] = keys;
  const operand = key === undefined ? undefined : (item as Record<string, unknown>)[key];
  const ok =
    keys.length === 1 &&
    ((key === 'prefix' && typeof operand === 'string') ||
      (key === 'exists' && typeof operand === 'boolean') ||
      (key === 'anything-but' && Array.isArray(operand)));
  if (!ok) throw new Error(`${path}: unsupported pattern value ${JSON.stringify(item)} (literals, prefix, anything-but, exists)`);
}

function valueMatches(candidate: PatternValue, value: unknown, present: boolean): boolean {
  if (typeof candidate === 'object' && candidate !== null) {
    if ('exists' in candidate) return candidate.exists === present;
    if (!present) return false;
    if ('prefix' in candidate) return typeof value === 'string' && value.startsWith(candidate.prefix);
    return !candidate['anything-but'].some((other) => other === value);
  }
  return present && candidate === value;
}

/** True when `event` (or a nested object of it) matches `pattern`. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  const record = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  return Object.entries(pattern).every(([field, expected]) => {
    const present = Object.hasOwn(record, field);
    const value = record[field];
    if (!Array.isArray(expected))
      return present && typeof value === 'object' && value !== null && matchesPattern(expected as EventPattern, value);
    const candidates = expected as readonly PatternValue[];
    if (Array.isArray(value)) return candidates.some((c) => value.some((v) => valueMatches(c, v, true)));
    return candidates.some((c) => valueMatches(c, value, present));
  });
}

/** `2026-01-01T08:00:00Z`: the event's time, to the second as EventBridge writes it. */
function eventTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19)}Z`;
}

/** What a look at a resource finds: the event's fields besides the envelope, or nothing new. */
export interface EventBody {
  readonly source: string;
  readonly detailType: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

/** The default event bus of the simulated account. */
export class EventBus {
  readonly #rules = new Map<string, Rule>();
  readonly #faults: (EventFaultSpec & { remaining?: number })[] = [];
  readonly #deliveries: EventDelivery[] = [];
  /** The last state an event reported, per subject (`command:<id>`, `instance:<id>`, ...). */
  readonly #last = new Map<string, string>();

  /** Creates (or replaces) a rule whose target gets every event matching `pattern`. */
  putRule(name: string, pattern: EventPattern, target: EventTarget): void {
    if (!/^[\w.-]{1,64}$/.test(name)) throw new Error(`rule name '${name}': 1 to 64 letters, digits, '.', '-' or '_'`);
    checkPattern(pattern, `rule ${name} pattern`);
    this.#rules.set(name, { name, pattern: structuredClone(pattern), target });
  }

  /** Deletes a rule; deliveries already under way still reach its target. */
  removeRule(name: string): void {
    this.#rules.delete(name);
  }

  get ruleNames(): string[] {
    return [...this.#rules.keys()];
  }

  /** True while any rule exists: only then do changes schedule looks. */
  get listening(): boolean {
    return this.#rules.size > 0;
  }

  injectFault(fault: EventFaultSpec): void {
    if (fault.kind !== 'drop' && fault.kind !== 'delay')
      throw new Error(`event fault kind must be 'drop' or 'delay', got ${String(fault.kind)}`);
    if (fault.kind === 'delay' && !(typeof fault.delayMs === 'number' && fault.delayMs > 0))
      throw new Error('a delay event fault needs delayMs > 0');
    if (fault.count !== undefined && !(Number.isInteger(fault.count) && fault.count > 0))
      throw new Error(`event fault count must be a whole number > 0, got ${fault.count}`);
    this.#faults.push({ ...fault, ...(fault.count === undefined ? {} : { remaining: fault.count }) });
  }

  clearFaults(): void {
    this.#faults.splice(0);
  }

  /** Every delivery so far (oldest first): what each rule's target got, when, or why not. */
  deliveries(): readonly EventDelivery[] {
    return this.#deliveries;
  }

  /**
   * Schedules a look at virtual time `at` (now or later): `look` tells what the subject's
   * state is then, and an event is put when it differs from the last one put for `subject`.
   * Nothing is scheduled while no rule exists.
   */
  watch(sim: Sim, subject: string, at: number, look: () => { state: string; body: EventBody } | undefined): void {
    if (!this.listening) return;
    const fire = () => {
      const found = look();
      if (!found || this.#last.get(subject) === found.state) return;
      this.#last.set(subject, found.state);
      this.put(sim, found.body);
    };
    setTimeout(fire, Math.max(0, at - sim.now()));
  }

  /** Puts an event on the bus now: every matching rule's target gets it after the delivery latency. */
  put(sim: Sim, body: EventBody): void {
    const now = sim.now();
    const event: CloudEvent = {
      version: '0',
      id: newUuid(sim.state, 'event'),
      'detail-type': body.detailType,
      source: body.source,
      account: ACCOUNT_ID,
      time: eventTime(now),
      region: sim.region,
      resources: [...body.resources],
      detail: structuredClone(body.detail),
    };
    for (const rule of this.#rules.values()) {
      if (!matchesPattern(rule.pattern, event)) continue;
      const delivery: EventDelivery = { rule: rule.name, event, emittedAt: now, outcome: 'pending', attempts: 0 };
      this.#deliveries.push(delivery);
      const fault = this.takeFault(rule.name, event);
      if (fault?.kind === 'drop') {
        delivery.outcome = 'dropped';
        continue;
      }
      const delay = sim.latency(sim.model.eventDeliveryMs) + (fault?.kind === 'delay' ? (fault.delayMs ?? 0) : 0);
      setTimeout(() => this.deliver(rule, delivery, 0), delay);
    }
  }

  private takeFault(rule: string, event: CloudEvent): EventFaultSpec | undefined {
    const index = this.#faults.findIndex(
      (f) => (f.detailType === undefined || f.detailType === event['detail-type']) && (f.rule === undefined || f.rule === rule)
    );
    const fault = this.#faults[index];
    if (!fault) return undefined;
    if (fault.remaining !== undefined) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.#faults.splice(index, 1);
    }
    return fault;
  }

  private deliver(rule: Rule, delivery: EventDelivery, retry: number): void {
    delivery.attempts += 1;
    delivery.deliveredAt = Date.now();
    const failed = (err: unknown) => {
      delivery.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      const next = TARGET_RETRY_DELAYS_MS[retry];
      if (next === undefined) delivery.outcome = 'failed';
      else setTimeout(() => this.deliver(rule, delivery, retry + 1), next);
    };
    try {
      Promise.resolve(rule.target(structuredClone(delivery.event) as CloudEvent)).then(() => {
        delivery.outcome = 'delivered';
        delete delivery.error;
      }, failed);
    } catch (err) {
      failed(err);
    }
  }
}

// ------------------------------------------------------------------ the producers

/** The ARN of an EC2 instance, as the events name it. */
function instanceArn(sim: Sim, instanceId: string): string {
  return `arn:aws:ec2:${sim.region}:${ACCOUNT_ID}:instance/${instanceId}`;
}

/** Schedules the instance state-change events of an instance from its stored times. */
export function watchInstance(sim: Sim, instanceId: string): void {
  const bus = sim.events;
  const inst = sim.state.instances[instanceId];
  if (!bus?.listening || !inst) return;
  const times = [inst.createdAt, inst.runningAt, inst.terminateRequestedAt, inst.terminatedAt].filter(
    (t): t is number => t !== undefined && t >= sim.now()
  );
  for (const at of times) {
    bus.watch(sim, `instance:${instanceId}`, at, () => {
      const current = sim.state.instances[instanceId];
      if (!current) return undefined;
      const state = sim.instanceState(current);
      return {
        state,
        body: {
          source: 'aws.ec2',
          detailType: 'EC2 Instance State-change Notification',
          resources: [instanceArn(sim, instanceId)],
          detail: { 'instance-id': instanceId, state },
        },
      };
    });
  }
}

/** Schedules the `available` event of an image being created (by the request `CreateImage` answered now). */
export function watchImage(sim: Sim, imageId: string): void {
  const bus = sim.events;
  const image = sim.state.images[imageId];
  if (!bus?.listening || !image) return;
  const requestId = newUuid(sim.state, 'request');
  bus.watch(sim, `image:${imageId}`, image.availableAt, () => {
    const current = sim.state.images[imageId];
    if (!current || sim.imageState(current) !== 'available') return undefined;
    return { state: 'available', body: imageBody(sim, imageId, requestId, 'available') };
  });
}

/** Puts the `deregistered` event of an image (DeregisterImage answered now). */
export function imageDeregistered(sim: Sim, imageId: string): void {
  const bus = sim.events;
  if (!bus?.listening) return;
  const requestId = newUuid(sim.state, 'request');
  bus.watch(sim, `image:${imageId}`, sim.now(), () => ({
    state: 'deregistered',
    body: imageBody(sim, imageId, requestId, 'deregistered'),
  }));
}

function imageBody(sim: Sim, imageId: string, requestId: string, state: string): EventBody {
  return {
    source: 'aws.ec2',
    detailType: 'EC2 AMI State Change',
    resources: [`arn:aws:ec2:${sim.region}::image/${imageId}`],
    detail: { RequestId: requestId, ImageId: imageId, State: state, ErrorMessage: '' },
  };
}

/** A command's status and its invocations' now, as the SSM handlers compute them. */
export interface CommandLook {
  readonly status: string;
  readonly documentName: string;
  readonly requestedAt: number;
  readonly expiresAt: number;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly invocations: readonly { readonly instanceId: string; readonly status: string }[];
}

/** Statuses for which Systems Manager sends no event (the state a command starts in). */
const QUIET_STATUSES = new Set(['Pending']);

/**
 * Schedules the command and invocation status-change events of a command: a look at each
 * time one of its invocations may change (`times`), `look` answering the statuses then.
 */
export function watchCommand(sim: Sim, commandId: string, times: readonly number[], look: () => CommandLook | undefined): void {
  const bus = sim.events;
  if (!bus?.listening) return;
  const iso = (t: number) => new Date(t).toISOString();
  for (const at of new Set(times)) {
    if (at < sim.now()) continue;
    const current = look;
    // One look per time for the command, one per invocation: each subject keeps its own last status.
    const probe = current();
    for (const inv of probe?.invocations ?? []) {
      bus.watch(sim, `invocation:${commandId}:${inv.instanceId}`, at, () => {
        const seen = current();
        const status = seen?.invocations.find((i) => i.instanceId === inv.instanceId)?.status;
        if (!seen || status === undefined || QUIET_STATUSES.has(status)) return undefined;
        return {
          state: status,
          body: {
            source: 'aws.ssm',
            detailType: 'EC2 Command Invocation Status-change Notification',
            resources: [instanceArn(sim, inv.instanceId)],
            detail: {
              'command-id': commandId,
              'document-name': seen.documentName,
              'instance-id': inv.instanceId,
              'requested-date-time': iso(seen.requestedAt),
              status,
            },
          },
        };
      });
    }
    bus.watch(sim, `command:${commandId}`, at, () => {
      const seen = current();
      if (!seen || QUIET_STATUSES.has(seen.status)) return undefined;
      return {
        state: seen.status,
        body: {
          source: 'aws.ssm',
          detailType: 'EC2 Command Status-change Notification',
          resources: seen.invocations.map((i) => instanceArn(sim, i.instanceId)),
          detail: {
            'command-id': commandId,
            'document-name': seen.documentName,
            'expire-after': iso(seen.expiresAt),
            parameters: seen.parameters,
            'requested-date-time': iso(seen.requestedAt),
            status: seen.status,
          },
        },
      };
    });
  }
}
