using System.Text.Json;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Cli;

/// <summary>
/// What agentcluster's exit code says (docs/cli.md lists the same table). <c>run</c> and <c>send</c> exit with their
/// turn's outcome, so a script can tell a turn that worked from one that did not without reading the output;
/// <c>exec</c> exits with the command's own code.
/// </summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The node refused the request (its ProblemDetails on stderr) or could not be reached.</summary>
    public const int RequestFailed = 1;

    /// <summary>The command line itself is wrong (an unknown option, a missing argument).</summary>
    public const int Usage = 2;

    /// <summary>The turn ended <c>error</c> (the agent or its command failed).</summary>
    public const int TurnError = 3;

    /// <summary>The turn ended <c>failed</c>: the session gave up on a silent agent.</summary>
    public const int TurnFailed = 4;

    /// <summary>The turn used all the model round trips its max_turns allows.</summary>
    public const int MaxTurns = 5;

    /// <summary>The turn ran past the session's max_turn_seconds.</summary>
    public const int Timeout = 6;

    /// <summary>The turn was interrupted (Ctrl-C, <c>agentcluster interrupt</c>, or the machine stopped).</summary>
    public const int Interrupted = 7;

    /// <summary>The turn succeeded, but the session's permissions refused some of its tool calls.</summary>
    public const int DeniedTools = 8;

    /// <summary>The session ended before the turn did (deleted, out of budget, expired).</summary>
    public const int SessionEnded = 9;

    /// <summary>Stopped by Ctrl-C: a second Ctrl-C detached from a turn (which goes on), or a command was cancelled; as a shell reports SIGINT.</summary>
    public const int CtrlC = 130;

    /// <summary>The exit code for a <c>turn.completed</c> payload.</summary>
    public static int ForTurn(string payload)
    {
        using var json = JsonDocument.Parse(payload);
        var outcome = json.RootElement.TryGetProperty("outcome", out var o) ? o.GetString() : null;
        var denied = json.RootElement.TryGetProperty("denied_tools", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt32() : 0;
        return outcome switch
        {
            TurnOutcomes.Success => denied > 0 ? DeniedTools : Success,
            TurnOutcomes.Error => TurnError,
            TurnOutcomes.Failed => TurnFailed,
            TurnOutcomes.MaxTurns => MaxTurns,
            TurnOutcomes.Timeout => Timeout,
            TurnOutcomes.Interrupted => Interrupted,
            _ => TurnError,
        };
    }
}
