namespace AgentCluster.Agent.Runtimes;

/// <summary>How a runtime reports a turn's progress; every event is queued for the session at once.</summary>
internal interface ITurnEvents
{
    /// <param name="stream"><c>text</c>, <c>stdout</c> or <c>stderr</c> (see <see cref="OutputStreams"/>).</param>
    void Output(string stream, string text);

    /// <summary>
    /// A fragment of model text as the model writes it (a runtime passes on every one; they are coalesced on
    /// the way). The block's whole text still follows through <see cref="Output"/> <c>("text")</c>, which
    /// marks the block's end. Thinking and tool input are not text: they are not passed.
    /// </summary>
    void TextDelta(string text);

    /// <param name="input">The tool's input as JSON text.</param>
    void ToolUse(string id, string name, string input);

    void ToolResult(string toolUseId, string content, bool isError);
}
