import { parseAgentLoad } from '../../../functions/shared/agent-load';
import { formatAutoscalingTag, parseAutoscalingTag, parseScalingAlarmName, scalingAlarmName } from '../../../functions/shared/scaling';

describe('scaling tags and names', () => {
  it('writes and reads back the autoscaling tag', () => {
    // Prepare
    const settings = { minSlaves: 1, maxSlaves: 10, scaleOutAbovePercent: 75, scaleInBelowPercent: 25.5, step: 2, cooldownSeconds: 300 };
    // Act
    const value = formatAutoscalingTag(settings);
    // Assess
    expect(value).toBe('min=1,max=10,out=75,in=25.5,step=2,cooldown=300');
    expect(parseAutoscalingTag(value)).toEqual(settings);
  });

  it('leaves out unknown keys and malformed numbers of the tag', () => {
    // Act
    const parsed = parseAutoscalingTag('min=2,max=,out=x,color=red,step=3');
    // Assess
    expect(parsed).toEqual({ minSlaves: 2, step: 3 });
  });

  it.each([
    ['c-1234', 'out'],
    ['demo-a1b2c3', 'in'],
  ] as const)('names the alarm of cluster %s, direction %s, and reads it back', (clusterId, direction) => {
    // Act
    const name = scalingAlarmName(clusterId, direction);
    // Assess
    expect(name).toBe(`mesos-cluster-${clusterId}-scale-${direction}`);
    expect(parseScalingAlarmName(name)).toEqual({ clusterId, direction });
  });

  it('does not read another alarm as a scaling alarm', () => {
    // Act / Assess
    expect(parseScalingAlarmName('mesos-cluster-c-1-cpu-high')).toBeUndefined();
  });

  it('parses the agent-load answer, adding up repeated agents', () => {
    // Act
    const load = parseAgentLoad('10.0.1.21 3\n  10.0.1.22\t0 \n\n10.0.1.21 1\n');
    // Assess
    expect([...load.entries()]).toEqual([
      ['10.0.1.21', 4],
      ['10.0.1.22', 0],
    ]);
  });
});
