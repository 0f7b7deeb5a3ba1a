using Microsoft.Extensions.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Hosting;

/// <summary>
/// A node whose options fail their checks at start (<see cref="ValidatedOptions"/>) says what to set, once and
/// plainly (the host logged it too), and exits with 1 without a crash dump.
/// </summary>
public static class StartupFailures
{
    /// <summary>Runs the node until it stops: 0, or 1 when its configuration is bad.</summary>
    public static async Task<int> RunOrExplainAsync(this WebApplication app)
    {
        try
        {
            await app.RunAsync();
        }
        catch (Exception e) when (ConfigurationFailures(e) is { Count: > 0 } failures)
        {
            await Console.Error.WriteLineAsync("AgentCluster cannot start: " + string.Join(Environment.NewLine, failures));
            return 1;
        }
        return 0;
    }

    // Options checked at start fail one section at a time, or several at once in an AggregateException.
    private static List<string> ConfigurationFailures(Exception e) => e switch
    {
        OptionsValidationException options => [.. options.Failures],
        AggregateException all when all.InnerExceptions.All(i => i is OptionsValidationException) => [.. all.InnerExceptions.SelectMany(ConfigurationFailures)],
        _ => [],
    };
}
