namespace AgentCluster.Agent.Runtimes.ClaudeCode;

/// <summary>
/// The runtime's folder in the workspace, <c>.agentcluster/claude-code/</c>: the CLI's own config directory
/// (<c>CLAUDE_CONFIG_DIR</c>, where it keeps each conversation's transcript) and the id of the conversation
/// the session's turns continue. Both live with the workspace, so an agent process restarted on the same
/// volume resumes the conversation, and nothing of it is in the machine image or the user's home.
/// </summary>
internal sealed class ClaudeCodeHome(string workspace)
{
    private readonly string root = Path.Combine(workspace, ".agentcluster", "claude-code");

    public string ConfigDirectory => Path.Combine(root, "config");

    private string SessionFile => Path.Combine(root, "session-id");

    /// <summary>The CLI's session id to <c>--resume</c>, or null before the first conversation exists.</summary>
    public string? SessionId => File.Exists(SessionFile) && File.ReadAllText(SessionFile).Trim() is { Length: > 0 } id ? id : null;

    public void Create()
    {
        Directory.CreateDirectory(ConfigDirectory);
        // Keeps the folder out of `git status` and commits when the workspace is a repository.
        var ignore = Path.Combine(workspace, ".agentcluster", ".gitignore");
        if (!File.Exists(ignore)) File.WriteAllText(ignore, "*\n");
    }

    public void ForgetSessionId() => File.Delete(SessionFile);

    public void SaveSessionId(string id)
    {
        // Written whole or not at all: a half-written id would make every later turn fail to resume.
        var temporary = SessionFile + ".tmp";
        File.WriteAllText(temporary, id);
        File.Move(temporary, SessionFile, overwrite: true);
    }
}
