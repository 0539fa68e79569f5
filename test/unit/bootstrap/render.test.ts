import {
  assertOddMasters,
  JOIN_COMMAND,
  mesosQuorum,
  renderJoinUserData,
  renderZooCfg,
  zkUrl,
  zooMyId,
  zooServerLines,
} from '../../../functions/shared/render';

const ONE = ['172.28.128.10'];
const THREE = ['172.28.128.10', '172.28.128.11', '172.28.128.12'];
const FIVE = ['172.28.128.10', '172.28.128.11', '172.28.128.12', '172.28.128.13', '172.28.128.14'];

describe('zkUrl', () => {
  it.each([
    [ONE, 'zk://172.28.128.10:2181/mesos'],
    [THREE, 'zk://172.28.128.10:2181,172.28.128.11:2181,172.28.128.12:2181/mesos'],
    [FIVE, 'zk://172.28.128.10:2181,172.28.128.11:2181,172.28.128.12:2181,172.28.128.13:2181,172.28.128.14:2181/mesos'],
  ])('lists every master with the client port for %j', (ips, expected) => {
    // Prepare / Act
    const url = zkUrl(ips);

    // Assess
    expect(url).toBe(expected);
  });

  it('uses a given client port', () => {
    // Prepare / Act
    const url = zkUrl(THREE, 12181);

    // Assess
    expect(url).toBe('zk://172.28.128.10:12181,172.28.128.11:12181,172.28.128.12:12181/mesos');
  });

  it.each([[[]], [['10.0.0.1', '10.0.0.2']], [['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']]])(
    'refuses %j masters (not an odd, non-zero count)',
    (ips) => {
      // Prepare / Act / Assess
      expect(() => zkUrl(ips)).toThrow(/odd, non-zero number of masters/);
    }
  );
});

describe('mesosQuorum', () => {
  it.each([
    [ONE, 1],
    [THREE, 2],
    [FIVE, 3],
  ])('is a majority of %j', (ips, expected) => {
    // Prepare / Act
    const quorum = mesosQuorum(ips);

    // Assess
    expect(quorum).toBe(expected);
  });

  it('refuses an even count of masters', () => {
    // Prepare / Act / Assess
    expect(() => mesosQuorum(['10.0.0.1', '10.0.0.2'])).toThrow(/got 2/);
    expect(() => assertOddMasters(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'])).toThrow(/got 4/);
  });
});

describe('zooServerLines', () => {
  it('numbers the masters from 1 in list order', () => {
    // Prepare / Act
    const lines = zooServerLines(THREE);

    // Assess
    expect(lines).toEqual(['server.1=172.28.128.10:2888:3888', 'server.2=172.28.128.11:2888:3888', 'server.3=172.28.128.12:2888:3888']);
  });

  it('uses given peer and election ports', () => {
    // Prepare / Act
    const lines = zooServerLines(ONE, 12888, 13888);

    // Assess
    expect(lines).toEqual(['server.1=172.28.128.10:12888:13888']);
  });

  it('refuses an even count of masters', () => {
    // Prepare / Act / Assess
    expect(() => zooServerLines(['10.0.0.1', '10.0.0.2'])).toThrow(/odd/);
  });
});

describe('zooMyId', () => {
  it.each([
    ['172.28.128.10', 1],
    ['172.28.128.12', 3],
    ['172.28.128.14', 5],
  ])('gives %s its 1-based position', (ip, expected) => {
    // Prepare / Act
    const id = zooMyId(FIVE, ip);

    // Assess
    expect(id).toBe(expected);
  });

  it('refuses an address that is not a master', () => {
    // Prepare / Act / Assess
    expect(() => zooMyId(THREE, '172.28.128.99')).toThrow('172.28.128.99 is not one of the masters');
  });
});

describe('renderZooCfg', () => {
  const BASE = [
    'tickTime=2000',
    'dataDir=/var/lib/zookeeper',
    'clientPort=2181',
    'initLimit=10',
    'syncLimit=5',
    'admin.enableServer=false',
    '4lw.commands.whitelist=srvr,ruok,mntr',
  ];

  it('renders a standalone config for one master', () => {
    // Prepare / Act
    const cfg = renderZooCfg(ONE);

    // Assess
    expect(cfg).toBe(`${BASE.join('\n')}\n`);
  });

  it.each([[THREE], [FIVE]])('adds one server line per master for %j', (ips) => {
    // Prepare / Act
    const cfg = renderZooCfg(ips);

    // Assess
    expect(cfg).toBe(`${[...BASE, ...ips.map((ip, i) => `server.${i + 1}=${ip}:2888:3888`)].join('\n')}\n`);
  });

  it('keeps the AdminServer off the port Marathon uses', () => {
    // Prepare / Act
    const cfg = renderZooCfg(THREE);

    // Assess
    expect(cfg.split('\n')).toContain('admin.enableServer=false');
  });

  it('takes a data directory and ports', () => {
    // Prepare / Act
    const cfg = renderZooCfg(THREE, { dataDir: '/tmp/zk', clientPort: 12181, peerPort: 12888, electionPort: 13888 });

    // Assess
    expect(cfg.split('\n')).toEqual(
      expect.arrayContaining([
        'dataDir=/tmp/zk',
        'clientPort=12181',
        'server.1=172.28.128.10:12888:13888',
        'server.3=172.28.128.12:12888:13888',
      ])
    );
  });

  it('refuses an even count of masters', () => {
    // Prepare / Act / Assess
    expect(() => renderZooCfg(['10.0.0.1', '10.0.0.2'])).toThrow(/odd/);
  });
});

describe('renderJoinUserData', () => {
  it('runs the baked join script with the cluster zk URL', () => {
    // Prepare / Act
    const userData = renderJoinUserData(THREE);

    // Assess
    expect(userData).toBe(`#!/bin/bash\nset -euo pipefail\nexec ${JOIN_COMMAND} '${zkUrl(THREE)}'\n`);
    expect(JOIN_COMMAND).toBe('/usr/local/sbin/mesos-cluster-join');
  });
});
