import { FaultSyntaxError, parseFault, unfiredFaults } from '../../../cli/faults';

describe('parseFault', () => {
  it('parses OPERATION=ERRORCODE:COUNT into a counted fault', () => {
    expect(parseFault('CreateNatGateway=RequestLimitExceeded:3')).toEqual({
      operation: 'CreateNatGateway',
      code: 'RequestLimitExceeded',
      count: 3,
    });
  });

  it('parses OPERATION=ERRORCODE without COUNT into a persistent fault', () => {
    expect(parseFault('CreateNatGateway=NatGatewayLimitExceeded')).toEqual({
      operation: 'CreateNatGateway',
      code: 'NatGatewayLimitExceeded',
    });
  });

  it('accepts dotted error codes and the Command:<DocumentName> form', () => {
    expect(parseFault('DeleteVpc=InvalidVpcID.NotFound:1')).toEqual({ operation: 'DeleteVpc', code: 'InvalidVpcID.NotFound', count: 1 });
    expect(parseFault('Command:MesosCluster-ConfigureMaster=Failed')).toEqual({
      operation: 'Command:MesosCluster-ConfigureMaster',
      code: 'Failed',
    });
  });

  it.each([
    ['CreateNatGateway', /OPERATION=ERRORCODE/],
    ['=Throttling', /OPERATION=ERRORCODE/],
    ['createNatGateway=Throttling', /OPERATION must be/],
    ['CreateNatGateway=', /ERRORCODE must be/],
    ['CreateNatGateway=Throttling:0', /COUNT must be/],
    ['CreateNatGateway=Throttling:two', /COUNT must be/],
    ['CreateNatGateway=Throttling:1:2', /COUNT must be/],
    ['CreateNatGateways=NatGatewayLimitExceeded', /no operation CreateNatGateways \(did you mean CreateNatGateway\?\)/],
    ['LaunchRocket=InternalError', /the simulated cloud has no operation LaunchRocket;/],
    ['CreateNatGateway=NatGatewayLimitExceded', /NatGatewayLimitExceded is not an error code .*did you mean NatGatewayLimitExceeded\?/],
    [
      'Command:MesosCluster-ConfigureMastr=Failed',
      /no SSM document named MesosCluster-ConfigureMastr \(did you mean MesosCluster-ConfigureMaster\?\)/,
    ],
    ['Command:MesosCluster-ConfigureMaster=Boom', /a command ends with Failed, TimedOut, Cancelled, not Boom/],
  ])('throws FaultSyntaxError for %s', (text, message) => {
    expect(() => parseFault(text)).toThrow(FaultSyntaxError);
    expect(() => parseFault(text)).toThrow(message);
  });
});

describe('unfiredFaults', () => {
  it('names the faults that never failed a call', () => {
    // Act
    const unfired = unfiredFaults([
      { operation: 'DeleteVpc', code: 'DependencyViolation', count: 1 },
      { operation: 'CreateVpc', code: 'VpcLimitExceeded', fired: 2 },
    ]);
    // Assess
    expect(unfired).toEqual(['DeleteVpc=DependencyViolation']);
  });
});
