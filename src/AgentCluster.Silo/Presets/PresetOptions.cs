using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Presets;

/// <summary>Where the presets are (section <c>Presets</c>), and what was loaded from there at start.</summary>
public sealed class PresetOptions
{
    public const string Section = "Presets";

    /// <summary>The folder of preset files. Null: <c>presets</c> beside the node's binary, where the build puts the repository's.</summary>
    public string? Directory { get; set; }

    /// <summary>The folder's presets, loaded when the options are (at start, so their problems stop the node).</summary>
    public PresetCatalog Catalog { get; set; } = PresetCatalog.Empty;

    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "presets");
}
