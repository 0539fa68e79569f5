/**
 * An error shaped like the AWS SDK's service exceptions: `name` is the AWS error code,
 * with `$metadata` and `$fault`, so that the step's error classification sees a real code.
 */
export function awsError(code: string, message = code): Error {
  return Object.assign(new Error(message), { name: code, $metadata: {}, $fault: 'client' as const });
}
