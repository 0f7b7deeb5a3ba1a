using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentCluster.Abstractions.Control;

/// <summary>
/// What an exec runs: a string (<see cref="Script"/>, run by <c>bash -lc</c>) or an argv array (<see cref="Argv"/>),
/// exactly one of the two. In JSON it is the string or the array itself.
/// </summary>
[JsonConverter(typeof(ExecCommandJsonConverter))]
public sealed record ExecCommand
{
    private ExecCommand(string? script, IReadOnlyList<string>? argv) => (Script, Argv) = (script, argv);

    public string? Script { get; }

    public IReadOnlyList<string>? Argv { get; }

    public static ExecCommand Shell(string script) => new(script, null);

    public static ExecCommand Of(IReadOnlyList<string> argv) => new(null, argv);

    /// <summary>The process to start: the argv, or <c>bash -lc script</c>.</summary>
    public IReadOnlyList<string> ToArgv() => Script is { } script ? ["bash", "-lc", script] : Argv!;

    /// <summary>How the session's log shows it (<c>session.exec</c>): the script, or the argv joined with spaces, cut to 1,000 characters.</summary>
    public string Display()
    {
        var text = Script ?? string.Join(' ', Argv!.Select(a => a.Any(char.IsWhiteSpace) || a.Length == 0 ? $"'{a}'" : a));
        return text.Length <= 1000 ? text : text[..1000] + "…";
    }

    public override string ToString() => Display();
}

/// <summary>A string is a script, an array of strings an argv; anything else is refused by the reader.</summary>
public sealed class ExecCommandJsonConverter : JsonConverter<ExecCommand>
{
    public override ExecCommand Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return ExecCommand.Shell(reader.GetString()!);
            case JsonTokenType.StartArray:
                var argv = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.String) throw new JsonException("command: an argv array holds strings only");
                    argv.Add(reader.GetString()!);
                }
                return ExecCommand.Of(argv);
            default:
                throw new JsonException("command: a string (run by bash -lc) or an array of strings (an argv)");
        }
    }

    public override void Write(Utf8JsonWriter writer, ExecCommand value, JsonSerializerOptions options)
    {
        if (value.Script is { } script)
        {
            writer.WriteStringValue(script);
            return;
        }
        writer.WriteStartArray();
        foreach (var arg in value.Argv!) writer.WriteStringValue(arg);
        writer.WriteEndArray();
    }
}
