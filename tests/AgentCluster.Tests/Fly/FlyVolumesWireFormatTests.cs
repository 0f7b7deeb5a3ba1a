using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Json;
using AgentCluster.Fly.Models;
using AgentCluster.Tests.Conformance;

namespace AgentCluster.Tests.Fly;

/// <summary>Volumes and mounts as the Machines API writes them: the spec's shapes and names, read and written.</summary>
public sealed class FlyVolumesWireFormatTests
{
    private static readonly Lazy<OpenApiSchemas> Spec = new(() =>
        OpenApiSchemas.Load(Path.Combine(AppContext.BaseDirectory, "TestData", "machines-openapi.json")));

    // Fly's docs example of a volume (volumes-resource), as the live API answers.
    private const string VolumeJson = """
        {"id":"vol_vjeylkgg6gll7j94","name":"data","state":"created","size_gb":3,"region":"ord","zone":"c4ad","encrypted":true,
         "attached_machine_id":"1857156b526dd8","attached_alloc_id":"1857156b526dd8","created_at":"2023-11-08T01:52:30Z","blocks":783744,
         "block_size":4096,"blocks_free":783330,"blocks_avail":742370,"bytes_used":1695744,"bytes_total":3210215424,"fstype":"ext4",
         "snapshot_retention":5,"auto_backup_enabled":true,"host_status":"ok","type":"local","future_field":1}
        """;

    [Fact]
    public void A_volume_reads_with_every_field()
    {
        Spec.Value.AssertValid("Volume", JsonNode.Parse(VolumeJson));
        var volume = JsonSerializer.Deserialize<Volume>(VolumeJson, FlyJson.Options)!;
        Assert.Equal(("vol_vjeylkgg6gll7j94", "data", VolumeStates.Created, 3, "ord"), (volume.Id, volume.Name, volume.State, volume.SizeGb, volume.Region));
        Assert.Equal("1857156b526dd8", volume.AttachedMachineId);
        Assert.Equal(new DateTimeOffset(2023, 11, 8, 1, 52, 30, TimeSpan.Zero), volume.CreatedAt);
        Assert.Equal(3210215424, volume.BytesTotal);
        Assert.Contains("\"future_field\":1", JsonSerializer.Serialize(volume, FlyJson.Options));
    }

    [Fact]
    public void Requests_use_the_specs_names_and_leave_out_what_is_not_set()
    {
        var create = JsonSerializer.SerializeToNode(new CreateVolumeRequest { Name = "ws_1", Region = "ams", SizeGb = 10, AutoBackupEnabled = false }, FlyJson.Options)!;
        Spec.Value.AssertValid("CreateVolumeRequest", create);
        Assert.Equal("""{"name":"ws_1","region":"ams","size_gb":10,"auto_backup_enabled":false}""", create.ToJsonString());

        Assert.Equal("""{"size_gb":20}""", JsonSerializer.Serialize(new ExtendVolumeRequest { SizeGb = 20 }, FlyJson.Options));
        Assert.Equal("""{"snapshot_retention":7}""", JsonSerializer.Serialize(new UpdateVolumeRequest { SnapshotRetention = 7 }, FlyJson.Options));
        var extended = JsonSerializer.Deserialize<ExtendVolumeResponse>("""{"needs_restart":true,"volume":{"id":"vol_x","size_gb":20}}""", FlyJson.Options)!;
        Assert.Equal((true, 20), (extended.NeedsRestart, extended.Volume!.SizeGb));
    }

    [Fact]
    public void A_mount_is_written_into_the_machine_config()
    {
        var config = new MachineConfig { Image = "x", Mounts = [new MachineMount { Volume = "vol_vjeylkgg6gll7j94", Path = "/workspace" }] };
        var json = JsonSerializer.SerializeToNode(config, FlyJson.Options)!;
        Spec.Value.AssertValid("fly.MachineConfig", json);
        Assert.Equal("""[{"volume":"vol_vjeylkgg6gll7j94","path":"/workspace"}]""", json["mounts"]!.ToJsonString());

        var read = JsonSerializer.Deserialize<MachineMount>("""{"volume":"vol_a","path":"/data","extend_threshold_percent":80,"add_size_gb":5,"size_gb_limit":50}""", FlyJson.Options)!;
        Assert.Equal((80, 5, 50), (read.ExtendThresholdPercent, read.AddSizeGb, read.SizeGbLimit));
    }

    [Theory]
    [InlineData("created", true)]
    [InlineData("pending_destroy", false)]
    [InlineData("waiting_for_detach", false)]
    [InlineData("destroyed", false)]
    [InlineData("hydrating", true)] // a state Fly adds later is not taken for a destroyed volume
    public void Volumes_on_their_way_out_are_not_active(string state, bool active) => Assert.Equal(active, VolumeStates.IsActive(state));

    [Theory]
    [InlineData("POST", "http://api/v1/apps/a/volumes", "volume.create", "a")]
    [InlineData("GET", "http://api/v1/apps/a/volumes", "volume.list", "a")]
    [InlineData("GET", "http://api/v1/apps/a/volumes/vol_1", "volume.get", "vol_1")]
    [InlineData("DELETE", "http://api/v1/apps/a/volumes/vol_1", "volume.destroy", "vol_1")]
    [InlineData("PUT", "http://api/v1/apps/a/volumes/vol_1/extend", "volume.extend:PUT", "vol_1")]
    [InlineData("GET", "http://api/v1/apps/a/machines/m1", "machine.get", "m1")]
    public void Rate_limits_count_volume_calls_per_action_and_volume(string method, string url, string action, string scope)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        Assert.Equal((action, scope), FlyRateLimits.Classify(request));
    }

    [Theory]
    [InlineData("POST", "http://api/v1/apps/a/volumes", false)] // a second volume of the same name
    [InlineData("DELETE", "http://api/v1/apps/a/volumes/vol_1", true)]
    [InlineData("PUT", "http://api/v1/apps/a/volumes/vol_1/extend", true)] // to a size, not by one
    public void Only_volume_calls_that_converge_are_retried(string method, string url, bool retried)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        Assert.Equal(retried, FlyRetryPolicy.ShouldRetry(request, HttpStatusCode.ServiceUnavailable, null));
    }
}
