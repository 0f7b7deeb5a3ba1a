using Spectre.Console;
using Spectre.Console.Rendering;

namespace AgentCluster.Cli.Output;

/// <summary>
/// Human output on stdout. On a terminal: colour and a spinner (Spectre.Console). Anywhere else (a pipe, a file, a
/// test): plain text, no ANSI, no spinner, lines written as they are, not wrapped at a guessed width.
/// </summary>
internal sealed class Screen
{
    private readonly TextWriter plain;

    public Screen(TextWriter stdout, bool terminal)
    {
        plain = stdout;
        Fancy = terminal;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(stdout),
        });
        // Redirected, Spectre would lay tables out for 80 columns; a script reading them wants whole lines.
        if (!terminal) Console.Profile.Width = 4096;
    }

    /// <summary>On a terminal: colour, spinners, tables with borders.</summary>
    public bool Fancy { get; }

    public IAnsiConsole Console { get; }

    /// <summary>One line of text, in <paramref name="style"/> on a terminal (its markup characters are not markup).</summary>
    public void Line(string text, Style? style = null)
    {
        if (Fancy) Console.Write(new Text(text + "\n", style));
        else plain.WriteLine(text);
    }

    /// <summary>A fragment of a line (model text as it streams), ended later by <see cref="Line"/> or <see cref="EndLine"/>.</summary>
    public void Fragment(string text)
    {
        if (Fancy) Console.Write(new Text(text));
        else plain.Write(text);
    }

    public void EndLine() => Line("");

    public void Write(IRenderable renderable) => Console.Write(renderable);

    /// <summary>
    /// Runs <paramref name="work"/> under a spinner on a terminal (it can change the spinner's text); elsewhere just runs it.
    /// </summary>
    public Task SpinAsync(string status, Func<Action<string>, Task> work) => Fancy
        ? Console.Status().Spinner(Spinner.Known.Dots).StartAsync(Markup.Escape(status), context => work(text => context.Status(Markup.Escape(text))))
        : work(_ => { });

    /// <summary>A table: bordered on a terminal, plain aligned columns elsewhere.</summary>
    public Table Table(params string[] columns)
    {
        var table = new Table { Border = Fancy ? TableBorder.Rounded : TableBorder.None };
        foreach (var column in columns) table.AddColumn(new TableColumn(column) { NoWrap = true });
        return table;
    }

    /// <summary>A row of plain text cells (none of it read as markup).</summary>
    public static void AddRow(Table table, params string?[] cells) => table.AddRow(cells.Select(c => (IRenderable)new Text(c ?? "-")).ToArray());
}
