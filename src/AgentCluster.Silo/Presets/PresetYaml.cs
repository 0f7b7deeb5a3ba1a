using System.Globalization;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Fly.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using AgentCluster.Silo.Sessions;
using AgentCluster.Abstractions.Presets;

namespace AgentCluster.Silo.Presets;

/// <summary>
/// Reads one preset file: a YAML mapping of snake_case fields. Only the shape is checked here (a field that
/// does not exist, a value of the wrong type), each naming the field; what the values mean is
/// <see cref="PresetRules"/>' part.
/// </summary>
public static class PresetYaml
{
    private static readonly Dictionary<string, Func<Preset, YamlValue, Preset>> Fields = new()
    {
        ["id"] = (p, v) => p with { Id = v.Text() ?? "" },
        ["name"] = (p, v) => p with { Name = v.Text() },
        ["description"] = (p, v) => p with { Description = v.Text() },
        ["runtime"] = (p, v) => p with { Runtime = v.Text() },
        ["model"] = (p, v) => p with { Model = v.Text() },
        ["system_prompt"] = (p, v) => p with { SystemPrompt = v.Text() },
        ["allowed_tools"] = (p, v) => p with { AllowedTools = v.List() },
        ["disallowed_tools"] = (p, v) => p with { DisallowedTools = v.List() },
        ["permission_mode"] = (p, v) => p with { PermissionMode = v.Text() },
        ["max_turns"] = (p, v) => p with { MaxTurns = v.Number() },
        ["tier"] = (p, v) => p with { Tier = v.Text() },
        ["guest"] = (p, v) => p with { Guest = v.Guest() },
        ["region"] = (p, v) => p with { Region = v.Text() },
        ["image"] = (p, v) => p with { Image = v.Text() },
        ["env"] = (p, v) => p with { Env = v.Map() },
        ["idle_timeout"] = (p, v) => p with { IdleTimeout = v.Duration() },
        ["max_machine_seconds"] = (p, v) => p with { MaxMachineSeconds = v.Number() },
        ["max_turn_seconds"] = (p, v) => p with { MaxTurnSeconds = v.Number() },
        ["max_model_usd"] = (p, v) => p with { MaxModelUsd = v.Amount() },
    };

    /// <exception cref="PresetFileException">The file is not YAML, or a field is unknown or of the wrong type.</exception>
    public static Preset Read(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new PresetFileException(null, $"the file is not valid YAML: {e.Message}");
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new PresetFileException(null, "the file must hold one YAML mapping of fields (id: ..., runtime: ...).");

        var preset = new Preset();
        foreach (var (key, value) in root.Children)
        {
            var field = key is YamlScalarNode { Value: { } name } ? name : key.ToString();
            if (!Fields.TryGetValue(field, out var read))
                throw new PresetFileException(field, $"'{field}' is not a preset field; the fields are: {string.Join(", ", Fields.Keys)}.");
            preset = read(preset, new YamlValue(field, value));
        }
        return preset;
    }

    /// <summary>One field's value, read as the type the field has.</summary>
    private sealed record YamlValue(string Field, YamlNode Node)
    {
        private static readonly string[] GuestFields = ["cpu_kind", "cpus", "memory_mb"];

        public string? Text() => Node switch
        {
            YamlScalarNode scalar when IsNull(scalar) => null,
            YamlScalarNode scalar => scalar.Value,
            _ => throw Wrong("text"),
        };

        public int? Number() => Node switch
        {
            YamlScalarNode scalar when IsNull(scalar) => null,
            YamlScalarNode { Style: ScalarStyle.Plain, Value: var text }
                when int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => number,
            _ => throw Wrong("a whole number"),
        };

        public decimal? Amount() => Node switch
        {
            YamlScalarNode scalar when IsNull(scalar) => null,
            YamlScalarNode { Style: ScalarStyle.Plain, Value: var text }
                when decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) => amount,
            _ => throw Wrong("a number, e.g. 2.50"),
        };

        public IReadOnlyList<string>? List() => Node switch
        {
            YamlScalarNode scalar when IsNull(scalar) => null,
            YamlSequenceNode sequence => sequence.Children.Select((item, i) => new YamlValue($"{Field}[{i}]", item).Text() ?? "").ToList(),
            _ => throw Wrong("a list of text, e.g. [Read, Grep]"),
        };

        public IReadOnlyDictionary<string, string>? Map() => Node switch
        {
            YamlScalarNode scalar when IsNull(scalar) => null,
            YamlMappingNode mapping => mapping.Children.ToDictionary(
                kv => new YamlValue(Field, kv.Key).Text() ?? "",
                kv => new YamlValue($"{Field}.{kv.Key}", kv.Value).Text() ?? ""),
            _ => throw Wrong("a mapping of names to text"),
        };

        public TimeSpan? Duration()
        {
            if (Node is YamlScalarNode scalar && IsNull(scalar)) return null;
            // "00:15:00" as .NET writes a TimeSpan, or "15m" as Go and Fly do.
            if (Node is YamlScalarNode { Value: { } text }
                && (text.Contains(':') ? TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) : GoDuration.TryParse(text, out span)))
                return span;
            throw Wrong("a duration such as 15m, 1h30m or 00:15:00");
        }

        public GuestSpec? Guest()
        {
            if (Node is YamlScalarNode scalar && IsNull(scalar)) return null;
            if (Node is not YamlMappingNode mapping) throw Wrong("a mapping: {cpu_kind: shared, cpus: 1, memory_mb: 1024}");
            var guest = new GuestSpec();
            foreach (var (key, value) in mapping.Children)
            {
                var name = key is YamlScalarNode { Value: { } text } ? text : key.ToString();
                var part = new YamlValue($"{Field}.{name}", value);
                guest = name switch
                {
                    "cpu_kind" => guest with { CpuKind = part.Text() },
                    "cpus" => guest with { Cpus = part.Number() },
                    "memory_mb" => guest with { MemoryMb = part.Number() },
                    _ => throw new PresetFileException(part.Field, $"'{name}' is not a guest field; the fields are: {string.Join(", ", GuestFields)}."),
                };
            }
            return guest;
        }

        private static bool IsNull(YamlScalarNode scalar) =>
            scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

        private PresetFileException Wrong(string expected) =>
            new(Field, $"{Field} must be {expected} (line {Node.Start.Line}{(Node is YamlScalarNode { Value: { } got } ? $": got '{got}'" : "")}).");
    }
}

/// <summary>A preset file that cannot be read: the field at fault (null: the file as a whole) and why.</summary>
public sealed class PresetFileException(string? field, string message) : Exception(message)
{
    public string? Field { get; } = field;
}
