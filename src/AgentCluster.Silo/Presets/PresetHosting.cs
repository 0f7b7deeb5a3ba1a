using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Options;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Presets;

/// <summary>
/// Presets and tiers: loaded and checked when the node starts (a bad one stops it, naming the file and the
/// field), along with the node's own default machine size and region, which are held to the same Fly rules.
/// </summary>
public static class PresetHosting
{
    public static IServiceCollection AddPresets(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<TierOptions>()
            .Configure(o => config.GetSection(TierOptions.Section).Bind(o.Tiers))
            .ValidateRulesOnStart(o => o.Validate());
        services.AddOptions<AgentSessionOptions>().ValidateRulesOnStart(DefaultSizeAndRegionProblems);
        services.AddOptions<PresetOptions>()
            .Bind(config.GetSection(PresetOptions.Section))
            .Configure<IOptions<TierOptions>, IOptions<AgentSessionOptions>>((o, tiers, sessions) =>
            {
                if (Valid(tiers) is { } tierOptions && Valid(sessions) is { } sessionOptions)
                    o.Catalog = PresetCatalog.Load(o.Directory ?? PresetOptions.DefaultDirectory, mustExist: o.Directory is not null, tierOptions, sessionOptions);
            })
            .ValidateRulesOnStart(o => o.Catalog.Problems);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<PresetOptions>>().Value.Catalog);
        services.AddSingleton<PresetResolver>();
        return services;
    }

    /// <summary>
    /// The options presets are checked against, or null when they are invalid themselves: their own
    /// validation says so, once, and presets are not judged by rules that are wrong.
    /// </summary>
    private static T? Valid<T>(IOptions<T> options) where T : class
    {
        try { return options.Value; }
        catch (OptionsValidationException) { return null; }
    }

    private static IEnumerable<string> DefaultSizeAndRegionProblems(AgentSessionOptions sessions)
    {
        var guest = new Abstractions.Sessions.GuestSpec { CpuKind = sessions.CpuKind, Cpus = sessions.Cpus, MemoryMb = sessions.MemoryMb };
        foreach (var problem in FlyGuests.Problems(guest, "Sessions")) yield return problem.Message;
        if (FlyRegions.Problem("FLY_REGION (Sessions:Region)", sessions.Region) is { } region) yield return region;
    }
}
