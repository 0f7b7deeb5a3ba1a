using AgentCluster.Abstractions.Sessions;
using AgentCluster.Fly;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Options;
using Polly.Timeout;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Workspaces;

/// <summary>
/// Workspace volumes on Fly, the create made idempotent: a create that got no answer may have made the volume,
/// so it is looked up by its name (unique to the workspace: <see cref="WorkspaceNames.VolumeName"/>) before
/// anyone creates again. Provider failures become <see cref="SessionException"/>s that say whether retrying helps.
/// </summary>
public sealed partial class WorkspaceVolumes(
    IFlyVolumesApi volumes, IOptions<FlyOptions> fly, IOptions<AgentSessionOptions> options, ILogger<WorkspaceVolumes> logger)
{
    private string App => fly.Value.AppName!;

    /// <summary>The volume of this name, if one exists (the oldest, should there be two).</summary>
    public async Task<Volume?> FindAsync(string name)
    {
        var all = await CallAsync("list", () => volumes.ListVolumesAsync(App, summary: true));
        return all.Where(v => v.Name == name && VolumeStates.IsActive(v.State)).OrderBy(v => v.CreatedAt).FirstOrDefault();
    }

    /// <summary>The volume, or null when Fly no longer has it.</summary>
    public async Task<Volume?> GetAsync(string volumeId)
    {
        try
        {
            var volume = await volumes.GetVolumeAsync(App, volumeId);
            return VolumeStates.IsActive(volume.State) ? volume : null;
        }
        catch (FlyApiException e) when (e.Kind == FlyErrorKind.NotFound && e.FlyMessage.Contains("volume", StringComparison.Ordinal))
        {
            return null;
        }
        catch (FlyApiException e)
        {
            throw Translate(e, "read");
        }
    }

    /// <summary>Creates the volume, or finds the one an ambiguous attempt (no answer, 408, 5xx) made.</summary>
    public async Task<Volume> CreateAsync(string name, string region, int sizeGb)
    {
        var request = new CreateVolumeRequest { Name = name, Region = region, SizeGb = sizeGb };
        // As for machines: well within the session's 30 s call, so that it can still look the volume up and answer.
        var timeout = options.Value.MachineCreateTimeout;
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            return await volumes.CreateVolumeAsync(App, request, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            LogCreateUnanswered(name, timeout);
            return await FindAsync(name) ?? throw new SessionException(SessionErrorKind.MachineProviderUnavailable,
                $"The Fly Machines API did not answer the workspace volume's create within {timeout.TotalSeconds:0.#} s. Retry the same request.",
                retryAfter: TimeSpan.FromSeconds(1));
        }
        catch (FlyApiException e) when (e.Kind == FlyErrorKind.Timeout || e.Kind == FlyErrorKind.ServerError)
        {
            LogCreateFailed(name, (int)e.StatusCode);
            return await FindAsync(name) ?? throw Translate(e, "create");
        }
        catch (FlyApiException e)
        {
            throw Translate(e, "create");
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException)
        {
            LogCreateLost(name, e.Message);
            return await FindAsync(name) ?? throw new SessionException(SessionErrorKind.MachineProviderUnavailable,
                $"The Fly Machines API did not answer the workspace volume's create ({e.Message}). Retry the same request.");
        }
    }

    /// <summary>Destroys the volume; one already gone counts as destroyed.</summary>
    public async Task DeleteAsync(string volumeId)
    {
        try
        {
            await volumes.DeleteVolumeAsync(App, volumeId);
        }
        catch (FlyApiException e) when (e.Kind == FlyErrorKind.NotFound && e.FlyMessage.Contains("volume", StringComparison.Ordinal))
        {
        }
        catch (FlyApiException e) when (e.Kind == FlyErrorKind.FailedPrecondition)
        {
            // Fly detaches a volume a little after its machine is destroyed.
            throw new SessionException(SessionErrorKind.MachineProviderUnavailable,
                $"Fly still has the workspace volume attached to a machine ({e.FlyMessage}); retry in a few seconds.", retryAfter: TimeSpan.FromSeconds(5));
        }
        catch (FlyApiException e)
        {
            throw Translate(e, "delete");
        }
    }

    private async Task<T> CallAsync<T>(string action, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (FlyApiException e)
        {
            throw Translate(e, action);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException)
        {
            throw new SessionException(SessionErrorKind.MachineProviderUnavailable, $"The Fly Machines API could not be reached ({e.Message}); retry.");
        }
    }

    private SessionException Translate(FlyApiException e, string action) => e.IsTransient
        ? new(SessionErrorKind.MachineProviderUnavailable,
            $"Fly could not {action} the workspace volume ({(int)e.StatusCode}: {e.FlyMessage}); retry the same request.",
            retryAfter: e.RetryAfter ?? TimeSpan.FromSeconds(1))
        : new(SessionErrorKind.MachineProviderRejected,
            $"Fly refused to {action} the workspace volume in app '{App}' ({(int)e.StatusCode}: {e.FlyMessage}).");

    [LoggerMessage(5100, LogLevel.Warning, "Volume create {Name} got no answer within {Timeout}; looking it up by name")]
    private partial void LogCreateUnanswered(string name, TimeSpan timeout);

    [LoggerMessage(5101, LogLevel.Warning, "Volume create {Name} ended with {Status}; looking it up by name")]
    private partial void LogCreateFailed(string name, int status);

    [LoggerMessage(5102, LogLevel.Warning, "Volume create {Name} got no answer ({Reason}); looking it up by name")]
    private partial void LogCreateLost(string name, string reason);
}
