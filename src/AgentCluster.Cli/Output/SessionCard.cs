using System.Globalization;
using AgentCluster.Abstractions.Sessions;
using Spectre.Console;

namespace AgentCluster.Cli.Output;

/// <summary>A session for a person: one row of <c>ls</c>, or the fields of <c>get</c>.</summary>
internal static class SessionCard
{
    public static readonly string[] Columns = ["ID", "STATUS", "RUNTIME", "REGION", "TURNS", "MACHINE", "COST", "CREATED"];

    public static string?[] Row(SessionView s) =>
    [
        s.SessionId, StatusText(s), s.Runtime, s.Region, s.Turns.ToString(CultureInfo.InvariantCulture),
        Duration(s.MachineSeconds), Dollars(s.CostUsd + s.ModelCostUsd), s.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
    ];

    public static void Show(Screen screen, SessionView s)
    {
        var grid = new Grid().AddColumn(new GridColumn { NoWrap = true }).AddColumn();
        void Add(string name, string? value)
        {
            if (value is not null) grid.AddRow(new Text(name, new Style(Color.Grey)), new Text(value));
        }
        Add("id", s.SessionId);
        Add("status", StatusText(s));
        Add("runtime", s.Runtime);
        Add("preset", s.Preset);
        Add("model", s.Model);
        Add("mode", s.Mode);
        Add("region", s.Region);
        Add("machine", s.MachineId);
        Add("workspace", s.Workspace);
        Add("turns", s.Turns.ToString(CultureInfo.InvariantCulture));
        Add("machine time", Duration(s.MachineSeconds));
        Add("cost", $"{Dollars(s.CostUsd)} machine, {Dollars(s.ModelCostUsd)} model");
        Add("created", s.CreatedAt.ToString("u", CultureInfo.InvariantCulture));
        Add("updated", s.UpdatedAt.ToString("u", CultureInfo.InvariantCulture));
        Add("last event", s.LastEventId.ToString(CultureInfo.InvariantCulture));
        if (s.Result is { } result)
        {
            Add("last turn", $"{result.Turn} {result.Outcome}{(result.Reason is null ? "" : $" ({result.Reason})")}");
            Add("result", result.Text);
        }
        screen.Write(grid);
    }

    public static string StatusText(SessionView s) => s.Reason is { } reason ? $"{s.Status.Name()} ({reason.Name()})" : s.Status.Name();

    private static string Duration(double seconds) => TimeSpan.FromSeconds(Math.Round(seconds)) is var t && t.TotalHours >= 1
        ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:00}s" : $"{t.Seconds}s";

    private static string Dollars(decimal usd) => "$" + usd.ToString("0.####", CultureInfo.InvariantCulture);
}
