using System.Text.Json;
using AgentCluster.Silo.A2a;

namespace AgentCluster.UnitTests.A2a;

/// <summary>What a SendMessage (v1) or message/send (v0.3) says to the adapter, and the params it refuses with their codes.</summary>
public sealed class A2aMessageParamsTests
{
    [Fact]
    public void V1_and_v03_messages_read_alike()
    {
        var v1 = Read("""{"message":{"role":"ROLE_USER","messageId":"m","parts":[{"text":"echo "},{"text":"hi"}],"contextId":"c1","metadata":{"preset":"coder"}},"configuration":{"returnImmediately":true}}""");
        var v03 = Read("""{"message":{"kind":"message","role":"user","messageId":"m","parts":[{"kind":"text","text":"echo hi"}],"contextId":"c1"},"metadata":{"preset":"coder"},"configuration":{"blocking":false}}""");

        Assert.Equal(new A2aMessageParams("echo hi", "c1", "coder", null, ReturnImmediately: true), v1);
        Assert.Equal(v1, v03);
        Assert.False(Read("""{"message":{"parts":[{"text":"x"}]},"configuration":{"blocking":true}}""").ReturnImmediately);
    }

    [Fact]
    public void A_message_naming_a_task_continues_that_tasks_context()
    {
        Assert.Equal("ses-1", Read("""{"message":{"parts":[{"text":"x"}],"taskId":"ses-1-t3"}}""").ContextId);
        Assert.Equal(JsonRpcError.TaskNotFound, Refused("""{"message":{"parts":[{"text":"x"}],"taskId":"nope"}}""").Code);
        Assert.Equal("params.message.contextId", Refused("""{"message":{"parts":[{"text":"x"}],"taskId":"ses-1-t3","contextId":"other"}}""").Data!["field"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{}""", JsonRpcError.InvalidParams, "params.message")]
    [InlineData("""{"message":{"role":"ROLE_USER"}}""", JsonRpcError.InvalidParams, "params.message.parts")]
    [InlineData("""{"message":{"parts":[]}}""", JsonRpcError.InvalidParams, "params.message.parts")]
    [InlineData("""{"message":{"parts":[{"text":"x"}],"contextId":7}}""", JsonRpcError.InvalidParams, "params.message.contextId")]
    [InlineData("""{"message":{"parts":[{"text":"x"},{"url":"https://example.com/a.png","mediaType":"image/png"}]}}""", JsonRpcError.ContentTypeNotSupported, "params.message.parts[1]")]
    [InlineData("""{"message":{"parts":[{"kind":"file","file":{"uri":"https://example.com/a.png"}}]}}""", JsonRpcError.ContentTypeNotSupported, "params.message.parts[0]")]
    [InlineData("""{"message":{"parts":[{"text":"x"}],"metadata":{"preset":1}}}""", JsonRpcError.InvalidParams, "params.message.metadata.preset")]
    public void Bad_params_are_refused_naming_the_field(string json, int code, string field)
    {
        var error = Refused(json);
        Assert.Equal((code, field), (error.Code, error.Data!["field"]!.GetValue<string>()));
    }

    [Fact]
    public void A_push_notification_config_is_refused_as_unsupported() =>
        Assert.Equal(JsonRpcError.PushNotificationNotSupported,
            Refused("""{"message":{"parts":[{"text":"x"}]},"configuration":{"taskPushNotificationConfig":{"url":"https://example.com"}}}""").Code);

    private static A2aMessageParams Read(string json) => A2aMessageParams.Read(JsonDocument.Parse(json).RootElement);

    private static JsonRpcError Refused(string json) => Assert.Throws<A2aException>(() => Read(json)).Error;
}
