using System.Security.Cryptography;
using System.Text;
using AgentCluster.Silo.Webhooks;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;

namespace AgentCluster.UnitTests.Webhooks;

public class WebhookSignerTests
{
    private const string Body = """{"type":"turn.completed","data":{"session_id":"s1","seq":7}}""";

    [Fact]
    public void A_signature_verifies_with_the_Standard_Webhooks_library_and_not_with_another_body_or_secret()
    {
        var secret = WebhookSigner.NewSecret();
        var headers = WebhookSigner.Sign(secret, "msg_s1_7", DateTimeOffset.UtcNow, Body);

        new StandardWebhook(secret).Verify(Body, Dictionary(headers)); // throws if it does not verify
        Assert.ThrowsAny<Exception>(() => new StandardWebhook(secret).Verify(Body.Replace("7", "8"), Dictionary(headers)));
        Assert.ThrowsAny<Exception>(() => new StandardWebhook(WebhookSigner.NewSecret()).Verify(Body, Dictionary(headers)));
    }

    [Fact]
    public void The_signature_is_the_specified_HMAC_of_id_timestamp_and_body()
    {
        // Computed here by the specification's words, not by the library: v1,base64(HMAC-SHA256(key, "id.ts.body")).
        var key = RandomNumberGenerator.GetBytes(32);
        var at = DateTimeOffset.FromUnixTimeSeconds(1_765_000_000);
        var headers = WebhookSigner.Sign("whsec_" + Convert.ToBase64String(key), "msg_x", at, Body);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"msg_x.1765000000.{Body}")));
        Assert.Equal("1765000000", headers.Timestamp);
        Assert.Equal($"v1,{expected}", headers.Signature);
    }

    [Fact]
    public void Secrets_are_new_each_time_and_in_the_whsec_form()
    {
        var (a, b) = (WebhookSigner.NewSecret(), WebhookSigner.NewSecret());
        Assert.NotEqual(a, b);
        Assert.StartsWith("whsec_", a);
        Assert.Equal(32, Convert.FromBase64String(a["whsec_".Length..]).Length);
    }

    private static HeaderDictionary Dictionary(WebhookHeaders headers) => new()
    {
        [WebhookHeaders.IdHeader] = headers.Id,
        [WebhookHeaders.TimestampHeader] = headers.Timestamp,
        [WebhookHeaders.SignatureHeader] = headers.Signature,
    };
}
