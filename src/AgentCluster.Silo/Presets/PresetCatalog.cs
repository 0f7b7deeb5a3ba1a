using System.Collections.Frozen;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Sessions;
using AgentCluster.Abstractions.Presets;

namespace AgentCluster.Silo.Presets;

/// <summary>
/// The presets of the node, loaded once at start from the presets folder: one <c>&lt;id&gt;.yaml</c> file each.
/// Every problem in every file is collected, naming the file and the field, and any of them stops the node
/// (<see cref="PresetHosting"/>): a preset that cannot be used is a mistake to fix, not one to find later.
/// </summary>
public sealed class PresetCatalog
{
    private readonly FrozenDictionary<string, Preset> byId;

    private PresetCatalog(IReadOnlyList<Preset> presets, IReadOnlyList<string> problems)
    {
        All = presets.OrderBy(p => p.Id, StringComparer.Ordinal).ToList();
        byId = presets.DistinctBy(p => p.Id).ToFrozenDictionary(p => p.Id, StringComparer.Ordinal);
        Problems = problems;
    }

    public static PresetCatalog Empty { get; } = new([], []);

    public IReadOnlyList<Preset> All { get; }

    /// <summary>Why the folder cannot be used, one line each; empty when it can.</summary>
    public IReadOnlyList<string> Problems { get; }

    public IEnumerable<string> Ids => All.Select(p => p.Id);

    public Preset? Find(string id) => byId.GetValueOrDefault(id);

    /// <param name="mustExist">The folder was configured: its absence is a problem, not an empty catalog.</param>
    public static PresetCatalog Load(string directory, bool mustExist, TierOptions tiers, AgentSessionOptions sessions)
    {
        if (!Directory.Exists(directory))
            return mustExist ? new([], [$"Presets:Directory '{directory}' does not exist."]) : Empty;

        var presets = new List<Preset>();
        var problems = new List<string>();
        var files = Directory.EnumerateFiles(directory)
            .Where(f => Path.GetExtension(f) is ".yaml" or ".yml")
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var (preset, fileProblems) = Read(file, tiers, sessions);
            problems.AddRange(fileProblems.Select(p => $"Preset file '{file}': {p.Message}"));
            if (preset is not null) presets.Add(preset);
        }
        foreach (var twins in presets.GroupBy(p => p.Id).Where(g => g.Count() > 1))
            problems.Add($"Preset files in '{directory}' define id '{twins.Key}' {twins.Count()} times (as .yaml and .yml): keep one.");
        return new(presets, problems);
    }

    private static (Preset? Preset, IReadOnlyList<FieldProblem> Problems) Read(string file, TierOptions tiers, AgentSessionOptions sessions)
    {
        Preset preset;
        try
        {
            preset = PresetYaml.Read(File.ReadAllText(file));
        }
        catch (PresetFileException e)
        {
            return (null, [new(e.Field ?? "", e.Message)]);
        }
        var problems = PresetRules.Problems(preset, tiers, sessions).ToList();
        var named = Path.GetFileNameWithoutExtension(file);
        if (preset.Id.Length > 0 && preset.Id != named) problems.Insert(0, new("id", $"id '{preset.Id}' must match the file's name: '{named}'."));
        return (problems.Count == 0 ? preset : null, problems);
    }
}
