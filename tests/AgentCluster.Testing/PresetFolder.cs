using AgentCluster.Silo.Options;
using AgentCluster.Silo.Presets;

namespace AgentCluster.Testing;

/// <summary>A temporary folder of preset files, loaded with the node's default tiers and session options.</summary>
public sealed class PresetFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("presets-").FullName;

    public string Write(string fileName, string yaml)
    {
        var file = System.IO.Path.Combine(Path, fileName);
        File.WriteAllText(file, yaml);
        return file;
    }

    public PresetCatalog Load() => PresetCatalog.Load(Path, mustExist: true, new TierOptions(), new AgentSessionOptions());

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
