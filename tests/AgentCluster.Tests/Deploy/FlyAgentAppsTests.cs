using AgentCluster.Fly;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentCluster.Tests.Deploy;

/// <summary>
/// Several agents' apps, configured as an operator would: <c>FLY_AGENT_APPS=a,b,c</c> or <c>Fly__AgentApps__N</c>,
/// with or beside <c>FLY_AGENT_APP</c>. Every app the node would create machines in is a Fly app name, none twice,
/// and a node with no app at all or a bad one refuses to start with a message naming the variable.
/// </summary>
public sealed class FlyAgentAppsTests
{
    [Fact]
    public void FLY_AGENT_APPS_lists_the_apps_trimmed_without_empty_entries_and_the_first_is_the_main_app()
    {
        var options = Options(new() { [FlyOptions.AgentAppsVariable] = " acme-agents-1, acme-agents-2 ,,acme-agents-3," });

        Assert.Equal(["acme-agents-1", "acme-agents-2", "acme-agents-3"], options.Apps);
        Assert.Equal("acme-agents-1", options.AppName);
    }

    [Fact]
    public void The_section_form_binds_and_FLY_AGENT_APP_may_name_the_main_app_among_them()
    {
        var options = Options(new()
        {
            ["Fly:AgentApps:0"] = "acme-agents-1",
            ["Fly:AgentApps:1"] = "acme-agents-2",
            [FlyOptions.AgentAppVariable] = "acme-agents-2",
        });

        Assert.Equal(["acme-agents-1", "acme-agents-2"], options.Apps);
        Assert.Equal("acme-agents-2", options.AppName);
    }

    [Fact]
    public void One_app_is_still_FLY_AGENT_APP_alone()
    {
        var options = Options(new() { [FlyOptions.AgentAppVariable] = "acme-agents" });

        Assert.Equal(["acme-agents"], options.Apps);
        Assert.Empty(options.AgentApps);
    }

    [Fact]
    public void Outside_a_Fly_Machine_FLY_APP_NAME_does_not_compete_with_a_list()
    {
        var options = Options(new() { ["FLY_APP_NAME"] = "some-other-app", [FlyOptions.AgentAppsVariable] = "acme-agents-1,acme-agents-2" });

        Assert.Equal("acme-agents-1", options.AppName);
        Assert.Equal(["acme-agents-1", "acme-agents-2"], options.Apps);
    }

    [Theory]
    [InlineData(null, "acme-agents-1,Acme_Agents", "FLY_AGENT_APPS (Fly:AgentApps) names 'Acme_Agents', no Fly app name")]
    [InlineData(null, "acme-agents-1,-agents", "FLY_AGENT_APPS (Fly:AgentApps) names '-agents', no Fly app name")]
    [InlineData(null, "acme-agents-1,acme-agents-2,acme-agents-1", "FLY_AGENT_APPS (Fly:AgentApps) names 'acme-agents-1' more than once")]
    [InlineData("acme-agents", "acme-agents-1,acme-agents-2", "FLY_AGENT_APP (Fly:AppName) 'acme-agents' is not one of FLY_AGENT_APPS (acme-agents-1, acme-agents-2)")]
    [InlineData("Acme.Agents", null, "FLY_AGENT_APP (Fly:AppName) 'Acme.Agents' is no Fly app name")]
    [InlineData(null, " , ,", "FLY_AGENT_APP (or Fly:AppName), or FLY_AGENT_APPS (or Fly:AgentApps:0, 1, …), is required")]
    [InlineData(null, null, "FLY_AGENT_APP (or Fly:AppName), or FLY_AGENT_APPS (or Fly:AgentApps:0, 1, …), is required")]
    public void Bad_apps_are_refused_naming_the_variable(string? agentApp, string? agentApps, string expected)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Options(new()
        {
            [FlyOptions.AgentAppVariable] = agentApp,
            [FlyOptions.AgentAppsVariable] = agentApps,
        }));

        Assert.Contains(failure.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_entry_of_the_section_form_is_refused()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Options(new()
        {
            ["Fly:AgentApps:0"] = "acme-agents-1",
            ["Fly:AgentApps:1"] = "",
        }));

        Assert.Contains(failure.Failures, f => f.StartsWith("FLY_AGENT_APPS (Fly:AgentApps) names '', no Fly app name", StringComparison.Ordinal));
    }

    /// <summary>The Fly client's options as a node registers them, from exactly these settings (and a token).</summary>
    private static FlyOptions Options(Dictionary<string, string?> settings)
    {
        settings["FLY_API_TOKEN"] = "test-token";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddFlyMachinesClient(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<FlyOptions>>().Value;
    }
}
