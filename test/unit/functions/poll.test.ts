import { DEFAULT_BACK_OFF, epochOf, minutes, pollAnswer, withPoll } from '../../../functions/shared/poll';

const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);
const at = (seconds: number) => T0 + seconds * 1000;

describe('pollAnswer', () => {
  it('waits the floor right after the operation started', () => {
    // Act
    const answer = pollAnswer({ done: false, startedAt: T0, now: at(1), budgetSeconds: 600 });
    // Assess
    expect(answer).toMatchObject({ waitSeconds: DEFAULT_BACK_OFF.floorSeconds, elapsedSeconds: 1, timedOut: false });
  });

  it('waits a tenth of the time already waited, so the end is seen at most 10 % late', () => {
    // Act
    const answer = pollAnswer({ done: false, startedAt: T0, now: at(200), budgetSeconds: 1800 });
    // Assess
    expect(answer.waitSeconds).toBe(20);
  });

  it('never waits longer than the cap', () => {
    // Act
    const answer = pollAnswer({ done: false, startedAt: T0, now: at(3000), budgetSeconds: 7200 });
    // Assess
    expect(answer.waitSeconds).toBe(DEFAULT_BACK_OFF.capSeconds);
  });

  it('cuts the last wait so that the budget end is looked at', () => {
    // Act
    const answer = pollAnswer({ done: false, startedAt: T0, now: at(595), budgetSeconds: 600 });
    // Assess
    expect(answer.waitSeconds).toBe(5);
    expect(answer.timedOut).toBe(false);
  });

  it('times out once the budget is used up, and says how much of it', () => {
    // Act
    const answer = pollAnswer({ done: false, startedAt: T0, now: at(1803), budgetSeconds: 1800 });
    const midway = pollAnswer({ done: false, startedAt: T0, now: at(1080), budgetSeconds: 1800 });
    // Assess
    expect(answer).toMatchObject({ timedOut: true, waitSeconds: 0, waited: 'after 30 min of a 30 min budget' });
    expect(midway).toMatchObject({ timedOut: false, waited: 'after 18 min of a 30 min budget' });
  });

  it('is never timed out when done, even past the budget', () => {
    // Act
    const answer = pollAnswer({ done: true, startedAt: T0, now: at(2000), budgetSeconds: 600 });
    // Assess
    expect(answer).toMatchObject({ timedOut: false, waitSeconds: 0, elapsedSeconds: 2000 });
  });

  it('looks again when the progress says the operation ends, within floor and cap', () => {
    // Act
    const soon = pollAnswer({ done: false, startedAt: T0, now: at(100), budgetSeconds: 2400, remainingSeconds: 37 });
    const far = pollAnswer({ done: false, startedAt: T0, now: at(10), budgetSeconds: 2400, remainingSeconds: 290 });
    const now = pollAnswer({ done: false, startedAt: T0, now: at(100), budgetSeconds: 2400, remainingSeconds: 0.2 });
    // Assess
    expect(soon.waitSeconds).toBe(37);
    expect(far.waitSeconds).toBe(DEFAULT_BACK_OFF.capSeconds);
    expect(now.waitSeconds).toBe(DEFAULT_BACK_OFF.floorSeconds);
  });

  it('counts a start it does not know, or one in the future, as now', () => {
    // Act
    const unknown = pollAnswer({ done: false, startedAt: undefined, now: at(0), budgetSeconds: 60 });
    const skewed = pollAnswer({ done: false, startedAt: at(5), now: at(0), budgetSeconds: 60 });
    // Assess
    expect(unknown).toMatchObject({ elapsedSeconds: 0, waitSeconds: 2 });
    expect(unknown.startedAt).toBe(new Date(at(0)).toISOString());
    expect(skewed).toMatchObject({ elapsedSeconds: 0, waitSeconds: 2, startedAt: new Date(at(5)).toISOString() });
  });

  it('refuses a budget that is not positive', () => {
    // Act / Assess
    expect(() => pollAnswer({ done: false, startedAt: T0, now: T0, budgetSeconds: 0 })).toThrow(/budgetSeconds must be positive/);
  });

  it('keeps the lateness within a tenth of the real duration at every duration from 20 s to 20 min', () => {
    // Prepare: the checks a loop makes, from the start, for operations of many durations.
    for (let duration = 20; duration <= 1200; duration += 7) {
      let t = 0;
      let seen: number | undefined;
      while (seen === undefined) {
        const answer = pollAnswer({ done: t >= duration, startedAt: T0, now: at(t), budgetSeconds: 3600 });
        if (answer.waitSeconds === 0) seen = t;
        else t += answer.waitSeconds;
      }
      // Assess
      expect(seen - duration).toBeLessThanOrEqual(Math.max(DEFAULT_BACK_OFF.floorSeconds, 0.1 * duration) + 1);
    }
  });
});

describe('withPoll', () => {
  it('adds nothing when the machine gave the loop no budget', () => {
    // Act
    const answer = withPoll({}, { done: false }, { done: false, startedAt: T0, now: at(10) });
    // Assess
    expect(answer).toEqual({ done: false });
  });

  it('takes the budget in minutes, as the spec gives it', () => {
    // Act
    const answer = withPoll({ budgetMinutes: 30 }, { done: false }, { done: false, startedAt: T0, now: at(1800) });
    // Assess
    expect(answer).toMatchObject({ timedOut: true, budgetSeconds: 1800, waited: 'after 30 min of a 30 min budget' });
  });

  it("counts from the input's since before the resource's own start", () => {
    // Act
    const answer = withPoll(
      { budgetSeconds: 600, since: new Date(T0).toISOString() },
      { done: false },
      { done: false, startedAt: at(50), now: at(100) }
    );
    // Assess
    expect(answer).toMatchObject({ done: false, elapsedSeconds: 100, waitSeconds: 10, budgetSeconds: 600 });
  });
});

describe('minutes and timestamps', () => {
  it('shows minutes as a failure reason does', () => {
    expect([minutes(1080), minutes(1800), minutes(90), minutes(30)]).toEqual(['18', '30', '1.5', '0.5']);
  });

  it('reads SDK dates and ISO strings, and nothing else', () => {
    expect(epochOf(new Date(T0))).toBe(T0);
    expect(epochOf('2030-01-01T09:00:00.000Z')).toBe(T0);
    expect(epochOf('soon')).toBeUndefined();
    expect(epochOf(undefined)).toBeUndefined();
  });
});
