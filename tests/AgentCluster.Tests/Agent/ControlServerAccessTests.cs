using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Agent;
using AgentCluster.Agent.Control;

namespace AgentCluster.Tests.Agent;

/// <summary>Who gets into a real agent's control server, where it listens, and the exec request's checks.</summary>
public sealed class ControlServerAccessTests(ControlServerAgent machine) : IClassFixture<ControlServerAgent>
{
    private static readonly TimeSpan Deadline = ControlServerAgent.Deadline;

    [Fact]
    public async Task A_pool_machines_agent_listens_before_its_claim_and_answers_503_until_the_claimed_sessions_setup()
    {
        var workspace = Directory.CreateTempSubdirectory("agent-ctl-pool-").FullName;
        await using var stub = await StubOrchestrator.StartAsync();
        await using var agent = AgentProcess.Start(new Dictionary<string, string?>
        {
            [AgentEnvironment.PoolToken] = StubOrchestrator.PoolToken,
            [AgentEnvironment.Pool] = StubOrchestrator.Pool,
            [AgentEnvironment.OrchestratorUrls] = stub.Url.ToString(),
            [AgentEnvironment.Workspace] = workspace,
            [AgentConfig.MachineIdVariable] = StubOrchestrator.MachineId,
        });
        using var client = new HttpClient { BaseAddress = await agent.ControlUrlAsync(Deadline) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", StubOrchestrator.ControlKey);

        var early = await client.GetAsync("files");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
        Assert.Equal("application/problem+json", early.Content.Headers.ContentType?.MediaType);

        stub.Claim();
        await Eventually.TrueAsync(async () => (await client.GetAsync("files")).StatusCode == HttpStatusCode.OK, Deadline,
            () => $"the claimed session's setup armed the control server; agent said:\n{agent.Output}");
        Assert.Single(agent.Output.Split('\n'), line => line.Contains("control server on"));
        Directory.Delete(workspace, recursive: true);
    }

    [Fact]
    public async Task A_call_without_the_setups_key_is_401_and_the_key_is_never_logged()
    {
        using var anonymous = new HttpClient { BaseAddress = machine.Url };
        var missing = await anonymous.GetAsync("files");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);

        foreach (var wrong in new[] { "wrong", StubOrchestrator.ControlKey + "x", StubOrchestrator.ControlKey[..^1], StubOrchestrator.Token })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "files");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(request)).StatusCode);
        }
        // Refused before anything else is looked at: a path trick without the key is 401, not 400.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(machine.Raw("files/../../etc/passwd"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await machine.Client.GetAsync("files")).StatusCode);
        Assert.DoesNotContain(StubOrchestrator.ControlKey, machine.Agent.Output);
    }

    [Fact]
    public async Task The_server_listens_on_the_machines_private_address()
    {
        var workspace = Directory.CreateTempSubdirectory("agent-ctl-addr-").FullName;
        await using var stub = await StubOrchestrator.StartAsync();
        await using var agent = AgentProcess.Start(stub, workspace, new Dictionary<string, string?> { [ControlServer.AddressVariable] = "127.0.0.7" });

        var url = await agent.ControlUrlAsync(Deadline);

        Assert.Equal("127.0.0.7", url.Host);
        using var client = new HttpClient { BaseAddress = url };
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("files")).StatusCode);
        Directory.Delete(workspace, recursive: true);
    }

    [Theory]
    [InlineData("""{"cwd":"."}""", "command")]
    [InlineData("""{"command":null}""", "command")]
    [InlineData("""{"command":""}""", "command")]
    [InlineData("""{"command":[]}""", "command")]
    [InlineData("""{"command":42}""", "command")]
    [InlineData("""{"command":["ls",1]}""", "command")]
    [InlineData("""{"command":"true","timeout_s":0}""", "timeout_s")]
    [InlineData("""{"command":"true","timeout_s":3601}""", "timeout_s")]
    [InlineData("""{"command":"true","timeout_s":"soon"}""", "timeout_s")]
    [InlineData("""{"command":"true","max_output_bytes":0}""", "max_output_bytes")]
    [InlineData("""{"command":"true","max_output_bytes":16777217}""", "max_output_bytes")]
    [InlineData("""{"command":"true","env":{"A=B":"c"}}""", "env")]
    [InlineData("""{"command":"true","cwd":"no/such/folder"}""", "cwd")]
    [InlineData("""{"command":"true","cwd":"../"}""", "cwd")]
    [InlineData("""{"command":"true",""", "body")]
    [InlineData("""null""", "body")]
    public async Task A_bad_exec_request_is_400_naming_its_field(string body, string field)
    {
        var response = await machine.Client.PostAsync("exec", new StringContent(body, Encoding.UTF8, "application/json"));

        await ControlProblems.AssertAsync(response, HttpStatusCode.BadRequest, field);
    }
}
