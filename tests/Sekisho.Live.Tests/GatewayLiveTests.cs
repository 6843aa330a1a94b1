using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;
using Xunit.Abstractions;

namespace Sekisho.Live.Tests;

/// <summary>The daemon as a router: MASQUERADE and DNAT with real TCP connections, against the kernel doing the same.</summary>
public sealed class GatewayLiveTests(ITestOutputHelper output)
{
    [KernelFact]
    public void Masquerade_and_port_forward_carry_real_tcp_as_on_the_kernel()
    {
        var (kernel, sekisho) = LiveScenario.OnBoth(() => new RouterNetwork(), n => n.RouterNamespace, ["lan", "wan"], LiveScenario.PlayGateway);

        output.WriteLine(string.Join('\n', sekisho));
        foreach (var steps in new[] { kernel, sekisho })
        {
            Assert.Equal(
                "client exit 0; external host received outbound; Listening on 0.0.0.0 9000\nConnection received on 203.0.113.1 *\n" +
                "external exit 0; client received inbound; Listening on 0.0.0.0 80\nConnection received on 203.0.113.7 *",
                steps[0].Observed);
        }

        Assert.Equal(kernel[0].Comparable(), sekisho[0].Comparable());
    }
}
