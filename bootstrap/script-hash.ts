/**
 * The sha256 of the rendered configure-slave script: part of the slave image's recipe
 * hash (functions/shared/image-recipe.ts), so that a change to the script (or to a library
 * it inlines) makes the next cluster bake a new image instead of reusing an old one. The
 * stack passes it to the steps in CONFIGURE_SLAVE_SCRIPT_SHA256; the CLI sets the same
 * variable before it runs a workflow in-process.
 */
import { createHash } from 'node:crypto';
import { type BootstrapScriptName, renderDocumentScript } from './render-document-script';

/** sha256 (hex) of the configure-slave script as the renderer produces it. */
export function configureSlaveScriptSha256(render: (name: BootstrapScriptName) => string = renderDocumentScript): string {
  return createHash('sha256').update(render('configure-slave')).digest('hex');
}
