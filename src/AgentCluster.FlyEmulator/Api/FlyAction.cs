namespace AgentCluster.FlyEmulator.Api;

/// <summary>
/// Names an endpoint's action ("machine.start"), as Fly's rate limits and our fault rules see it. Fly limits
/// per action and per machine, or per app for actions on the app (create machine, list).
/// </summary>
internal sealed record FlyAction(string Name)
{
    public bool IsGetMachine => Name == "machine.get";

    public bool Matches(string pattern) =>
        pattern == "*" || pattern == Name || (pattern.EndsWith(".*", StringComparison.Ordinal) && Name.StartsWith(pattern[..^1], StringComparison.Ordinal));
}

internal static class FlyActionExtensions
{
    public static TBuilder Action<TBuilder>(this TBuilder builder, string name) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new FlyAction(name));

    public static FlyAction? FlyAction(this HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<FlyAction>();
}
