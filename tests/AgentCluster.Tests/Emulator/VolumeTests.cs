using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AgentCluster.Fly;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.FlyEmulator.State;
using AgentCluster.Tests.Conformance;
using AgentCluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCluster.Tests.Emulator;

/// <summary>
/// Volumes in the emulator over HTTP: Fly's rules for creating, mounting and deleting them, its answers
/// against the spec, and a volume's folder standing in for the mount inside the machine's process.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class VolumeTests(EmulatorFixture fly)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly Lazy<OpenApiSchemas> Spec = new(() =>
        OpenApiSchemas.Load(Path.Combine(AppContext.BaseDirectory, "TestData", "machines-openapi.json")));

    private const string Volumes = "/apps/{app_name}/volumes";
    private const string VolumePath = Volumes + "/{volume_id}";

    [Fact]
    public async Task A_volume_is_created_read_changed_and_deleted_with_the_specs_answers()
    {
        var app = await fly.NewAppAsync();
        var created = await SendAsync(HttpMethod.Post, $"apps/{app}/volumes", """{"name":"data_1","region":"ams","size_gb":3}""");
        Spec.Value.AssertValidResponse(Volumes, "post", 200, created);
        var id = created["id"]!.GetValue<string>();
        Assert.Matches("^vol_[a-z0-9]{16}$", id);
        Assert.Equal(("data_1", "ams", 3, "created"), (created["name"]!.GetValue<string>(), created["region"]!.GetValue<string>(),
            created["size_gb"]!.GetValue<int>(), created["state"]!.GetValue<string>()));
        Assert.True(Directory.Exists(FolderOf(app, id)), "a volume is a folder of the emulator's");

        Spec.Value.AssertValidResponse(VolumePath, "get", 200, await SendAsync(HttpMethod.Get, $"apps/{app}/volumes/{id}"));
        var list = await SendAsync(HttpMethod.Get, $"apps/{app}/volumes");
        Spec.Value.AssertValidResponse(Volumes, "get", 200, list);
        Assert.Equal(id, Assert.Single(list.AsArray())!["id"]!.GetValue<string>());
        Assert.Null(Assert.Single((await SendAsync(HttpMethod.Get, $"apps/{app}/volumes?summary=true")).AsArray())!["blocks"]);

        var updated = await SendAsync(HttpMethod.Put, $"apps/{app}/volumes/{id}", """{"snapshot_retention":10,"auto_backup_enabled":false}""");
        Spec.Value.AssertValidResponse(VolumePath, "put", 200, updated);
        Assert.Equal((10, false), (updated["snapshot_retention"]!.GetValue<int>(), updated["auto_backup_enabled"]!.GetValue<bool>()));
        var extended = await SendAsync(HttpMethod.Put, $"apps/{app}/volumes/{id}/extend", """{"size_gb":5}""");
        Spec.Value.AssertValidResponse(VolumePath + "/extend", "put", 200, extended);
        Assert.Equal(5, extended["volume"]!["size_gb"]!.GetValue<int>());
        await AssertErrorAsync(HttpMethod.Put, $"apps/{app}/volumes/{id}/extend", """{"size_gb":4}""", 400, "larger");

        var deleted = await SendAsync(HttpMethod.Delete, $"apps/{app}/volumes/{id}");
        Spec.Value.AssertValidResponse(VolumePath, "delete", 200, deleted);
        Assert.Equal("destroyed", deleted["state"]!.GetValue<string>());
        Assert.False(Directory.Exists(FolderOf(app, id)), "deleting a volume deletes its data");
        await AssertErrorAsync(HttpMethod.Get, $"apps/{app}/volumes/{id}", null, 404, "volume not found");
        Assert.Empty(await fly.Volumes.ListVolumesAsync(app));
    }

    [Theory]
    [InlineData("""{"name":"Data","size_gb":1}""", "lowercase")]
    [InlineData("""{"name":"my-data","size_gb":1}""", "underscores")]
    [InlineData("""{"name":"a234567890123456789012345678901","size_gb":1}""", "30 characters")]
    [InlineData("""{"name":"","size_gb":1}""", "name is required")]
    [InlineData("""{"name":"data","size_gb":0}""", "between 1 and 500")]
    [InlineData("""{"name":"data","size_gb":501}""", "between 1 and 500")]
    [InlineData("""{"name":"data","snapshot_retention":61}""", "snapshot_retention")]
    public async Task A_volume_outside_Flys_rules_is_refused(string body, string reason)
    {
        var app = await fly.NewAppAsync();
        await AssertErrorAsync(HttpMethod.Post, $"apps/{app}/volumes", body, 400, reason);
        Assert.Empty(await fly.Volumes.ListVolumesAsync(app));
    }

    [Fact]
    public async Task Names_are_not_unique_and_the_size_defaults_to_one_gigabyte()
    {
        var app = await fly.NewAppAsync();
        var a = await fly.Volumes.CreateVolumeAsync(app, new CreateVolumeRequest { Name = "same" });
        var b = await fly.Volumes.CreateVolumeAsync(app, new CreateVolumeRequest { Name = "same" });
        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal(1, a.SizeGb);
        Assert.Equal("iad", a.Region); // the emulator's default region, as for machines
        Assert.Equal(2, (await fly.Volumes.ListVolumesAsync(app)).Count(v => v.Name == "same"));
    }

    [Fact]
    public async Task A_volume_is_mounted_by_one_machine_in_its_region_and_freed_when_that_machine_is_destroyed()
    {
        var app = await fly.NewAppAsync();
        var volume = await fly.Volumes.CreateVolumeAsync(app, new CreateVolumeRequest { Name = "work", Region = "ams", SizeGb = 1 });
        var first = await fly.Machines.CreateMachineAsync(app, Mounting(volume.Id, "ams"));
        Assert.Equal("/workspace", Assert.Single(first.Config!.Mounts!).Path);
        Assert.Equal(first.Id, (await fly.Volumes.GetVolumeAsync(app, volume.Id)).AttachedMachineId);

        var taken = await Assert.ThrowsAsync<FlyApiException>(() => fly.Machines.CreateMachineAsync(app, Mounting(volume.Id, "ams")));
        Assert.Equal(FlyErrorKind.FailedPrecondition, taken.Kind);
        Assert.Contains($"already attached to machine {first.Id}", taken.FlyMessage);
        var elsewhere = await Assert.ThrowsAsync<FlyApiException>(() => fly.Machines.CreateMachineAsync(app, Mounting(volume.Id, "iad")));
        Assert.Equal(FlyErrorKind.BadRequest, elsewhere.Kind);
        Assert.Contains("region ams", elsewhere.FlyMessage);
        Assert.Single(await fly.Machines.ListMachinesAsync(app)); // refused configs made no machine

        // Stopped is not enough: Fly deletes no volume a machine still mounts.
        await fly.Machines.WaitForStateAsync(app, first.Id, [MachineStates.Started], Deadline);
        await fly.Machines.StopMachineAsync(app, first.Id, new StopRequest());
        await fly.Machines.WaitForStateAsync(app, first.Id, [MachineStates.Stopped], Deadline);
        var bound = await Assert.ThrowsAsync<FlyApiException>(() => fly.Volumes.DeleteVolumeAsync(app, volume.Id));
        Assert.Equal(FlyErrorKind.FailedPrecondition, bound.Kind);
        Assert.Equal($"failed_precondition: volume is currently bound to machine: {first.Id}", bound.FlyMessage);

        await fly.Machines.DestroyMachineAsync(app, first.Id, force: true);
        Assert.Null((await fly.Volumes.GetVolumeAsync(app, volume.Id)).AttachedMachineId);
        var second = await fly.Machines.CreateMachineAsync(app, Mounting(volume.Id, "ams"));
        Assert.Equal(second.Id, (await fly.Volumes.GetVolumeAsync(app, volume.Id)).AttachedMachineId);
        await fly.Machines.DestroyMachineAsync(app, second.Id, force: true);
        await fly.Volumes.DeleteVolumeAsync(app, volume.Id);
    }

    [Theory]
    [InlineData("""[{"volume":"vol_nope000000000000","path":"/data"}]""", "not found")]
    [InlineData("""[{"path":"/data"}]""", "volume is required")]
    [InlineData("""[{"volume":"VOLUME","path":"data"}]""", "absolute path")]
    [InlineData("""[{"volume":"VOLUME","path":"/a"},{"volume":"VOLUME","path":"/b"}]""", "at most one volume")]
    public async Task Bad_mounts_are_refused(string mounts, string reason)
    {
        var app = await fly.NewAppAsync();
        var volume = await fly.Volumes.CreateVolumeAsync(app, new CreateVolumeRequest { Name = "v", SizeGb = 1 });
        await AssertErrorAsync(HttpMethod.Post, $"apps/{app}/machines",
            """{"config":{"image":"x","mounts":MOUNTS}}""".Replace("MOUNTS", mounts.Replace("VOLUME", volume.Id)), 400, reason);
        Assert.Null((await fly.Volumes.GetVolumeAsync(app, volume.Id)).AttachedMachineId);
    }

    [Fact]
    public async Task An_update_may_mount_a_volume_and_unmounting_it_frees_it()
    {
        var app = await fly.NewAppAsync();
        var volume = await fly.Volumes.CreateVolumeAsync(app, new CreateVolumeRequest { Name = "later", SizeGb = 1 });
        var machine = await fly.Machines.CreateMachineAsync(app, new CreateMachineRequest { SkipLaunch = true, Config = new MachineConfig { Image = "x" } });

        var mounted = await fly.Machines.UpdateMachineAsync(app, machine.Id, new UpdateMachineRequest
        {
            Config = machine.Config! with { Mounts = [new MachineMount { Volume = volume.Id, Path = "/data" }] },
        });
        Assert.Equal(machine.Id, (await fly.Volumes.GetVolumeAsync(app, volume.Id)).AttachedMachineId);

        await fly.Machines.UpdateMachineAsync(app, machine.Id, new UpdateMachineRequest { Config = mounted.Config! with { Mounts = null } });
        Assert.Null((await fly.Volumes.GetVolumeAsync(app, volume.Id)).AttachedMachineId);
    }

    [Fact]
    public async Task The_process_works_in_its_volume_and_the_data_survives_stop_start_and_the_machine_itself()
    {
        var app = await fly.NewAppAsync();
        var volume = await fly.Volumes.CreateVolumeAsync(app, new CreateVolumeRequest { Name = "keep", SizeGb = 1 });
        var folder = FolderOf(app, volume.Id);
        // Relative paths and $AGENTCLUSTER_WORKSPACE land in the volume; HOME stays on the machine's own disk.
        var writer = await fly.Machines.CreateMachineAsync(app, Mounting(volume.Id, "iad",
            """echo run >> runs.txt; echo "$AGENTCLUSTER_WORKSPACE" > "$AGENTCLUSTER_WORKSPACE/where.txt"; echo "$HOME" > home.txt; sleep 60"""));
        await Eventually.TrueAsync(() => File.Exists(Path.Combine(folder, "home.txt")), Deadline, "the first run writes into the volume's folder");
        Assert.Equal(folder, File.ReadAllText(Path.Combine(folder, "where.txt")).Trim());
        Assert.False(File.ReadAllText(Path.Combine(folder, "home.txt")).Trim().StartsWith(folder, StringComparison.Ordinal));

        await fly.Machines.StopMachineAsync(app, writer.Id, new StopRequest { Timeout = TimeSpan.FromSeconds(1) });
        await fly.Machines.WaitForStateAsync(app, writer.Id, [MachineStates.Stopped], Deadline);
        await fly.Machines.StartMachineAsync(app, writer.Id);
        await Eventually.TrueAsync(() => File.ReadAllLines(Path.Combine(folder, "runs.txt")).Length == 2, Deadline, "the second run appends to what the first wrote");

        await fly.Machines.DestroyMachineAsync(app, writer.Id, force: true);
        Assert.True(File.Exists(Path.Combine(folder, "runs.txt")), "a destroyed machine's volume keeps its data");
        var reader = await fly.Machines.CreateMachineAsync(app, Mounting(volume.Id, "iad", "cp runs.txt seen.txt; sleep 60"));
        await Eventually.TrueAsync(() => File.Exists(Path.Combine(folder, "seen.txt")), Deadline, "the next machine sees the data");
        await fly.Machines.DestroyMachineAsync(app, reader.Id, force: true);
        await fly.Volumes.DeleteVolumeAsync(app, volume.Id);
    }

    [Fact]
    public async Task Without_processes_volumes_are_state_only()
    {
        await using var emulator = await EmbeddedFlyEmulator.StartAsync(o => o.RunProcesses = false);
        await using var services = EmulatorHost.CreateClientServices(emulator.BaseUrl, "any-token");
        var client = new EmulatorClient(services);
        await client.Apps.CreateAppAsync(new CreateAppRequest { Name = "load", OrgSlug = "personal" });
        var volume = await client.Volumes.CreateVolumeAsync("load", new CreateVolumeRequest { Name = "v", SizeGb = 1 });

        var machine = await client.Machines.CreateMachineAsync("load", Mounting(volume.Id, "iad", "echo ran > ran.txt"));
        await client.Machines.WaitForStateAsync("load", machine.Id, [MachineStates.Started], Deadline);
        Assert.Equal(machine.Id, (await client.Volumes.GetVolumeAsync("load", volume.Id)).AttachedMachineId);
        var folder = emulator.Services.GetRequiredService<EmulatorStore>().VolumeDirectory("load", volume.Id);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));

        await client.Machines.DestroyMachineAsync("load", machine.Id, force: true);
        await client.Volumes.DeleteVolumeAsync("load", volume.Id);
    }

    private static CreateMachineRequest Mounting(string volumeId, string region, string script = "sleep 60") =>
        EmulatorFixture.Script(script, c => c with
        {
            Env = new() { ["AGENTCLUSTER_WORKSPACE"] = "/workspace" },
            Mounts = [new MachineMount { Volume = volumeId, Path = "/workspace" }],
            Restart = new MachineRestart { Policy = "no" },
        }) with { Region = region };

    private string FolderOf(string app, string volumeId) =>
        fly.Emulator.Services.GetRequiredService<EmulatorStore>().VolumeDirectory(app, volumeId);

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await fly.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    private async Task AssertErrorAsync(HttpMethod method, string path, string? json, int status, string mentions)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await fly.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Spec.Value.AssertValid("ErrorResponse", JsonNode.Parse(body));
        Assert.Contains(mentions, JsonNode.Parse(body)!["error"]!.GetValue<string>());
    }
}
