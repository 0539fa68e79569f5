import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NumberFlagError } from '../../../cli/numbers';
import { SpecFileError, specInputOf } from '../../../cli/spec-input';

describe('specInputOf', () => {
  it('turns number flags into numbers and leaves out flags that were not given', () => {
    expect(specInputOf({ name: 'blue', masters: '3', slaves: '5', adminCidr: '198.51.100.0/24', keepOnFailure: true })).toEqual({
      name: 'blue',
      masters: 3,
      slaves: 5,
      adminCidr: '198.51.100.0/24',
      keepOnFailure: true,
    });
  });

  it.each(['three', '0x3', '1e1', '3.0', ' 3', '-1'])('refuses %j for --masters, naming the flag', (value) => {
    expect(() => specInputOf({ masters: value })).toThrow(
      new NumberFlagError(`--masters: must be a whole number written in decimal digits, got '${value}'`)
    );
  });

  it('reads a --spec file and lets the flags override its fields', () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'spec-')), 'spec.json');
    writeFileSync(file, JSON.stringify({ name: 'from-file', slaves: 4, adminCidr: '10.0.0.0/8' }));

    // Act
    const spec = specInputOf({ spec: file, slaves: '7' });

    // Assess
    expect(spec).toEqual({ name: 'from-file', slaves: 7, adminCidr: '10.0.0.0/8' });
  });

  it('throws SpecFileError for a missing file or a file that holds no mapping or is not YAML or JSON', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'spec-'));
    writeFileSync(join(dir, 'list.json'), '[1, 2]');
    writeFileSync(join(dir, 'broken.json'), '{');

    // Assess
    expect(() => specInputOf({ spec: join(dir, 'missing.json') })).toThrow(SpecFileError);
    expect(() => specInputOf({ spec: join(dir, 'list.json') })).toThrow(/list\.json:1:1: must hold a mapping of cluster spec fields/);
    expect(() => specInputOf({ spec: join(dir, 'broken.json') })).toThrow(/broken\.json:1:2: .*\(the file must be YAML or JSON\)/);
  });
});
