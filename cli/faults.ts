/**
 * `--fault OPERATION=ERRORCODE[:COUNT]`: a fault for the simulated cloud. OPERATION is an
 * SDK operation without the `Command` suffix (`CreateNatGateway`) or
 * `Command:<DocumentName>` (the next command of that SSM document ends with ERRORCODE,
 * e.g. `Failed`). Without COUNT the fault persists for the whole command.
 */

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
  return count === undefined ? { operation, code } : { operation, code, count: Number(count) };
}
