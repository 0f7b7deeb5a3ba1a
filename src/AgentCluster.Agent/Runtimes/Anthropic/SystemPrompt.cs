namespace AgentCluster.Agent.Runtimes.Anthropic;

/// <summary>The runtime's own system prompt: what the model is and where it works; the session's prompt follows it.</summary>
internal static class SystemPrompt
{
    public static string For(string workspace, string? sessionPrompt)
    {
        var prompt = $"""
            You are a coding agent. You work in the workspace {workspace}, a folder on a Linux machine that is yours
            for this session, through the tools you are given: Bash to run commands, Read, Write and Edit for files,
            Glob and Grep to find them. File paths are relative to the workspace or absolute inside it.

            Do the task you are asked: look at the code before you change it, make the change, and check it
            (build, run the tests) when you can. Keep changes to what the task needs. Nobody answers questions
            mid-task: when something is unclear, make a sensible choice and say which. When you are done, say
            briefly what you did and what is left.
            """;
        return string.IsNullOrWhiteSpace(sessionPrompt) ? prompt : $"{prompt}\n\n{sessionPrompt.Trim()}";
    }
}
