using AgentCluster.Agent.Runtimes.Anthropic.Tools;

namespace AgentCluster.UnitTests.Runtimes;

/// <summary>A Bash command line split into the simple commands the anthropic runtime holds its tool rules to.</summary>
public sealed class ShellCommandsTests
{
    [Theory]
    [InlineData("python3 primes.py", new[] { "python3 primes.py" })]
    [InlineData("printf 'print(42)\\n' > answer.py && python3 answer.py", new[] { "printf 'print(42)\\n' > answer.py", "python3 answer.py" })]
    [InlineData("a || b; c | d |& e & f\ng", new[] { "a", "b", "c", "d", "e", "f", "g" })]
    [InlineData("echo 'x && y; z' \"| q\" && ls", new[] { "echo 'x && y; z' \"| q\"", "ls" })]
    [InlineData("make test 2>&1 | tail -5", new[] { "make test 2>&1", "tail -5" })]
    [InlineData("go   test  ./...   &>log.txt ;", new[] { "go test ./... &>log.txt" })]
    [InlineData("echo a\\;b && echo ${HOME} && find . -name '*.py' -exec wc -l {} +", new[] { "echo a\\;b", "echo ${HOME}", "find . -name '*.py' -exec wc -l {} +" })]
    public void A_command_line_splits_where_the_shell_runs_another_command(string line, string[] commands)
    {
        Assert.Equal(commands, ShellCommands.Split(line));
    }

    [Theory]
    [InlineData("echo $(rm -rf ~)")]
    [InlineData("echo \"$(whoami)\"")]
    [InlineData("echo `id`")]
    [InlineData("diff <(ls a) <(ls b)")]
    [InlineData("cat > x.py <<'EOF'\nimport os\nEOF")]
    [InlineData("(cd sub && make)")]
    [InlineData("{ echo a; rm b; }")]
    [InlineData("echo 'unterminated")]
    [InlineData("git status &&")]
    [InlineData("ls && && rm x")]
    [InlineData("   ")]
    public void What_only_a_shell_can_read_gives_no_list(string line)
    {
        Assert.Null(ShellCommands.Split(line));
    }
}
