/** Prints the OpenAPI document: `npx tsx infra/print-openapi.ts > docs/openapi.json`. */
import { buildOpenApi } from './openapi';

process.stdout.write(`${JSON.stringify(buildOpenApi(), null, 2)}\n`);
