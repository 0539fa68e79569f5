import { clockOf, durationOf, ProgressPrinter } from '../../../cli/progress';
import type { RunEvent } from '../../../cli/runner/local-runner';

const at = (s: number) => ({ timestamp: s * 1000, elapsedMs: s * 1000 });

describe('clockOf', () => {
  it('formats elapsed time as [ hh:mm:ss]', () => {
    expect(clockOf(92_400)).toBe('[ 00:01:32]');
    expect(clockOf(3_723_000)).toBe('[ 01:02:03]');
  });
});

describe('durationOf', () => {
  it('shows tenths below ten seconds and minutes above a minute', () => {
    expect(durationOf(400)).toBe('0.4 s');
    expect(durationOf(42_000)).toBe('42 s');
    expect(durationOf(125_000)).toBe('2 min 05 s');
  });
});

describe('ProgressPrinter', () => {
  it('prints start, end, retry and failure lines with branch indentation', () => {
    // Prepare
    const lines: string[] = [];
    const printer = new ProgressPrinter((l) => lines.push(l));
    const nat = { state: 'Check NAT Gateway', stateType: 'Task', depth: 1, branch: 0, stepId: 'check-nat-gateway' };
    const events: RunEvent[] = [
      { type: 'StateEntered', ...at(92), ...nat },
      {
        type: 'StateFailed',
        ...at(92),
        ...nat,
        error: 'NotReadyError',
        cause: '{"errorType":"NotReadyError","errorMessage":"nat-1 is pending"}',
      },
      { type: 'StateRetried', ...at(107), ...nat, attempt: 1 },
      { type: 'StateExited', ...at(108), ...nat, durationMs: 16_000 },
      { type: 'StateEntered', ...at(108), state: 'Is NAT Available?', stateType: 'Choice', depth: 1, branch: 0 },
      { type: 'StateExited', ...at(108), state: 'Is NAT Available?', stateType: 'Choice', depth: 1, branch: 0 },
      { type: 'StateEntered', ...at(110), state: 'Launch Slaves', stateType: 'Task', depth: 0 },
      {
        type: 'StateFailed',
        ...at(111),
        state: 'Launch Slaves',
        stateType: 'Task',
        depth: 0,
        error: 'FatalError',
        cause: '{"errorType":"FatalError","errorMessage":"launch-instances: VcpuLimitExceeded"}',
      },
      { type: 'StateCaught', ...at(111), state: 'Launch Slaves', stateType: 'Task', depth: 0 },
    ];

    // Act
    for (const e of events) printer.onEvent(e);

    // Assess
    expect(lines).toEqual([
      '[ 00:01:32]   [1] ▶ Check NAT Gateway',
      '[ 00:01:47]   [1] ↻ retry Check NAT Gateway #1: NotReadyError: nat-1 is pending',
      '[ 00:01:48]   [1] ✓ Check NAT Gateway (16 s)',
      '[ 00:01:48]   [1] · Is NAT Available?',
      '[ 00:01:50] ▶ Launch Slaves',
      '[ 00:01:51] ✗ Launch Slaves failed: FatalError: launch-instances: VcpuLimitExceeded (caught)',
    ]);
  });
});

describe('ProgressPrinter on a failed Parallel', () => {
  it('prints the failed branch state before the Parallel that catches it, and the Fail state with its cause', () => {
    // Prepare
    const lines: string[] = [];
    const printer = new ProgressPrinter((l) => lines.push(l));
    const nat = { state: 'Create NAT Gateway', stateType: 'Task', depth: 1, branch: 0, stepId: 'create-nat-gateway' };
    const nodes = { state: 'Build Cluster Nodes', stateType: 'Parallel', depth: 0 };
    const cause = '{"errorType":"FatalError","errorMessage":"create-nat-gateway: NatGatewayLimitExceeded"}';

    // Act
    printer.onEvent({ type: 'StateEntered', ...at(8), ...nat });
    printer.onEvent({ type: 'StateFailed', ...at(8), ...nat, error: 'FatalError', cause });
    printer.onEvent({ type: 'StateFailed', ...at(8), ...nodes, error: 'FatalError', cause });
    printer.onEvent({ type: 'StateCaught', ...at(8), ...nodes });
    printer.onEvent({ type: 'StateEntered', ...at(48), state: 'Create Failed', stateType: 'Fail', depth: 0 });
    printer.onEvent({
      type: 'StateFailed',
      ...at(48),
      state: 'Create Failed',
      stateType: 'Fail',
      depth: 0,
      error: 'CREATE_FAILED',
      cause: 'CREATE_NAT_GATEWAY_FAILED: x',
    });

    // Assess
    expect(lines).toEqual([
      '[ 00:00:08]   [1] ▶ Create NAT Gateway',
      '[ 00:00:08]   [1] ✗ Create NAT Gateway failed: FatalError: create-nat-gateway: NatGatewayLimitExceeded',
      '[ 00:00:08] ✗ Build Cluster Nodes failed: FatalError: create-nat-gateway: NatGatewayLimitExceeded (caught)',
      '[ 00:00:48] ✗ Create Failed: CREATE_FAILED: CREATE_NAT_GATEWAY_FAILED: x',
    ]);
  });
});
