/** The phases of the compact progress view: every state of the product's machines belongs to a named phase. */
import { PHASES, phaseOf } from '../../../cli/phases';
import { exportAsl } from '../../../workflow/export';

interface AslStates {
  readonly States: Record<string, { Type: string; Branches?: AslStates[]; ItemProcessor?: AslStates }>;
}

function statesOf(machine: AslStates): [string, string][] {
  return Object.entries(machine.States).flatMap(([name, state]): [string, string][] => [
    [name, state.Type],
    ...(state.Branches ?? []).flatMap(statesOf),
    ...(state.ItemProcessor ? statesOf(state.ItemProcessor) : []),
  ]);
}

describe('progress phases', () => {
  it.each(['create-cluster', 'teardown-cluster', 'scale-cluster'] as const)(
    'puts every state of %s but containers and Fail states in a named phase',
    (name) => {
      // Prepare
      const named = new Set(PHASES.map((rule) => rule.name));

      // Act
      const unphased = statesOf(exportAsl(name) as unknown as AslStates).filter(([state, type]) => {
        if (type === 'Fail' || type === 'Parallel' || type === 'Map') return false;
        const rule = phaseOf(state, type);
        return !rule || !named.has(rule.name);
      });

      // Assess
      expect(unphased).toEqual([]);
    }
  );
});
