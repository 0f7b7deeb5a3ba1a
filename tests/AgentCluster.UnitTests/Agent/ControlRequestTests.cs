using System.Net;
using AgentCluster.Abstractions.Control;
using AgentCluster.Agent.Control;
using Microsoft.AspNetCore.Http;

namespace AgentCluster.UnitTests.Agent;

/// <summary>The control server's checks that need no process: the exec request's, the gate's, the listening address's.</summary>
public sealed class ControlRequestTests : IDisposable
{
    private readonly string workspace = Directory.CreateTempSubdirectory("ctl-req-").FullName;

    public void Dispose() => Directory.Delete(workspace, recursive: true);

    [Fact]
    public void An_exec_request_becomes_the_runners_spec_with_the_defaults_and_its_cwd_in_the_workspace()
    {
        Directory.CreateDirectory(Path.Combine(workspace, "src"));
        var paths = new WorkspacePaths(workspace);

        var script = ExecEndpoint.Spec(new ExecRequest { Command = ExecCommand.Shell("git diff") }, paths);
        var argv = ExecEndpoint.Spec(new ExecRequest { Command = ExecCommand.Of(["ls", "-la"]), Cwd = "src", TimeoutS = 3600, MaxOutputBytes = 16 * 1024 * 1024, Env = new() { ["A"] = "1" } }, paths);

        Assert.Equal(["bash", "-lc", "git diff"], script.Argv);
        Assert.Equal(paths.Root, script.Cwd);
        Assert.Equal(TimeSpan.FromSeconds(ControlProtocol.DefaultTimeoutSeconds), script.Timeout);
        Assert.Equal(ControlProtocol.DefaultMaxOutputBytes, script.MaxOutputBytes);
        Assert.Equal(["ls", "-la"], argv.Argv);
        Assert.Equal(Path.Combine(paths.Root, "src"), argv.Cwd);
        Assert.Equal(TimeSpan.FromHours(1), argv.Timeout);
        Assert.Equal("1", argv.Env!["A"]);
    }

    [Fact]
    public void A_gate_refuses_with_503_before_it_is_armed_then_401_for_any_other_key()
    {
        var gate = new ControlGate();
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, gate.Check(Request("Bearer key-1"))!.Status);

        gate.Arm(null, workspace);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, gate.Check(Request("Bearer key-1"))!.Status);

        gate.Arm("key-1", workspace);
        Assert.Null(gate.Check(Request("Bearer key-1")));
        Assert.Null(gate.Check(Request("bearer  key-1")));
        foreach (var header in new[] { "", "Bearer", "Bearer key-2", "Bearer key-1x", "Basic key-1", "key-1" })
            Assert.Equal(StatusCodes.Status401Unauthorized, gate.Check(Request(header))!.Status);

        // A new setup hands a new key: the old one stops working.
        gate.Arm("key-2", workspace);
        Assert.Equal(StatusCodes.Status401Unauthorized, gate.Check(Request("Bearer key-1"))!.Status);
        Assert.Null(gate.Check(Request("Bearer key-2")));
    }

    [Fact]
    public void The_server_listens_on_the_private_address_and_port_it_is_given_or_loopback_and_7070()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, ControlProtocol.DefaultPort), ControlServer.Endpoint(_ => null));
        var fly = new Dictionary<string, string> { [ControlServer.AddressVariable] = "fdaa:0:1:a7b:1::2", [ControlProtocol.PortVariable] = "0" };
        Assert.Equal(new IPEndPoint(IPAddress.Parse("fdaa:0:1:a7b:1::2"), 0), ControlServer.Endpoint(fly.GetValueOrDefault));

        Assert.Throws<FormatException>(() => ControlServer.Endpoint(name => name == ControlServer.AddressVariable ? "machine.internal" : null));
        foreach (var port in new[] { "-1", "65536", "seventy" })
            Assert.Throws<FormatException>(() => ControlServer.Endpoint(name => name == ControlProtocol.PortVariable ? port : null));
    }

    private static HttpRequest Request(string authorization)
    {
        var context = new DefaultHttpContext();
        if (authorization.Length > 0) context.Request.Headers.Authorization = authorization;
        return context.Request;
    }
}
