/**
 * Prints a machine's ASL: `npx tsx workflow/print-asl.ts create-cluster|teardown-cluster|scale-cluster`.
 */
import { exportAsl, MACHINE_NAMES, type MachineName } from './export';

const name = process.argv[2];
if (!MACHINE_NAMES.includes(name as MachineName)) {
  process.stderr.write(`usage: print-asl <${MACHINE_NAMES.join('|')}>\n`);
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(exportAsl(name as MachineName), null, 2)}\n`);
