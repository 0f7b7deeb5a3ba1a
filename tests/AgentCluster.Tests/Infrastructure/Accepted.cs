using System.Net;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>
/// A client's retry of a request the node refused for now (503: Fly or the cluster in trouble): the same request
/// again until it is accepted, polled like <see cref="Eventually"/> within a deadline. Any other refusal fails.
/// </summary>
public static class Accepted
{
    /// <param name="eachRefusal">Further checks of each 503, before the retry.</param>
    /// <returns>The accepted response (the caller disposes it) and how many retries it took.</returns>
    public static async Task<(HttpResponseMessage Response, int Retries)> UntilAcceptedAsync(
        Func<Task<HttpResponseMessage>> send, TimeSpan deadline, string what, Func<HttpResponseMessage, Task>? eachRefusal = null)
    {
        HttpResponseMessage? accepted = null;
        var retries = -1;
        await Eventually.TrueAsync(async () =>
        {
            retries++;
            var response = await send();
            if (response.IsSuccessStatusCode)
            {
                accepted = response;
                return true;
            }
            using (response)
            {
                Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{what} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                if (eachRefusal is not null) await eachRefusal(response);
            }
            return false;
        }, deadline, $"{what} is accepted");
        return (accepted!, retries);
    }
}
