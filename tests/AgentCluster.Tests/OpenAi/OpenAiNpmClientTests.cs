using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.OpenAi;

/// <summary>
/// The official <c>openai</c> npm client (tests/openai-npm, installed with <c>npm ci</c>) against a real node: a whole
/// answer, a streamed one with its usage, and a refused session id as the client's own NotFoundError.
/// </summary>
[Collection(OpenAiNodeFixture.Collection)]
public sealed class OpenAiNpmClientTests(OpenAiNodeFixture fixture)
{
    [Fact]
    public async Task The_official_npm_client_gets_whole_and_streamed_answers_and_a_not_found_error()
    {
        var (exitCode, output) = await NpmFolder.RunAsync("openai-npm", "chat.mjs", new Dictionary<string, string>
        {
            ["AGENTCLUSTER_URL"] = fixture.Node.Url,
            ["AGENTCLUSTER_API_KEY"] = fixture.Key,
        }, OpenAiNodeFixture.Deadline);
        Assert.True(exitCode == 0, output);

        var result = JsonNode.Parse(output.Trim().Split('\n')[^1])!;
        Assert.Equal(("chat.completion", "npm-whole\n", "stop"),
            (result["whole"]!["object"]!.GetValue<string>(), result["whole"]!["content"]!.GetValue<string>(), result["whole"]!["finish"]!.GetValue<string>()));
        var streamed = result["streamed"]!;
        Assert.Equal(("npm-one\nnpm-two\n", "stop"), (streamed["content"]!.GetValue<string>(), streamed["finish"]!.GetValue<string>()));
        Assert.True(streamed["deltas"]!.GetValue<int>() >= 2, output);
        Assert.Equal(0, streamed["usage"]!["total_tokens"]!.GetValue<int>()); // a shell turn calls no model
        Assert.Equal((404, "session_not_found", true),
            (result["refused"]!["status"]!.GetValue<int>(), result["refused"]!["code"]!.GetValue<string>(), result["refused"]!["isNotFound"]!.GetValue<bool>()));
    }
}
