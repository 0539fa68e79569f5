import {
  CLUSTER_ID_PATTERN,
  clusterIdFor,
  createStart,
  isClusterId,
  nameOfClusterId,
  randomClusterSuffix,
} from '../../../functions/shared/cluster-id';
import { ERROR_NAMES, hasErrorName, NAMED_ERRORS, NotReadyError, RetryableError } from '../../../functions/shared/errors';

describe('cluster ids', () => {
  it('makes <name>-<6 hex digits> and reads the name back', () => {
    // Act
    const id = clusterIdFor('blue', '1a2b3c');

    // Assess
    expect(id).toBe('blue-1a2b3c');
    expect(isClusterId(id)).toBe(true);
    expect(new RegExp(CLUSTER_ID_PATTERN).test(id)).toBe(true);
    expect(nameOfClusterId(id)).toBe('blue');
  });

  it('draws a random suffix of 6 hex digits by default', () => {
    // Act
    const ids = new Set(Array.from({ length: 20 }, () => clusterIdFor('red')));

    // Assess
    expect(randomClusterSuffix()).toMatch(/^[0-9a-f]{6}$/);
    for (const id of ids) expect(isClusterId(id)).toBe(true);
    expect(ids.size).toBeGreaterThan(1);
  });

  it.each(['1a2b3', '1A2B3C', '1a2b3c4', 'xyzxyz'])('throws on the suffix %s', (suffix) => {
    // Act
    const make = () => clusterIdFor('blue', suffix);

    // Assess
    expect(make).toThrow('a cluster id suffix is 6 hex digits');
  });

  it.each(['blue', 'Blue-1a2b3c', 'bl-1a2b3c', 'blue-1a2b3', 'blue-1a2b3c-x'])('does not take %s for a cluster id', (value) => {
    // Assess
    expect(isClusterId(value)).toBe(false);
  });

  it('starts a create with the execution create-<id> and the input the create machine reads', () => {
    // Act
    const start = createStart('blue-1a2b3c', 'blue', { masters: 3 });

    // Assess
    expect(start).toEqual({
      clusterId: 'blue-1a2b3c',
      executionName: 'create-blue-1a2b3c',
      input: { clusterId: 'blue-1a2b3c', clusterName: 'blue', spec: { masters: 3 } },
    });
  });
});

describe('error names', () => {
  it('names every error class from ERROR_NAMES', () => {
    // Assess
    expect(new NotReadyError('x').name).toBe(ERROR_NAMES.notReady);
    expect(new RetryableError('x').name).toBe(ERROR_NAMES.retryable);
    expect([...NAMED_ERRORS].sort()).toEqual(Object.values(ERROR_NAMES).sort());
  });

  it('tells a named error by its name only', () => {
    // Assess
    expect(hasErrorName(new RetryableError('x'), ERROR_NAMES.retryable)).toBe(true);
    expect(hasErrorName(new RetryableError('x'), ERROR_NAMES.notReady, ERROR_NAMES.fatal)).toBe(false);
    expect(hasErrorName({ name: ERROR_NAMES.retryable }, ERROR_NAMES.retryable)).toBe(false);
  });
});
