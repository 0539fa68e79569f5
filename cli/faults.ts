/**
 * `--fault OPERATION=ERRORCODE[:COUNT]`: a fault for the simulated cloud. OPERATION is an
 * SDK operation without the `Command` suffix (`CreateNatGateway`) or
 * `Command:<DocumentName>` (the next command of that SSM document ends with ERRORCODE,
 * e.g. `Failed`). Without COUNT the fault persists for the whole command.
 */

import { COMMAND_FAULT_OUTCOMES, FAULT_ERROR_CODES, supportedOperations } from '../simulator';
import { IN_PROCESS_DOCUMENTS } from './step-config';
import { didYouMean } from './suggest';

/** A parsed --fault: the shape SimulatedCloud.injectFault takes. */
export interface FaultArg {
  readonly operation: string;
  readonly code: string;
  readonly count?: number;
}

/** A --fault value that does not parse. */
export class FaultSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSyntaxError';
  }
}

const OPERATION_RE = /^(?:[A-Z][A-Za-z0-9]*|Command:[A-Za-z0-9_.-]+)$/;
const CODE_RE = /^[A-Za-z][A-Za-z0-9.]*$/;
const COUNT_RE = /^[1-9]\d{0,5}$/;

const USAGE = 'must be OPERATION=ERRORCODE[:COUNT], e.g. CreateNatGateway=NatGatewayLimitExceeded:1';

/** Parses one --fault value; throws FaultSyntaxError with a message naming the rule. */
export function parseFault(text: string): FaultArg {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new FaultSyntaxError(`'${text}' ${USAGE}`);
  const operation = text.slice(0, eq).trim();
  const rest = text.slice(eq + 1).trim();
  const [code = '', count, ...extra] = rest.split(':');
  if (!OPERATION_RE.test(operation)) {
    throw new FaultSyntaxError(`'${text}': OPERATION must be an API operation such as CreateNatGateway, or Command:<DocumentName>`);
  }
  if (!CODE_RE.test(code)) throw new FaultSyntaxError(`'${text}': ERRORCODE must be an AWS error code such as RequestLimitExceeded`);
  if (extra.length > 0 || (count !== undefined && !COUNT_RE.test(count))) {
    throw new FaultSyntaxError(`'${text}': COUNT must be a whole number from 1`);
  }
  checkKnown(text, operation, code);
  return count === undefined ? { operation, code } : { operation, code, count: Number(count) };
}

/**
 * Refuses an operation the simulated cloud does not answer (the fault would never fire)
 * and an error code no AWS service of the cloud answers with (or, for a
 * `Command:<DocumentName>`, a command status other than Failed, TimedOut and Cancelled).
 */
function checkKnown(text: string, operation: string, code: string): void {
  if (operation.startsWith('Command:')) {
    const documents = Object.values(IN_PROCESS_DOCUMENTS);
    const document = operation.slice('Command:'.length);
    if (!documents.includes(document)) {
      throw new FaultSyntaxError(
        `'${text}': no SSM document named ${document}${didYouMean(document, documents)}; documents: ${documents.join(', ')}`
      );
    }
    if (!(COMMAND_FAULT_OUTCOMES as readonly string[]).includes(code)) {
      throw new FaultSyntaxError(`'${text}': a command ends with ${COMMAND_FAULT_OUTCOMES.join(', ')}, not ${code}`);
    }
    return;
  }
  const operations = Object.values(supportedOperations()).flat();
  if (!operations.includes(operation)) {
    throw new FaultSyntaxError(
      `'${text}': the simulated cloud has no operation ${operation}${didYouMean(operation, operations)}; see simulator/README.md for the list`
    );
  }
  if (!FAULT_ERROR_CODES.includes(code)) {
    throw new FaultSyntaxError(`'${text}': ${code} is not an error code of EC2, SSM or CloudWatch${didYouMean(code, FAULT_ERROR_CODES)}`);
  }
}

/** The injected faults that never failed a call, as `OPERATION=CODE` texts. */
export function unfiredFaults(pending: readonly { operation: string; code: string; count?: number; fired?: number }[]): string[] {
  return pending.filter((fault) => !fault.fired).map((fault) => `${fault.operation}=${fault.code}`);
}
